"""Auth's login rules as use cases over one SQLite file, in milliseconds: refresh-token rotation and
reuse detection, the account lockout and its backoff, the per-client window. The same rules run on the
three-process mesh in tests/e2e/test_auth_hardened_mesh.py and tests/integration/test_auth_sessions.py;
here time is a fake clock (no sleeping out a lock) and each call goes through the unit of work as an
RPC's does (a worker thread, the circuit breaker), without gRPC.
"""
from __future__ import annotations

import asyncio
import dataclasses
import datetime
import secrets

import pytest

from auth_svc.config import AuthConfig
from auth_svc.domain import audit
from auth_svc.domain.passwords import hash_password
from auth_svc.server import prepare
from auth_svc.storage import models
from auth_svc.usecases import ClientInfo, UseCases
from auth_svc.usecases.authentication import Authentication, LoginResult, TokenPair
from erp_common.errors import DomainError, ResourceExhausted, Unauthenticated

PASSWORD = "Rules-Passw0rd-1"
WRONG = "Wrong-Passw0rd-1"
THRESHOLD, BASE_LOCK, MAX_LOCK, GRACE, IP_LIMIT = 3, 60, 120, 10, 5


class Clock:
    def __init__(self) -> None:
        self.now = 1_900_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def usecases(tmp_path_factory) -> UseCases:
    state = tmp_path_factory.mktemp("login-rules")
    config = dataclasses.replace(AuthConfig.from_env(), db_url=f"sqlite:///{state / 'auth.sqlite3'}",
                                 keys_dir=state / "keys", data_keys_file=None, bcrypt_rounds=4,
                                 admin_password=PASSWORD, lockout_threshold=THRESHOLD,
                                 lockout_base_seconds=BASE_LOCK, lockout_max_seconds=MAX_LOCK,
                                 refresh_reuse_grace=GRACE, ip_rate_limit_per_minute=0)
    return prepare(config).usecases


def authentication(uc: UseCases, clock: Clock, **config_changes) -> Authentication:
    """The use cases' Authentication, on `clock` (and other settings)."""
    a = uc.authentication
    return Authentication(dataclasses.replace(uc.config, **config_changes), uc.stores, a.auditor, a.revoker,
                          a.issuer, uc.verifier, a.hasher, clock=clock)


def client() -> ClientInfo:
    return ClientInfo(f"198.51.100.{secrets.randbelow(250)}", "rules")


def new_user(uc: UseCases) -> str:
    name = f"rules_{secrets.token_hex(5)}"
    uc.stores.accounts.create_user({"username": name}, hash_password(PASSWORD, 4))
    return name


def login(auth: Authentication, username: str, password: str = PASSWORD, who: ClientInfo | None = None) -> TokenPair:
    result: LoginResult = asyncio.run(auth.login(username, password, who or client()))
    assert result.tokens is not None
    return result.tokens


def refusal(call, *args) -> DomainError:
    with pytest.raises(DomainError) as refused:
        call(*args)
    return refused.value


def answer(auth: Authentication, username: str, password: str) -> tuple:
    """What a login answers, as a client sees it: code, message, reason, retry delay."""
    err = refusal(login, auth, username, password)
    return type(err).__name__, err.message, err.reason, getattr(err, "retry_after_seconds", None)


def events(uc: UseCases, username: str, event_type: str) -> list[str]:
    return [r.failure_reason for r in models.AuditLog.select().where(
        (models.AuditLog.username == username) & (models.AuditLog.event_type == event_type))]


# --- refresh rotation ---------------------------------------------------------------------------
def test_refresh_rotates_and_a_retired_token_revokes_the_family(usecases):
    auth = authentication(usecases, Clock(), refresh_reuse_grace=0)
    username = new_user(usecases)
    first = login(auth, username)
    second = auth.refresh(first.refresh_token, client())
    assert second.refresh_token != first.refresh_token and second.user.username == username
    reused = refusal(auth.refresh, first.refresh_token, client())
    assert (type(reused), reused.message, reused.reason) == (Unauthenticated, "Invalid refresh token", "REFRESH_REUSED")
    assert refusal(auth.refresh, second.refresh_token, client()).reason == "SESSION_REVOKED", "the whole family"
    sid = usecases.verifier.principal(second.access_token).session_id
    assert sid in {r.session_id for r in usecases.stores.sessions.revocations_since(0, datetime.datetime.min)}, \
        "the access tokens are revoked on the feed too"
    kinds = [r.event_type for r in models.AuditLog.select().where(models.AuditLog.username == username)
             .order_by(models.AuditLog.id.desc())]
    assert kinds[:3] == [audit.REFRESH_REUSE_DETECTED, audit.TOKEN_REFRESHED, audit.LOGIN_SUCCESS]


