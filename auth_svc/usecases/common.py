"""What every use case shares: the stores (auth's unit of work), the caller's client, the audit writer
and session revocation."""
from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Iterable, Optional, Sequence, TypeVar

import peewee
from ua_parser import parse as parse_user_agent

from auth_svc.domain import apikeys, audit, delegation
from auth_svc.domain.accounts import UserRecord
from auth_svc.storage.accounts import AccountRepository
from auth_svc.storage.audit import AuditRepository
from auth_svc.storage.credentials import CredentialRepository
from auth_svc.storage.models import utcnow
from auth_svc.storage.sessions import SessionRepository
from erp_common.errors import PermissionDenied
from erp_common.secrets import DataKeyring
from erp_common.tokens import Principal
from erp_common.unit_of_work import UnitOfWork
from erp_common.unit_of_work import transactional as in_one_transaction

# Tokens are verified with this much clock leeway, so a revocation must outlive them by as much.
VERIFIER_LEEWAY_SECONDS = 5

F = TypeVar("F", bound=Callable)


@dataclass
class Refusal(PermissionDenied):
    """A change the caller may not make (auth_svc.domain.delegation); audited as AUTHORIZATION_DENIED
    by `audits_refusals`, after the refused transaction rolled back."""

    actor: Optional[Principal] = None
    client: Optional[ClientInfo] = None
    target_type: str = ""
    target_id: str = ""
    action: str = ""


