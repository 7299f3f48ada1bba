"""Domain values -> protobuf messages for the auth API."""
from __future__ import annotations

import datetime

from google.protobuf import timestamp_pb2

from erp.auth.v1 import auth_service_pb2 as pb


def timestamp(value: datetime.datetime | None) -> timestamp_pb2.Timestamp | None:
    if value is None:
        return None
    ts = timestamp_pb2.Timestamp()
    ts.FromDatetime(value.replace(tzinfo=datetime.timezone.utc) if value.tzinfo is None else value)
    return ts


def token_user(pair) -> pb.TokenUser:
    return pb.TokenUser(id=pair.user.id, username=pair.user.username, email=pair.user.email,
                        groups=pair.groups, permissions=pair.permissions)
