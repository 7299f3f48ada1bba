"""Second-factor codes, recovery codes, API key format and password hashing rules."""
import pytest

from auth_svc.domain import apikeys, mfa, passwords
from erp_common.errors import InvalidArgument

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
NOW = 1_800_000_015.0
STEP = int(NOW // 30)


def test_current_and_adjacent_codes_are_accepted_once():
    code = mfa.code_at(SECRET, NOW)
    assert mfa.check_code(SECRET, code, NOW, last_used_step=0).step == STEP
    assert mfa.check_code(SECRET, mfa.code_at(SECRET, NOW - 30), NOW, 0).step == STEP - 1
    replay = mfa.check_code(SECRET, code, NOW, last_used_step=STEP)
    assert not replay.accepted and replay.replayed


def test_wrong_old_and_malformed_codes_are_refused():
    assert not mfa.check_code(SECRET, mfa.code_at(SECRET, NOW - 90), NOW, 0).accepted
    for code in ("", "12345", "abcdef", "1234567"):
        result = mfa.check_code(SECRET, code, NOW, 0)
        assert not result.accepted and not result.replayed


def test_enrolment_material():
    uri = mfa.provisioning_uri(SECRET, "alice")
    assert uri.startswith("otpauth://totp/ERP:alice?") and f"secret={SECRET}" in uri
    svg = mfa.qr_svg(uri)
    assert svg.startswith("<svg") and 'xmlns="http://www.w3.org/2000/svg"' in svg


def test_recovery_codes_are_distinct_and_hash_the_same_however_typed():
    codes = mfa.new_recovery_codes()
    assert len(codes) == mfa.RECOVERY_CODE_COUNT == len(set(codes))
    assert all(len(c) == 19 and c.count("-") == 3 for c in codes)
    assert mfa.recovery_code_hash(codes[0]) == mfa.recovery_code_hash(" " + codes[0].upper().replace("-", " "))


def test_api_key_format_and_hash():
    key = apikeys.generate()
    assert key.secret.startswith(f"erp_{key.prefix}_") and len(key.prefix) == 12
    assert apikeys.prefix_of(key.secret) == key.prefix
    assert apikeys.matches(key.secret, key.secret_hash)
    assert not apikeys.matches(key.secret + "x", key.secret_hash)
    assert key.secret_hash != key.secret and len(key.secret_hash) == 64


@pytest.mark.parametrize("presented", ["", "erp_", "erp_short_x", "xyz_0123456789ab_s", "erp_0123456789zz_s",
                                       "erp_0123456789ab_"])
def test_malformed_api_keys_have_no_prefix(presented):
    assert apikeys.prefix_of(presented) is None


def test_password_policy_lists_every_problem():
    with pytest.raises(InvalidArgument) as exc:
        passwords.check_policy("1234567", username="bob")
    problems = [d for f, d in exc.value.violations if f == "password"]
    assert any("too short" in p for p in problems) and any("numeric" in p for p in problems)
    assert any("common" in p for p in problems)
    with pytest.raises(InvalidArgument, match="similar"):
        passwords.check_policy("Johnny-Walker-99", username="johnny.walker")
    passwords.check_policy("Correct-Horse-42", username="alice", email="alice@example.com")


def test_django_hashes_verify_and_ask_for_a_rehash():
    stored = passwords.django_pbkdf2("Legacy-Passw0rd", "somesalt", iterations=1000)
    assert passwords.verify_password("Legacy-Passw0rd", stored)
    assert not passwords.verify_password("legacy-passw0rd", stored)
    assert passwords.needs_rehash(stored, 4)
    fresh = passwords.hash_password("x", 4)
    assert not passwords.needs_rehash(fresh, 4) and passwords.needs_rehash(fresh, 5)
