"""Peewee models of the auth database. Only storage/ imports this module."""
from __future__ import annotations

import datetime
import json

import peewee

database = peewee.DatabaseProxy()


def utcnow() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def from_epoch(seconds: float) -> datetime.datetime:
    """Stored datetimes are naive UTC."""
    return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc).replace(tzinfo=None)


def to_epoch(value: datetime.datetime) -> float:
    return value.replace(tzinfo=datetime.timezone.utc).timestamp()


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


class Revocation(BaseModel):
    """A revoked session, or a user's changed rights, as published to services; the id is the
    position in the feed. A session row has `sid`; an authorization change has `user_id` (and an
    empty `sid`) and the permissions the user holds after the change."""

    sid = peewee.CharField(max_length=64, index=True)
    revoke_time = peewee.DateTimeField(index=True)
    expire_time = peewee.DateTimeField(index=True)
    reason = peewee.CharField(max_length=64, default="")
    user_id = peewee.IntegerField(null=True)
    permissions = JSONText(null=True)

    class Meta:
        table_name = "auth_revocation"


class LoginThrottle(BaseModel):
    """Consecutive failed logins per login key (lower-cased username, known or not)."""

    login_key = peewee.CharField(max_length=200, unique=True)
    failures = peewee.IntegerField(default=0)
    lockouts = peewee.IntegerField(default=0)
    # Epoch seconds (sub-second precision on every backend).
    locked_until = peewee.DoubleField(default=0.0)
    updated_at = peewee.DateTimeField(default=utcnow, index=True)

    class Meta:
        table_name = "auth_login_throttle"


class RateCounter(BaseModel):
    """Requests per bucket (e.g. `login:<ip>`) in one fixed window (epoch seconds // window length)."""

    bucket = peewee.CharField(max_length=200)
    window_index = peewee.BigIntegerField(index=True)
    hits = peewee.IntegerField(default=0)

    class Meta:
        table_name = "auth_rate_counter"
        indexes = ((("bucket", "window_index"), True),)


class MfaTotp(BaseModel):
    """A user's TOTP secret; enforced once `confirmed_at` is set."""

    user = peewee.ForeignKeyField(User, on_delete="CASCADE", unique=True, backref="mfa")
    # AES-GCM under the data key `secret_key_id` (storage/credentials.py); "" only for a row written
    # before issue 14 and not yet encrypted (the start-up after the upgrade encrypts it).
    secret = peewee.CharField(max_length=255)
    secret_key_id = peewee.CharField(max_length=64, default="")
    confirmed_at = peewee.DateTimeField(null=True)
    # Highest accepted time-step: a code of this step or older is a replay.
    last_used_step = peewee.BigIntegerField(default=0)
    created_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "auth_mfa_totp"


class MfaRecoveryCode(BaseModel):
    user = peewee.ForeignKeyField(User, on_delete="CASCADE", backref="recovery_codes")
    code_hash = peewee.CharField(max_length=64)
    used_at = peewee.DateTimeField(null=True)

    class Meta:
        table_name = "auth_mfa_recovery_code"
        indexes = ((("user", "code_hash"), True),)


class MfaChallenge(BaseModel):
    """The second step of a login with MFA; `mfa_token` is shown once and stored as its SHA-256."""

    token_hash = peewee.CharField(max_length=64, unique=True)
    user = peewee.ForeignKeyField(User, on_delete="CASCADE", backref="mfa_challenges")
    ip_address = peewee.CharField(max_length=64, default="")
    user_agent = peewee.CharField(max_length=512, default="")
    created_at = peewee.DateTimeField(default=utcnow)
    expires_at = peewee.DateTimeField(index=True)
    used_at = peewee.DateTimeField(null=True)

    class Meta:
        table_name = "auth_mfa_challenge"


class ApiKey(BaseModel):
    name = peewee.CharField(max_length=150)
    prefix = peewee.CharField(max_length=16, unique=True)
    secret_hash = peewee.CharField(max_length=64)
    scopes = JSONText()
    owner = peewee.ForeignKeyField(User, on_delete="CASCADE", backref="api_keys")
    expire_time = peewee.DateTimeField(null=True)
    created_at = peewee.DateTimeField(default=utcnow)
    revoked_at = peewee.DateTimeField(null=True)
    last_used_at = peewee.DateTimeField(null=True)

    class Meta:
        table_name = "auth_api_key"


# The migrations create these tables from frozen DDL (storage/schema_v*.py), never from the models: a
# change to a model is a migration of its own.
ALL_MODELS = [User, Role, Permission, UserRole, RolePermission, Session, AuditLog,
              Revocation, LoginThrottle, RateCounter, MfaTotp, MfaRecoveryCode, MfaChallenge, ApiKey]
