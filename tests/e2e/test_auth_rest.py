"""The seed's auth REST face through both edges (Envoy and the Go gateway): paths, JSON shapes and
status codes of login, refresh, logout, sessions, users, roles, permissions, group permissions,
audit logs, MFA and API keys. The session mesh is shared, so names are unique per call.
"""
from __future__ import annotations

import time
import uuid

import pytest

from auth_svc.domain import mfa

pytestmark = pytest.mark.e2e

PASSWORD = "Rest-User-Passw0rd!"


def unique(label: str) -> str:
    return f"{label}_{uuid.uuid4().hex[:10]}"


def ok(response) -> dict:
    status, _, body = response
    assert status == 200, body
    return body


def error(response, status: int, grpc_status: str) -> dict:
    got, _, body = response
    assert (got, body["code"], body["status"]) == (status, status, grpc_status), body
    return body


@pytest.fixture
def new_user(edge, admin_token):
    def make(**fields) -> dict:
        fields = {"username": unique("rest"), "password": PASSWORD, **fields}
        return ok(edge.post("/api/auth/users/", fields, token=admin_token))
    return make


@pytest.fixture
def new_role(edge, admin_token):
    def make(**fields) -> dict:
        return ok(edge.post("/api/auth/roles/", {"name": unique("Rest role"), **fields}, token=admin_token))
    return make


def violated_fields(body: dict) -> set[str]:
    return {v["field"] for d in body["details"] if d["@type"].endswith("BadRequest") for v in d["field_violations"]}


def permission_ids(edge, token: str, *codenames: str) -> list[int]:
    listed = ok(edge.get("/api/auth/group-permissions/permissions/", token=token))["permissions"]
    by_codename = {p["codename"]: p["id"] for p in listed}
    return [by_codename[c] for c in codenames]


# --- tokens ----------------------------------------------------------------------------------
def test_login_has_the_seed_shape(edge, new_user):
    user = new_user()
    body = edge.login(user["username"], PASSWORD)
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
    assert body["user"]["id"] == user["id"] and isinstance(body["user"]["id"], int)
    assert body["user"]["username"] == user["username"] and body["user"]["groups"] == []
    assert body["mfa_required"] is False and body["access_token"].count(".") == 2


def test_refresh_by_post_and_by_get(edge, new_user):
    tokens = edge.login(new_user()["username"], PASSWORD)
    posted = ok(edge.post("/api/auth/refresh/", {"refresh_token": tokens["refresh_token"]}))
    assert set(posted) >= {"access_token", "refresh_token", "token_type", "expires_in", "user"}
    got = ok(edge.get(f"/api/auth/refresh/?refresh_token={posted['refresh_token']}"))
    assert got["user"]["username"] == tokens["user"]["username"] and got["expires_in"] == 3600


def test_refresh_errors(edge, new_user):
    for response in (edge.post("/api/auth/refresh/", {}), edge.get("/api/auth/refresh/")):
        assert violated_fields(error(response, 400, "INVALID_ARGUMENT")) == {"refresh_token"}
    error(edge.post("/api/auth/refresh/", {"refresh_token": "invalid_token_here"}), 401, "UNAUTHENTICATED")
    tokens = edge.login(new_user()["username"], PASSWORD)
    body = error(edge.post("/api/auth/refresh/", {"refresh_token": tokens["access_token"]}), 401, "UNAUTHENTICATED")
    assert body["details"][0]["reason"] == "TOKEN_WRONG_TYPE"


def test_unknown_user_and_wrong_password_look_alike(edge, new_user):
    wrong = edge.post("/api/auth/login/", {"username": new_user()["username"], "password": "Wrong-Passw0rd!"})
    unknown = edge.post("/api/auth/login/", {"username": unique("nobody"), "password": "Wrong-Passw0rd!"})
    assert (wrong[0], wrong[2]) == (unknown[0], unknown[2])
    assert wrong[2]["status"] == "UNAUTHENTICATED" and wrong[2]["message"] == "Invalid username or password."


def test_logout_logout_all_and_sessions(edge, new_user):
    username = new_user()["username"]
    first, second = edge.login(username, PASSWORD), edge.login(username, PASSWORD)
    sessions = ok(edge.get("/api/auth/sessions/", token=second["access_token"]))["sessions"]
    assert len(sessions) == 2 and sessions[0]["current"] and sessions[0]["ip_address"]
    assert {"id", "user_agent", "created_at", "expires_at"} <= set(sessions[0])
    assert ok(edge.post("/api/auth/logout/", {}, token=first["access_token"]))["session_id"] == sessions[1]["id"]
    error(edge.post("/api/auth/refresh/", {"refresh_token": first["refresh_token"]}), 401, "UNAUTHENTICATED")
    assert ok(edge.post("/api/auth/logout-all/", {}, token=second["access_token"]))["ended_sessions"] == 1
    deadline = time.monotonic() + 5
    while edge.get("/api/auth/sessions/", token=second["access_token"])[0] != 401:
        assert time.monotonic() < deadline, "the logged-out token still works after 5 s"
        time.sleep(0.1)


