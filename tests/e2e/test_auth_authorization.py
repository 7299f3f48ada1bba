"""Authorization closed under delegation (issue 13), attacked as the issue describes, through both
edges and directly over gRPC: a narrow administrative right is not worth every right, API-key
tokens stay in their scopes, a removed right stops working within a second, the revocation feed is
not public and tokens come only from the Authorization header."""
from __future__ import annotations

import time
import uuid

import grpc
import pytest
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from auth_svc.domain import mfa
from erp.auth.v1 import admin_service_pb2 as apb
from erp.auth.v1 import admin_service_pb2_grpc as apb_grpc
from erp.auth.v1 import auth_service_pb2 as pb
from erp.auth.v1 import auth_service_pb2_grpc as pb_grpc
from erp.master.v1 import master_service_pb2 as mpb
from erp.master.v1 import master_service_pb2_grpc as mpb_grpc
from erp_common.server import SERVICE_CREDENTIAL_HEADER
from tests.support.http import Http

pytestmark = pytest.mark.e2e

PASSWORD = "Authz-User-Passw0rd!"
# A removed right must stop working at every service within this long.
LIVE_CHANGE_BOUND_SECONDS = 1.0


def ok(response) -> dict:
    status, _, body = response
    assert status == 200, body
    return body


def refused(response, status: int, reason: str) -> dict:
    got, _, body = response
    assert got == status, body
    infos = [d for d in body["details"] if d["@type"].endswith("ErrorInfo")]
    assert infos and infos[0]["reason"] == reason, body
    return infos[0]


def bearer(token: str) -> tuple:
    return (("authorization", f"Bearer {token}"),)


class Admin:
    """The session mesh's admin, making roles and users over Envoy's REST face."""

    def __init__(self, http: Http, token: str):
        self.http, self.token = http, token
        listed = ok(http.get("/api/auth/group-permissions/permissions/", token=token))["permissions"]
        self.permission_ids = {p["codename"]: p["id"] for p in listed}
        groups = ok(http.get("/api/auth/group-permissions/groups/", token=token))["groups"]
        self.admin_role_id = next(g["id"] for g in groups if g["name"] == "administrators")

    def role(self, *codenames: str) -> int:
        role_id = ok(self.http.post("/api/auth/roles/", {"name": f"authz {uuid.uuid4().hex[:10]}"},
                                    token=self.token))["id"]
        if codenames:
            ok(self.http.post("/api/auth/group-permissions/", {
                "group_id": role_id, "permission_ids": [self.permission_ids[c] for c in codenames]}, token=self.token))
        return role_id

    def user(self, *role_ids: int) -> tuple[int, str]:
        """A new user holding the roles; returns its id and a fresh access token."""
        username = f"authz_{uuid.uuid4().hex[:10]}"
        user_id = ok(self.http.post("/api/auth/users/", {"username": username, "password": PASSWORD,
                                                         "role_ids": list(role_ids)}, token=self.token))["id"]
        return user_id, self.http.login(username, PASSWORD)["access_token"]

    def api_key_token(self, *scopes: str) -> tuple[int, str]:
        """An API key (owned by a new user holding the scopes and auth_apikey_create) exchanged for a token."""
        _, owner = self.user(self.role("auth_apikey_create", *scopes))
        created = ok(self.http.post("/api/auth/api-keys/", {"name": "authz", "scopes": list(scopes)}, token=owner))
        exchanged = ok(self.http.post("/api/auth/token/", {"grant_type": "client_credentials",
                                                           "api_key": created["secret"]}))
        return created["api_key"]["id"], exchanged["access_token"]


@pytest.fixture(scope="module")
def admin(envoy_http, admin_token) -> Admin:
    return Admin(envoy_http, admin_token)


@pytest.fixture(scope="module")
def admin_id(envoy_http, admin_token) -> int:
    return ok(envoy_http.get("/api/auth/users/?search=admin", token=admin_token))["users"][0]["id"]


def grpc_reason(err: grpc.RpcError) -> tuple[str, dict]:
    for detail in rpc_status.from_call(err).details:
        if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            info = error_details_pb2.ErrorInfo()
            detail.Unpack(info)
            return info.reason, dict(info.metadata)
    return "", {}


