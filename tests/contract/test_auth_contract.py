"""auth_svc's gRPC contract against a real server on port 0 (in process, SQLite, bcrypt cost 12).

Every RPC of the five admin services and AuthService answers (none is UNIMPLEMENTED), errors carry
the google.rpc details the contract promises, bad tokens are refused for the right reason, and a
cost-12 bcrypt login runs beside cheap RPCs without stalling them.
"""
from __future__ import annotations

import asyncio
import dataclasses
import statistics
import threading
import time
import uuid

import grpc
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from google.protobuf import empty_pb2
from grpc_status import rpc_status
from google.rpc import error_details_pb2

from auth_svc.config import AuthConfig
from auth_svc.server import create_server, prepare
from erp.auth.v1 import admin_service_pb2 as apb
from erp.auth.v1 import admin_service_pb2_grpc as apb_grpc
from erp.auth.v1 import auth_service_pb2 as pb
from erp.auth.v1 import auth_service_pb2_grpc as pb_grpc

ADMIN_PASSWORD = "Contract-Admin-Passw0rd"
EDGE_SECRET = "contract-edge-secret"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """auth_svc in a thread of this process: its own event loop, a SQLite file, cost-12 bcrypt."""
    state = tmp_path_factory.mktemp("auth-contract")
    config = dataclasses.replace(
        AuthConfig.from_env(), grpc_addr="127.0.0.1:0", db_url=f"sqlite:///{state / 'auth.sqlite3'}",
        keys_dir=state / "keys", bcrypt_rounds=12, admin_password=ADMIN_PASSWORD, edge_secret=EDGE_SECRET,
        ip_rate_limit_per_minute=0, key_activation_seconds=0)
    app = prepare(config)
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()

    async def boot():
        running = create_server(config, app)
        await running.start()
        return running

    running = asyncio.run_coroutine_threadsafe(boot(), loop).result(timeout=30)
    yield dataclasses.replace(config, grpc_addr=f"127.0.0.1:{running.port}"), app
    asyncio.run_coroutine_threadsafe(running.stop(0), loop).result(timeout=30)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def channel(server):
    config, _ = server
    with grpc.insecure_channel(config.grpc_addr) as ch:
        yield ch


@pytest.fixture(scope="module")
def auth(channel):
    return pb_grpc.AuthServiceStub(channel)


@pytest.fixture(scope="module")
def admin_tokens(auth) -> pb.LoginResponse:
    return auth.Login(pb.LoginRequest(username="admin", password=ADMIN_PASSWORD))


def bearer(token: str) -> tuple:
    return (("authorization", f"Bearer {token}"),)


def details(err: grpc.RpcError) -> dict:
    """The google.rpc details of a failed call, by message type name."""
    status = rpc_status.from_call(err)
    out = {}
    for packed in status.details if status else ():
        for kind in (error_details_pb2.ErrorInfo, error_details_pb2.BadRequest, error_details_pb2.ResourceInfo,
                     error_details_pb2.PreconditionFailure, error_details_pb2.RetryInfo):
            if packed.Is(kind.DESCRIPTOR):
                message = kind()
                packed.Unpack(message)
                out[kind.DESCRIPTOR.name] = message
    return out


def fails(call, *args, **kwargs) -> grpc.RpcError:
    with pytest.raises(grpc.RpcError) as exc:
        call(*args, **kwargs)
    return exc.value


def reason(err: grpc.RpcError) -> str:
    return details(err)["ErrorInfo"].reason


def test_every_rpc_is_implemented(channel):
    """Each method answers an empty, unauthenticated request with something other than UNIMPLEMENTED."""
    services = [pb.DESCRIPTOR.services_by_name["AuthService"]] + list(apb.DESCRIPTOR.services_by_name.values())
    for service in services:
        for method in service.methods:
            path = f"/{service.full_name}/{method.name}"
            if method.server_streaming:
                call = channel.unary_stream(path, request_serializer=lambda m: m.SerializeToString(),
                                            response_deserializer=empty_pb2.Empty.FromString)
                stream = call(empty_pb2.Empty(), timeout=1, metadata=(("x-erp-edge-auth", EDGE_SECRET),))
                try:
                    next(stream, None)
                except grpc.RpcError as err:
                    assert err.code() == grpc.StatusCode.DEADLINE_EXCEEDED, path
                continue
            call = channel.unary_unary(path, request_serializer=lambda m: m.SerializeToString(),
                                       response_deserializer=empty_pb2.Empty.FromString)
            try:
                call(empty_pb2.Empty(), timeout=10)
            except grpc.RpcError as err:
                assert err.code() != grpc.StatusCode.UNIMPLEMENTED, path


