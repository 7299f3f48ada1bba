"""What the auth RPCs do, as plain synchronous functions over the repositories.

The servicers run these in worker threads, one database connection per call, so slow work never
blocks the event loop. Login is the exception: it is a coroutine that runs its storage steps on
those threads and its bcrypt check on the password hasher's own pool (usecases/authentication.py).
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Callable, TypeVar

from auth_svc.config import AuthConfig
from auth_svc.domain import passwords
from auth_svc.domain.tokens import TokenIssuer
from auth_svc.hashing import PasswordHasher
from auth_svc.keystore import KeyStore
from auth_svc.usecases.apikeys import ApiKeys
from auth_svc.usecases.audit import AuditLogs
from auth_svc.usecases.authentication import Authentication
from auth_svc.usecases.common import Auditor, ClientInfo, Delegation, Revoker, Stores
from auth_svc.usecases.mfa import MfaEnrolment
from auth_svc.usecases.roles import Permissions, Roles
from auth_svc.usecases.sessions import Sessions
from auth_svc.usecases.users import Users
from erp_common.tokens import TokenVerifier

__all__ = ["UseCases", "ClientInfo", "Stores"]

T = TypeVar("T")


@dataclass
class UseCases:
    config: AuthConfig
    keys: KeyStore
    verifier: TokenVerifier
    authentication: Authentication
    sessions: Sessions
    mfa: MfaEnrolment
    api_keys: ApiKeys
    users: Users
    roles: Roles
    permissions: Permissions
    audit_logs: AuditLogs
    stores: Stores

    @classmethod
    def build(cls, config: AuthConfig, stores: Stores, keys: KeyStore,
              notify_revoked: Callable[[], None] = lambda: None) -> "UseCases":
        """`notify_revoked` is called after every revocation (the revocation feed's wake-up)."""
        auditor = Auditor(stores)
        issuer = TokenIssuer(keys, config.jwt_issuer, config.jwt_audience, config.access_ttl, config.refresh_ttl)
        verifier = TokenVerifier(keys, config.jwt_issuer, config.jwt_audience)
        hasher = PasswordHasher(config.hash_workers, config.hash_queue)  # logins and password changes share it
        revoker = Revoker(stores, max(config.access_ttl, config.api_key_token_ttl), notify_revoked)
        delegation = Delegation(stores)
        return cls(
            config=config, keys=keys, verifier=verifier,
            authentication=Authentication(config, stores, auditor, revoker, issuer, verifier, hasher),
            sessions=Sessions(stores, auditor, revoker, delegation), mfa=MfaEnrolment(stores, auditor),
            api_keys=ApiKeys(stores, auditor, revoker, delegation),
            users=Users(config, stores, auditor, revoker, delegation, hasher),
            roles=Roles(stores, auditor, revoker, delegation),
            permissions=Permissions(stores, auditor, revoker, delegation), audit_logs=AuditLogs(stores),
            stores=stores)

    async def call(self, fn: Callable[..., T], *args) -> T:
        """Runs a use case (a method of the above) on a worker thread and its database connection,
        behind the database's circuit breaker and the caller's deadline (erp_common.unit_of_work)."""
        return await self.stores.call(fn, *args)

    def bootstrap(self) -> str | None:
        """Idempotent: signing key, catalogue, administrators role and the first admin. Returns a
        generated admin password when one had to be made (to print once), else None."""
        self.keys.ensure_key()
        return self.stores.call_now(self._bootstrap_accounts)

    def _bootstrap_accounts(self) -> str | None:
        accounts = self.stores.accounts
        accounts.ensure_catalogue()
        if accounts.admin_exists():
            return None
        password = self.config.admin_password or secrets.token_urlsafe(12)
        created = accounts.create_admin(passwords.hash_password(password, self.config.bcrypt_rounds))
        return None if (self.config.admin_password or not created) else password
