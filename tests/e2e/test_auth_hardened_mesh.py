"""Brute-force defences, the refresh grace window, MFA token expiry and key rotation, on a mesh of
this module's own: the same components as the session mesh (MariaDB, auth_svc, master_svc, Envoy and
the Go gateway) with short lockouts, a low per-client limit, a 2 s reuse grace and 5 s key activation.

gRPC calls carry the edge's shared secret and a made-up client IP, as Envoy would, so each test has
its own per-client window; REST calls come from 127.0.0.1 through the edges.
"""
from __future__ import annotations

import subprocess
import sys
import time
import uuid

import grpc
import jwt
import pytest
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from auth_svc.domain import mfa
from auth_svc.keystore import created_at
from erp.auth.v1 import admin_service_pb2 as apb
from erp.auth.v1 import admin_service_pb2_grpc as apb_grpc
from erp.auth.v1 import auth_service_pb2 as pb
from erp.auth.v1 import auth_service_pb2_grpc as pb_grpc
from erp.master.v1 import master_service_pb2 as mpb
from erp.master.v1 import master_service_pb2_grpc as mpb_grpc
from tests.support import EDGES, ROOT
from tests.support.http import Http
from tools.mesh import Mesh

pytestmark = pytest.mark.e2e

ADMIN_PASSWORD = "Hardened-Admin-Passw0rd!"
PASSWORD = "Hardened-User-Passw0rd!"
THRESHOLD, BASE_LOCK, MAX_LOCK, IP_LIMIT, GRACE, MFA_TTL, ACTIVATION = 3, 1, 2, 20, 2, 2, 5


@pytest.fixture(scope="module")
def hardened(mariadb):
    m = Mesh.on_free_ports("erp-hardened-", edges=EDGES, extra_env={
                 "ERP_AUTH_DB_URL": mariadb.create_database("auth"),
                 "ERP_MASTER_DB_URL": mariadb.create_database("master"),
                 "ERP_ADMIN_PASSWORD": ADMIN_PASSWORD,
                 "ERP_BCRYPT_ROUNDS": "4",
                 "ERP_REVOCATION_POLL_SECONDS": "1",
                 "ERP_LOCKOUT_THRESHOLD": str(THRESHOLD),
                 "ERP_LOCKOUT_BASE_SECONDS": str(BASE_LOCK),
                 "ERP_LOCKOUT_MAX_SECONDS": str(MAX_LOCK),
                 "ERP_LOGIN_IP_RATE_PER_MINUTE": str(IP_LIMIT),
                 "ERP_REFRESH_REUSE_GRACE": str(GRACE),
                 "ERP_MFA_TOKEN_TTL": str(MFA_TTL),
                 "ERP_KEY_ACTIVATION_SECONDS": str(ACTIVATION),
             })
    m.start()
    yield m
    m.stop()


class Caller:
    """Stubs over the hardened mesh's auth_svc, from one made-up client IP."""

    def __init__(self, mesh: Mesh, channel, token: str = "", ip: str = ""):
        self.mesh, self.channel, self.token = mesh, channel, token
        self.ip = ip or f"10.{uuid.uuid4().int % 200 + 20}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250 + 1}"
        self.secret = (mesh.state_dir / "keys" / "edge-secret").read_text().strip()
        self.auth = pb_grpc.AuthServiceStub(channel)
        self.users = apb_grpc.UserServiceStub(channel)
        self.audit = apb_grpc.AuditServiceStub(channel)

    @property
    def md(self):
        md = (("x-erp-edge-auth", self.secret), ("x-erp-client-ip", self.ip))
        return md + ((("authorization", f"Bearer {self.token}"),) if self.token else ())

    def login(self, username: str, password: str = PASSWORD) -> pb.LoginResponse:
        return self.auth.Login(pb.LoginRequest(username=username, password=password), metadata=self.md)

    def as_user(self, token: str) -> "Caller":
        return Caller(self.mesh, self.channel, token, self.ip)


@pytest.fixture(scope="module")
def channel(hardened):
    with grpc.insecure_channel(hardened.auth_addr) as ch:
        yield ch


@pytest.fixture
def caller(hardened, channel) -> Caller:
    return Caller(hardened, channel)


@pytest.fixture(scope="module")
def admin(hardened, channel) -> Caller:
    anonymous = Caller(hardened, channel)
    return anonymous.as_user(anonymous.login("admin", ADMIN_PASSWORD).access_token)


def new_user(admin: Caller) -> str:
    username = f"h_{uuid.uuid4().hex[:10]}"
    admin.users.CreateUser(apb.CreateUserRequest(user=apb.User(username=username, password=PASSWORD)),
                           metadata=admin.md)
    return username


def failure(call, *args, **kwargs) -> grpc.RpcError:
    with pytest.raises(grpc.RpcError) as exc:
        call(*args, **kwargs)
    return exc.value


