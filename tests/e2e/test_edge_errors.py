"""Every failure through either edge is JSON {code, status, message, details} with the standard gRPC ->
HTTP status: never an HTML page, never a stack trace."""
from __future__ import annotations

import uuid

import pytest

from tests.support.edge import assert_error, foreign_key, mint, post_large, signing_kid

pytestmark = pytest.mark.e2e


# --- 400 -------------------------------------------------------------------------------------------

def test_missing_required_field_is_400_with_field_violations(edge, admin_token):
    body = assert_error(edge.post("/api/master/continents/", {"code": "XX"}, token=admin_token),
                        400, "INVALID_ARGUMENT")
    violations = [v for d in body["details"] if d["@type"].endswith("google.rpc.BadRequest")
                  for v in d["field_violations"]]
    assert {"field": "name", "description": "This field is required."}.items() <= violations[0].items()


def test_malformed_json_is_400(edge, admin_token):
    assert_error(edge.request("POST", "/api/master/continents/", raw=b'{"name": "unterminated', token=admin_token),
                 400, "INVALID_ARGUMENT")


def test_wrong_json_type_is_400(edge, admin_token):
    assert_error(edge.post("/api/master/continents/", {"name": {"nested": True}}, token=admin_token),
                 400, "INVALID_ARGUMENT")


def test_unknown_query_parameter_is_400(edge, admin_token):
    assert_error(edge.get("/api/master/continents/?no_such_parameter=1", token=admin_token), 400, "INVALID_ARGUMENT")


# --- 401 -------------------------------------------------------------------------------------------

def test_missing_token_is_401(edge):
    assert_error(edge.get("/api/master/countries/"), 401, "UNAUTHENTICATED")


def test_garbage_token_is_401(edge):
    assert_error(edge.get("/api/master/countries/", token="not-a-jwt"), 401, "UNAUTHENTICATED")


def test_token_signed_by_another_key_with_our_kid_is_401(edge, keys_dir):
    forged = mint(keys_dir, key=foreign_key(), kid=signing_kid(keys_dir), permissions=["master_country_read"])
    assert_error(edge.get("/api/master/countries/", token=forged), 401, "UNAUTHENTICATED")


def test_token_with_unknown_kid_is_401(edge, keys_dir):
    forged = mint(keys_dir, key=foreign_key(), kid=f"forged-{uuid.uuid4().hex[:8]}")
    assert_error(edge.get("/api/master/countries/", token=forged), 401, "UNAUTHENTICATED")


def test_expired_token_is_401(edge, keys_dir):
    # Ten minutes past expiry: beyond both edges' clock-skew allowance (Envoy 60 s, gateway 30 s).
    expired = mint(keys_dir, ttl=60, age=660, permissions=["master_country_read"])
    assert_error(edge.get("/api/master/countries/", token=expired), 401, "UNAUTHENTICATED")


@pytest.mark.parametrize("claim,value", [("iss", "someone-else"), ("aud", "another-api")])
def test_wrong_issuer_or_audience_is_401(edge, keys_dir, claim, value):
    token = mint(keys_dir, permissions=["master_country_read"], **{claim: value})
    assert_error(edge.get("/api/master/countries/", token=token), 401, "UNAUTHENTICATED")


def test_refresh_token_is_not_an_access_token(edge):
    refresh = edge.login()["refresh_token"]
    assert_error(edge.get("/api/master/countries/", token=refresh), 401, "UNAUTHENTICATED")


def test_unknown_route_without_token_is_401_not_a_leak(edge):
    assert_error(edge.get("/api/master/no-such-collection/"), 401, "UNAUTHENTICATED")


# --- 403 / 404 / 409 / 413 --------------------------------------------------------------------------

def test_missing_permission_is_403(edge, keys_dir):
    reader_only = mint(keys_dir, username="reader", permissions=["master_country_read"])
    assert edge.get("/api/master/countries/?page_size=1", token=reader_only)[0] == 200
    body = assert_error(edge.post("/api/master/countries/", {"name": "Nope"}, token=reader_only),
                        403, "PERMISSION_DENIED")
    assert "master_country_create" in body["message"]


def test_unknown_id_is_404(edge, admin_token):
    assert_error(edge.get(f"/api/master/continents/{uuid.uuid4().hex}/", token=admin_token), 404, "NOT_FOUND")


@pytest.mark.parametrize("path", ["/api/master/no-such-collection/", "/api/nothing/here", "/no/api/at/all"])
def test_unknown_route_is_404(edge, admin_token, path):
    assert_error(edge.get(path, token=admin_token), 404, "NOT_FOUND")


def test_known_path_with_unbound_method_is_404(edge, admin_token):
    assert_error(edge.request("PATCH", "/api/master/continents/", raw=b"{}", token=admin_token), 404, "NOT_FOUND")


def test_duplicate_name_is_409(edge, admin_token):
    name = f"Duplicate {uuid.uuid4().hex[:8]}"
    assert edge.post("/api/master/continents/", {"name": name}, token=admin_token)[0] == 200
    assert_error(edge.post("/api/master/continents/", {"name": name.upper()}, token=admin_token), 409, "ALREADY_EXISTS")


def test_stale_etag_is_409(edge, admin_token):
    status, _, row = edge.post("/api/master/continents/", {"name": f"Etag {uuid.uuid4().hex[:8]}"}, token=admin_token)
    assert status == 200 and row["etag"], row
    assert edge.patch(f"/api/master/continents/{row['id']}/", {"description": "v2", "etag": row["etag"]},
                      token=admin_token)[0] == 200
    assert_error(edge.patch(f"/api/master/continents/{row['id']}/", {"description": "v3", "etag": row["etag"]},
                            token=admin_token), 409, "ABORTED")


def test_body_over_the_limit_is_413(edge, admin_token):
    oversize = b'{"name": "' + b"x" * (1024 * 1024) + b'"}'  # ERP_MAX_BODY_BYTES defaults to 1 MiB
    assert_error(post_large(edge.base, "/api/master/continents/", oversize, admin_token), 413, "RESOURCE_EXHAUSTED")


def test_body_over_the_limit_written_in_full_first_still_gets_the_413(edge, admin_token):
    """Clients like urllib send the whole body before reading: they must get the JSON 413 too."""
    oversize = b'{"name": "' + b"x" * (1536 * 1024) + b'"}'
    assert_error(edge.request("POST", "/api/master/continents/", raw=oversize, token=admin_token),
                 413, "RESOURCE_EXHAUSTED")


def test_body_just_under_the_limit_is_accepted(edge, admin_token):
    name = f"Padded {uuid.uuid4().hex[:8]}"
    padded = b'{"name": "' + name.encode() + b'"' + b" " * (1024 * 1024 - 64) + b"}"  # JSON whitespace
    status, _, row = edge.request("POST", "/api/master/continents/", raw=padded, token=admin_token)
    assert status == 200 and row["name"] == name, row


def test_a_header_no_grpc_metadata_key_can_carry_is_ignored(edge, admin_token):
    """HTTP allows `^` and `*` in a header name, gRPC metadata does not: the edge drops the header
    instead of forwarding it and answering the service's refusal as a 500 (found by the fuzz suite)."""
    status, _, body = edge.get("/api/auth/group-permissions/groups/", token=admin_token,
                               headers={"ZG^00KP3*mqBveLi*zl": "E/'C", "x-fine": "t"})
    assert status == 200 and "groups" in body, body
