"""The seed's JSON where it used to differ (issue 15), through each edge with a plain HTTP client:
the issuer and the refresh token's claims, users without a `password` field, states and districts
carrying every ancestor, and the login page's form POST."""
from __future__ import annotations

import re
import time
import urllib.parse
import urllib.request
import uuid

import jwt
import pytest

from auth_svc.domain import mfa
from tests.support import ADMIN_PASSWORD

pytestmark = pytest.mark.e2e


def unique(label: str) -> str:
    return f"{label} {uuid.uuid4().hex[:10]}"


def test_both_tokens_carry_the_seeds_payload_and_issuer(edge):
    body = edge.login()
    for name, kind in (("access_token", "access"), ("refresh_token", "refresh")):
        claims = jwt.decode(body[name], options={"verify_signature": False})
        assert claims["iss"] == "auth_service", name
        assert claims["type"] == kind and claims["username"] == "admin" and claims["groups"] == ["administrators"]
        assert {"sub", "iat", "exp"} <= set(claims)


def test_no_user_response_has_a_password_field(edge, admin_token):
    username = f"pw_{uuid.uuid4().hex[:8]}"
    status, _, created = edge.post("/api/auth/users/", {"username": username, "password": "Str0ng-Passw0rd!"},
                                   token=admin_token)
    assert status == 200, created
    responses = [created, edge.get(f"/api/auth/users/{created['id']}/", token=admin_token)[2],
                 edge.patch(f"/api/auth/users/{created['id']}/", {"last_name": "X"}, token=admin_token)[2],
                 *edge.get(f"/api/auth/users/?search={username}", token=admin_token)[2]["users"]]
    for user in responses:
        assert user["username"] == username and "password" not in user, user


@pytest.fixture(scope="module")
def geo(edge, admin_token):
    ids = {}
    for collection, parent_field, parent in [("continents", None, None), ("countries", "continent_id", "continents"),
                                             ("states", "country_id", "countries"),
                                             ("districts", "state_id", "states")]:
        body = {"name": unique(collection)}
        if parent_field:
            body[parent_field] = ids[parent]
        status, _, row = edge.post(f"/api/master/{collection}/", body, token=admin_token)
        assert status == 200, row
        ids[collection] = row["id"]
    return ids


def test_states_and_districts_carry_their_ancestors_like_cities(edge, admin_token, geo):
    state = edge.get(f"/api/master/states/{geo['states']}/", token=admin_token)[2]
    assert (state["continent_id"], state["country_id"]) == (geo["continents"], geo["countries"])
    district = edge.get(f"/api/master/districts/{geo['districts']}/", token=admin_token)[2]
    assert (district["continent_id"], district["country_id"], district["state_id"]) == (
        geo["continents"], geo["countries"], geo["states"])
    # Sent and agreeing: accepted; sent and disagreeing: 400 naming the field.
    status, _, agreeing = edge.post("/api/master/districts/", {"name": unique("d"), "state_id": geo["states"],
                                                                "country_id": geo["countries"]}, token=admin_token)
    assert status == 200 and agreeing["continent_id"] == geo["continents"], agreeing
    status, _, other = edge.post("/api/master/continents/", {"name": unique("other")}, token=admin_token)
    status, _, error = edge.post("/api/master/states/", {"name": unique("s"), "country_id": geo["countries"],
                                                         "continent_id": other["id"]}, token=admin_token)
    assert status == 400 and error["status"] == "INVALID_ARGUMENT", error
    assert [v["field"] for d in error["details"] for v in d.get("field_violations", [])] == ["continent_id"]
    # Lists filter on every ancestor.
    status, _, listed = edge.get(f"/api/master/districts/?country_id={geo['countries']}", token=admin_token)
    assert status == 200 and {d["id"] for d in listed["districts"]} == {geo["districts"], agreeing["id"]}
    status, _, listed = edge.get(f"/api/master/states/?continent_id={geo['continents']}", token=admin_token)
    assert status == 200 and [s["id"] for s in listed["states"]] == [geo["states"]]


def _post_form(edge, fields: dict) -> tuple[int, dict, str]:
    return edge.post("/api/auth/login_page/", raw=urllib.parse.urlencode(fields).encode(),
                     headers={"Content-Type": "application/x-www-form-urlencoded"})


