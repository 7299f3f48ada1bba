"""Logging in (with or without a second factor), refreshing tokens, exchanging API keys.

These run in worker threads, off the event loop. A login is three steps: the throttles and the
user's row on a storage thread, the bcrypt check (a quarter of a second at cost 12) on the password
hasher's own bounded pool, the outcome on a storage thread again; so a burst of logins never holds
the threads that storage calls and the database probe need. Unknown usernames go through the same
steps as wrong passwords (a dummy bcrypt check, the same throttle, the same reply), so neither the
answer nor its timing tells them apart.
"""
from __future__ import annotations

import datetime
import hashlib
import secrets
import time
from dataclasses import dataclass
from typing import Callable, Optional

from auth_svc.config import AuthConfig
from auth_svc.domain import apikeys, audit, mfa, passwords
from auth_svc.domain import sessions as session_rules
from auth_svc.domain.accounts import UserRecord, username_key
from auth_svc.domain.throttle import LockoutPolicy, RateWindow, admit, settle_failure
from auth_svc.domain.tokens import TokenIssuer
from auth_svc.hashing import PasswordHasher
from auth_svc.storage.models import from_epoch
from auth_svc.usecases.common import Auditor, ClientInfo, Revoker, Stores
from erp_common.errors import InvalidArgument, ResourceExhausted, Unauthenticated, invalid
from erp_common.tokens import TokenVerifier

BAD_CREDENTIALS = "Invalid username or password."
LOCKED = "Too many failed attempts. Try again later."
RATE_LIMITED = "Too many requests from this client. Try again later."
BAD_REFRESH = "Invalid refresh token"
BAD_MFA = "Invalid or expired code."


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int
    user: UserRecord


@dataclass(frozen=True)
class LoginResult:
    """Either tokens, or (for a user with MFA) the token of the second step."""

    tokens: Optional[TokenPair] = None
    mfa_token: str = ""


@dataclass(frozen=True)
class ExchangedToken:
    access_token: str
    expires_in: int
    scopes: tuple[str, ...]


def _required(**fields: str) -> None:
    violations = [(name, "This field is required.") for name, value in fields.items() if not (value or "").strip()]
    if violations:
        raise InvalidArgument(" ".join(f"{n}: required." for n, _ in violations), reason="MISSING_FIELD",
                              violations=violations)


def _login_key(username: str) -> str:
    return "user:" + username_key(username)[:150]


def _challenge_hash(mfa_token: str) -> str:
    return hashlib.sha256(mfa_token.encode()).hexdigest()


