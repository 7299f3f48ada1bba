"""User administration. Changing a password, disabling or deleting a user ends their sessions."""
from __future__ import annotations

from typing import Optional

from auth_svc.config import AuthConfig
from auth_svc.domain import audit, passwords
from auth_svc.domain import sessions as session_rules
from auth_svc.domain.accounts import MAX_EMAIL_LENGTH, UserRecord, clean_user_values
from auth_svc.domain.listing import USERS
from auth_svc.hashing import PasswordHasher
from auth_svc.usecases.common import (Auditor, ClientInfo, Delegation, Revoker, Stores, require_user_session,
                                      transactional)
from erp_common.errors import FailedPrecondition, InvalidArgument
from erp_common.listing import page_request, search_term
from erp_common.tokens import Principal


def _guarded_changes(before: UserRecord, changes: dict) -> list[str]:
    """What of password, is_active and roles an update really changes (a PUT repeats the unchanged):
    changing these on another user needs every permission that user holds."""
    changed = ["password"] if "password" in changes else []
    if "is_active" in changes and changes["is_active"] != before.is_active:
        changed.append("is_active")
    if "role_ids" in changes and set(changes["role_ids"]) != set(before.role_ids):
        changed.append("role_ids")
    return changed


def _self_change(message: str, user_id: int) -> FailedPrecondition:
    return FailedPrecondition(message, reason="SELF_LOCKOUT",
                              violations=[("SELF_LOCKOUT", f"users/{user_id}", message)])


class Users:
    def __init__(self, config: AuthConfig, stores: Stores, auditor: Auditor, revoker: Revoker,
                 delegation: Delegation, hasher: PasswordHasher):
        self.config = config
        self.stores = stores
        self.auditor = auditor
        self.revoker = revoker
        self.delegation = delegation
        self.hasher = hasher

    def list(self, page_size: int, page_token: str, search: str, ordering: str,
             is_active: Optional[bool]) -> tuple[list[UserRecord], str, int]:
        page = page_request(USERS, page_size, page_token, ordering, (search, is_active))
        return self.stores.accounts.list_users(page, search_term(search, MAX_EMAIL_LENGTH), is_active)

    def get(self, user_id: int) -> UserRecord:
        return self.stores.accounts.get_user(user_id)

    def _check_roles(self, values: dict) -> None:
        missing = self.stores.accounts.missing_role_ids(values.get("role_ids", ()))
        if missing:
            raise InvalidArgument(f"unknown role ids: {', '.join(map(str, missing))}", reason="UNKNOWN_ROLE",
                                  violations=[("role_ids", f"Unknown role ids: {', '.join(map(str, missing))}.")])

    @transactional
    def create(self, actor: Principal, values: dict, client: ClientInfo) -> UserRecord:
        values = clean_user_values(values, creating=True)
        passwords.check_policy(values["password"], username=values["username"], email=values.get("email", ""))
        self._check_roles(values)
        self.delegation.require_grant_roles(actor, values.get("role_ids", ()), client, "grant roles", "user",
                                            values["username"])
        password_hash = self.hasher.run_waiting(passwords.hash_password, values["password"], self.config.bcrypt_rounds)
        user = self.stores.accounts.create_user(values, password_hash)
        self.auditor.change(audit.USER_CREATED, client, actor, "user", user.id, None, user.public_view())
        return user

    @transactional
    def update(self, actor: Principal, user_id: int, changes: dict, client: ClientInfo) -> UserRecord:
        """`changes` holds only the fields to set (the update mask already applied)."""
        changes = clean_user_values(changes, creating=False)
        before = self.stores.accounts.get_user(user_id)
        if changes.get("is_active") is False and user_id == actor.user_id:
            raise _self_change("You cannot deactivate your own account.", user_id)
        self._check_roles(changes)
        self._check_delegation(actor, before, changes, client)
        password_hash = None
        if "password" in changes:
            passwords.check_policy(changes["password"], username=changes.get("username", before.username),
                                   email=changes.get("email", before.email))
            password_hash = self.hasher.run_waiting(passwords.hash_password, changes["password"],
                                                    self.config.bcrypt_rounds)
        after = self.stores.accounts.update_user(user_id, changes, password_hash)
        if after.role_ids != before.role_ids:
            self.revoker.rights_changed([user_id], session_rules.ROLES_CHANGED)
        if before.is_active and not after.is_active:
            self.revoker.revoke_user(user_id, session_rules.USER_DISABLED, include_api_keys=True)
        elif password_hash:
            self.revoker.revoke_user(user_id, session_rules.PASSWORD_CHANGED, include_api_keys=False)
        self.auditor.change(audit.USER_UPDATED, client, actor, "user", user_id, before.public_view(),
                            after.public_view(), metadata={"password_changed": password_hash is not None})
        return after

    def _check_delegation(self, actor: Principal, before: UserRecord, changes: dict, client: ClientInfo) -> None:
        guarded = _guarded_changes(before, changes)
        if guarded and before.id != actor.user_id:
            self.delegation.require_over(actor, before, client, f"change {', '.join(guarded)} of another user")
        if "password" in changes and before.id == actor.user_id:
            require_user_session(actor, client, "changing your own password")
        if "role_ids" in changes:
            changed = set(changes["role_ids"]) ^ set(before.role_ids)
            self.delegation.require_grant_roles(actor, changed, client, "grant or take roles", "user", before.id)

    @transactional
    def reset_mfa(self, actor: Principal, user_id: int, client: ClientInfo) -> UserRecord:
        """Turns another user's MFA off. One's own goes off with DisableMfa and a code: a stolen
        session alone must not remove the second factor."""
        if user_id == actor.user_id:
            message = "Turn your own MFA off with POST /api/auth/mfa/disable/ and a code."
            raise FailedPrecondition(message, reason="OWN_MFA_RESET",
                                     violations=[("OWN_MFA_RESET", f"users/{user_id}", message)])
        before = self.stores.accounts.get_user(user_id)
        self.delegation.require_over(actor, before, client, "reset another user's MFA")
        if not before.mfa_enabled:
            message = "The user has no MFA to reset."
            raise FailedPrecondition(message, reason="MFA_NOT_ENABLED",
                                     violations=[("MFA_NOT_ENABLED", f"users/{user_id}", message)])
        self.stores.credentials.delete_totp(user_id)
        self.auditor.change(audit.MFA_RESET, client, actor, "user", user_id, {"mfa_enabled": True},
                            {"mfa_enabled": False})
        return self.stores.accounts.get_user(user_id)

    @transactional
    def delete(self, actor: Principal, user_id: int, hard: bool, client: ClientInfo) -> UserRecord:
        """Soft by default (the account is deactivated); `hard` removes it and everything it owns."""
        if user_id == actor.user_id:
            raise _self_change("You cannot delete your own account.", user_id)
        before = self.stores.accounts.get_user(user_id)
        self.delegation.require_over(actor, before, client, "delete another user")
        self.revoker.revoke_user(user_id, session_rules.USER_DELETED, include_api_keys=True)
        if hard:
            self.stores.accounts.delete_user(user_id)
            result = before
        else:
            result = self.stores.accounts.update_user(user_id, {"is_active": False}, None)
        self.auditor.change(audit.USER_DELETED, client, actor, "user", user_id, before.public_view(),
                            None if hard else result.public_view(), metadata={"hard_delete": hard})
        return result
