"""Sessions end for real: logout, logout-all, refresh reuse, disabled users, revoked API keys; MFA logins.

Runs on the session mesh (MariaDB, auth_svc + master_svc, ERP_REVOCATION_POLL_SECONDS=1). A revoked
access token must be refused by master_svc within 5 s and a revoked refresh token at once.
"""
from __future__ import annotations

import threading
import time

import grpc
import jwt
import pytest

from auth_svc.domain import mfa
from erp.auth.v1 import admin_service_pb2 as apb
from erp.auth.v1 import auth_service_pb2 as pb
from erp.master.v1 import master_service_pb2 as mpb
from erp.master.v1 import master_service_pb2_grpc as mpb_grpc
from tests.support.auth import PASSWORD, Client, codename_ids, fails, make_role, make_user, unique

REVOCATION_DEADLINE_SECONDS = 5.0


@pytest.fixture(scope="module")
def reader_role(admin) -> apb.Role:
    """Reads continents: enough for master_svc to tell an accepted token from a refused one."""
    role = make_role(admin)
    admin.groups.AssignGroupPermissions(apb.AssignGroupPermissionsRequest(
        group_id=role.id, permission_ids=codename_ids(admin, "master_continent_read")), metadata=admin.md)
    return role


@pytest.fixture(scope="module")
def continents(master_channel):
    return mpb_grpc.ContinentServiceStub(master_channel)


def master_accepts(continents, token: str) -> bool:
    try:
        continents.ListContinents(mpb.ListContinentsRequest(page_size=1),
                                  metadata=(("authorization", f"Bearer {token}"),))
        return True
    except grpc.RpcError as err:
        assert err.code() == grpc.StatusCode.UNAUTHENTICATED, err
        return False


def refused_within(continents, token: str, seconds: float = REVOCATION_DEADLINE_SECONDS) -> float:
    """Seconds until master_svc refuses the token; fails the test past the deadline."""
    started = time.monotonic()
    while master_accepts(continents, token):
        elapsed = time.monotonic() - started
        assert elapsed < seconds, f"master_svc still accepts the revoked token after {elapsed:.1f} s"
        time.sleep(0.05)
    return time.monotonic() - started


def login_pair(anonymous: Client, username: str, password: str = PASSWORD, user_agent: str = "") -> pb.LoginResponse:
    md = anonymous.md + ((("x-erp-user-agent", user_agent),) if user_agent else ())
    return anonymous.auth.Login(pb.LoginRequest(username=username, password=password), metadata=md)


def refresh_fails(anonymous: Client, refresh_token: str) -> str:
    err = fails(anonymous.auth.RefreshToken, pb.RefreshTokenRequest(refresh_token=refresh_token), anonymous.md)
    assert err.code() == grpc.StatusCode.UNAUTHENTICATED
    return err.details()


def as_user(anonymous: Client, token: str) -> Client:
    return Client(anonymous.channel, anonymous.secret, anonymous.ip, token)


# --- logout ------------------------------------------------------------------------------
def test_logout_ends_refresh_at_once_and_access_everywhere_within_5_s(admin, anonymous, reader_role, continents):
    user = make_user(admin, role_ids=[reader_role.id])
    tokens = login_pair(anonymous, user.username)
    assert master_accepts(continents, tokens.access_token)
    me = as_user(anonymous, tokens.access_token)
    sid = me.auth.Logout(pb.LogoutRequest(), metadata=me.md).session_id
    assert sid == jwt.decode(tokens.access_token, options={"verify_signature": False})["sid"]
    refresh_fails(anonymous, tokens.refresh_token)
    refused_within(continents, tokens.access_token)
    err = fails(me.auth.ListSessions, pb.ListSessionsRequest(), me.md)
    assert err.code() == grpc.StatusCode.UNAUTHENTICATED and "revoked" in err.details(), "auth_svc refuses it too"


def test_sessions_are_listed_and_logout_all_ends_them(admin, anonymous, reader_role, continents):
    user = make_user(admin, role_ids=[reader_role.id])
    first = login_pair(anonymous, user.username, user_agent="curl/8.5.0")
    second = login_pair(anonymous, user.username)
    me = as_user(anonymous, second.access_token)
    sessions = me.auth.ListSessions(pb.ListSessionsRequest(), metadata=me.md).sessions
    assert len(sessions) == 2 and [s.current for s in sessions] == [True, False], "newest first"
    assert {s.ip_address for s in sessions} == {anonymous.ip}
    assert sessions[1].user_agent == "curl/8.5.0" and sessions[0].created_at.seconds > 0
    ended = me.auth.LogoutAll(pb.LogoutAllRequest(), metadata=me.md).ended_sessions
    assert ended == 2
    for tokens in (first, second):
        refresh_fails(anonymous, tokens.refresh_token)
        refused_within(continents, tokens.access_token)
    again = as_user(anonymous, login_pair(anonymous, user.username).access_token)
    assert len(again.auth.ListSessions(pb.ListSessionsRequest(), metadata=again.md).sessions) == 1


