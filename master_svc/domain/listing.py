"""The master lists, described for the listing kit (erp_common.listing): every entity's list may be
ordered by the same fields and filtered on its status, name, code and parent ids."""
from __future__ import annotations

from erp_common.listing import Collection

ORDERABLE = ("name", "code", "created_at", "updated_at")
FILTERABLE = ("is_active", "name", "code")


def collection(entity: str) -> Collection:
    """The list of one entity (its name binds its page tokens to it)."""
    return Collection(entity, ORDERABLE, default="name", times=frozenset({"created_at", "updated_at"}))