SECURITY_HEADERS = ("content-security-policy", "x-content-type-options", "cache-control", "referrer-policy")


def test_the_login_page_posts_a_form_and_answers_a_page(edge):
    status, headers, page = edge.get("/api/auth/login_page/")
    assert status == 200 and headers["content-type"].startswith("text/html")
    assert 'method="post"' in page and 'action="/api/auth/login_page/"' in page
    for response_headers in (headers, _post_form(edge, {"username": "admin", "password": ADMIN_PASSWORD})[1]):
        assert "frame-ancestors 'none'" in response_headers["content-security-policy"]
        assert response_headers["x-content-type-options"] == "nosniff"
        assert response_headers["cache-control"] == "no-store"
        assert response_headers["referrer-policy"] == "no-referrer"

    status, headers, page = _post_form(edge, {"username": "admin", "password": ADMIN_PASSWORD})
    assert status == 200 and headers["content-type"].startswith("text/html")
    assert "signed in as <strong>admin</strong>" in page
    token = page.split('<textarea id="token"')[1].split(">", 1)[1].split("</textarea>")[0]
    assert edge.get("/api/auth/sessions/", token=token)[0] == 200  # the token on the page works

    status, _, page = _post_form(edge, {"username": "admin", "password": "not-the-password"})
    assert status == 200 and 'role="alert">Invalid username or password.</p>' in page
    assert 'value="admin"' in page and "not-the-password" not in page  # the username kept, the password not


def test_a_locked_account_reads_as_a_sentence_on_the_login_page(edge):
    """ERP_LOCKOUT_THRESHOLD (5) failures lock the account (known or not): the page says for how long."""
    username = f"nobody_{uuid.uuid4().hex[:8]}"
    pages = [_post_form(edge, {"username": username, "password": "wrong-password"})[2] for _ in range(6)]
    assert 'role="alert">Invalid username or password.</p>' in pages[0]
    assert re.search(r'role="alert">Too many failed attempts\. Try again in \d+ seconds\.</p>', pages[-1]), pages[-1]


def test_an_empty_field_and_a_non_form_body_are_refused_readably(edge):
    page = _post_form(edge, {"username": "admin", "password": ""})[2]
    assert 'role="alert">Please fill in password.</p>' in page
    status, _, body = edge.post("/api/auth/login_page/", {"username": "admin", "password": ADMIN_PASSWORD})
    assert status == 400 and body["status"] == "INVALID_ARGUMENT", body  # JSON is for /api/auth/login/


def test_the_favicon_is_public(edge):
    status, headers, _ = edge.get("/favicon.ico")
    assert status == 200 and headers["content-type"] == "image/png", headers
    with urllib.request.urlopen(edge.base + "/favicon.ico", timeout=10) as response:
        assert response.read(8) == b"\x89PNG\r\n\x1a\n"


def test_an_account_with_mfa_signs_in_through_a_second_form(edge, admin_token):
    username, password = f"mfa_{uuid.uuid4().hex[:8]}", "Str0ng-Passw0rd!"
    assert edge.post("/api/auth/users/", {"username": username, "password": password}, token=admin_token)[0] == 200
    token = edge.login(username, password)["access_token"]
    secret = edge.post("/api/auth/mfa/enroll/", {}, token=token)[2]["secret"]
    assert edge.post("/api/auth/mfa/confirm/", {"code": mfa.code_at(secret, time.time())}, token=token)[0] == 200

    def challenge() -> str:
        page = _post_form(edge, {"username": username, "password": password})[2]
        assert "This account uses two-factor authentication." in page and 'name="code"' in page
        return re.search(r'name="mfa_token" value="([^"]+)"', page).group(1)

    page = _post_form(edge, {"mfa_token": challenge(), "code": "000000"})[2]
    assert 'role="alert">Invalid or expired code. Sign in again.</p>' in page and 'name="password"' in page
    page = _post_form(edge, {"mfa_token": challenge(), "code": mfa.code_at(secret, time.time() + 30)})[2]
    assert f"signed in as <strong>{username}</strong>" in page