def test_other_users_sessions_need_permissions(admin, anonymous):
    plain = make_user(admin)
    victim = make_user(admin)
    login_pair(anonymous, victim.username)
    me = as_user(anonymous, login_pair(anonymous, plain.username).access_token)
    for call, request in ((me.auth.LogoutAll, pb.LogoutAllRequest(user_id=victim.id)),
                          (me.auth.ListSessions, pb.ListSessionsRequest(user_id=victim.id))):
        assert fails(call, request, me.md).code() == grpc.StatusCode.PERMISSION_DENIED
    listed = admin.auth.ListSessions(pb.ListSessionsRequest(user_id=victim.id), metadata=admin.md).sessions
    assert len(listed) == 1 and not listed[0].current
    assert admin.auth.LogoutAll(pb.LogoutAllRequest(user_id=victim.id), metadata=admin.md).ended_sessions == 1
    err = fails(admin.auth.LogoutAll, pb.LogoutAllRequest(user_id=987654), admin.md)
    assert err.code() == grpc.StatusCode.NOT_FOUND


# --- refresh rotation ----------------------------------------------------------------------
def test_refresh_rotates_and_reuse_revokes_the_family(admin, anonymous, reader_role, continents):
    user = make_user(admin, role_ids=[reader_role.id])
    first = login_pair(anonymous, user.username)
    second = anonymous.auth.RefreshToken(pb.RefreshTokenRequest(refresh_token=first.refresh_token),
                                         metadata=anonymous.md)
    assert second.refresh_token != first.refresh_token and second.user.username == user.username
    assert master_accepts(continents, second.access_token)
    assert "Invalid refresh token" == refresh_fails(anonymous, first.refresh_token), "reuse of a retired token"
    refresh_fails(anonymous, second.refresh_token)
    refused_within(continents, second.access_token)
    events = admin.audit.ListAuditLogs(apb.ListAuditLogsRequest(username=user.username), metadata=admin.md)
    kinds = [e.event_type for e in events.audit_logs]
    assert kinds[:3] == ["REFRESH_REUSE_DETECTED", "TOKEN_REFRESHED", "LOGIN_SUCCESS"]


