"""List requests: page size, ordering and opaque keyset page tokens (AIP-158).

A page token carries the sort value and id of the last row served plus a fingerprint of the filters
and ordering, so a token cannot be replayed against a different query.
"""
from __future__ import annotations

import base64
import datetime
import hashlib
import json
from dataclasses import dataclass
from typing import Any, Optional, Sequence

from erp_common.errors import invalid

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 1000


@dataclass(frozen=True)
class PageRequest:
    size: int
    sort_field: str
    descending: bool
    fingerprint: str
    # (sort value, id) of the last row of the previous page; None on the first page.
    after: Optional[tuple[Any, int]] = None


def page_request(page_size: int, page_token: str, ordering: str, orderable: Sequence[str], default: str,
                 filters: Sequence[Any] = (), collection: str = "") -> PageRequest:
    """Validates the paging arguments of a list call; raises InvalidArgument naming the bad field.
    `collection` goes into the fingerprint, so a token of one list is refused by another."""
    if page_size < 0:
        raise invalid("page_size", "must not be negative")
    size = min(page_size or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
    ordering = (ordering or default).strip()
    descending = ordering.startswith("-")
    sort_field = ordering.lstrip("-")
    if sort_field not in orderable:
        choices = ", ".join(f"{f}, -{f}" for f in orderable)
        raise invalid("ordering", f"must be one of {choices}")
    fingerprint = hashlib.sha256(json.dumps([collection, ordering, *filters], default=str).encode()).hexdigest()[:16]
    after = _decode(page_token, fingerprint) if page_token else None
    return PageRequest(size, sort_field, descending, fingerprint, after)


def next_page_token(request: PageRequest, last_value: Any, last_id: int) -> str:
    if isinstance(last_value, datetime.datetime):
        payload = {"t": "datetime", "v": last_value.isoformat()}
    else:
        payload = {"t": "value", "v": last_value}
    payload.update(id=last_id, f=request.fingerprint)
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


def _decode(token: str, fingerprint: str) -> tuple[Any, int]:
    try:
        payload = json.loads(base64.urlsafe_b64decode(token.encode() + b"=" * (-len(token) % 4)))
        value, last_id, token_fingerprint = payload["v"], payload["id"], payload["f"]
        # Only what next_page_token writes: a forged value of another type, or an id outside a
        # 64-bit key, would fail in the database driver instead of here.
        if not _is_key(last_id):
            raise ValueError(last_id)
        if payload["t"] == "datetime":
            value = datetime.datetime.fromisoformat(value)
        elif not (isinstance(value, str) or _is_key(value)):
            raise TypeError(value)
    except (ValueError, KeyError, TypeError, RecursionError):
        raise invalid("page_token", "is not a token returned by this list") from None
    if token_fingerprint != fingerprint:
        raise invalid("page_token", "belongs to a list with other filters or ordering")
    return value, last_id


def _is_key(value: Any) -> bool:
    return type(value) is int and 0 <= value < 2 ** 63


def search_term(search: str, longest: int, field: str = "search") -> str:
    """The trimmed search text; refused when longer than any value it could be found in (SQLite
    also refuses LIKE patterns past 50,000 bytes, which MariaDB would have run)."""
    needle = search.strip()
    if len(needle) > longest:
        raise invalid(field, f"Ensure this field has no more than {longest} characters.")
    return needle