# --- users -------------------------------------------------------------------------------------
def test_user_crud_with_numeric_string_role_ids(edge, admin_token, new_role):
    role = new_role()
    created = ok(edge.post("/api/auth/users/", {"username": unique("john_manager"), "password": "SecurePass@123",
                                                "email": f"{unique('john')}@example.com", "first_name": "John",
                                                "last_name": "Doe", "role_ids": [str(role["id"])]},
                           token=admin_token))
    assert created["role_ids"] == [role["id"]] and created["groups"] == [role["name"]]
    assert "password" not in created or created["password"] == ""
    uid = created["id"]
    assert ok(edge.get(f"/api/auth/users/{uid}/", token=admin_token))["username"] == created["username"]
    put = ok(edge.put(f"/api/auth/users/{uid}/", {"username": created["username"], "first_name": "Johnny"},
                      token=admin_token))
    assert put["first_name"] == "Johnny" and put["role_ids"] == [role["id"]]
    patched = ok(edge.patch(f"/api/auth/users/{uid}/", {"last_name": "Dough"}, token=admin_token))
    assert (patched["first_name"], patched["last_name"]) == ("Johnny", "Dough")
    listing = ok(edge.get(f"/api/auth/users/?search={created['username']}", token=admin_token))
    assert [u["id"] for u in listing["users"]] == [uid] and listing["total_size"] == 1
    assert ok(edge.delete(f"/api/auth/users/{uid}/", token=admin_token))["is_active"] is False
    ok(edge.delete(f"/api/auth/users/{uid}/?hard_delete=true", token=admin_token))
    error(edge.get(f"/api/auth/users/{uid}/", token=admin_token), 404, "NOT_FOUND")


def test_user_validation_and_duplicates(edge, admin_token, new_user):
    body = error(edge.post("/api/auth/users/", {"username": unique("weak"), "password": "123"}, token=admin_token),
                 400, "INVALID_ARGUMENT")
    assert violated_fields(body) == {"password"}
    existing = new_user()
    error(edge.post("/api/auth/users/", {"username": existing["username"].upper(), "password": PASSWORD},
                    token=admin_token), 409, "ALREADY_EXISTS")


def test_missing_permission_is_403(edge, new_user):
    token = edge.login(new_user()["username"], PASSWORD)["access_token"]
    for path in ("/api/auth/users/", "/api/auth/roles/", "/api/auth/permissions/", "/api/auth/audit-logs/",
                 "/api/auth/group-permissions/"):
        error(edge.get(path, token=token), 403, "PERMISSION_DENIED")


# --- roles, permissions, group permissions ----------------------------------------------------------
def test_role_routes(edge, admin_token, new_role, new_user):
    marker = uuid.uuid4().hex[:8]
    manager = new_role(name=f"manager {marker}", description="Department Manager Role", is_active=True)
    new_role(name=f"admin-ish {marker}")
    active = ok(edge.get(f"/api/auth/roles/?is_active=true&ordering=name&search={marker}", token=admin_token))
    assert [r["name"] for r in active["roles"]] == [f"admin-ish {marker}", f"manager {marker}"]
    error(edge.get("/api/auth/roles/?ordering=nonsense", token=admin_token), 400, "INVALID_ARGUMENT")
    error(edge.post("/api/auth/roles/", {"name": manager["name"].upper()}, token=admin_token), 409, "ALREADY_EXISTS")
    rid = manager["id"]
    assert ok(edge.put(f"/api/auth/roles/{rid}/", {"name": manager["name"], "description": "d2"},
                       token=admin_token))["description"] == "d2"
    assert ok(edge.get(f"/api/auth/roles/{rid}/", token=admin_token))["description"] == "d2"
    new_user(role_ids=[rid])
    assert ok(edge.delete(f"/api/auth/roles/{rid}/", token=admin_token))["is_active"] is False
    body = error(edge.delete(f"/api/auth/roles/{rid}/?hard_delete=true", token=admin_token), 400, "FAILED_PRECONDITION")
    assert any("PreconditionFailure" in d["@type"] for d in body["details"])
    ok(edge.delete(f"/api/auth/roles/{rid}/?hard_delete=true&force=true", token=admin_token))
    error(edge.get(f"/api/auth/roles/{rid}/", token=admin_token), 404, "NOT_FOUND")


def test_permission_routes(edge, admin_token):
    filtered = ok(edge.get("/api/auth/permissions/?codename=master_country", token=admin_token))["permissions"]
    assert [p["codename"] for p in filtered] == [f"master_country_{a}" for a in ("create", "delete", "read", "update")]
    assert all(isinstance(p["id"], int) for p in filtered)
    grouped = ok(edge.get("/api/auth/permissions/master/", token=admin_token))["entities"]
    assert len(grouped) == 10 and all(len(e["permissions"]) == 4 for e in grouped)
    assert grouped[1]["entity"] == "country" and grouped[1]["permissions"][0]["name"] == "Can create country"