# --- 1. the delegation rule --------------------------------------------------------------------
def test_a_narrow_admin_right_cannot_raise_itself_or_touch_an_administrator(edge, admin, admin_id):
    user_id, token = admin.user(admin.role("auth_user_update"))
    info = refused(edge.patch(f"/api/auth/users/{user_id}/", {"role_ids": [admin.admin_role_id]}, token=token),
                   403, "DELEGATION_EXCEEDS_CALLER")
    assert "auth_audit_read" in info["metadata"]["missing"].split(","), info
    refused(edge.patch(f"/api/auth/users/{admin_id}/", {"password": "Taken-0ver-Passw0rd"}, token=token),
            403, "DELEGATION_EXCEEDS_CALLER")
    # The administrator still logs in with the old password.
    assert edge.login()["user"]["username"] == "admin"
    role_id = admin.role("auth_role_update")
    _, role_token = admin.user(role_id)
    refused(edge.post("/api/auth/group-permissions/", {"group_id": role_id,
                                                       "permission_ids": sorted(admin.permission_ids.values())},
                      token=role_token), 403, "DELEGATION_EXCEEDS_CALLER")
    audit = ok(edge.get("/api/auth/audit-logs/?event_type=AUTHORIZATION_DENIED&page_size=1000",
                        token=admin.token))["audit_logs"]
    assert sum(1 for e in audit if e["target_id"] in (str(user_id), str(admin_id))) >= 2, "refusals are audited"


def test_the_delegation_rule_holds_over_direct_grpc(auth_channel, admin, admin_id):
    user_id, token = admin.user(admin.role("auth_user_update"))
    users = apb_grpc.UserServiceStub(auth_channel)
    for target, user in ((user_id, apb.User(id=user_id, role_ids=[admin.admin_role_id])),
                         (admin_id, apb.User(id=admin_id, password="Taken-0ver-Passw0rd"))):
        field = "role_ids" if user.role_ids else "password"
        with pytest.raises(grpc.RpcError) as err:
            users.UpdateUser(apb.UpdateUserRequest(user=user, update_mask={"paths": [field]}),
                             metadata=bearer(token), timeout=10)
        assert err.value.code() == grpc.StatusCode.PERMISSION_DENIED, target
        reason, metadata = grpc_reason(err.value)
        assert reason == "DELEGATION_EXCEEDS_CALLER" and metadata["missing"], metadata


# The unit table (tests/unit/test_auth_delegation.py) through each edge, for two callers that hold the
# administrative rights and differ in the rest: the manager holds what the "big" target holds, the
# clerk only what the "small" one does.
ADMINISTRATIVE = ("auth_user_create", "auth_user_update", "auth_role_update", "auth_apikey_create")
SMALL, BIG = ("master_country_read",), ("master_country_read", "master_country_delete")
EDGE_MATRIX = [(caller, action, target) for caller in ("manager", "clerk")
               for action in ("set_password", "deactivate", "end_sessions", "grant_role_big")
               for target in ("small", "big") if (action, target) != ("grant_role_big", "big")] + [
    (caller, action, "-") for caller in ("manager", "clerk") for action in ("grant_permission_big", "create_key_big")]


@pytest.fixture(scope="module")
def matrix_world(admin) -> dict:
    roles = {"small": admin.role(*SMALL), "big": admin.role(*BIG)}
    callers = {"manager": admin.user(admin.role(*ADMINISTRATIVE, *BIG))[1],
               "clerk": admin.user(admin.role(*ADMINISTRATIVE, *SMALL))[1]}
    return {"roles": roles, "callers": callers}


@pytest.mark.parametrize("caller,action,target", EDGE_MATRIX, ids=["-".join(c) for c in EDGE_MATRIX])
def test_delegation_matrix_through_the_edge(edge, admin, matrix_world, caller, action, target):
    allowed = caller == "manager" or (target == "small" and not action.endswith("_big"))
    token = matrix_world["callers"][caller]
    if target != "-":
        user_id, _ = admin.user(matrix_world["roles"][target])
    if action == "set_password":
        response = edge.patch(f"/api/auth/users/{user_id}/", {"password": "Delegated-Passw0rd-9"}, token=token)
    elif action == "deactivate":
        response = edge.patch(f"/api/auth/users/{user_id}/", {"is_active": False}, token=token)
    elif action == "end_sessions":
        response = edge.post("/api/auth/logout-all/", {"user_id": user_id}, token=token)
    elif action == "grant_role_big":
        response = edge.patch(f"/api/auth/users/{user_id}/", {"role_ids": [matrix_world["roles"][target],
                                                                             matrix_world["roles"]["big"]]},
                              token=token)
    elif action == "grant_permission_big":
        response = edge.post("/api/auth/group-permissions/", {
            "group_id": admin.role(), "permission_ids": [admin.permission_ids["master_country_delete"]]}, token=token)
    else:
        response = edge.post("/api/auth/api-keys/", {"name": "matrix", "scopes": list(BIG)}, token=token)
    if allowed:
        ok(response)
    else:
        info = refused(response, 403, "DELEGATION_EXCEEDS_CALLER")
        assert info["metadata"]["missing"] == "master_country_delete", info