def test_a_retry_inside_the_grace_window_gets_a_fresh_pair_later_reuse_revokes(usecases):
    auth = authentication(usecases, Clock())
    first = login(auth, new_user(usecases))
    auth.refresh(first.refresh_token, client())
    retried = auth.refresh(first.refresh_token, client())
    assert retried.access_token, "the answer was lost: the same token again inside the window works"
    latest = auth.refresh(retried.refresh_token, client())
    sid = usecases.verifier.principal(latest.access_token).session_id
    aged = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None) - datetime.timedelta(seconds=GRACE + 1)
    models.Session.update(rotated_at=aged).where(models.Session.sid == sid).execute()
    assert refusal(auth.refresh, retried.refresh_token, client()).reason == "REFRESH_REUSED"
    assert refusal(auth.refresh, latest.refresh_token, client()).reason == "SESSION_REVOKED"


def test_only_a_refresh_token_of_a_live_session_and_user_refreshes(usecases):
    auth = authentication(usecases, Clock())
    username = new_user(usecases)
    pair = login(auth, username)
    assert refusal(auth.refresh, pair.access_token, client()).reason == "TOKEN_WRONG_TYPE", "an access token"
    usecases.stores.accounts.update_user(pair.user.id, {"is_active": False}, None)
    assert refusal(auth.refresh, pair.refresh_token, client()).reason == "USER_INACTIVE"


# --- lockout --------------------------------------------------------------------------------------
def test_lockout_engages_at_the_threshold_doubles_and_releases(usecases):
    clock = Clock()
    auth = authentication(usecases, clock)
    username = new_user(usecases)
    for _ in range(THRESHOLD):
        assert answer(auth, username, WRONG)[2] == "INVALID_CREDENTIALS"
    assert answer(auth, username, PASSWORD) == ("ResourceExhausted", "Too many failed attempts. Try again later.",
                                                "ACCOUNT_LOCKED", BASE_LOCK), "even the right password waits"
    clock.now += BASE_LOCK / 2
    assert answer(auth, username, PASSWORD)[3] == BASE_LOCK / 2, "the wait counts down"
    clock.now += BASE_LOCK / 2 + 0.2
    for _ in range(THRESHOLD):
        assert answer(auth, username, WRONG)[2] == "INVALID_CREDENTIALS"
    assert answer(auth, username, PASSWORD)[3] == MAX_LOCK, "the second lock lasts twice as long"
    clock.now += MAX_LOCK + 0.2
    assert login(auth, username).access_token, "released after the wait"
    for _ in range(THRESHOLD - 1):
        answer(auth, username, WRONG)
    assert login(auth, username).access_token, "a success resets the count"
    assert events(usecases, username, audit.LOGIN_FAILED).count(audit.ACCOUNT_LOCKED) == 3


def test_the_backoff_is_capped(usecases):
    clock = Clock()
    auth = authentication(usecases, clock)
    username = new_user(usecases)
    for _ in range(3):
        for _ in range(THRESHOLD):
            answer(auth, username, WRONG)
        wait = answer(auth, username, WRONG)[3]
        clock.now += wait + 0.2
    assert wait == MAX_LOCK


def test_unknown_usernames_lock_and_answer_exactly_like_known_ones(usecases):
    auth = authentication(usecases, Clock())
    known, unknown = new_user(usecases), f"nobody_{secrets.token_hex(5)}"
    assert ([answer(auth, known, WRONG) for _ in range(THRESHOLD + 1)]
            == [answer(auth, unknown, WRONG) for _ in range(THRESHOLD + 1)])


# --- per-client window ----------------------------------------------------------------------------
def test_per_client_window_on_login_and_refresh(usecases):
    clock = Clock()
    auth = authentication(usecases, clock, ip_rate_limit_per_minute=IP_LIMIT)
    username, here, elsewhere = new_user(usecases), client(), ClientInfo("203.0.113.9", "rules")
    pairs = [login(auth, username, who=here) for _ in range(IP_LIMIT)]
    limited = refusal(login, auth, username, PASSWORD, here)
    assert isinstance(limited, ResourceExhausted) and limited.reason == "RATE_LIMITED"
    assert 1 <= limited.retry_after_seconds <= 60
    assert login(auth, username, who=elsewhere).access_token, "another client is not affected"
    for pair in pairs:  # refreshing has a window of its own
        auth.refresh(pair.refresh_token, here)
    assert refusal(auth.refresh, pairs[0].refresh_token, here).reason == "RATE_LIMITED"
    clock.now += 120
    assert login(auth, username, who=here).access_token, "a later window admits the client again"
