"""Roles (the seed's groups), the permission catalogue, and which permissions each role grants.

The administrators role is the way back in: it cannot be renamed, deactivated, deleted or have
its permissions changed (bootstrap would grant them again at the next start anyway).
"""
from __future__ import annotations

from typing import Optional, Sequence

from auth_svc.domain import audit
from auth_svc.domain.accounts import (MAX_NAME_LENGTH, GroupPermissions, PermissionRecord, RoleRecord,
                                      clean_role_values)
from auth_svc.domain.catalogue import ACTIONS, MASTER_ENTITIES
from auth_svc.domain.listing import ROLES
from auth_svc.domain import sessions as session_rules
from auth_svc.usecases.common import Auditor, ClientInfo, Delegation, Revoker, Stores, transactional
from erp_common.errors import FailedPrecondition, InvalidArgument, invalid
from erp_common.listing import page_request, search_term
from erp_common.tokens import Principal

# Many times the catalogue's size; the bound keeps one request from becoming a 100k-row IN query.
MAX_PERMISSION_IDS = 1000
MAX_CODENAME_LENGTH = 100


def _protected(role_id: int) -> FailedPrecondition:
    message = "The administrators role cannot be renamed, deactivated, deleted or have its permissions changed."
    return FailedPrecondition(message, reason="PROTECTED_ROLE",
                              violations=[("PROTECTED_ROLE", f"roles/{role_id}", message)])


def _codenames(group: GroupPermissions) -> dict:
    return {"permissions": [p.codename for p in group.permissions]}


class Roles:
    def __init__(self, stores: Stores, auditor: Auditor, revoker: Revoker, delegation: Delegation):
        self.stores = stores
        self.auditor = auditor
        self.revoker = revoker
        self.delegation = delegation

    def list(self, page_size: int, page_token: str, search: str, ordering: str,
             is_active: Optional[bool]) -> tuple[list[RoleRecord], str, int]:
        page = page_request(ROLES, page_size, page_token, ordering, (search, is_active))
        return self.stores.accounts.list_roles(page, search_term(search, MAX_NAME_LENGTH), is_active)

    def get(self, role_id: int) -> RoleRecord:
        return self.stores.accounts.get_role(role_id)

    @transactional
    def create(self, actor: Principal, values: dict, client: ClientInfo) -> RoleRecord:
        role = self.stores.accounts.create_role(clean_role_values(values, creating=True))
        self.auditor.change(audit.ROLE_CREATED, client, actor, "role", role.id, None, role.public_view())
        return role

    @transactional
    def update(self, actor: Principal, role_id: int, changes: dict, client: ClientInfo) -> RoleRecord:
        changes = clean_role_values(changes, creating=False)
        before = self.stores.accounts.get_role(role_id)
        if role_id == self.stores.accounts.admin_role_id() and (
                changes.get("is_active") is False or changes.get("name", before.name) != before.name):
            raise _protected(role_id)
        toggles_active = "is_active" in changes and changes["is_active"] != before.is_active
        if toggles_active:
            # Deactivating takes the role's permissions from its holders, reactivating gives them back.
            self.delegation.require_grant_roles(actor, [role_id], client, "activate or deactivate a role", "role",
                                                role_id)
        after = self.stores.accounts.update_role(role_id, changes)
        if toggles_active:
            self.revoker.rights_changed(self.stores.accounts.user_ids_holding(role_id),
                                        session_rules.ROLE_ACTIVE_CHANGED)
        self.auditor.change(audit.ROLE_UPDATED, client, actor, "role", role_id, before.public_view(),
                            after.public_view())
        return after

    @transactional
    def delete(self, actor: Principal, role_id: int, hard: bool, force: bool, client: ClientInfo) -> RoleRecord:
        """Soft by default (deactivated: it grants nothing); `hard` removes it, which while users hold
        it needs `force` (then they lose it)."""
        before = self.stores.accounts.get_role(role_id)
        if role_id == self.stores.accounts.admin_role_id():
            raise _protected(role_id)
        self.delegation.require_grant_roles(actor, [role_id], client, "delete a role", "role", role_id)
        holders = self.stores.accounts.user_ids_holding(role_id)
        if hard:
            if before.user_count and not force:
                message = f"{before.user_count} user(s) hold this role; pass force=true to remove it from them."
                raise FailedPrecondition(message, reason="ROLE_IN_USE",
                                         violations=[("ROLE_IN_USE", f"roles/{role_id}", message)])
            self.stores.accounts.delete_role(role_id, detach_users=force)
            result = before
        else:
            result = self.stores.accounts.update_role(role_id, {"is_active": False})
        self.revoker.rights_changed(holders, session_rules.ROLE_DELETED)
        self.auditor.change(audit.ROLE_DELETED, client, actor, "role", role_id, before.public_view(),
                            None if hard else result.public_view(),
                            metadata={"hard_delete": hard, "force": force, "user_count": before.user_count})
        return result