def test_mfa_reset_is_delegated(edge, admin, admin_id):
    user_id, user_token = admin.user()
    secret = ok(edge.post("/api/auth/mfa/enroll/", {}, token=user_token))["secret"]
    ok(edge.post("/api/auth/mfa/confirm/", {"code": mfa.code_at(secret, time.time())}, token=user_token))
    _, clerk = admin.user(admin.role("auth_user_update"))
    refused(edge.post(f"/api/auth/users/{admin_id}/mfa/reset/", {}, token=clerk), 403, "DELEGATION_EXCEEDS_CALLER")
    refused(edge.post(f"/api/auth/users/{user_id}/mfa/reset/", {}, token=user_token), 403, "PERMISSION_DENIED")
    assert ok(edge.post(f"/api/auth/users/{user_id}/mfa/reset/", {}, token=clerk))["id"] == user_id
    refused(edge.post(f"/api/auth/users/{user_id}/mfa/reset/", {}, token=clerk), 400, "MFA_NOT_ENABLED")


# --- 2. API-key tokens -------------------------------------------------------------------------
def test_an_api_key_token_cannot_do_account_self_service(edge, admin):
    key_id, token = admin.api_key_token("master_country_read")
    for method, path, body in (("POST", "/api/auth/mfa/enroll/", {}), ("POST", "/api/auth/mfa/confirm/", {"code": "1"}),
                               ("POST", "/api/auth/mfa/disable/", {"code": "1"}), ("POST", "/api/auth/logout-all/", {}),
                               ("GET", "/api/auth/sessions/", None), ("GET", "/api/auth/api-keys/", None),
                               ("DELETE", f"/api/auth/api-keys/{key_id}/", None)):
        refused(edge.request(method, path, body, token=token), 403, "USER_SESSION_REQUIRED")
    status, _, body = edge.post("/api/auth/logout/", {}, token=token)
    assert status == 403 and "DELETE /api/auth/api-keys/{id}/" in body["message"], body
    assert edge.get("/api/master/countries/?page_size=1", token=token)[0] == 200, "the key still works"


# Every auth RPC that takes a token, and what an API-key token with CONFINED_SCOPES gets: what its
# permission allows, and the self-service refusal for account self-service (even CreateApiKey, whose
# permission is among the scopes).
CONFINED_SCOPES = ("auth_user_read", "auth_role_read", "auth_apikey_create", "master_country_read")
RPC_PERMISSION = {
    "UserService": {"ListUsers": "auth_user_read", "GetUser": "auth_user_read", "CreateUser": "auth_user_create",
                    "UpdateUser": "auth_user_update", "DeleteUser": "auth_user_delete",
                    "ResetUserMfa": "auth_user_update"},
    "RoleService": {"ListRoles": "auth_role_read", "GetRole": "auth_role_read", "CreateRole": "auth_role_create",
                    "UpdateRole": "auth_role_update", "DeleteRole": "auth_role_delete"},
    "PermissionService": {"ListPermissions": "auth_permission_read", "ListMasterPermissions": "auth_permission_read"},
    "GroupPermissionService": {"ListGroupPermissions": "auth_role_read", "AssignGroupPermissions": "auth_role_update",
                               "ListGroups": "auth_role_read", "ListAssignablePermissions": "auth_role_read",
                               "GetGroupPermissions": "auth_role_read", "RemoveGroupPermissions": "auth_role_update"},
    "AuditService": {"ListAuditLogs": "auth_audit_read"},
}
SELF_SERVICE = ("Logout", "LogoutAll", "ListSessions", "EnrollMfa", "ConfirmMfa", "DisableMfa", "CreateApiKey",
                "ListApiKeys", "RevokeApiKey")