def test_empty_login_names_both_fields(auth):
    err = fails(auth.Login, pb.LoginRequest())
    assert err.code() == grpc.StatusCode.INVALID_ARGUMENT
    fields = {v.field for v in details(err)["BadRequest"].field_violations}
    assert fields == {"username", "password"}


def test_refresh_without_a_token_is_invalid_argument(auth):
    err = fails(auth.RefreshToken, pb.RefreshTokenRequest())
    assert err.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert details(err)["BadRequest"].field_violations[0].field == "refresh_token"


def _forged(claims: dict, kid: str) -> str:
    """Signed by a key auth_svc never had, under a kid it does have."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})


def test_token_misuse_is_refused_for_the_right_reason(server, auth, channel, admin_tokens):
    config, app = server
    roles = apb_grpc.RoleServiceStub(channel)
    err = fails(roles.ListRoles, apb.ListRolesRequest(), metadata=bearer(admin_tokens.refresh_token))
    assert (err.code(), reason(err)) == (grpc.StatusCode.UNAUTHENTICATED, "TOKEN_WRONG_TYPE"), "refresh as access"
    err = fails(auth.RefreshToken, pb.RefreshTokenRequest(refresh_token=admin_tokens.access_token))
    assert (err.code(), reason(err)) == (grpc.StatusCode.UNAUTHENTICATED, "TOKEN_WRONG_TYPE"), "access as refresh"

    claims = jwt.decode(admin_tokens.refresh_token, options={"verify_signature": False})
    kid = jwt.get_unverified_header(admin_tokens.refresh_token)["kid"]
    err = fails(auth.RefreshToken, pb.RefreshTokenRequest(refresh_token=_forged(claims, kid)))
    assert (err.code(), reason(err)) == (grpc.StatusCode.UNAUTHENTICATED, "TOKEN_INVALID"), "forged refresh"
    access_claims = jwt.decode(admin_tokens.access_token, options={"verify_signature": False})
    err = fails(roles.ListRoles, apb.ListRolesRequest(), metadata=bearer(_forged(access_claims, kid)))
    assert (err.code(), reason(err)) == (grpc.StatusCode.UNAUTHENTICATED, "TOKEN_INVALID"), "forged access"

    now = int(time.time())
    expired = {**claims, "iat": now - 100, "nbf": now - 100, "exp": now - 60}
    signing_kid, signing_key = app.usecases.keys.signing_key()
    token = jwt.encode(expired, signing_key, algorithm="RS256", headers={"kid": signing_kid})
    err = fails(auth.RefreshToken, pb.RefreshTokenRequest(refresh_token=token))
    assert (err.code(), reason(err)) == (grpc.StatusCode.UNAUTHENTICATED, "TOKEN_EXPIRED")


def test_admin_errors_carry_their_details(channel, admin_tokens):
    roles = apb_grpc.RoleServiceStub(channel)
    md = bearer(admin_tokens.access_token)
    err = fails(roles.ListRoles, apb.ListRolesRequest(ordering="password"), metadata=md)
    assert err.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert details(err)["BadRequest"].field_violations[0].field == "ordering"
    err = fails(roles.GetRole, apb.GetRoleRequest(id=999_999), metadata=md)
    assert err.code() == grpc.StatusCode.NOT_FOUND
    assert details(err)["ResourceInfo"].resource_name == "roles/999999"
    groups = apb_grpc.GroupPermissionServiceStub(channel)
    err = fails(groups.AssignGroupPermissions,
                apb.AssignGroupPermissionsRequest(group_id=1, permission_ids=[1]), metadata=md)
    assert err.code() == grpc.StatusCode.FAILED_PRECONDITION, "the administrators role is protected"
    assert details(err)["PreconditionFailure"].violations[0].type == "PROTECTED_ROLE"


def test_a_user_without_permissions_is_denied_everywhere(channel, auth, admin_tokens):
    users = apb_grpc.UserServiceStub(channel)
    name = f"plain_{uuid.uuid4().hex[:8]}"
    users.CreateUser(apb.CreateUserRequest(user=apb.User(username=name, password="Plain-User-Passw0rd")),
                     metadata=bearer(admin_tokens.access_token))
    token = auth.Login(pb.LoginRequest(username=name, password="Plain-User-Passw0rd")).access_token
    md = bearer(token)
    calls = [
        (users.ListUsers, apb.ListUsersRequest()),
        (apb_grpc.RoleServiceStub(channel).CreateRole, apb.CreateRoleRequest(role=apb.Role(name="x"))),
        (apb_grpc.PermissionServiceStub(channel).ListPermissions, apb.ListPermissionsRequest()),
        (apb_grpc.GroupPermissionServiceStub(channel).ListGroups, apb.ListGroupsRequest()),
        (apb_grpc.AuditServiceStub(channel).ListAuditLogs, apb.ListAuditLogsRequest()),
        (auth.CreateApiKey, pb.CreateApiKeyRequest(api_key=pb.ApiKey(name="k", scopes=["auth_user_read"]))),
    ]
    for call, request in calls:
        err = fails(call, request, metadata=md)
        assert err.code() == grpc.StatusCode.PERMISSION_DENIED, call


def test_unknown_user_and_wrong_password_get_the_same_reply_in_about_the_same_time(channel, auth, admin_tokens):
    name = f"timing_{uuid.uuid4().hex[:8]}"
    apb_grpc.UserServiceStub(channel).CreateUser(
        apb.CreateUserRequest(user=apb.User(username=name, password="Timing-User-Passw0rd")),
        metadata=bearer(admin_tokens.access_token))

    def attempt(username: str) -> tuple[float, tuple]:
        started = time.perf_counter()
        err = fails(auth.Login, pb.LoginRequest(username=username, password="Not-The-Passw0rd"))
        return time.perf_counter() - started, (err.code(), err.details(), reason(err))

    wrong, unknown = [], []
    for _ in range(3):  # interleaved, so both kinds meet the same machine load
        wrong.append(attempt(name))
        unknown.append(attempt(f"nobody_{uuid.uuid4().hex[:8]}"))
    assert {reply for _, reply in wrong} == {reply for _, reply in unknown} == {
        (grpc.StatusCode.UNAUTHENTICATED, "Invalid username or password.", "INVALID_CREDENTIALS")}
    ratio = statistics.median(t for t, _ in unknown) / statistics.median(t for t, _ in wrong)
    assert 0.5 < ratio < 2.0, f"unknown/wrong-password time ratio {ratio:.2f} (skipping bcrypt would be ~0.01)"


def test_a_cost_12_login_does_not_stall_cheap_rpcs(auth):
    """bcrypt runs in a worker thread: GetJwks keeps answering while a login checks its password.
    Were bcrypt on the event loop, a GetJwks sent meanwhile would wait for the whole check."""
    took: list[float] = []

    def login():
        started = time.perf_counter()
        auth.Login(pb.LoginRequest(username="admin", password=ADMIN_PASSWORD))
        took.append(time.perf_counter() - started)

    thread = threading.Thread(target=login)
    thread.start()
    latencies = []
    while thread.is_alive():
        started = time.perf_counter()
        auth.GetJwks(pb.GetJwksRequest())
        latencies.append(time.perf_counter() - started)
    thread.join()
    assert took[0] > 0.15, f"a cost-12 login should take at least ~0.25 s, took {took[0]:.3f} s"
    assert len(latencies) >= 10, "GetJwks answered only a few times during the login"
    assert max(latencies) < took[0] / 2, f"GetJwks waited {max(latencies):.3f} s of a {took[0]:.3f} s login"
    assert statistics.median(latencies) < 0.05


def test_direct_callers_cannot_choose_their_client_ip(channel, auth, admin_tokens):
    """x-erp-client-ip counts only with the edge's shared secret; anyone else is their peer address."""
    spoofed, proven = f"203.0.113.{uuid.uuid4().int % 250 + 1}", f"198.51.100.{uuid.uuid4().int % 250 + 1}"
    for ip, secret in ((spoofed, ""), (spoofed, "wrong-secret"), (proven, EDGE_SECRET)):
        md = (("x-erp-client-ip", ip), ("x-erp-edge-auth", secret))
        fails(auth.Login, pb.LoginRequest(username=f"ip_{ip}", password="whatever-1"), metadata=md)
    audit = apb_grpc.AuditServiceStub(channel)
    seen = {}
    for ip in (spoofed, proven):
        page = audit.ListAuditLogs(apb.ListAuditLogsRequest(username=f"ip_{ip}"),
                                   metadata=bearer(admin_tokens.access_token))
        seen[ip] = [entry.ip_address for entry in page.audit_logs]
    assert seen[spoofed] == ["127.0.0.1", "127.0.0.1"]
    assert seen[proven] == [proven]