class Permissions:
    def __init__(self, stores: Stores, auditor: Auditor, revoker: Revoker, delegation: Delegation):
        self.stores = stores
        self.auditor = auditor
        self.revoker = revoker
        self.delegation = delegation

    def list(self, codename_contains: str = "") -> list[PermissionRecord]:
        return self.stores.accounts.list_permissions(search_term(codename_contains, MAX_CODENAME_LENGTH, "codename"))

    def master_by_entity(self) -> list[tuple[str, list[PermissionRecord]]]:
        """The ten master entities in catalogue order, each with create, read, update, delete."""
        by_codename = {p.codename: p for p in self.stores.accounts.list_permissions("master_")}
        return [(entity, [by_codename[f"master_{entity}_{action}"] for action in ACTIONS
                          if f"master_{entity}_{action}" in by_codename]) for entity in MASTER_ENTITIES]

    # --- group permissions (the seed's six routes) ------------------------------------------
    def groups_with_permissions(self) -> list[GroupPermissions]:
        return self.stores.accounts.all_group_permissions()

    def groups(self) -> list[tuple[int, str]]:
        return self.stores.accounts.active_groups()

    def of_group(self, group_id: int) -> GroupPermissions:
        return self.stores.accounts.group_permissions(group_id)

    @transactional
    def assign(self, actor: Principal, group_id: int, permission_ids: Sequence[int], replace: bool,
               client: ClientInfo) -> GroupPermissions:
        """Adds the permissions to the group, or with `replace` makes them its only ones."""
        before = self.stores.accounts.group_permissions(group_id)
        if group_id == self.stores.accounts.admin_role_id():
            raise _protected(group_id)
        ids = list(dict.fromkeys(permission_ids))
        if not ids:
            raise invalid("permission_ids", "This field is required.")
        if len(ids) > MAX_PERMISSION_IDS:
            raise invalid("permission_ids", f"Give at most {MAX_PERMISSION_IDS} permission ids at once.")
        missing = self.stores.accounts.missing_permission_ids(ids)
        if missing:
            listed = ", ".join(map(str, missing))
            raise InvalidArgument(f"unknown permission ids: {listed}", reason="UNKNOWN_PERMISSION",
                                  violations=[("permission_ids", f"Unknown permission ids: {listed}.")])
        had = {p.codename for p in before.permissions}
        given = set(self.stores.accounts.codenames_by_id(ids).values())
        self.delegation.require_held(actor, (given - had) | ((had - given) if replace else set()), client,
                                     "grant or take permissions", "role", group_id)
        self.stores.accounts.set_group_permissions(group_id, ids, replace)
        return self._changed(actor, before, client, {"replace": replace, "permission_ids": ids})

    @transactional
    def remove_all(self, actor: Principal, group_id: int, client: ClientInfo) -> GroupPermissions:
        before = self.stores.accounts.group_permissions(group_id)
        if group_id == self.stores.accounts.admin_role_id():
            raise _protected(group_id)
        self.delegation.require_held(actor, [p.codename for p in before.permissions], client, "take permissions",
                                     "role", group_id)
        self.stores.accounts.set_group_permissions(group_id, [], replace=True)
        return self._changed(actor, before, client, {"removed_all": True})

    def _changed(self, actor: Principal, before: GroupPermissions, client: ClientInfo,
                 metadata: dict) -> GroupPermissions:
        after = self.stores.accounts.group_permissions(before.group_id)
        if after.permissions != before.permissions:
            self.revoker.rights_changed(self.stores.accounts.user_ids_holding(before.group_id),
                                        session_rules.ROLE_PERMISSIONS_CHANGED)
        self.auditor.change(audit.GROUP_PERMISSIONS_CHANGED, client, actor, "role", before.group_id,
                            _codenames(before), _codenames(after), metadata=metadata)
        return after