class Authentication:
    def __init__(self, config: AuthConfig, stores: Stores, auditor: Auditor, revoker: Revoker,
                 issuer: TokenIssuer, verifier: TokenVerifier, hasher: PasswordHasher,
                 clock: Callable[[], float] = time.time):
        self.config = config
        self.hasher = hasher
        self.stores = stores
        self.auditor = auditor
        self.revoker = revoker
        self.issuer = issuer
        self.verifier = verifier
        self.clock = clock
        self.lockout = LockoutPolicy(config.lockout_threshold, config.lockout_base_seconds,
                                     config.lockout_max_seconds)
        self.rate = RateWindow(config.ip_rate_limit_per_minute)
        self._dummy_hash = passwords.hash_password(secrets.token_urlsafe(16), config.bcrypt_rounds)

    # --- throttling ------------------------------------------------------------------------
    def _limit_client(self, action: str, client: ClientInfo, username: str = "") -> None:
        """The per-client-IP window of `action` (login or refresh), shared by every replica."""
        if self.rate.limit <= 0:
            return
        now = self.clock()
        bucket, window = f"{action}:{client.ip}", self.rate.window(now)
        current = self.stores.sessions.count_hit(bucket, window)
        previous = self.stores.sessions.hits_in(bucket, window - 1)
        if self.rate.exceeded(now, current, previous):
            if action == "login":
                self.auditor.record(audit.LOGIN_FAILED, client, username=username[:150],
                                    failure_reason=audit.RATE_LIMITED, metadata={"username": username[:150]})
            raise ResourceExhausted(RATE_LIMITED, reason="RATE_LIMITED",
                                    retry_after_seconds=self.rate.retry_after(now, current, previous))

    def _admit(self, login_key: str, client: ClientInfo, username: str, user_id: Optional[int] = None,
               event: str = audit.LOGIN_FAILED) -> None:
        now = self.clock()
        wait = self.stores.sessions.update_throttle(login_key, lambda s: admit(s, self.lockout, now))
        if wait > 0:
            self.auditor.record(event, client, user_id=user_id, username=username[:150],
                                failure_reason=audit.ACCOUNT_LOCKED, metadata={"username": username[:150]})
            raise ResourceExhausted(LOCKED, reason="ACCOUNT_LOCKED", retry_after_seconds=wait)

    def _failed(self, login_key: str) -> None:
        now = self.clock()
        self.stores.sessions.update_throttle(login_key, lambda s: (settle_failure(s, self.lockout, now), None))

    # --- tokens ----------------------------------------------------------------------------
    def _pair(self, user: UserRecord, sid: str) -> tuple[TokenPair, str]:
        access = self.issuer.access(user.id, user.username, user.groups, user.permissions, sid)
        refresh = self.issuer.refresh(user.id, user.username, user.groups, sid)
        return TokenPair(access.token, refresh.token, self.issuer.access_ttl, user), refresh.jti

    def _session_expiry(self) -> datetime.datetime:
        return from_epoch(self.clock() + self.issuer.refresh_ttl)

    def _start_session(self, user: UserRecord, client: ClientInfo, new_hash: Optional[str], **audit_fields) -> TokenPair:
        accounts, sessions = self.stores.accounts, self.stores.sessions
        sessions.reset_throttle(_login_key(user.username))
        sid = secrets.token_hex(16)
        pair, refresh_jti = self._pair(user, sid)
        with self.stores.atomic():
            accounts.record_login(user.id, new_hash)
            sessions.create_session(sid, user.id, client.ip, client.user_agent, refresh_jti, self._session_expiry())
            self.auditor.record(audit.LOGIN_SUCCESS, client, user_id=user.id, username=user.username,
                                actor=user.username, target_type="session", target_id=sid,
                                metadata={"username": user.username, "session_id": sid, **audit_fields})
        return pair

    # --- login -----------------------------------------------------------------------------
    async def login(self, username: str, password: str, client: ClientInfo) -> LoginResult:
        with self.hasher.slot() as hashing:
            user = await self.stores.call(self._admit_login, username, password, client)
            ok, new_hash = await hashing.run(self._check_password, password, user)
        return await self.stores.call(self._settle_login, username, client, user, ok, new_hash)

    def _admit_login(self, username: str, password: str, client: ClientInfo) -> Optional[UserRecord]:
        _required(username=username, password=password)
        self._limit_client("login", client, username)
        self._admit(_login_key(username), client, username)
        return self.stores.accounts.user_by_username(username)

    def _check_password(self, password: str, user: Optional[UserRecord]) -> tuple[bool, Optional[str]]:
        """Whether the password is right and, when the stored hash is of another cost or scheme, the
        new hash to keep. A migrated Django hash of a password longer than bcrypt takes stays as it is."""
        ok = passwords.verify_password(password, user.password_hash if user else self._dummy_hash)
        rehash = (ok and user is not None and user.is_active and passwords.fits_bcrypt(password)
                  and passwords.needs_rehash(user.password_hash, self.config.bcrypt_rounds))
        return ok, passwords.hash_password(password, self.config.bcrypt_rounds) if rehash else None

    def _settle_login(self, username: str, client: ClientInfo, user: Optional[UserRecord], ok: bool,
                      new_hash: Optional[str]) -> LoginResult:
        if not user or not ok or not user.is_active:
            self._failed(_login_key(username))
            reason = audit.ACCOUNT_DISABLED if user and ok else audit.INVALID_CREDENTIALS
            self.auditor.record(audit.LOGIN_FAILED, client, user_id=user.id if user else None,
                                username=username.strip()[:150], failure_reason=reason,
                                metadata={"username": username.strip()[:150]})
            raise Unauthenticated(BAD_CREDENTIALS, reason="INVALID_CREDENTIALS")
        if user.mfa_enabled:
            return LoginResult(mfa_token=self._challenge(user, client, new_hash))
        return LoginResult(tokens=self._start_session(user, client, new_hash))

    def _challenge(self, user: UserRecord, client: ClientInfo, new_hash: Optional[str]) -> str:
        """The password was right; the login completes at VerifyMfaLogin. The failure count is not
        reset here, so guessing codes after a known password still runs into the lockout."""
        mfa_token = secrets.token_urlsafe(32)
        with self.stores.atomic():
            if new_hash:
                self.stores.accounts.record_login(user.id, new_hash)
            self.stores.sessions.create_challenge(_challenge_hash(mfa_token), user.id, client.ip, client.user_agent,
                                                  from_epoch(self.clock() + self.config.mfa_token_ttl))
            self.auditor.record(audit.LOGIN_MFA_REQUIRED, client, user_id=user.id, username=user.username,
                                metadata={"username": user.username})
        return mfa_token

    def verify_mfa_login(self, mfa_token: str, code: str, recovery_code: str, client: ClientInfo) -> TokenPair:
        _required(mfa_token=mfa_token)
        if not (code or "").strip() and not (recovery_code or "").strip():
            raise InvalidArgument("code or recovery_code is required", reason="MISSING_FIELD",
                                  violations=[("code", "Give a code or a recovery code.")])
        self._limit_client("login", client)
        token_hash = _challenge_hash(mfa_token.strip())
        user_id = self.stores.sessions.challenge_user(token_hash)
        user = self.stores.accounts.user_by_id(user_id) if user_id else None
        if user is None or not user.is_active:
            raise Unauthenticated("Invalid or expired mfa_token.", reason="MFA_TOKEN_INVALID")
        login_key = _login_key(user.username)
        self._admit(login_key, client, user.username, user.id, event=audit.LOGIN_MFA_FAILED)
        method = self._second_factor(user, code, recovery_code, client)
        if method is None:
            self._failed(login_key)
            raise Unauthenticated(BAD_MFA, reason="MFA_CODE_INVALID")
        if not self.stores.sessions.consume_challenge(token_hash):
            raise Unauthenticated("Invalid or expired mfa_token.", reason="MFA_TOKEN_INVALID")
        return self._start_session(user, client, None, mfa=method)

    def _second_factor(self, user: UserRecord, code: str, recovery_code: str, client: ClientInfo) -> Optional[str]:
        """Checks a TOTP code (not replayed) or an unused recovery code; returns which one, or None."""
        credentials = self.stores.credentials
        device = credentials.totp(user.id)
        if device is None or not device.confirmed:
            return None
        if (recovery_code or "").strip():
            if credentials.use_recovery_code(user.id, mfa.recovery_code_hash(recovery_code)):
                self.auditor.record(audit.MFA_RECOVERY_CODE_USED, client, user_id=user.id, username=user.username,
                                    metadata={"remaining": credentials.remaining_recovery_codes(user.id)})
                return "recovery_code"
            failure = "INVALID_RECOVERY_CODE"
        else:
            check = mfa.check_code(device.secret, code, self.clock(), device.last_used_step)
            if check.accepted and credentials.use_step(user.id, check.step):
                return "totp"
            failure = "CODE_REPLAYED" if check.replayed or check.accepted else "INVALID_CODE"
        self.auditor.record(audit.LOGIN_MFA_FAILED, client, user_id=user.id, username=user.username,
                            failure_reason=failure, metadata={"username": user.username})
        return None

    # --- refresh ---------------------------------------------------------------------------
    def refresh(self, refresh_token: str, client: ClientInfo) -> TokenPair:
        _required(refresh_token=refresh_token)
        self._limit_client("refresh", client)
        claims = self.verifier.verify(refresh_token.strip(), expected_type="refresh")
        sid, jti = str(claims.get("sid", "")), str(claims["jti"])
        sessions = self.stores.sessions
        session = sessions.session(sid)
        if session is None or session.revoked_at is not None:
            raise Unauthenticated(BAD_REFRESH, reason="SESSION_REVOKED")
        try:
            user = self.stores.accounts.user_by_id(int(claims["sub"]))
        except ValueError:
            user = None
        if user is None or not user.is_active:
            raise Unauthenticated(BAD_REFRESH, reason="USER_INACTIVE")
        pair, new_jti = self._pair(user, sid)
        expires = self._session_expiry()
        if sessions.rotate_refresh(sid, jti, new_jti, expires):
            outcome = session_rules.RefreshOutcome.ROTATED
        elif sessions.retry_within_grace(sid, jti, new_jti, expires, self.config.refresh_reuse_grace):
            outcome = session_rules.RefreshOutcome.GRACE_RETRY
        else:
            self.revoker.revoke([sid], session_rules.REFRESH_REUSED)
            self.auditor.record(audit.REFRESH_REUSE_DETECTED, client, user_id=user.id, username=user.username,
                                target_type="session", target_id=sid, metadata={"session_id": sid, "jti": jti})
            raise Unauthenticated(BAD_REFRESH, reason="REFRESH_REUSED")
        self.auditor.record(audit.TOKEN_REFRESHED, client, user_id=user.id, username=user.username,
                            actor=user.username, target_type="session", target_id=sid,
                            metadata={"session_id": sid, "outcome": outcome})
        return pair

    # --- API keys --------------------------------------------------------------------------
    def exchange_api_key(self, grant_type: str, api_key: str, client: ClientInfo) -> ExchangedToken:
        """Client credentials: a short-lived access token whose permissions are the key's scopes
        that its owner still holds."""
        _required(api_key=api_key)
        if grant_type != apikeys.GRANT_TYPE:
            raise invalid("grant_type", f"must be {apikeys.GRANT_TYPE}")
        prefix = apikeys.prefix_of(api_key)
        key = self.stores.credentials.api_key_by_prefix(prefix) if prefix else None
        valid = (key is not None and apikeys.matches(api_key, key.secret_hash)
                 and key.usable(from_epoch(self.clock())))
        owner = self.stores.accounts.user_by_id(key.owner_id) if valid else None
        if owner is None or not owner.is_active:
            self.auditor.record(audit.API_KEY_EXCHANGE_FAILED, client, target_type="api_key",
                                target_id=prefix or "", failure_reason=audit.INVALID_CREDENTIALS)
            raise Unauthenticated("Invalid API key.", reason="INVALID_API_KEY")
        scopes = tuple(sorted(set(key.scopes) & set(owner.permissions)))
        ttl = self.config.api_key_token_ttl
        token = self.issuer.access(owner.id, owner.username, (), scopes, apikeys.session_id(key.id), ttl=ttl)
        self.stores.credentials.touch_api_key(key.id)
        self.auditor.record(audit.API_KEY_EXCHANGED, client, user_id=owner.id, username=owner.username,
                            actor=owner.username, target_type="api_key", target_id=str(key.id),
                            metadata={"scopes": list(scopes)})
        return ExchangedToken(token.token, ttl, scopes)
