"""What the auth RPCs do, as plain synchronous functions over the repository.

The servicer runs these in worker threads, so a slow bcrypt never blocks the event loop.
"""
from __future__ import annotations

import datetime
import logging
import secrets
from dataclasses import dataclass
from functools import lru_cache

from ua_parser import parse as parse_user_agent

from auth_svc.config import AuthConfig
from auth_svc.domain import passwords
from auth_svc.domain.tokens import TokenIssuer
from auth_svc.keystore import KeyStore
from auth_svc.storage.repository import AuthRepository, UserRecord
from erp_common.errors import InvalidArgument, Unauthenticated
from erp_common.tokens import TokenVerifier

log = logging.getLogger(__name__)

BAD_CREDENTIALS = "Invalid username or password."


@dataclass(frozen=True)
class ClientInfo:
    ip: str
    user_agent: str


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int
    user: UserRecord
    groups: list[str]
    permissions: list[str]


@lru_cache(maxsize=1024)
def browser_and_os(user_agent: str) -> tuple[str, str]:
    if not user_agent:
        return "", ""
    parsed = parse_user_agent(user_agent)
    browser = parsed.user_agent.family if parsed.user_agent else "Other"
    os_name = parsed.os.family if parsed.os else "Other"
    return browser, os_name


def _ts(epoch: int) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc).replace(tzinfo=None)


class AuthUseCases:
    def __init__(self, config: AuthConfig, repo: AuthRepository, keystore: KeyStore):
        self.config = config
        self.repo = repo
        self.keys = keystore
        self.issuer = TokenIssuer(keystore, config.jwt_issuer, config.jwt_audience,
                                  config.access_ttl, config.refresh_ttl)
        self.verifier = TokenVerifier(keystore, config.jwt_issuer, config.jwt_audience)
        # Verifying against this for unknown users makes both failures take the same time.
        self._dummy_hash = passwords.hash_password(secrets.token_urlsafe(16), config.bcrypt_rounds)

    # --- bootstrap -------------------------------------------------------------------------
    def bootstrap(self) -> str | None:
        """Idempotent: catalogue, administrators role, and the first admin. Returns a generated
        admin password when one had to be made (to print once), else None."""
        self.keys.ensure_key()
        with self.repo.db.connection_context():
            self.repo.ensure_catalogue()
            if self.repo.admin_exists():
                return None
            password = self.config.admin_password or secrets.token_urlsafe(12)
            created = self.repo.create_admin(passwords.hash_password(password, self.config.bcrypt_rounds))
            return None if (self.config.admin_password or not created) else password

    # --- audit -----------------------------------------------------------------------------
    def audit(self, event: str, client: ClientInfo, **fields) -> None:
        browser, os_name = browser_and_os(client.user_agent)
        self.repo.audit(event, ip_address=client.ip[:64], user_agent=client.user_agent[:512],
                        browser=browser, os=os_name, **fields)

    # --- tokens ----------------------------------------------------------------------------
    def _pair(self, user: UserRecord, sid: str) -> tuple[TokenPair, str]:
        groups, perms = self.repo.groups_and_permissions(user.id)
        access = self.issuer.access(user.id, user.username, groups, perms, sid)
        refresh = self.issuer.refresh(user.id, user.username, sid)
        return TokenPair(access.token, refresh.token, self.issuer.access_ttl, user, groups, perms), refresh.jti

    def login(self, username: str, password: str, client: ClientInfo) -> TokenPair:
        violations = [(f, "This field is required.") for f, v in (("username", username), ("password", password))
                      if not v or not v.strip()]
        if violations:
            raise InvalidArgument("username and password are required", violations=violations)
        with self.repo.db.connection_context():
            user = self.repo.user_by_username(username)
            ok = passwords.verify_password(password, user.password_hash if user else self._dummy_hash)
            if not user or not ok or not user.is_active:
                reason = ("INVALID_CREDENTIALS" if not user or not ok else "ACCOUNT_DISABLED")
                self.audit("LOGIN_FAILED", client, user_id=user.id if user else None, username=username[:150],
                           failure_reason=reason, metadata={"username": username[:150]})
                raise Unauthenticated(BAD_CREDENTIALS, reason="INVALID_CREDENTIALS")
            new_hash = (passwords.hash_password(password, self.config.bcrypt_rounds)
                        if passwords.needs_rehash(user.password_hash, self.config.bcrypt_rounds) else None)
            self.repo.record_login(user.id, new_hash)
            sid = secrets.token_hex(16)
            pair, refresh_jti = self._pair(user, sid)
            with self.repo.db.atomic():
                self.repo.create_session(sid, user.id, client.ip, client.user_agent, refresh_jti,
                                         _ts(int(datetime.datetime.now().timestamp()) + self.issuer.refresh_ttl))
                self.audit("LOGIN_SUCCESS", client, user_id=user.id, username=user.username, actor=user.username,
                           metadata={"username": user.username, "session_id": sid})
            return pair

    def refresh(self, refresh_token: str, client: ClientInfo) -> TokenPair:
        if not refresh_token or not refresh_token.strip():
            raise InvalidArgument("refresh_token is required",
                                  violations=[("refresh_token", "This field is required.")])
        claims = self.verifier.verify(refresh_token.strip(), expected_type="refresh")
        sid, jti = str(claims.get("sid", "")), str(claims["jti"])
        with self.repo.db.connection_context():
            session = self.repo.session(sid)
            if session is None or session.revoked_at is not None:
                raise Unauthenticated("Invalid refresh token", reason="SESSION_REVOKED")
            user = self.repo.user_by_id(int(claims["sub"]))
            if user is None or not user.is_active:
                raise Unauthenticated("Invalid refresh token", reason="USER_INACTIVE")
            pair, new_jti = self._pair(user, sid)
            expires = _ts(int(datetime.datetime.now().timestamp()) + self.issuer.refresh_ttl)
            if not self.repo.rotate_refresh(sid, jti, new_jti, expires):
                self.repo.revoke_sessions([sid], "REFRESH_REUSE_DETECTED")
                self.audit("REFRESH_REUSE_DETECTED", client, user_id=user.id, username=user.username,
                           metadata={"session_id": sid, "jti": jti})
                raise Unauthenticated("Invalid refresh token", reason="REFRESH_REUSED")
            self.audit("TOKEN_REFRESHED", client, user_id=user.id, username=user.username, actor=user.username,
                       metadata={"session_id": sid})
            return pair
