"""User and role field rules: what is accepted, what is reported, and the case-insensitive keys."""
import pytest

from auth_svc.domain.accounts import clean_role_values, clean_user_values, email_key, role_name_key, username_key
from erp_common.errors import InvalidArgument


def violations(exc: InvalidArgument) -> dict[str, str]:
    return dict(exc.violations)


def test_keys_ignore_case_and_outer_spaces():
    assert username_key("  Alice ") == "alice"
    assert email_key(" Alice@Example.COM ") == "alice@example.com"
    assert email_key("   ") is None
    assert role_name_key("  Plant   Managers ") == "plant managers"


def test_create_needs_username_and_password():
    with pytest.raises(InvalidArgument) as exc:
        clean_user_values({"username": " ", "password": ""}, creating=True)
    assert set(violations(exc.value)) == {"username", "password"}


@pytest.mark.parametrize("username", ["john doe", "a/b", "x" * 151, "semi;colon"])
def test_bad_usernames_are_named(username):
    with pytest.raises(InvalidArgument) as exc:
        clean_user_values({"username": username, "password": "Long-enough-1"}, creating=True)
    assert "username" in violations(exc.value)


@pytest.mark.parametrize("email", ["plain", "a@b", "a b@c.de", "@x.org", "a@.org."])
def test_bad_emails_are_named(email):
    with pytest.raises(InvalidArgument) as exc:
        clean_user_values({"username": "john", "password": "Long-enough-1", "email": email}, creating=True)
    assert "email" in violations(exc.value)


def test_good_values_are_trimmed_and_role_ids_deduplicated():
    values = clean_user_values({"username": " john.doe+ops@site ", "password": "pw", "email": " j@x.org ",
                                "first_name": " John ", "role_ids": (3, 1, 3)}, creating=True)
    assert values["username"] == "john.doe+ops@site"
    assert values["email"] == "j@x.org" and values["first_name"] == "John"
    assert values["role_ids"] == (3, 1)


def test_update_rejects_blank_username_and_password_but_allows_clearing_email():
    with pytest.raises(InvalidArgument) as exc:
        clean_user_values({"username": "", "password": ""}, creating=False)
    assert set(violations(exc.value)) == {"username", "password"}
    assert clean_user_values({"email": ""}, creating=False) == {"email": ""}


def test_role_name_is_normalised_and_required():
    assert clean_role_values({"name": "  Plant   managers "}, creating=True)["name"] == "Plant managers"
    with pytest.raises(InvalidArgument) as exc:
        clean_role_values({"description": "x"}, creating=True)
    assert "name" in violations(exc.value)
    assert clean_role_values({"description": " d "}, creating=False) == {"description": "d"}
