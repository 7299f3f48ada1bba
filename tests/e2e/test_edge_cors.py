"""CORS at the edge: the ERP_CORS_ORIGINS allowlist (the session mesh allows http://localhost:3000 and
https://app.example.com), Authorization allowed, preflights answered without a token and cached."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e

ALLOWED, OTHER_ALLOWED, DISALLOWED = "https://app.example.com", "http://localhost:3000", "https://evil.example.com"


def preflight(edge, origin: str, method: str = "POST", headers: str = "authorization, content-type"):
    return edge.request("OPTIONS", "/api/master/countries/", headers={
        "Origin": origin, "Access-Control-Request-Method": method, "Access-Control-Request-Headers": headers})


@pytest.mark.parametrize("origin", [ALLOWED, OTHER_ALLOWED])
def test_preflight_from_an_allowed_origin_needs_no_token(edge, origin):
    status, headers, _ = preflight(edge, origin)
    assert status == 200
    assert headers["access-control-allow-origin"] == origin
    assert "authorization" in headers["access-control-allow-headers"].lower()
    assert "POST" in headers["access-control-allow-methods"]
    assert int(headers["access-control-max-age"]) >= 600  # browsers cache the preflight
    assert headers.get("access-control-allow-credentials") == "true"


def test_preflight_from_a_disallowed_origin_gets_no_cors_headers(edge):
    status, headers, body = preflight(edge, DISALLOWED)
    assert (status, body["status"]) == (404, "NOT_FOUND")
    assert "access-control-allow-origin" not in headers


def test_actual_request_from_an_allowed_origin_is_readable(edge, admin_token):
    status, headers, _ = edge.get("/api/master/countries/?page_size=1", token=admin_token, headers={"Origin": ALLOWED})
    assert status == 200
    assert headers["access-control-allow-origin"] == ALLOWED
    exposed = headers["access-control-expose-headers"].lower()
    assert "x-request-id" in exposed and "retry-after" in exposed
    assert "origin" in headers.get("vary", "").lower()


def test_error_responses_carry_cors_headers_too(edge):
    """A browser app must be able to read the 401 body, or it cannot tell why it failed."""
    status, headers, _ = edge.get("/api/master/countries/", headers={"Origin": ALLOWED})
    assert status == 401
    assert headers["access-control-allow-origin"] == ALLOWED


def test_actual_request_from_a_disallowed_origin_is_not_readable(edge, admin_token):
    status, headers, _ = edge.get("/api/master/countries/?page_size=1", token=admin_token,
                                  headers={"Origin": DISALLOWED})
    assert "access-control-allow-origin" not in headers, status
