"""The auth lists, described for the listing kit (erp_common.listing): what each may be ordered by."""
from __future__ import annotations

from erp_common.listing import Collection

USERS = Collection("users", ("username", "date_joined", "id"), default="username", times=frozenset({"date_joined"}))
ROLES = Collection("roles", ("name", "created_at"), default="name", times=frozenset({"created_at"}))
# Newest first, always.
AUDIT_LOGS = Collection("audit_logs", ("id",), default="-id")
