"""Paging arguments of the auth list RPCs: sizes, ordering and tamper-evident page tokens."""
import datetime

import pytest

from auth_svc.domain.listing import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, next_page_token, page_request
from erp_common.errors import InvalidArgument

ORDERABLE = ("name", "created_at")


def test_defaults_and_clamping():
    assert page_request(0, "", "", ORDERABLE, "name").size == DEFAULT_PAGE_SIZE
    assert page_request(5000, "", "", ORDERABLE, "name").size == MAX_PAGE_SIZE
    with pytest.raises(InvalidArgument) as exc:
        page_request(-1, "", "", ORDERABLE, "name")
    assert exc.value.violations[0][0] == "page_size"


def test_ordering_names_a_field_and_a_direction():
    page = page_request(0, "", "-created_at", ORDERABLE, "name")
    assert (page.sort_field, page.descending) == ("created_at", True)
    with pytest.raises(InvalidArgument) as exc:
        page_request(0, "", "password", ORDERABLE, "name")
    assert exc.value.violations[0][0] == "ordering" and "-name" in exc.value.violations[0][1]


def test_token_round_trip_keeps_the_value_type():
    first = page_request(2, "", "-created_at", ORDERABLE, "name", ("x",))
    when = datetime.datetime(2026, 1, 2, 3, 4, 5)
    token = next_page_token(first, when, 42)
    assert page_request(2, token, "-created_at", ORDERABLE, "name", ("x",)).after == (when, 42)
    token = next_page_token(page_request(2, "", "name", ORDERABLE, "name"), "beta", 7)
    assert page_request(2, token, "name", ORDERABLE, "name").after == ("beta", 7)


def test_token_is_bound_to_its_query_and_must_be_ours():
    token = next_page_token(page_request(2, "", "name", ORDERABLE, "name", ("a",)), "beta", 7)
    for args in [("name", ("b",)), ("-name", ("a",))]:
        with pytest.raises(InvalidArgument, match="other filters"):
            page_request(2, token, args[0], ORDERABLE, "name", args[1])
    with pytest.raises(InvalidArgument, match="not a token"):
        page_request(2, "garbage!", "name", ORDERABLE, "name")
