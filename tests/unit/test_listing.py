"""The listing kit (erp_common.listing) both services page with: sizes, ordering, the equality
filter, search bounds and tamper-evident keyset page tokens."""
import datetime

import pytest

from erp_common.errors import InvalidArgument
from erp_common.listing import (DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, Collection, next_page_token, page_request,
                                parse_filter, parse_ordering, search_term)
from master_svc.domain.listing import collection as master_list

ROLES = Collection("roles", ("name", "created_at"), default="name", times=frozenset({"created_at"}))


def test_defaults_and_clamping():
    assert page_request(ROLES, 0, "", "").size == DEFAULT_PAGE_SIZE
    assert page_request(ROLES, 5000, "", "").size == MAX_PAGE_SIZE
    with pytest.raises(InvalidArgument) as exc:
        page_request(ROLES, -1, "", "")
    assert exc.value.violations[0][0] == "page_size"


def test_ordering_names_a_field_and_a_direction():
    page = page_request(ROLES, 0, "", "-created_at")
    assert (page.sort_field, page.descending) == ("created_at", True)
    with pytest.raises(InvalidArgument) as exc:
        page_request(ROLES, 0, "", "password")
    assert exc.value.violations[0][0] == "ordering" and "-name" in exc.value.violations[0][1]


@pytest.mark.parametrize("ordering,order_by,expected", [
    ("", "", ("name", False)), ("-name", "", ("name", True)), ("", "created_at desc", ("created_at", True)),
    ("code", "name desc", ("code", False)), ("-updated_at", "", ("updated_at", True)),
])
def test_ordering(ordering, order_by, expected):
    parsed = parse_ordering(master_list("zone"), ordering, order_by)
    assert (parsed.field, parsed.descending) == expected


@pytest.mark.parametrize("ordering,order_by", [("population", ""), ("--name", ""), ("", "name sideways")])
def test_bad_ordering_is_invalid(ordering, order_by):
    with pytest.raises(InvalidArgument):
        parse_ordering(master_list("zone"), ordering, order_by)


def test_token_round_trip_keeps_the_value_type():
    first = page_request(ROLES, 2, "", "-created_at", ("x",))
    when = datetime.datetime(2026, 1, 2, 3, 4, 5)
    token = next_page_token(first, when, 42)
    assert page_request(ROLES, 2, token, "-created_at", ("x",)).after == (when, 42)
    token = next_page_token(page_request(ROLES, 2, "", "name"), "beta", 7)
    assert page_request(ROLES, 2, token, "name").after == ("beta", 7)


def test_token_is_bound_to_its_query_and_must_be_ours():
    token = next_page_token(page_request(ROLES, 2, "", "name", ("a",)), "beta", 7)
    for args in [("name", ("b",)), ("-name", ("a",))]:
        with pytest.raises(InvalidArgument, match="other filters"):
            page_request(ROLES, 2, token, args[0], args[1])
    with pytest.raises(InvalidArgument, match="other filters"):
        page_request(Collection("users", ("name",), default="name"), 2, token, "name", ("a",))
    with pytest.raises(InvalidArgument, match="not a token"):
        page_request(ROLES, 2, "garbage!", "name")


def test_token_value_must_be_of_its_sort_column_type():
    """A token written for a text column is refused by a time column (and the other way), before its
    value could reach the database."""
    name_token = next_page_token(page_request(master_list("zone"), 1, "", "name"), "beta", 7)
    time_token = next_page_token(page_request(master_list("zone"), 1, "", "created_at"),
                                 datetime.datetime(2026, 1, 2), 7)
    for token, ordering in ((name_token, "created_at"), (time_token, "name")):
        with pytest.raises(InvalidArgument, match="not a token"):
            page_request(master_list("zone"), 1, token, ordering)


def test_search_is_trimmed_and_bounded():
    assert search_term("  delhi ", 5) == "delhi"
    with pytest.raises(InvalidArgument) as exc:
        search_term("x" * 6, 5, "codename")
    assert exc.value.violations[0][0] == "codename"


def test_filter_accepts_equality_joined_by_and():
    fields = ("is_active", "name", "code", "state_id")
    assert parse_filter('is_active = false AND name = "New \\"Town\\"" AND state_id=abc', fields) == {
        "is_active": False, "name": 'New "Town"', "state_id": "abc"}
    assert parse_filter("  ", fields) == {}


@pytest.mark.parametrize("text", ["population = 3", "name > 3", "is_active = maybe", "code = a AND code = b",
                                  "name = \"unterminated"])
def test_filter_rejects_anything_else(text):
    with pytest.raises(InvalidArgument) as err:
        parse_filter(text, ("is_active", "name", "code"))
    assert err.value.violations[0][0] == "filter"