PUBLIC = ("Login", "GetLoginPage", "SubmitLoginPage", "VerifyMfaLogin", "RefreshToken", "GetJwks", "ExchangeToken")
INTERNAL = ("WatchRevocations", "ListRevocations")


def confinement_cases():
    cases = [("AuthService", m, "self-service") for m in SELF_SERVICE]
    cases += [("AuthService", m, "internal") for m in INTERNAL]
    cases += [(service, m, "allowed" if permission in CONFINED_SCOPES else "denied")
              for service, methods in RPC_PERMISSION.items() for m, permission in methods.items()]
    return cases


def test_the_confinement_table_names_every_rpc():
    named = {(s, m) for s, m, _ in confinement_cases()} | {("AuthService", m) for m in PUBLIC}
    every = {(s.name, m.name) for f in (pb, apb) for s in f.DESCRIPTOR.services_by_name.values() for m in s.methods}
    assert named == every


@pytest.fixture(scope="module")
def confined_token(admin) -> str:
    return admin.api_key_token(*CONFINED_SCOPES)[1]


@pytest.mark.parametrize("service,method,expected", confinement_cases(),
                         ids=[f"{s}.{m}" for s, m, _ in confinement_cases()])
def test_api_key_confinement_over_every_auth_rpc(auth_channel, confined_token, service, method, expected):
    descriptor = (pb if service == "AuthService" else apb).DESCRIPTOR.services_by_name[service].methods_by_name[method]
    request_type = descriptor.input_type._concrete_class
    path = f"/erp.auth.v1.{service}/{method}"
    md = bearer(confined_token)
    if descriptor.server_streaming:
        call = auth_channel.unary_stream(path, request_serializer=request_type.SerializeToString,
                                         response_deserializer=lambda b: b)
        invoke = lambda: next(iter(call(request_type(), metadata=md, timeout=2)), None)  # noqa: E731
    else:
        call = auth_channel.unary_unary(path, request_serializer=request_type.SerializeToString,
                                        response_deserializer=lambda b: b)
        invoke = lambda: call(request_type(), metadata=md, timeout=10)  # noqa: E731
    try:
        invoke()
        code = grpc.StatusCode.OK
        reason = ""
    except grpc.RpcError as err:
        code, reason = err.code(), grpc_reason(err)[0]
    if expected == "allowed":
        assert code not in (grpc.StatusCode.PERMISSION_DENIED, grpc.StatusCode.UNAUTHENTICATED), (code, reason)
    elif expected == "denied":
        assert (code, reason) == (grpc.StatusCode.PERMISSION_DENIED, "PERMISSION_DENIED")
    elif expected == "self-service":
        assert (code, reason) == (grpc.StatusCode.PERMISSION_DENIED, "USER_SESSION_REQUIRED")
    else:
        assert (code, reason) == (grpc.StatusCode.UNAUTHENTICATED, "SERVICE_CREDENTIAL_REQUIRED")


# --- 3. a removed right stops working within a second --------------------------------------------
def until_refused(accepted) -> float:
    """Seconds until `accepted()` turns False (fails past 10 s)."""
    started = time.perf_counter()
    while accepted():
        assert time.perf_counter() - started < 10, "the removed right still works after 10 s"
        time.sleep(0.005)
    return time.perf_counter() - started


def rest_reads_continents(http: Http, token: str):
    def accepted() -> bool:
        status, _, body = http.get("/api/master/continents/?page_size=1", token=token)
        assert status in (200, 403), body
        return status == 200
    return accepted


def grpc_reads_continents(channel, token: str):
    stub = mpb_grpc.ContinentServiceStub(channel)

    def accepted() -> bool:
        try:
            stub.ListContinents(mpb.ListContinentsRequest(page_size=1), metadata=bearer(token), timeout=5)
            return True
        except grpc.RpcError as err:
            assert err.code() == grpc.StatusCode.PERMISSION_DENIED, err
            return False
    return accepted


