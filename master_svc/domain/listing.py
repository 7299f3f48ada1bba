"""List parameters in plain Python: the AIP-160 subset accepted in `filter` and the sort order.

Kept free of storage so the rules can be read and tested on their own; the repository turns the
result into SQL.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from erp_common.errors import invalid

ORDERABLE = ("name", "code", "created_at", "updated_at")

# One `field = value` comparison; value is true/false, a double-quoted string or a bare word.
_CLAUSE = re.compile(r'\s*([a-z_]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^\s"]+)\s*', re.IGNORECASE)
_AND = re.compile(r"\s+AND\s+")


@dataclass(frozen=True)
class Ordering:
    field: str
    descending: bool

    @property
    def text(self) -> str:
        return ("-" if self.descending else "") + self.field


def parse_ordering(ordering: str, order_by: str = "") -> Ordering:
    """The seed's `ordering=-name` wins over AIP-132's `order_by="name desc"`; default is by name."""
    if not ordering and order_by.strip():
        field, _, direction = order_by.strip().partition(" ")
        direction = direction.strip().lower()
        if direction not in ("", "asc", "desc"):
            raise invalid("order_by", "direction must be 'asc' or 'desc'")
        ordering = ("-" if direction == "desc" else "") + field
    ordering = ordering.strip() or "name"
    field = ordering.lstrip("-")
    if field not in ORDERABLE or ordering.count("-") > 1:
        raise invalid("ordering", f"must be one of {', '.join(ORDERABLE)}, optionally prefixed with '-'")
    return Ordering(field, ordering.startswith("-"))


def parse_filter(text: str, fields: tuple[str, ...]) -> dict[str, object]:
    """`is_active = true AND name = "New Delhi"` -> {"is_active": True, "name": "New Delhi"}.

    Only equality joined by AND is accepted: it covers what clients of a master list need
    (status, exact name, code, parent id) without a query language that could defeat the indexes.
    """
    result: dict[str, object] = {}
    if not text.strip():
        return result
    for clause in _AND.split(text.strip()):
        match = _CLAUSE.fullmatch(clause)
        if not match:
            raise invalid("filter", f"cannot parse {clause.strip()!r}; use field = value joined by AND")
        field, raw = match.group(1), match.group(2)
        if field not in fields:
            raise invalid("filter", f"cannot filter on {field!r}; allowed: {', '.join(fields)}")
        if field in result:
            raise invalid("filter", f"{field!r} appears twice")
        if raw.startswith('"'):
            value: object = re.sub(r"\\(.)", r"\1", raw[1:-1])
        else:
            value = raw
        if field == "is_active":
            if str(value).lower() not in ("true", "false"):
                raise invalid("filter", "is_active must be compared with true or false")
            value = str(value).lower() == "true"
        result[field] = value
    return result
