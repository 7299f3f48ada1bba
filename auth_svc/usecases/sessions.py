"""Logout, logout everywhere, and the list of a user's sessions."""
from __future__ import annotations

from auth_svc.domain import audit
from auth_svc.domain import sessions as session_rules
from auth_svc.domain.sessions import SessionRecord
from auth_svc.domain.delegation import LOGOUT_WITH_API_KEY
from auth_svc.usecases.common import (Auditor, ClientInfo, Delegation, Revoker, Stores, audits_refusals,
                                      require_user_session, transactional)
from erp_common.errors import PermissionDenied
from erp_common.tokens import Principal


def _target(principal: Principal, user_id: int, permission: str) -> int:
    """`user_id` 0 means the caller; anyone else's sessions need `permission`."""
    target = user_id or principal.user_id
    if target != principal.user_id and not principal.has(permission):
        raise PermissionDenied(f"permission {permission} required", reason="PERMISSION_DENIED",
                               permission=permission)
    return target


class Sessions:
    def __init__(self, stores: Stores, auditor: Auditor, revoker: Revoker, delegation: Delegation):
        self.stores = stores
        self.auditor = auditor
        self.revoker = revoker
        self.delegation = delegation

    @audits_refusals
    def logout(self, principal: Principal, client: ClientInfo) -> str:
        require_user_session(principal, client, "logout", LOGOUT_WITH_API_KEY)
        self.revoker.revoke([principal.session_id], session_rules.LOGOUT)
        self.auditor.record(audit.LOGOUT, client, user_id=principal.user_id, username=principal.username,
                            actor=principal.username, target_type="session", target_id=principal.session_id)
        return principal.session_id

    @transactional
    def logout_all(self, principal: Principal, user_id: int, client: ClientInfo) -> int:
        require_user_session(principal, client, "logout-all")
        target = self.stores.accounts.get_user(_target(principal, user_id, "auth_user_update"))
        if target.id != principal.user_id:
            self.delegation.require_over(principal, target, client, "end another user's sessions")
        ended = self.revoker.revoke_user(target.id, session_rules.LOGOUT_ALL, include_api_keys=False)
        self.auditor.record(audit.LOGOUT_ALL, client, user_id=target.id, username=target.username,
                            actor=principal.username, target_type="user", target_id=str(target.id),
                            metadata={"ended_sessions": ended})
        return ended

    @audits_refusals
    def list_sessions(self, principal: Principal, user_id: int, client: ClientInfo) -> list[SessionRecord]:
        require_user_session(principal, client, "listing sessions")
        target = self.stores.accounts.get_user(_target(principal, user_id, "auth_user_read"))
        return self.stores.sessions.active_sessions(target.id)