def reply(err: grpc.RpcError) -> tuple:
    """What a client can see of a failure: code, message, reason and (rounded) retry delay."""
    info = {}
    for packed in rpc_status.from_call(err).details:
        for kind in (error_details_pb2.ErrorInfo, error_details_pb2.RetryInfo):
            if packed.Is(kind.DESCRIPTOR):
                message = kind()
                packed.Unpack(message)
                info[kind.DESCRIPTOR.name] = message
    retry = info["RetryInfo"].retry_delay.seconds if "RetryInfo" in info else None
    return err.code(), err.details(), info["ErrorInfo"].reason, retry


def wrong_logins(caller: Caller, username: str, count: int) -> list[tuple]:
    return [reply(failure(caller.login, username, "Wrong-Passw0rd-1")) for _ in range(count)]


def edge_bases(mesh: Mesh) -> list[str]:
    return [f"http://{mesh.edge_addr}"] + ([f"http://{mesh.gateway_addr}"] if "gateway" in mesh.edges else [])


# --- lockout ---------------------------------------------------------------------------------
def test_lockout_engages_at_the_threshold_doubles_and_releases(admin, caller):
    username = new_user(admin)
    assert {r[0] for r in wrong_logins(caller, username, THRESHOLD)} == {grpc.StatusCode.UNAUTHENTICATED}
    locked = reply(failure(caller.login, username))
    assert locked == (grpc.StatusCode.RESOURCE_EXHAUSTED, "Too many failed attempts. Try again later.",
                      "ACCOUNT_LOCKED", BASE_LOCK), "even the right password waits out the lock"
    time.sleep(BASE_LOCK + 0.2)
    wrong_logins(caller, username, THRESHOLD)
    assert reply(failure(caller.login, username))[3] == MAX_LOCK, "the second lock lasts twice as long"
    time.sleep(MAX_LOCK + 0.2)
    assert caller.login(username).access_token, "released after the wait"
    wrong_logins(caller, username, THRESHOLD - 1)
    assert caller.login(username).access_token, "a success resets the count"
    entries = admin.audit.ListAuditLogs(apb.ListAuditLogsRequest(username=username, event_type="LOGIN_FAILED"),
                                        metadata=admin.md).audit_logs
    assert [e.failure_reason for e in entries].count("ACCOUNT_LOCKED") == 2


def test_unknown_usernames_lock_and_answer_exactly_like_known_ones(admin, caller):
    known, unknown = new_user(admin), f"nobody_{uuid.uuid4().hex[:10]}"
    assert wrong_logins(caller, known, THRESHOLD + 1) == wrong_logins(caller, unknown, THRESHOLD + 1)


def test_a_locked_login_is_429_with_retry_after_at_both_edges(hardened, admin):
    username = new_user(admin)
    for base in edge_bases(hardened):
        for _ in range(THRESHOLD):
            status, _, _ = Http(base).post("/api/auth/login/", {"username": username, "password": "Wrong-Pw-1"})
            assert status == 401
        status, headers, body = Http(base).post("/api/auth/login/", {"username": username, "password": PASSWORD})
        assert (status, body["status"]) == (429, "RESOURCE_EXHAUSTED"), (base, body)
        assert int(headers["Retry-After"]) >= 1, base
        time.sleep(MAX_LOCK + 0.2)


# --- per-client window -------------------------------------------------------------------------
def test_per_client_limit_on_login_and_refresh(admin, caller, channel, hardened):
    username = new_user(admin)
    tokens = [caller.login(username) for _ in range(IP_LIMIT)]
    limited = reply(failure(caller.login, username))
    assert limited[:3] == (grpc.StatusCode.RESOURCE_EXHAUSTED, "Too many requests from this client. Try again later.",
                           "RATE_LIMITED") and 1 <= limited[3] <= 60
    assert Caller(hardened, channel).login(username).access_token, "another client is not affected"
    for pair in tokens:  # refreshing has a window of its own
        caller.auth.RefreshToken(pb.RefreshTokenRequest(refresh_token=pair.refresh_token), metadata=caller.md)
    err = failure(caller.auth.RefreshToken, pb.RefreshTokenRequest(refresh_token=tokens[0].refresh_token),
                  metadata=caller.md)
    assert reply(err)[2] == "RATE_LIMITED"


