"""Users, roles, permissions and their links. Peewee stays here: callers get domain records and errors."""
from __future__ import annotations

from typing import Iterable, Optional, Sequence

import peewee

from auth_svc.domain.accounts import (GroupPermissions, PermissionRecord, RoleRecord, UserRecord, email_key,
                                      role_name_key, username_key)
from auth_svc.domain.catalogue import ADMIN_ROLE, CATALOGUE
from auth_svc.storage import models
from auth_svc.storage.models import utcnow
from erp_common.errors import AlreadyExists, FailedPrecondition, NotFound, invalid
from erp_common.keyset import counted_page
from erp_common.listing import PageRequest

USER_SORT = {"username": models.User.username_key, "date_joined": models.User.date_joined, "id": models.User.id}
ROLE_SORT = {"name": models.Role.name_key, "created_at": models.Role.created_at}


def _permission(row: models.Permission) -> PermissionRecord:
    return PermissionRecord(row.id, row.codename, row.name, row.service, row.entity, row.action)


def _duplicate_user(exc: peewee.IntegrityError, username: str, email: str) -> Exception:
    text = str(exc).lower()
    if "foreign key" in text:
        return invalid("role_ids", "a role was deleted while it was being assigned")
    if "email_key" in text:
        return AlreadyExists(f"a user with e-mail {email!r} already exists", reason="DUPLICATE_EMAIL",
                             resource_type="erp.auth.v1/User", resource_name=email)
    return AlreadyExists(f"a user named {username!r} already exists", reason="DUPLICATE_USERNAME",
                         resource_type="erp.auth.v1/User", resource_name=username)


def _duplicate_role(name: str) -> AlreadyExists:
    return AlreadyExists(f"a role named {name!r} already exists", reason="DUPLICATE_NAME",
                         resource_type="erp.auth.v1/Role", resource_name=name)


def user_not_found(user_id: int) -> NotFound:
    return NotFound(f"user {user_id} not found", reason="USER_NOT_FOUND", resource_type="erp.auth.v1/User",
                    resource_name=f"users/{user_id}")


def role_not_found(role_id: int) -> NotFound:
    return NotFound(f"role {role_id} not found", reason="ROLE_NOT_FOUND", resource_type="erp.auth.v1/Role",
                    resource_name=f"roles/{role_id}")


