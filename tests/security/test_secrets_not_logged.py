"""No secret reaches a log: after the credential flows (login right and wrong, refresh in the body and
in the query string, logout, users with passwords and a password change, MFA, API keys and their
exchange) and calls that fail while carrying a token, no log file of the mesh — auth_svc,
master_svc, Envoy's access log, the gateway's — contains any password, token, key or secret used,
any JWT-shaped string, or the private key."""
from __future__ import annotations

import re
import secrets
import time

import pytest

from auth_svc.domain import mfa
from tests.support.waiting import wait_until
from tests.support.http import Http

pytestmark = pytest.mark.e2e

# Three base64url segments, the first two starting like a JSON object ({"...): any JWT, issued or forged.
JWT = re.compile(r"eyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")
PEM = re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----")


def ok(response) -> dict:
    status, _, body = response
    assert status == 200, body
    return body


def refused(response, status: int) -> None:
    assert response[0] == status, response[2]


def new_password(label: str) -> str:
    return f"{label}-{secrets.token_urlsafe(12)}-9"


def exercise(http: Http, admin_password: str, secrets_used: set[str]) -> None:
    """Every flow that carries a credential, once through `http`; each secret seen goes into `secrets_used`."""
    def keep(*values: str) -> None:
        secrets_used.update(v for v in values if v)

    wrong = new_password("Wrong")
    keep(admin_password, wrong)
    refused(http.post("/api/auth/login/", {"username": "admin", "password": wrong}), 401)
    refused(http.post("/api/auth/login/", {"username": f"nobody_{secrets.token_hex(4)}", "password": wrong}), 401)
    admin = ok(http.post("/api/auth/login/", {"username": "admin", "password": admin_password}))
    keep(admin["access_token"], admin["refresh_token"])
    token = admin["access_token"]

    rotated = ok(http.post("/api/auth/refresh/", {"refresh_token": admin["refresh_token"]}))
    keep(rotated["access_token"], rotated["refresh_token"])
    # The seed's GET form puts the refresh token in the query string, where access logs look.
    rotated = ok(http.get(f"/api/auth/refresh/?refresh_token={rotated['refresh_token']}"))
    keep(rotated["access_token"], rotated["refresh_token"])
    refused(http.get(f"/api/auth/refresh/?refresh_token={admin['refresh_token']}"), 401)  # reuse: session ends
    admin = ok(http.post("/api/auth/login/", {"username": "admin", "password": admin_password}))
    keep(admin["access_token"], admin["refresh_token"])
    token = admin["access_token"]

    first, second = new_password("First"), new_password("Second")
    keep(first, second)
    username = f"sec_{secrets.token_hex(5)}"
    user = ok(http.post("/api/auth/users/", {"username": username, "password": first,
                                             "email": f"{username}@example.com"}, token=token))
    session = ok(http.post("/api/auth/login/", {"username": username, "password": first}))
    keep(session["access_token"], session["refresh_token"])
    ok(http.patch(f"/api/auth/users/{user['id']}/", {"password": second}, token=token))
    refused(http.post("/api/auth/refresh/", {"refresh_token": session["refresh_token"]}), 401)
    session = ok(http.post("/api/auth/login/", {"username": username, "password": second}))
    keep(session["access_token"], session["refresh_token"])

    enrolment = ok(http.post("/api/auth/mfa/enroll/", {}, token=session["access_token"]))
    keep(enrolment["secret"])
    codes = ok(http.post("/api/auth/mfa/confirm/", {"code": mfa.code_at(enrolment["secret"], time.time())},
                         token=session["access_token"]))["recovery_codes"]
    keep(*codes)
    challenge = ok(http.post("/api/auth/login/", {"username": username, "password": second}))
    keep(challenge["mfa_token"])
    mfa_session = ok(http.post("/api/auth/login/mfa/", {"mfa_token": challenge["mfa_token"],
                                                        "recovery_code": codes[0]}))
    keep(mfa_session["access_token"], mfa_session["refresh_token"])
    ok(http.post("/api/auth/mfa/disable/", {"code": codes[1]}, token=mfa_session["access_token"]))

    created = ok(http.post("/api/auth/api-keys/", {"name": f"etl-{secrets.token_hex(3)}",
                                                   "scopes": ["master_country_read"]}, token=token))
    keep(created["secret"])
    exchanged = ok(http.post("/api/auth/token/", {"grant_type": "client_credentials", "api_key": created["secret"]}))
    keep(exchanged["access_token"])
    ok(http.get("/api/master/countries/", token=exchanged["access_token"]))
    ok(http.delete(f"/api/auth/api-keys/{created['api_key']['id']}/", token=token))
    refused(http.post("/api/auth/token/", {"grant_type": "client_credentials", "api_key": created["secret"]}), 401)

    # Calls that fail while carrying a token: the service logs them too.
    refused(http.get("/api/master/countries/no-such-id/", token=token), 404)
    refused(http.get("/api/auth/users/", token=session["access_token"]), 403)
    refused(http.post("/api/master/continents/", {"name": ""}, token=token), 400)
    forged = token[:-8] + ("AAAAAAAA" if not token.endswith("AAAAAAAA") else "BBBBBBBB")
    keep(forged)
    refused(http.get("/api/master/countries/", token=forged), 401)
    refused(http.get("/api/master/countries/", headers={"Authorization": f"Bearer {forged}"}), 401)

    ok(http.post("/api/auth/logout/", {}, token=session["access_token"]))
    # Revoked, still presented: refused once the replica's revocation list has it, which is a poll after the
    # logout commits (README, Authorization: milliseconds), not before the logout's response.
    wait_until(lambda: http.get("/api/auth/sessions/", token=session["access_token"])[0] == 401, 2.0,
               "the logged-out token refused")
    ok(http.post("/api/auth/logout-all/", {}, token=mfa_session["access_token"]))


def test_no_secret_reaches_any_log(default_mesh, admin_password):
    edges = [default_mesh.edge_addr] + ([default_mesh.gateway_addr] if "gateway" in default_mesh.edges else [])
    used: set[str] = set()
    for addr in edges:
        exercise(Http(f"http://{addr}"), admin_password, used)
    edge_secret = (default_mesh.state_dir / "keys" / "edge-secret").read_text().strip()
    # Any 64-character line of a private key's PEM body, not only the whole key.
    key_lines = {line for p in (default_mesh.state_dir / "keys" / "active").glob("*.pem")
                 for line in p.read_text().splitlines() if not line.startswith("-----")}
    assert key_lines
    used.add(edge_secret)
    # Stopping flushes every process's output; the logs are read once nothing more can be written.
    default_mesh.stop()

    logs = {p.name: p.read_text(errors="replace") for p in sorted((default_mesh.state_dir / "log").glob("*.log"))}
    assert {"auth_svc.log", "master_svc.log", "envoy.log"} <= set(logs), sorted(logs)
    # The logs are not empty by accident: every edge logged the requests, the services their RPCs.
    assert logs["envoy.log"].count('"/api/auth/refresh') >= 3
    assert "RefreshToken" in logs["auth_svc.log"] and "ListCountries" in logs["master_svc.log"]
    if "gateway" in default_mesh.edges:
        assert logs["gateway.log"].count('"/api/auth/refresh') >= 3

    found = {}
    for name, text in logs.items():
        leaked = sorted({s[:12] + "..." for s in used if s in text})
        leaked += [f"JWT {m.group()[:16]}..." for m in JWT.finditer(text)][:3]
        leaked += ["private key"] * bool(PEM.search(text) or any(line in text for line in key_lines))
        if leaked:
            found[name] = leaked
    assert found == {}, f"secrets in logs: {found}"
