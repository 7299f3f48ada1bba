"""The master lists, described for the listing kit (erp_common.listing): every entity's list may be
ordered by the same fields and filtered on its status, name, code and parent ids. A request arrives
as a `ListQuery`; the use case checks it into a page request and a `RowFilter` for storage."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from erp_common.listing import Collection

ORDERABLE = ("name", "code", "created_at", "updated_at")
FILTERABLE = ("is_active", "name", "code")


def collection(entity: str) -> Collection:
    """The list of one entity (its name binds its page tokens to it)."""
    return Collection(entity, ORDERABLE, default="name", times=frozenset({"created_at", "updated_at"}))


@dataclass(frozen=True)
class ListQuery:
    """One list request of a master collection, as the API received it."""

    page_size: int = 0
    page_token: str = ""
    ordering: str = ""
    order_by: str = ""
    filter: str = ""
    search: str = ""
    is_active: Optional[bool] = None
    show_deleted: bool = False
    parents: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class RowFilter:
    """Which rows a checked list request selects: live ones unless `show_deleted`, of one status
    when `is_active` is set, whose name or code contains `search`, whose name is `name` ignoring
    case and spacing, and whose fields equal `equal`'s values."""

    show_deleted: bool = False
    is_active: Optional[bool] = None
    search: str = ""
    name: Optional[str] = None
    equal: tuple[tuple[str, object], ...] = ()