def audits_refusals(method: F) -> F:
    """Records every Refusal a use-case method (of an object with `stores` and `auditor`) raises."""
    @functools.wraps(method)
    def run(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except Refusal as refusal:
            self.stores.atomically(lambda: self.auditor.refusal(refusal))
            raise
    return run  # type: ignore[return-value]


def transactional(method: F) -> F:
    """Runs a use-case method (of an object with `stores`) in one transaction, so that a change and
    its audit entry commit together: a crash in between leaves neither a change nobody audited nor
    an entry for a change that never happened. READ COMMITTED, so that replacing one role's
    permissions or one user's roles takes no gap locks that deadlock with the same change to a
    neighbouring role or user; one the database aborted in a conflict anyway runs again
    (erp_common.unit_of_work). A refusal is audited once the transaction rolled back."""
    return audits_refusals(in_one_transaction(method, read_committed=True))


@dataclass(frozen=True)
class ClientInfo:
    """Where a request came from: the edge's x-erp-client-ip (when the edge is proven) or the peer."""

    ip: str
    user_agent: str


@dataclass(frozen=True)
class Stores(UnitOfWork):
    """The unit of work of auth: the repositories over the one auth database."""

    accounts: AccountRepository
    sessions: SessionRepository
    credentials: CredentialRepository
    audit: AuditRepository

    @classmethod
    def over(cls, db: peewee.Database, keyring: DataKeyring) -> "Stores":
        return cls(db, AccountRepository(db), SessionRepository(db), CredentialRepository(db, keyring),
                   AuditRepository(db))


@lru_cache(maxsize=1024)
def browser_and_os(user_agent: str) -> tuple[str, str]:
    if not user_agent:
        return "", ""
    parsed = parse_user_agent(user_agent)
    browser = parsed.user_agent.family if parsed.user_agent else "Other"
    os_name = parsed.os.family if parsed.os else "Other"
    return browser, os_name


class Auditor:
    """Writes audit entries with the client's IP, user agent, browser and operating system."""

    def __init__(self, stores: Stores):
        self._audit = stores.audit

    def record(self, event_type: str, client: ClientInfo, **fields) -> None:
        browser, os_name = browser_and_os(client.user_agent)
        self._audit.write(event_type, ip_address=client.ip[:64], user_agent=client.user_agent[:512],
                          browser=browser, os=os_name, **fields)

    def refusal(self, refusal: "Refusal") -> None:
        actor = refusal.actor
        self.record(audit.AUTHORIZATION_DENIED, refusal.client or ClientInfo("", ""),
                    user_id=actor.user_id if actor else None, username=actor.username if actor else "",
                    actor=actor.username if actor else "", target_type=refusal.target_type,
                    target_id=refusal.target_id, failure_reason=refusal.reason,
                    metadata={"action": refusal.action, "missing": list(refusal.missing),
                              "api_key_token": bool(actor and delegation.is_api_key_session(actor.session_id))})

    def change(self, event_type: str, client: ClientInfo, actor: Principal, target_type: str, target_id,
               before: dict | None, after: dict | None, **fields) -> None:
        """An administrative change: who did it, to what, and the object before and after."""
        self.record(event_type, client, user_id=actor.user_id, username=actor.username, actor=actor.username,
                    target_type=target_type, target_id=str(target_id), before=before, after=after, **fields)


class Revoker:
    """Ends sessions: refresh tokens fail at once (the session row), access tokens as soon as the
    services' revocation lists hear of it (the feed row; `notify` wakes this replica's feed)."""

    def __init__(self, stores: Stores, token_lifetime_seconds: int, notify: Callable[[], None]):
        self._stores = stores
        self._lifetime = token_lifetime_seconds + VERIFIER_LEEWAY_SECONDS
        self._notify = notify

    def revoke(self, sids: Sequence[str], reason: str) -> int:
        if not sids:
            return 0
        expire = utcnow() + datetime.timedelta(seconds=self._lifetime)
        ended = self._stores.sessions.revoke(list(sids), reason, expire)
        # Inside a use case's transaction the feed must not poll before the revocation is visible.
        self._stores.after_commit(self._notify)
        return ended

    def rights_changed(self, user_ids: Iterable[int], reason: str) -> None:
        """Publishes what each user holds now: tokens issued before lose what was taken away
        (erp_common.revocation), at every service as soon as it hears of it."""
        users = self._stores.accounts.users_by_ids(user_ids)
        if users:
            expire = utcnow() + datetime.timedelta(seconds=self._lifetime)
            self._stores.sessions.publish_rights([(u.id, u.permissions) for u in users], reason, expire)
            self._stores.after_commit(self._notify)

    def revoke_user(self, user_id: int, reason: str, include_api_keys: bool) -> int:
        """Every live session of the user and, for a disabled or deleted user, the tokens of their API keys."""
        sids = [s.sid for s in self._stores.sessions.active_sessions(user_id)]
        if include_api_keys:
            sids += [apikeys.session_id(k) for k in self._stores.credentials.live_api_key_ids(user_id)]
        return self.revoke(sids, reason)


class Delegation:
    """The delegation rule (auth_svc.domain.delegation), checked against what the caller holds now:
    the token's permissions that its user still holds in the database, so a token minted before a
    right was taken away cannot use it here even before the revocation feed is heard."""

    def __init__(self, stores: Stores):
        self._accounts = stores.accounts

    def held(self, actor: Principal) -> frozenset[str]:
        user = self._accounts.user_by_id(actor.user_id)
        if user is None or not user.is_active:
            return frozenset()
        return actor.permissions & frozenset(user.permissions)

    def require_held(self, actor: Principal, needed: Iterable[str], client: ClientInfo, action: str,
                     target_type: str, target_id) -> None:
        """Refuses unless the caller holds every permission in `needed`."""
        lacking = delegation.missing(self.held(actor), needed)
        if lacking:
            raise Refusal(f"{action}: you do not hold {', '.join(lacking)}", reason=delegation.DELEGATION_EXCEEDS_CALLER,
                          missing=lacking, actor=actor, client=client, target_type=target_type,
                          target_id=str(target_id), action=action)

    def require_over(self, actor: Principal, target: UserRecord, client: ClientInfo, action: str) -> None:
        """Refuses unless the caller holds every permission the target user holds."""
        self.require_held(actor, target.permissions, client, action, "user", target.id)

    def require_grant_roles(self, actor: Principal, role_ids: Iterable[int], client: ClientInfo, action: str,
                            target_type: str, target_id) -> None:
        """Refuses unless the caller holds every permission of each role."""
        self.require_held(actor, self._accounts.codenames_of_roles(role_ids), client, action, target_type, target_id)


def require_user_session(principal: Principal, client: ClientInfo, action: str,
                         message: str = "") -> None:
    """Account self-service needs a user's session: an API-key token acts only within its scopes."""
    if delegation.is_api_key_session(principal.session_id):
        raise Refusal(message or f"{action} needs a user session from a login, not an API-key token",
                      reason=delegation.USER_SESSION_REQUIRED, actor=principal, client=client,
                      target_type="user", target_id=str(principal.user_id), action=action)
