"""Domain records <-> protobuf messages for the auth API, and update masks -> change sets."""
from __future__ import annotations

import datetime
from typing import Iterable, Optional

from google.protobuf import struct_pb2, timestamp_pb2

from auth_svc.domain.accounts import GroupPermissions, PermissionRecord, RoleRecord, UserRecord
from auth_svc.domain.apikeys import ApiKeyRecord
from auth_svc.domain.audit import AuditRecord
from auth_svc.domain.sessions import SessionRecord
from erp.auth.v1 import admin_service_pb2 as apb
from erp.auth.v1 import auth_service_pb2 as pb
from erp_common.errors import invalid
from erp_common.revocation import RevokedSession

USER_MASKABLE = ("username", "email", "first_name", "last_name", "is_active", "password", "role_ids")
ROLE_MASKABLE = ("name", "description", "is_active")
# Identifier and output-only fields may appear in a mask (clients echo whole resources); AIP-134
# says to ignore them.
USER_IGNORED = ("id", "groups", "permissions", "mfa_enabled", "date_joined", "last_login")
ROLE_IGNORED = ("id", "permission_ids", "user_count", "created_at", "updated_at")


def timestamp(value: Optional[datetime.datetime]) -> Optional[timestamp_pb2.Timestamp]:
    if value is None:
        return None
    ts = timestamp_pb2.Timestamp()
    ts.FromDatetime(value.replace(tzinfo=datetime.timezone.utc) if value.tzinfo is None else value)
    return ts


def epoch_timestamp(seconds: float) -> timestamp_pb2.Timestamp:
    ts = timestamp_pb2.Timestamp()
    ts.FromNanoseconds(int(seconds * 1e9))
    return ts


def to_datetime(message, field: str) -> Optional[datetime.datetime]:
    """A Timestamp field as naive UTC (how the database stores times), None when unset."""
    return getattr(message, field).ToDatetime() if message.HasField(field) else None


def struct(value: Optional[dict]) -> Optional[struct_pb2.Struct]:
    if value is None:
        return None
    out = struct_pb2.Struct()
    out.update(value)
    return out


# --- tokens and sessions -----------------------------------------------------------------
def token_user(user: UserRecord) -> pb.TokenUser:
    return pb.TokenUser(id=user.id, username=user.username, email=user.email, groups=user.groups,
                        permissions=user.permissions)


def session(record: SessionRecord, current_sid: str) -> pb.Session:
    return pb.Session(id=record.sid, user_id=record.user_id, ip_address=record.ip_address,
                      user_agent=record.user_agent, created_at=timestamp(record.created_at),
                      last_refresh_at=timestamp(record.last_refresh_at), expires_at=timestamp(record.expires_at),
                      current=record.sid == current_sid)


def revocation(entry: RevokedSession) -> pb.Revocation:
    return pb.Revocation(cursor=entry.cursor, session_id=entry.session_id,
                         revoke_time=epoch_timestamp(entry.revoke_time), expire_time=epoch_timestamp(entry.expire_time),
                         user_id=entry.user_id, permissions=sorted(entry.permissions))


def api_key(record: ApiKeyRecord) -> pb.ApiKey:
    return pb.ApiKey(id=record.id, name=record.name, prefix=record.prefix, scopes=record.scopes,
                     owner_id=record.owner_id, expire_time=timestamp(record.expire_time),
                     created_at=timestamp(record.created_at), revoked_at=timestamp(record.revoked_at),
                     last_used_at=timestamp(record.last_used_at))


# --- users, roles, permissions ------------------------------------------------------------
def user(record: UserRecord) -> apb.User:
    return apb.User(id=record.id, username=record.username, email=record.email, first_name=record.first_name,
                    last_name=record.last_name, is_active=record.is_active, role_ids=record.role_ids,
                    groups=record.groups, permissions=record.permissions, mfa_enabled=record.mfa_enabled,
                    date_joined=timestamp(record.date_joined), last_login=timestamp(record.last_login))


def role(record: RoleRecord) -> apb.Role:
    return apb.Role(id=record.id, name=record.name, description=record.description, is_active=record.is_active,
                    permission_ids=record.permission_ids, user_count=record.user_count,
                    created_at=timestamp(record.created_at), updated_at=timestamp(record.updated_at))


def permission(record: PermissionRecord) -> apb.Permission:
    return apb.Permission(id=record.id, codename=record.codename, name=record.name, entity=record.entity,
                          action=record.action, service=record.service)


def permissions(records: Iterable[PermissionRecord]) -> list[apb.Permission]:
    return [permission(p) for p in records]


def group_permissions(group: GroupPermissions) -> apb.GroupPermissions:
    return apb.GroupPermissions(group_id=group.group_id, group_name=group.group_name,
                                permissions=permissions(group.permissions))


def audit_log(record: AuditRecord) -> apb.AuditLog:
    return apb.AuditLog(id=record.id, event_type=record.event_type, user_id=record.user_id or 0,
                        username=record.username, actor=record.actor, target_type=record.target_type,
                        target_id=record.target_id, ip_address=record.ip_address, user_agent=record.user_agent,
                        browser=record.browser, os=record.os, failure_reason=record.failure_reason,
                        metadata=struct(record.metadata), before=struct(record.before), after=struct(record.after),
                        created_at=timestamp(record.created_at))


# --- requests -> change sets -----------------------------------------------------------------
def _value(message, name: str):
    value = getattr(message, name)
    return tuple(value) if name.endswith("_ids") else value


def _is_set(message, name: str) -> bool:
    field = message.DESCRIPTOR.fields_by_name[name]
    if field.has_presence and field.type == field.TYPE_STRING:
        # `password`, optional only so that answers omit it: sent empty, it is no new password.
        return message.HasField(name) and bool(getattr(message, name))
    if field.has_presence:
        return message.HasField(name)
    value = getattr(message, name)
    return bool(len(value)) if field.is_repeated else bool(value)


def changes(message, mask_paths: Iterable[str], maskable: tuple[str, ...], ignored: tuple[str, ...]) -> dict:
    """The fields an update sets: those named by the mask, or (empty mask) every field set to a
    non-default value. A masked field left unset clears it (AIP-134)."""
    paths = [p.strip() for p in mask_paths if p.strip()]
    if not paths:
        return {name: _value(message, name) for name in maskable if _is_set(message, name)}
    unknown = sorted(set(paths) - set(maskable) - set(ignored))
    if unknown:
        raise invalid("update_mask", f"unknown or read-only field(s): {', '.join(unknown)}")
    return {name: _value(message, name) for name in paths if name in maskable}


def new_user_values(message: apb.User) -> dict:
    values = {name: _value(message, name) for name in USER_MASKABLE if name != "is_active"}
    values["is_active"] = message.is_active if message.HasField("is_active") else True
    return values


def new_role_values(message: apb.Role) -> dict:
    return {"name": message.name, "description": message.description,
            "is_active": message.is_active if message.HasField("is_active") else True}