# --- refresh grace window ------------------------------------------------------------------------
def test_a_retry_inside_the_grace_window_gets_a_fresh_pair_later_reuse_revokes(admin, caller):
    username = new_user(admin)
    first = caller.login(username)

    def refresh(token: str):
        return caller.auth.RefreshToken(pb.RefreshTokenRequest(refresh_token=token), metadata=caller.md)

    refresh(first.refresh_token)
    retried = refresh(first.refresh_token)
    assert retried.access_token, "the answer was lost: the same token again inside the window works"
    latest = refresh(retried.refresh_token)
    time.sleep(GRACE + 1.5)  # MariaDB keeps whole seconds
    assert reply(failure(refresh, retried.refresh_token))[2] == "REFRESH_REUSED"
    assert reply(failure(refresh, latest.refresh_token))[2] == "SESSION_REVOKED", "the whole family is revoked"


# --- MFA token lifetime ---------------------------------------------------------------------------
def test_the_mfa_token_expires(admin, caller):
    username = new_user(admin)
    me = caller.as_user(caller.login(username).access_token)
    secret = me.auth.EnrollMfa(pb.EnrollMfaRequest(), metadata=me.md).secret
    me.auth.ConfirmMfa(pb.ConfirmMfaRequest(code=mfa.code_at(secret, time.time())), metadata=me.md)
    challenge = caller.login(username).mfa_token
    time.sleep(MFA_TTL + 1.2)
    err = failure(caller.auth.VerifyMfaLogin, pb.VerifyMfaLoginRequest(
        mfa_token=challenge, code=mfa.code_at(secret, time.time() + 30)), metadata=caller.md)
    assert reply(err)[:3] == (grpc.StatusCode.UNAUTHENTICATED, "Invalid or expired mfa_token.", "MFA_TOKEN_INVALID")


# --- key rotation ---------------------------------------------------------------------------------
def _kid(token: str) -> str:
    return jwt.get_unverified_header(token)["kid"]


def _cli(mesh: Mesh, *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "auth_svc", *args], env=mesh.env(), cwd=ROOT, check=True,
                          capture_output=True, text=True, timeout=60)
    return done.stdout.strip()


def _eventually(check, timeout: float = 12.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return False


def test_key_rotation_while_running(hardened, channel, master_channel_of_hardened):
    """rotate-keys on the running mesh: the new key is published at once, signs after the activation
    delay, and is then accepted everywhere while the old key's tokens keep working until retire-key."""
    envoy, bases = f"http://{hardened.edge_addr}", edge_bases(hardened)
    continents = mpb_grpc.ContinentServiceStub(master_channel_of_hardened)

    def accepted_everywhere(token: str) -> bool:
        try:
            continents.ListContinents(mpb.ListContinentsRequest(page_size=1),
                                      metadata=(("authorization", f"Bearer {token}"),))
        except grpc.RpcError:
            return False
        return all(Http(base).get("/api/master/continents/?page_size=1", token=token)[0] == 200 for base in bases)

    def login() -> str:
        status, _, body = Http(envoy).post("/api/auth/login/", {"username": "admin", "password": ADMIN_PASSWORD})
        assert status == 200, body
        return body["access_token"]

    old_token = login()
    old_kid = _kid(old_token)
    new_kid = _cli(hardened, "rotate-keys")
    def published(base: str) -> set[str]:
        return {k["kid"] for k in Http(base).get("/api/auth/.well-known/jwks.json")[2]["keys"]}

    for base in bases:  # auth_svc rereads its key directory every second
        assert _eventually(lambda: {old_kid, new_kid} <= published(base), timeout=3), "the new key is published"
    if time.time() < created_at(new_kid) + ACTIVATION - 1:
        assert _kid(login()) == old_kid, "but does not sign before its activation time"
    time.sleep(max(0.0, created_at(new_kid) + ACTIVATION - time.time()) + 0.2)
    new_token = login()
    assert _kid(new_token) == new_kid
    assert "signing" in [line.split("\t")[1] for line in _cli(hardened, "list-keys").splitlines()
                         if line.startswith(new_kid)]

    assert _eventually(lambda: accepted_everywhere(new_token)), "Envoy, the gateway and master_svc accept the new key"
    assert accepted_everywhere(old_token), "tokens of the old key keep working until it is retired"

    _cli(hardened, "retire-key", old_kid)
    sessions = pb_grpc.AuthServiceStub(channel)

    def auth_refuses_old() -> bool:
        try:
            sessions.ListSessions(pb.ListSessionsRequest(), metadata=(("authorization", f"Bearer {old_token}"),))
        except grpc.RpcError as err:
            return err.code() == grpc.StatusCode.UNAUTHENTICATED
        return False

    assert _eventually(auth_refuses_old), "auth_svc stops accepting a retired key at once"
    # Every worker process rereads the key directory within a second of its last look, so the JWK set
    # a request meets (any worker, any replica) drops the key within that second, not at the same instant.
    assert _eventually(lambda: published(envoy) == {new_kid}, timeout=2.5), published(envoy)


@pytest.fixture(scope="module")
def master_channel_of_hardened(hardened):
    with grpc.insecure_channel(hardened.master_addr) as ch:
        yield ch