def test_a_permission_taken_from_a_role_stops_working_within_a_second(edge, master_channel, admin):
    role_id = admin.role("master_continent_read", "master_country_read")
    _, token = admin.user(role_id)
    accepted = rest_reads_continents(edge, token)
    assert accepted() and grpc_reads_continents(master_channel, token)()
    ok(admin.http.post("/api/auth/group-permissions/", {
        "group_id": role_id, "permission_ids": [admin.permission_ids["master_country_read"]], "replace": True},
        token=admin.token))
    assert until_refused(accepted) < LIVE_CHANGE_BOUND_SECONDS
    assert not grpc_reads_continents(master_channel, token)()
    assert edge.get("/api/master/countries/?page_size=1", token=token)[0] == 200, "what the role kept still works"


def test_a_role_taken_from_a_user_stops_working_within_a_second(edge, master_channel, admin):
    user_id, token = admin.user(admin.role("master_continent_read"))
    accepted = grpc_reads_continents(master_channel, token)
    assert accepted()
    ok(admin.http.patch(f"/api/auth/users/{user_id}/?update_mask=role_ids", {"role_ids": []}, token=admin.token))
    assert until_refused(accepted) < LIVE_CHANGE_BOUND_SECONDS
    refused(edge.get("/api/master/continents/?page_size=1", token=token), 403, "PERMISSION_DENIED")
    # auth_svc itself resolves the same way: the token no longer lists users once the role is gone.
    user_id, token = admin.user(admin.role("auth_user_read"))
    assert edge.get("/api/auth/users/?page_size=1", token=token)[0] == 200
    ok(admin.http.patch(f"/api/auth/users/{user_id}/?update_mask=role_ids", {"role_ids": []}, token=admin.token))
    assert until_refused(lambda: edge.get("/api/auth/users/?page_size=1", token=token)[0] == 200) \
        < LIVE_CHANGE_BOUND_SECONDS


def test_an_open_change_stream_ends_when_its_right_is_taken_or_its_session_revoked(master_channel, admin):
    feed = mpb_grpc.ChangeFeedServiceStub(master_channel)
    for end in ("permission", "logout"):
        role_id = admin.role("master_continent_read")
        user_id, token = admin.user(role_id)
        stream = feed.WatchChanges(mpb.WatchChangesRequest(cursor=-1, entities=["continent"]), metadata=bearer(token),
                                   timeout=15)
        assert grpc_reads_continents(master_channel, token)()
        time.sleep(0.3)  # the stream is open and waiting
        if end == "permission":
            ok(admin.http.patch(f"/api/auth/users/{user_id}/?update_mask=role_ids", {"role_ids": []},
                                token=admin.token))
        else:
            ok(admin.http.post("/api/auth/logout/", {}, token=token))
        changed = time.perf_counter()
        with pytest.raises(grpc.RpcError) as err:
            for _ in stream:
                pass
        assert time.perf_counter() - changed < LIVE_CHANGE_BOUND_SECONDS
        assert err.value.code() == (grpc.StatusCode.PERMISSION_DENIED if end == "permission"
                                    else grpc.StatusCode.UNAUTHENTICATED), err.value


# --- 4. the revocation feed is internal ----------------------------------------------------------
def test_the_revocation_feed_needs_the_service_credential(mesh, auth_channel):
    stub = pb_grpc.AuthServiceStub(auth_channel)
    secret = (mesh.state_dir / "keys" / "edge-secret").read_text().strip()
    for metadata in ((), ((SERVICE_CREDENTIAL_HEADER, "not-the-secret"),)):
        with pytest.raises(grpc.RpcError) as err:
            stub.ListRevocations(pb.ListRevocationsRequest(), metadata=metadata, timeout=10)
        assert err.value.code() == grpc.StatusCode.UNAUTHENTICATED
        with pytest.raises(grpc.RpcError) as err:
            next(iter(stub.WatchRevocations(pb.WatchRevocationsRequest(), metadata=metadata, timeout=5)))
        assert err.value.code() == grpc.StatusCode.UNAUTHENTICATED
    stub.ListRevocations(pb.ListRevocationsRequest(), metadata=((SERVICE_CREDENTIAL_HEADER, secret),), timeout=10)


# --- 5. tokens only from the Authorization header --------------------------------------------------
def test_a_token_in_the_query_string_is_not_taken(edge, admin_token):
    assert edge.get("/api/master/continents/?page_size=1", token=admin_token)[0] == 200
    status, _, body = edge.get(f"/api/master/continents/?page_size=1&access_token={admin_token}")
    assert status == 401, body