def test_concurrent_refreshes_of_one_token_let_exactly_one_through(admin, anonymous):
    user = make_user(admin)
    tokens = login_pair(anonymous, user.username)
    barrier = threading.Barrier(8)
    outcomes: list[str] = []

    def refresh():
        barrier.wait()
        try:
            anonymous.auth.RefreshToken(pb.RefreshTokenRequest(refresh_token=tokens.refresh_token),
                                        metadata=anonymous.md)
            outcomes.append("OK")
        except grpc.RpcError as err:
            outcomes.append(err.code().name)

    threads = [threading.Thread(target=refresh) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["OK"] + ["UNAUTHENTICATED"] * 7


def test_disabling_deleting_or_changing_the_password_ends_sessions(admin, anonymous, reader_role, continents):
    changes = {
        "disabled": lambda u: admin.users.UpdateUser(apb.UpdateUserRequest(user=apb.User(id=u.id, is_active=False)),
                                                     metadata=admin.md),
        "soft-deleted": lambda u: admin.users.DeleteUser(apb.DeleteUserRequest(id=u.id), metadata=admin.md),
        "hard-deleted": lambda u: admin.users.DeleteUser(apb.DeleteUserRequest(id=u.id, hard_delete=True),
                                                         metadata=admin.md),
        "new password": lambda u: admin.users.UpdateUser(apb.UpdateUserRequest(
            user=apb.User(id=u.id, password="Brand-New-Passw0rd!")), metadata=admin.md),
    }
    sessions = {}
    for label, change in changes.items():
        user = make_user(admin, role_ids=[reader_role.id])
        sessions[label] = login_pair(anonymous, user.username)
        change(user)
    for label, tokens in sessions.items():
        refresh_fails(anonymous, tokens.refresh_token)
        refused_within(continents, tokens.access_token)


# --- MFA -----------------------------------------------------------------------------------
def verify(anonymous: Client, mfa_token: str, code: str = "", recovery_code: str = ""):
    return anonymous.auth.VerifyMfaLogin(pb.VerifyMfaLoginRequest(mfa_token=mfa_token, code=code,
                                                                  recovery_code=recovery_code), metadata=anonymous.md)


def test_totp_enrolment_login_replay_and_recovery_codes(admin, anonymous):
    user = make_user(admin)
    me = as_user(anonymous, login_pair(anonymous, user.username).access_token)
    enrolment = me.auth.EnrollMfa(pb.EnrollMfaRequest(), metadata=me.md)
    assert enrolment.otpauth_uri.startswith(f"otpauth://totp/ERP:{user.username}?")
    assert enrolment.qr_svg.startswith("<svg") and enrolment.secret in enrolment.otpauth_uri
    assert login_pair(anonymous, user.username).access_token, "MFA applies only once confirmed"
    err = fails(me.auth.ConfirmMfa, pb.ConfirmMfaRequest(code="000000"), me.md)
    assert err.code() == grpc.StatusCode.UNAUTHENTICATED
    codes = list(me.auth.ConfirmMfa(pb.ConfirmMfaRequest(code=mfa.code_at(enrolment.secret, time.time())),
                                    metadata=me.md).recovery_codes)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert admin.users.GetUser(apb.GetUserRequest(id=user.id), metadata=admin.md).mfa_enabled

    challenge = login_pair(anonymous, user.username)
    assert challenge.mfa_required and challenge.mfa_token and not challenge.access_token
    err = fails(anonymous.auth.VerifyMfaLogin, pb.VerifyMfaLoginRequest(mfa_token=challenge.mfa_token,
                                                                       code="000000"), anonymous.md)
    assert err.code() == grpc.StatusCode.UNAUTHENTICATED
    code = mfa.code_at(enrolment.secret, time.time() + 30)  # the next step: newer than the confirming code
    tokens = verify(anonymous, challenge.mfa_token, code=code)
    assert tokens.access_token and tokens.user.username == user.username
    err = fails(anonymous.auth.VerifyMfaLogin, pb.VerifyMfaLoginRequest(mfa_token=challenge.mfa_token, code=code),
                anonymous.md)
    assert err.code() == grpc.StatusCode.UNAUTHENTICATED, "an mfa_token is single use"

    replay = login_pair(anonymous, user.username).mfa_token
    err = fails(anonymous.auth.VerifyMfaLogin, pb.VerifyMfaLoginRequest(mfa_token=replay, code=code), anonymous.md)
    assert err.code() == grpc.StatusCode.UNAUTHENTICATED, "a used code cannot be replayed in its window"
    assert verify(anonymous, replay, recovery_code=codes[0]).access_token
    again = login_pair(anonymous, user.username).mfa_token
    err = fails(anonymous.auth.VerifyMfaLogin, pb.VerifyMfaLoginRequest(mfa_token=again, recovery_code=codes[0]),
                anonymous.md)
    assert err.code() == grpc.StatusCode.UNAUTHENTICATED, "a recovery code works once"
    assert verify(anonymous, again, recovery_code=codes[1].upper()).access_token

    events = [e.failure_reason for e in admin.audit.ListAuditLogs(apb.ListAuditLogsRequest(
        username=user.username, event_type="LOGIN_MFA_FAILED"), metadata=admin.md).audit_logs]
    assert events == ["INVALID_RECOVERY_CODE", "CODE_REPLAYED", "INVALID_CODE", "INVALID_CODE"]
    assert fails(me.auth.DisableMfa, pb.DisableMfaRequest(code="000000"), me.md).code() == \
        grpc.StatusCode.UNAUTHENTICATED
    me.auth.DisableMfa(pb.DisableMfaRequest(code=codes[2]), metadata=me.md)
    assert login_pair(anonymous, user.username).access_token, "MFA is off again"
    kinds = {e.event_type for e in admin.audit.ListAuditLogs(apb.ListAuditLogsRequest(
        username=user.username), metadata=admin.md).audit_logs}
    assert {"MFA_ENROLLED", "MFA_DISABLED", "LOGIN_MFA_REQUIRED", "MFA_RECOVERY_CODE_USED"} <= kinds


# --- API keys ------------------------------------------------------------------------------
def test_api_key_exchange_scope_and_revocation(admin, anonymous, continents, master_channel):
    created = admin.auth.CreateApiKey(pb.CreateApiKeyRequest(api_key=pb.ApiKey(
        name="importer", scopes=["master_continent_read"])), metadata=admin.md)
    key = created.api_key
    assert created.secret.startswith(f"erp_{key.prefix}_") and list(key.scopes) == ["master_continent_read"]
    listed = admin.auth.ListApiKeys(pb.ListApiKeysRequest(), metadata=admin.md).api_keys
    assert any(k.id == key.id for k in listed) and created.secret not in str(listed)

    exchanged = anonymous.auth.ExchangeToken(pb.ExchangeTokenRequest(grant_type="client_credentials",
                                                                      api_key=created.secret), metadata=anonymous.md)
    assert exchanged.scope == "master_continent_read" and exchanged.expires_in == 900
    claims = jwt.decode(exchanged.access_token, options={"verify_signature": False})
    assert claims["permissions"] == ["master_continent_read"] and claims["sid"] == f"apikey-{key.id}"
    assert master_accepts(continents, exchanged.access_token)
    with pytest.raises(grpc.RpcError) as exc:
        mpb_grpc.ContinentServiceStub(master_channel).CreateContinent(
            mpb.CreateContinentRequest(continent=mpb.Continent(name=unique("Scope"))),
            metadata=(("authorization", f"Bearer {exchanged.access_token}"),))
    assert exc.value.code() == grpc.StatusCode.PERMISSION_DENIED, "outside the key's scope"

    for grant, secret, code in (("password", created.secret, grpc.StatusCode.INVALID_ARGUMENT),
                                ("client_credentials", created.secret + "x", grpc.StatusCode.UNAUTHENTICATED),
                                ("client_credentials", "erp_000000000000_nope", grpc.StatusCode.UNAUTHENTICATED)):
        err = fails(anonymous.auth.ExchangeToken, pb.ExchangeTokenRequest(grant_type=grant, api_key=secret),
                    anonymous.md)
        assert err.code() == code

    revoked = admin.auth.RevokeApiKey(pb.RevokeApiKeyRequest(id=key.id), metadata=admin.md)
    assert revoked.revoked_at.seconds > 0
    err = fails(anonymous.auth.ExchangeToken, pb.ExchangeTokenRequest(grant_type="client_credentials",
                                                                      api_key=created.secret), anonymous.md)
    assert err.code() == grpc.StatusCode.UNAUTHENTICATED, "a revoked key gets no new token"
    refused_within(continents, exchanged.access_token)
    assert all(k.id != key.id for k in admin.auth.ListApiKeys(pb.ListApiKeysRequest(), metadata=admin.md).api_keys)
    assert any(k.id == key.id for k in admin.auth.ListApiKeys(pb.ListApiKeysRequest(show_revoked=True),
                                                              metadata=admin.md).api_keys)


def test_api_key_scopes_must_be_known_and_held(admin, anonymous):
    role = make_role(admin)
    admin.groups.AssignGroupPermissions(apb.AssignGroupPermissionsRequest(
        group_id=role.id, permission_ids=codename_ids(admin, "auth_apikey_create", "master_zone_read")),
        metadata=admin.md)
    owner = as_user(anonymous, login_pair(anonymous, make_user(admin, role_ids=[role.id]).username).access_token)
    err = fails(owner.auth.CreateApiKey, pb.CreateApiKeyRequest(api_key=pb.ApiKey(
        name="k", scopes=["auth_user_read"])), owner.md)
    assert err.code() == grpc.StatusCode.PERMISSION_DENIED, "a key never grants more than its owner holds"
    err = fails(owner.auth.CreateApiKey, pb.CreateApiKeyRequest(api_key=pb.ApiKey(
        name="k", scopes=["master_nothing_read"])), owner.md)
    assert err.code() == grpc.StatusCode.INVALID_ARGUMENT
    own = owner.auth.CreateApiKey(pb.CreateApiKeyRequest(api_key=pb.ApiKey(name="mine", scopes=["master_zone_read"])),
                                  metadata=owner.md).api_key
    assert [k.id for k in owner.auth.ListApiKeys(pb.ListApiKeysRequest(), metadata=owner.md).api_keys] == [own.id]
    other = admin.auth.CreateApiKey(pb.CreateApiKeyRequest(api_key=pb.ApiKey(
        name="admin's", scopes=["master_zone_read"])), metadata=admin.md).api_key
    err = fails(owner.auth.RevokeApiKey, pb.RevokeApiKeyRequest(id=other.id), owner.md)
    assert err.code() == grpc.StatusCode.PERMISSION_DENIED
    owner.auth.RevokeApiKey(pb.RevokeApiKeyRequest(id=own.id), metadata=owner.md)
    assert fails(owner.auth.RevokeApiKey, pb.RevokeApiKeyRequest(id=987654), owner.md).code() == \
        grpc.StatusCode.NOT_FOUND
