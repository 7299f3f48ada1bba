"""Auth persistence. Peewee stays here: callers get plain values and domain errors."""
from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Optional, Sequence

import peewee

from auth_svc.domain.catalogue import ADMIN_ROLE, CATALOGUE
from auth_svc.storage import models
from auth_svc.storage.models import utcnow


@dataclass(frozen=True)
class UserRecord:
    id: int
    username: str
    email: str
    first_name: str
    last_name: str
    password_hash: str
    is_active: bool
    date_joined: datetime.datetime
    last_login: Optional[datetime.datetime]


def _user(row: models.User) -> UserRecord:
    return UserRecord(row.id, row.username, row.email, row.first_name, row.last_name, row.password_hash,
                      row.is_active, row.date_joined, row.last_login)


class AuthRepository:
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

    # --- users -----------------------------------------------------------------------------
    def user_by_username(self, username: str) -> Optional[UserRecord]:
        row = models.User.get_or_none(models.User.username_key == username.strip().lower())
        return _user(row) if row else None

    def user_by_id(self, user_id: int) -> Optional[UserRecord]:
        row = models.User.get_or_none(models.User.id == user_id)
        return _user(row) if row else None

    def groups_and_permissions(self, user_id: int) -> tuple[list[str], list[str]]:
        roles = (models.Role.select(models.Role.id, models.Role.name)
                 .join(models.UserRole).where((models.UserRole.user == user_id) & models.Role.is_active)
                 .order_by(models.Role.name))
        groups = [r.name for r in roles]
        perms = (models.Permission.select(models.Permission.codename).distinct()
                 .join(models.RolePermission).join(models.Role)
                 .join(models.UserRole, on=(models.UserRole.role == models.Role.id))
                 .where((models.UserRole.user == user_id) & models.Role.is_active)
                 .order_by(models.Permission.codename))
        return groups, [p.codename for p in perms]

    def record_login(self, user_id: int, new_hash: Optional[str]) -> None:
        fields = {models.User.last_login: utcnow()}
        if new_hash:
            fields[models.User.password_hash] = new_hash
        models.User.update(fields).where(models.User.id == user_id).execute()

    # --- sessions --------------------------------------------------------------------------
    def create_session(self, sid: str, user_id: int, ip: str, user_agent: str, refresh_jti: str,
                       expires_at: datetime.datetime) -> None:
        models.Session.create(sid=sid, user=user_id, ip_address=ip[:64], user_agent=user_agent[:512],
                              current_refresh_jti=refresh_jti, expires_at=expires_at)

    def session(self, sid: str) -> Optional[models.Session]:
        return models.Session.get_or_none(models.Session.sid == sid)

    def rotate_refresh(self, sid: str, presented_jti: str, new_jti: str, expires_at: datetime.datetime) -> bool:
        """Atomically swaps the session's refresh jti; False when `presented_jti` is not current."""
        now = utcnow()
        updated = (models.Session.update(current_refresh_jti=new_jti, previous_refresh_jti=presented_jti,
                                         rotated_at=now, last_refresh_at=now, expires_at=expires_at)
                   .where((models.Session.sid == sid) & (models.Session.current_refresh_jti == presented_jti)
                          & models.Session.revoked_at.is_null())
                   .execute())
        return updated == 1

    def revoke_sessions(self, sids: Sequence[str], reason: str) -> int:
        if not sids:
            return 0
        return (models.Session.update(revoked_at=utcnow(), revoke_reason=reason)
                .where(models.Session.sid.in_(list(sids)) & models.Session.revoked_at.is_null()).execute())

    # --- audit -----------------------------------------------------------------------------
    def audit(self, event_type: str, **fields) -> None:
        models.AuditLog.create(event_type=event_type, **fields)