class AccountRepository:
    def __init__(self, db: peewee.Database):
        self.db = db

    # --- bootstrap -------------------------------------------------------------------------
    def ensure_catalogue(self) -> None:
        """Creates missing permissions and the administrators role holding all of them."""
        with self.db.atomic():
            existing = {p.codename for p in models.Permission.select(models.Permission.codename)}
            for spec in CATALOGUE:
                if spec.codename not in existing:
                    models.Permission.insert(codename=spec.codename, name=spec.name, service=spec.service,
                                             entity=spec.entity, action=spec.action).on_conflict_ignore().execute()
            role = models.Role.get_or_none(models.Role.name_key == ADMIN_ROLE)
            if role is None:
                models.Role.insert(name=ADMIN_ROLE, name_key=ADMIN_ROLE,
                                   description="Every permission").on_conflict_ignore().execute()
                role = models.Role.get(models.Role.name_key == ADMIN_ROLE)
            held = {rp.permission_id for rp in models.RolePermission.select().where(models.RolePermission.role == role)}
            for perm in models.Permission.select():
                if perm.id not in held:
                    models.RolePermission.insert(role=role, permission=perm).on_conflict_ignore().execute()

    def admin_exists(self) -> bool:
        return models.User.select().where(models.User.username_key == "admin").exists()

    def create_admin(self, password_hash: str) -> bool:
        """Creates `admin` in the administrators role; False when another replica won the race."""
        try:
            with self.db.atomic():
                user = models.User.create(username="admin", username_key="admin", password_hash=password_hash,
                                          is_superuser=True)
                role = models.Role.get(models.Role.name_key == ADMIN_ROLE)
                models.UserRole.create(user=user, role=role)
            return True
        except peewee.IntegrityError:
            return False

    def admin_role_id(self) -> int:
        return models.Role.get(models.Role.name_key == ADMIN_ROLE).id

    # --- users: reads ----------------------------------------------------------------------
    def _users(self, rows: Sequence[models.User]) -> list[UserRecord]:
        """Records with roles, groups, permissions and MFA state, in three queries for any page size."""
        ids = [r.id for r in rows]
        if not ids:
            return []
        roles: dict[int, list[models.Role]] = {i: [] for i in ids}
        for link in (models.UserRole.select(models.UserRole.user, models.Role)
                     .join(models.Role).where(models.UserRole.user.in_(ids)).order_by(models.Role.name_key)):
            roles[link.user_id].append(link.role)
        active_role_ids = {role.id for held in roles.values() for role in held if role.is_active}
        perms: dict[int, list[str]] = {}
        if active_role_ids:
            for link in (models.RolePermission.select(models.RolePermission.role, models.Permission.codename)
                         .join(models.Permission).where(models.RolePermission.role.in_(list(active_role_ids)))):
                perms.setdefault(link.role_id, []).append(link.permission.codename)
        with_mfa = {m.user_id for m in models.MfaTotp.select(models.MfaTotp.user)
                    .where(models.MfaTotp.user.in_(ids) & models.MfaTotp.confirmed_at.is_null(False))}
        out = []
        for row in rows:
            held = roles[row.id]
            codenames = sorted({c for role in held if role.is_active for c in perms.get(role.id, ())})
            out.append(UserRecord(
                row.id, row.username, row.email, row.first_name, row.last_name, row.password_hash, row.is_active,
                row.date_joined, row.last_login, role_ids=tuple(sorted(r.id for r in held)),
                groups=tuple(r.name for r in held if r.is_active), permissions=tuple(codenames),
                mfa_enabled=row.id in with_mfa))
        return out

    def user_by_username(self, username: str) -> Optional[UserRecord]:
        row = models.User.get_or_none(models.User.username_key == username_key(username))
        return self._users([row])[0] if row else None

    def user_by_id(self, user_id: int) -> Optional[UserRecord]:
        row = models.User.get_or_none(models.User.id == user_id)
        return self._users([row])[0] if row else None

    def users_by_ids(self, user_ids: Iterable[int]) -> list[UserRecord]:
        wanted = sorted(set(user_ids))
        return self._users(list(models.User.select().where(models.User.id.in_(wanted)))) if wanted else []

    def user_ids_holding(self, role_id: int) -> list[int]:
        return [link.user_id for link in models.UserRole.select(models.UserRole.user)
                .where(models.UserRole.role == role_id)]

    def get_user(self, user_id: int) -> UserRecord:
        user = self.user_by_id(user_id)
        if user is None:
            raise user_not_found(user_id)
        return user

    def list_users(self, page: PageRequest, search: str, is_active: Optional[bool]) -> tuple[list[UserRecord], str, int]:
        query = models.User.select()
        if search.strip():
            needle = search.strip()
            query = query.where(models.User.username.contains(needle) | models.User.email.contains(needle)
                                | models.User.first_name.contains(needle) | models.User.last_name.contains(needle))
        if is_active is not None:
            query = query.where(models.User.is_active == is_active)
        rows, token, total = counted_page(query, USER_SORT[page.sort_field], models.User.id, page)
        return self._users(rows), token, total

    def missing_role_ids(self, role_ids: Iterable[int]) -> list[int]:
        wanted = set(role_ids)
        if not wanted:
            return []
        found = {r.id for r in models.Role.select(models.Role.id).where(models.Role.id.in_(list(wanted)))}
        return sorted(wanted - found)

    def record_login(self, user_id: int, new_hash: Optional[str]) -> None:
        fields = {models.User.last_login: utcnow()}
        if new_hash:
            fields[models.User.password_hash] = new_hash
        models.User.update(fields).where(models.User.id == user_id).execute()

    # --- users: writes ---------------------------------------------------------------------
    def create_user(self, values: dict, password_hash: str) -> UserRecord:
        username, email = values["username"], values.get("email", "")
        try:
            with self.db.atomic():
                row = models.User.create(
                    username=username, username_key=username_key(username), email=email,
                    email_key=email_key(email), first_name=values.get("first_name", ""),
                    last_name=values.get("last_name", ""), password_hash=password_hash,
                    is_active=values.get("is_active", True))
                for role_id in values.get("role_ids", ()):
                    models.UserRole.create(user=row.id, role=role_id)
        except peewee.IntegrityError as exc:
            raise _duplicate_user(exc, username, email) from None
        return self.get_user(row.id)

    def update_user(self, user_id: int, changes: dict, password_hash: Optional[str]) -> UserRecord:
        """Applies `changes` (already validated); `role_ids`, when present, replaces the user's roles."""
        fields: dict = {"updated_at": utcnow()}
        for name in ("username", "email", "first_name", "last_name", "is_active"):
            if name in changes:
                fields[name] = changes[name]
        if "username" in changes:
            fields["username_key"] = username_key(changes["username"])
        if "email" in changes:
            fields["email_key"] = email_key(changes["email"])
        if password_hash:
            fields["password_hash"] = password_hash
        try:
            with self.db.atomic():
                # Existence is checked apart: MariaDB counts changed rows, not matched ones.
                if not models.User.select().where(models.User.id == user_id).exists():
                    raise user_not_found(user_id)
                models.User.update(**fields).where(models.User.id == user_id).execute()
                if "role_ids" in changes:
                    models.UserRole.delete().where(models.UserRole.user == user_id).execute()
                    for role_id in changes["role_ids"]:
                        models.UserRole.create(user=user_id, role=role_id)
        except peewee.IntegrityError as exc:
            raise _duplicate_user(exc, changes.get("username", ""), changes.get("email", "")) from None
        return self.get_user(user_id)

    def delete_user(self, user_id: int) -> None:
        with self.db.atomic():
            if models.User.delete().where(models.User.id == user_id).execute() == 0:
                raise user_not_found(user_id)

    # --- roles -----------------------------------------------------------------------------
    def _roles(self, rows: Sequence[models.Role]) -> list[RoleRecord]:
        ids = [r.id for r in rows]
        if not ids:
            return []
        perms: dict[int, list[int]] = {i: [] for i in ids}
        link = models.RolePermission
        for role_id, permission_id in link.select(link.role, link.permission).where(link.role.in_(ids)).tuples():
            perms[role_id].append(permission_id)
        counts = dict(models.UserRole.select(models.UserRole.role, peewee.fn.COUNT(models.UserRole.id))
                      .where(models.UserRole.role.in_(ids)).group_by(models.UserRole.role).tuples())
        return [RoleRecord(r.id, r.name, r.description, r.is_active, r.created_at, r.updated_at,
                           permission_ids=tuple(sorted(perms[r.id])), user_count=counts.get(r.id, 0)) for r in rows]

    def get_role(self, role_id: int) -> RoleRecord:
        row = models.Role.get_or_none(models.Role.id == role_id)
        if row is None:
            raise role_not_found(role_id)
        return self._roles([row])[0]

    def list_roles(self, page: PageRequest, search: str, is_active: Optional[bool]) -> tuple[list[RoleRecord], str, int]:
        query = models.Role.select()
        if search.strip():
            query = query.where(models.Role.name.contains(search.strip()))
        if is_active is not None:
            query = query.where(models.Role.is_active == is_active)
        rows, token, total = counted_page(query, ROLE_SORT[page.sort_field], models.Role.id, page)
        return self._roles(rows), token, total

    def create_role(self, values: dict) -> RoleRecord:
        try:
            with self.db.atomic():
                row = models.Role.create(name=values["name"], name_key=role_name_key(values["name"]),
                                         description=values.get("description", ""),
                                         is_active=values.get("is_active", True))
        except peewee.IntegrityError:
            raise _duplicate_role(values["name"]) from None
        return self.get_role(row.id)

    def update_role(self, role_id: int, changes: dict) -> RoleRecord:
        fields: dict = {"updated_at": utcnow()}
        for name in ("name", "description", "is_active"):
            if name in changes:
                fields[name] = changes[name]
        if "name" in changes:
            fields["name_key"] = role_name_key(changes["name"])
        try:
            with self.db.atomic():
                if not models.Role.select().where(models.Role.id == role_id).exists():
                    raise role_not_found(role_id)
                models.Role.update(**fields).where(models.Role.id == role_id).execute()
        except peewee.IntegrityError:
            raise _duplicate_role(changes.get("name", "")) from None
        return self.get_role(role_id)

    def delete_role(self, role_id: int, detach_users: bool) -> None:
        """Removes the role for good; with `detach_users` also from the users holding it."""
        try:
            with self.db.atomic():
                if detach_users:
                    models.UserRole.delete().where(models.UserRole.role == role_id).execute()
                models.RolePermission.delete().where(models.RolePermission.role == role_id).execute()
                if models.Role.delete().where(models.Role.id == role_id).execute() == 0:
                    raise role_not_found(role_id)
        except peewee.IntegrityError:
            raise FailedPrecondition("the role was assigned to a user meanwhile", reason="ROLE_IN_USE",
                                     violations=[("ROLE_IN_USE", f"roles/{role_id}",
                                                  "Users hold this role; pass force=true to remove it from them.")]
                                     ) from None

    # --- permissions -----------------------------------------------------------------------
    def list_permissions(self, codename_contains: str = "") -> list[PermissionRecord]:
        query = models.Permission.select().order_by(models.Permission.codename)
        if codename_contains.strip():
            query = query.where(models.Permission.codename.contains(codename_contains.strip()))
        return [_permission(p) for p in query]

    def permissions_by_codename(self, codenames: Iterable[str]) -> dict[str, PermissionRecord]:
        wanted = list(set(codenames))
        if not wanted:
            return {}
        return {p.codename: _permission(p) for p in models.Permission.select().where(models.Permission.codename.in_(wanted))}

    def codenames_of_roles(self, role_ids: Iterable[int]) -> set[str]:
        """Every permission the roles grant, or would grant once active."""
        wanted = list(set(role_ids))
        if not wanted:
            return set()
        return {p.codename for p in models.Permission.select(models.Permission.codename)
                .join(models.RolePermission).where(models.RolePermission.role.in_(wanted))}

    def codenames_by_id(self, permission_ids: Iterable[int]) -> dict[int, str]:
        wanted = list(set(permission_ids))
        if not wanted:
            return {}
        return {p.id: p.codename for p in models.Permission.select(models.Permission.id, models.Permission.codename)
                .where(models.Permission.id.in_(wanted))}

    def missing_permission_ids(self, permission_ids: Iterable[int]) -> list[int]:
        wanted = set(permission_ids)
        if not wanted:
            return []
        found = {p.id for p in models.Permission.select(models.Permission.id)
                 .where(models.Permission.id.in_(list(wanted)))}
        return sorted(wanted - found)

    # --- group permissions -----------------------------------------------------------------
    def group_permissions(self, role_id: int) -> GroupPermissions:
        role = models.Role.get_or_none(models.Role.id == role_id)
        if role is None:
            raise role_not_found(role_id)
        perms = (models.Permission.select().join(models.RolePermission)
                 .where(models.RolePermission.role == role_id).order_by(models.Permission.codename))
        return GroupPermissions(role.id, role.name, tuple(_permission(p) for p in perms))

    def all_group_permissions(self) -> list[GroupPermissions]:
        roles = list(models.Role.select().order_by(models.Role.name_key))
        by_role: dict[int, list[PermissionRecord]] = {r.id: [] for r in roles}
        for link in (models.RolePermission.select(models.RolePermission.role, models.Permission)
                     .join(models.Permission).order_by(models.Permission.codename)):
            by_role.setdefault(link.role_id, []).append(_permission(link.permission))
        return [GroupPermissions(r.id, r.name, tuple(by_role[r.id])) for r in roles]

    def active_groups(self) -> list[tuple[int, str]]:
        return [(r.id, r.name) for r in models.Role.select(models.Role.id, models.Role.name)
                .where(models.Role.is_active).order_by(models.Role.name_key)]

    def set_group_permissions(self, role_id: int, permission_ids: Sequence[int], replace: bool) -> None:
        """Under the role's row lock (MySQL), so that concurrent changes of one role's permissions
        apply one after the other: two replaces never leave a mix of both sets."""
        with self.db.atomic():
            role = models.Role.select(models.Role.id).where(models.Role.id == role_id)
            if isinstance(self.db, peewee.MySQLDatabase):
                role = role.for_update()
            if role.first() is None:
                raise role_not_found(role_id)
            if replace:
                (models.RolePermission.delete()
                 .where((models.RolePermission.role == role_id)
                        & models.RolePermission.permission.not_in(list(permission_ids) or [0])).execute())
            for permission_id in permission_ids:
                models.RolePermission.insert(role=role_id, permission=permission_id).on_conflict_ignore().execute()
            models.Role.update(updated_at=utcnow()).where(models.Role.id == role_id).execute()

