"""Peewee models of the auth database. Only storage/ imports this module."""
from __future__ import annotations

import datetime

import json

import peewee

database = peewee.DatabaseProxy()


def utcnow() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


class JSONText(peewee.TextField):
    """JSON stored as text, portable across MariaDB and SQLite."""

    def db_value(self, value):
        return None if value is None else json.dumps(value, sort_keys=True, default=str)

    def python_value(self, value):
        return None if value is None else json.loads(value)


class BaseModel(peewee.Model):
    class Meta:
        database = database
        legacy_table_names = False


class User(BaseModel):
    username = peewee.CharField(max_length=150)
    # Lower-cased username: the unique index makes usernames unique without regard to case.
    username_key = peewee.CharField(max_length=150, unique=True)
    email = peewee.CharField(max_length=254, default="")
    # Lower-cased e-mail, NULL when empty, so several users may have none.
    email_key = peewee.CharField(max_length=254, null=True, unique=True)
    first_name = peewee.CharField(max_length=150, default="")
    last_name = peewee.CharField(max_length=150, default="")
    password_hash = peewee.CharField(max_length=255)
    is_active = peewee.BooleanField(default=True)
    is_superuser = peewee.BooleanField(default=False)
    date_joined = peewee.DateTimeField(default=utcnow)
    last_login = peewee.DateTimeField(null=True)
    updated_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "auth_user"


class Role(BaseModel):
    name = peewee.CharField(max_length=150)
    name_key = peewee.CharField(max_length=150, unique=True)
    description = peewee.TextField(default="")
    is_active = peewee.BooleanField(default=True)
    created_at = peewee.DateTimeField(default=utcnow)
    updated_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "auth_role"


class Permission(BaseModel):
    codename = peewee.CharField(max_length=100, unique=True)
    name = peewee.CharField(max_length=255)
    service = peewee.CharField(max_length=20)
    entity = peewee.CharField(max_length=50)
    action = peewee.CharField(max_length=20)

    class Meta:
        table_name = "auth_permission"


class UserRole(BaseModel):
    user = peewee.ForeignKeyField(User, on_delete="CASCADE", backref="user_roles")
    role = peewee.ForeignKeyField(Role, on_delete="RESTRICT", backref="role_users")

    class Meta:
        table_name = "auth_user_role"
        indexes = ((("user", "role"), True),)


class RolePermission(BaseModel):
    role = peewee.ForeignKeyField(Role, on_delete="CASCADE", backref="role_permissions")
    permission = peewee.ForeignKeyField(Permission, on_delete="CASCADE", backref="permission_roles")

    class Meta:
        table_name = "auth_role_permission"
        indexes = ((("role", "permission"), True),)


class Session(BaseModel):
    """A login session; its refresh tokens form one family (rotation + reuse detection)."""

    sid = peewee.CharField(max_length=64, unique=True)
    user = peewee.ForeignKeyField(User, on_delete="CASCADE", backref="sessions")
    ip_address = peewee.CharField(max_length=64, default="")
    user_agent = peewee.CharField(max_length=512, default="")
    created_at = peewee.DateTimeField(default=utcnow)
    last_refresh_at = peewee.DateTimeField(null=True)
    expires_at = peewee.DateTimeField()
    # jti of the only refresh token of this session that may still be used.
    current_refresh_jti = peewee.CharField(max_length=64)
    previous_refresh_jti = peewee.CharField(max_length=64, default="")
    rotated_at = peewee.DateTimeField(null=True)
    revoked_at = peewee.DateTimeField(null=True, index=True)
    revoke_reason = peewee.CharField(max_length=64, default="")

    class Meta:
        table_name = "auth_session"


class AuditLog(BaseModel):
    event_type = peewee.CharField(max_length=64, index=True)
    user_id = peewee.IntegerField(null=True)
    username = peewee.CharField(max_length=150, default="", index=True)
    actor = peewee.CharField(max_length=150, default="")
    target_type = peewee.CharField(max_length=50, default="")
    target_id = peewee.CharField(max_length=64, default="")
    ip_address = peewee.CharField(max_length=64, default="")
    user_agent = peewee.CharField(max_length=512, default="")
    browser = peewee.CharField(max_length=100, default="")
    os = peewee.CharField(max_length=100, default="")
    failure_reason = peewee.CharField(max_length=64, default="")
    metadata = JSONText(null=True)
    before = JSONText(null=True)
    after = JSONText(null=True)
    created_at = peewee.DateTimeField(default=utcnow, index=True)

    class Meta:
        table_name = "auth_audit_log"
        indexes = ((("event_type", "created_at"), False),)


ALL_MODELS = [User, Role, Permission, UserRole, RolePermission, Session, AuditLog]
