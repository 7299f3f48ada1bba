"""Master rows (dicts) <-> protobuf messages, for any entity."""
from __future__ import annotations

import datetime

from google.protobuf import timestamp_pb2

from erp_common.errors import invalid
from master_svc.domain.entities import EntitySpec

MUTABLE_COMMON = ("name", "code", "description", "is_active")
OPTIONAL_SCALARS = {"latitude", "longitude", "is_active"}


def mutable_fields(spec: EntitySpec) -> tuple[str, ...]:
    return MUTABLE_COMMON + tuple(p.field for p in spec.parents) + spec.extra


def _ts(value: datetime.datetime) -> timestamp_pb2.Timestamp:
    ts = timestamp_pb2.Timestamp()
    ts.FromDatetime(value.replace(tzinfo=datetime.timezone.utc))
    return ts


def to_message(spec: EntitySpec, cls, row: dict):
    msg = cls(id=row["unique_id"], unique_id=row["unique_id"], name=row["name"], code=row["code"],
              description=row["description"], is_active=row["is_active"], is_deleted=row["is_deleted"],
              created_at=_ts(row["created_at"]), updated_at=_ts(row["updated_at"]),
              created_by=row["created_by"], updated_by=row["updated_by"], etag=row["etag"])
    for p in spec.parents:
        setattr(msg, p.field, row.get(p.field) or "")
    for f in spec.extra:
        if row.get(f) is not None:
            setattr(msg, f, row[f])
    return msg


def _value(msg, field: str):
    if field in OPTIONAL_SCALARS:
        return getattr(msg, field) if msg.HasField(field) else None
    value = getattr(msg, field)
    return value.strip() if isinstance(value, str) and field.endswith("_id") else value


def all_values(spec: EntitySpec, msg) -> dict:
    """Every mutable field, omitted ones at their defaults (create, replace)."""
    values = {f: _value(msg, f) for f in mutable_fields(spec)}
    if values["is_active"] is None:
        del values["is_active"]
    return values


def masked_values(spec: EntitySpec, msg, paths: list[str]) -> dict:
    """The fields named by an update mask, or every field set to a non-default value."""
    allowed = set(mutable_fields(spec))
    if not paths:
        paths = [fd.name for fd, _ in msg.ListFields() if fd.name in allowed]
    values = {}
    for path in paths:
        if path not in allowed:
            raise invalid("update_mask", f"{path!r} is not a mutable field of {spec.name}")
        values[path] = _value(msg, path)
        if path in OPTIONAL_SCALARS and values[path] is None and path == "is_active":
            values[path] = False
    return values
