"""The listing kit of every list RPC, in plain Python: page size, ordering (AIP-132), the equality
filter (a subset of AIP-160), search bounds and opaque keyset page tokens (AIP-158).

A page token carries the sort value and id of the last row served plus a fingerprint of the
collection, the ordering and the filters, so a token cannot be replayed against another list or
another query, and one not written here is refused before it reaches the database. Each service
describes its lists as `Collection`s; `erp_common.keyset` turns a `PageRequest` into SQL.
"""
from __future__ import annotations

import base64
import datetime
import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any, Optional, Sequence

from erp_common.errors import invalid

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 1000


@dataclass(frozen=True)
class Collection:
    """One list: its name (bound into its page tokens), the fields it may be ordered by, which of
    those hold times, and the ordering used when the request names none."""

    name: str
    orderable: tuple[str, ...]
    default: str
    times: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class Ordering:
    field: str
    descending: bool

    @property
    def text(self) -> str:
        return ("-" if self.descending else "") + self.field


@dataclass(frozen=True)
class PageRequest:
    size: int
    ordering: Ordering
    fingerprint: str
    # (sort value, id) of the last row of the previous page; None on the first page.
    after: Optional[tuple[Any, int]] = None

    @property
    def sort_field(self) -> str:
        return self.ordering.field

    @property
    def descending(self) -> bool:
        return self.ordering.descending


def page_size(requested: int) -> int:
    """The rows of one page: the default for 0, at most MAX_PAGE_SIZE."""
    if requested < 0:
        raise invalid("page_size", "must not be negative")
    return min(requested or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)


def parse_ordering(collection: Collection, ordering: str, order_by: str = "") -> Ordering:
    """The seed's `ordering=-name` wins over AIP-132's `order_by="name desc"`; without either, the
    collection's default."""
    if not ordering and order_by.strip():
        name, _, direction = order_by.strip().partition(" ")
        direction = direction.strip().lower()
        if direction not in ("", "asc", "desc"):
            raise invalid("order_by", "direction must be 'asc' or 'desc'")
        ordering = ("-" if direction == "desc" else "") + name
    ordering = ordering.strip() or collection.default
    name = ordering.lstrip("-")
    if name not in collection.orderable or ordering.count("-") > 1:
        choices = ", ".join(f"{f}, -{f}" for f in collection.orderable)
        raise invalid("ordering", f"must be one of {choices}")
    return Ordering(name, ordering.startswith("-"))


def page_request(collection: Collection, size: int, page_token: str, ordering: str,
                 filters: Sequence[Any] = (), order_by: str = "") -> PageRequest:
    """Validates the paging arguments of a list call; raises InvalidArgument naming the bad field.
    `filters` (anything JSON can write) go into the token's fingerprint with the collection and the
    ordering: a token of one query is refused by another."""
    rows = page_size(size)
    order = parse_ordering(collection, ordering, order_by)
    fingerprint = hashlib.sha256(json.dumps([collection.name, order.text, *filters], default=str)
                                 .encode()).hexdigest()[:16]
    after = _decode(page_token, fingerprint, order.field in collection.times) if page_token else None
    return PageRequest(rows, order, fingerprint, after)


def next_page_token(request: PageRequest, last_value: Any, last_id: int) -> str:
    if isinstance(last_value, datetime.datetime):
        payload = {"t": "datetime", "v": last_value.isoformat()}
    else:
        payload = {"t": "value", "v": last_value}
    payload.update(id=last_id, f=request.fingerprint)
    return base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode()).decode().rstrip("=")


def _decode(token: str, fingerprint: str, is_time: bool) -> tuple[Any, int]:
    try:
        payload = json.loads(base64.urlsafe_b64decode(token.encode() + b"=" * (-len(token) % 4)))
        value, last_id, token_fingerprint = payload["v"], payload["id"], payload["f"]
        # Only what next_page_token writes for this sort column: a forged value of another type, or
        # an id outside a 64-bit key, would fail in the database driver instead of here.
        if not _is_key(last_id):
            raise ValueError(last_id)
        if is_time:
            if payload["t"] != "datetime":
                raise TypeError(value)
            value = datetime.datetime.fromisoformat(value)
        elif payload["t"] != "value" or not (isinstance(value, str) or _is_key(value)):
            raise TypeError(value)
    except (ValueError, KeyError, TypeError, RecursionError):
        raise invalid("page_token", "is not a token returned by this list") from None
    if token_fingerprint != fingerprint:
        raise invalid("page_token", "belongs to a list with other filters or ordering")
    return value, last_id


def _is_key(value: Any) -> bool:
    return type(value) is int and 0 <= value < 2 ** 63


def search_term(search: str, longest: int, field_name: str = "search") -> str:
    """The trimmed search text; refused when longer than any value it could be found in (SQLite
    also refuses LIKE patterns past 50,000 bytes, which MariaDB would have run)."""
    needle = search.strip()
    if len(needle) > longest:
        raise invalid(field_name, f"Ensure this field has no more than {longest} characters.")
    return needle


# One `field = value` comparison; value is true/false, a double-quoted string or a bare word.
_CLAUSE = re.compile(r'\s*([a-z_]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^\s"]+)\s*', re.IGNORECASE)
_AND = re.compile(r"\s+AND\s+")


def parse_filter(text: str, fields: tuple[str, ...]) -> dict[str, object]:
    """`is_active = true AND name = "New Delhi"` -> {"is_active": True, "name": "New Delhi"}.

    Only equality joined by AND is accepted: it covers what clients of a list need (status, exact
    name, code, parent id) without a query language that could defeat the indexes.
    """
    result: dict[str, object] = {}
    if not text.strip():
        return result
    for clause in _AND.split(text.strip()):
        match = _CLAUSE.fullmatch(clause)
        if not match:
            raise invalid("filter", f"cannot parse {clause.strip()!r}; use field = value joined by AND")
        name, raw = match.group(1), match.group(2)
        if name not in fields:
            raise invalid("filter", f"cannot filter on {name!r}; allowed: {', '.join(fields)}")
        if name in result:
            raise invalid("filter", f"{name!r} appears twice")
        if raw.startswith('"'):
            value: object = re.sub(r"\\(.)", r"\1", raw[1:-1])
        else:
            value = raw
        if name == "is_active":
            if str(value).lower() not in ("true", "false"):
                raise invalid("filter", "is_active must be compared with true or false")
            value = str(value).lower() == "true"
        result[name] = value
    return result
