"""Master rows (dicts) <-> protobuf messages, for any entity."""
from __future__ import annotations

import datetime

from google.protobuf import timestamp_pb2

from erp_common.errors import invalid
from master_svc.domain.entities import EntitySpec, mutable_fields

OPTIONAL_SCALARS = {"latitude", "longitude", "is_active"}
# Fields a mask may name but that an update never writes (AIP-203: output-only fields in a mask are
# ignored). grpc-gateway builds the mask from the PATCH body's keys, so `id` and `etag` arrive here.
IGNORED_IN_MASK = {"id", "unique_id", "etag", "is_deleted", "created_at", "updated_at", "created_by", "updated_by"}


EPOCH = datetime.datetime(1970, 1, 1)


def _ts(value: datetime.datetime) -> timestamp_pb2.Timestamp:
    """A stored naive-UTC datetime as a Timestamp (direct arithmetic: FromDatetime is slow)."""
    delta = value.replace(tzinfo=None) - EPOCH
    return timestamp_pb2.Timestamp(seconds=delta.days * 86400 + delta.seconds, nanos=delta.microseconds * 1000)


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
    """The fields named by an update mask, or every field set to a non-default value.

    A masked field absent from the message is cleared (AIP-134); for `is_active` that means false.
    """
    allowed = set(mutable_fields(spec))
    if not paths:
        paths = [fd.name for fd, _ in msg.ListFields() if fd.name in allowed]
    values = {}
    for path in paths:
        if path in IGNORED_IN_MASK:
            continue
        if path not in allowed:
            raise invalid("update_mask", f"{path!r} is not a mutable field of {spec.name}")
        value = _value(msg, path)
        values[path] = False if path == "is_active" and value is None else value
    return values