def test_group_permission_routes(edge, admin_token, new_role):
    role = new_role()
    gid = role["id"]
    ids = permission_ids(edge, admin_token, "master_country_create", "master_country_read")
    assigned = ok(edge.post("/api/auth/group-permissions/", {"group_id": gid, "permission_ids": ids},
                            token=admin_token))
    assert assigned["group_id"] == gid and sorted(p["id"] for p in assigned["permissions"]) == sorted(ids)
    everyone = ok(edge.get("/api/auth/group-permissions/", token=admin_token))["groups"]
    assert any(g["group_id"] == gid and len(g["permissions"]) == 2 for g in everyone)
    dropdown = ok(edge.get("/api/auth/group-permissions/groups/", token=admin_token))["groups"]
    assert {"id": gid, "name": role["name"]} in dropdown
    by_group = ok(edge.get(f"/api/auth/group-permissions/by-group/{gid}/", token=admin_token))
    assert by_group["group_name"] == role["name"] and len(by_group["permissions"]) == 2
    replaced = ok(edge.post("/api/auth/group-permissions/", {"group_id": gid, "permission_ids": ids[:1],
                                                             "replace": True}, token=admin_token))
    assert [p["id"] for p in replaced["permissions"]] == ids[:1]
    body = error(edge.post("/api/auth/group-permissions/", {"group_id": gid, "permission_ids": [99991]},
                           token=admin_token), 400, "INVALID_ARGUMENT")
    assert "99991" in body["message"]
    error(edge.get("/api/auth/group-permissions/by-group/987654/", token=admin_token), 404, "NOT_FOUND")
    assert ok(edge.delete(f"/api/auth/group-permissions/remove/{gid}/", token=admin_token))["permissions"] == []


def test_audit_log_route(edge, admin_token):
    name = unique("audited")
    edge.post("/api/auth/login/", {"username": name, "password": "Wrong-Passw0rd!"})
    entries = ok(edge.get(f"/api/auth/audit-logs/?event_type=LOGIN_FAILED&username={name}", token=admin_token))
    assert entries["total_size"] == 1
    entry = entries["audit_logs"][0]
    assert entry["failure_reason"] == "INVALID_CREDENTIALS" and entry["metadata"] == {"username": name}
    assert entry["ip_address"] and entry["user_agent"].startswith("Python-urllib")


# --- MFA and API keys -------------------------------------------------------------------------------
def test_mfa_enrol_confirm_and_login(edge, new_user):
    username = new_user()["username"]
    token = edge.login(username, PASSWORD)["access_token"]
    enrolment = ok(edge.post("/api/auth/mfa/enroll/", {}, token=token))
    assert enrolment["otpauth_uri"].startswith("otpauth://totp/") and "<svg" in enrolment["qr_svg"]
    codes = ok(edge.post("/api/auth/mfa/confirm/", {"code": mfa.code_at(enrolment["secret"], time.time())},
                         token=token))["recovery_codes"]
    challenge = ok(edge.post("/api/auth/login/", {"username": username, "password": PASSWORD}))
    assert challenge["mfa_required"] is True and challenge["access_token"] == ""
    tokens = ok(edge.post("/api/auth/login/mfa/", {"mfa_token": challenge["mfa_token"],
                                                   "code": mfa.code_at(enrolment["secret"], time.time() + 30)}))
    assert tokens["user"]["username"] == username
    ok(edge.post("/api/auth/mfa/disable/", {"code": codes[0]}, token=tokens["access_token"]))


def test_api_keys_and_token_exchange(edge, admin_token):
    created = ok(edge.post("/api/auth/api-keys/", {"name": unique("etl"), "scopes": ["master_country_read"]},
                           token=admin_token))
    key_id, secret = created["api_key"]["id"], created["secret"]
    assert secret.startswith("erp_") and created["api_key"]["prefix"] in secret
    listed = ok(edge.get("/api/auth/api-keys/", token=admin_token))["api_keys"]
    assert any(k["id"] == key_id for k in listed) and secret not in str(listed)
    exchanged = ok(edge.post("/api/auth/token/", {"grant_type": "client_credentials", "api_key": secret}))
    assert exchanged["scope"] == "master_country_read" and exchanged["token_type"] == "Bearer"
    assert edge.get("/api/master/countries/?page_size=1", token=exchanged["access_token"])[0] == 200
    error(edge.get("/api/master/states/?page_size=1", token=exchanged["access_token"]), 403, "PERMISSION_DENIED")
    assert ok(edge.delete(f"/api/auth/api-keys/{key_id}/", token=admin_token))["revoked_at"]
    error(edge.post("/api/auth/token/", {"grant_type": "client_credentials", "api_key": secret}),
          401, "UNAUTHENTICATED")
