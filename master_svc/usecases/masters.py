"""What the eight RPCs of every master do, for any entity of domain.entities.

The rules: a row's parents must be live and its links to every ancestor agree with its direct
parent's (the hierarchy); a row that live rows reference cannot be deleted, nor one deleted rows
reference hard-deleted (PROTECT); a write that names an etag applies only to that version of the row
(concurrency); and every write appends its event to the change outbox in its own transaction.
"""
from __future__ import annotations

import uuid

from erp_common.errors import InvalidArgument, invalid
from erp_common.listing import page_request, parse_filter, search_term
from master_svc.domain import changes as kinds
from master_svc.domain.entities import (BY_NAME, CHILDREN, NAME_MAX, EntitySpec, Row, normalized,
                                        uniqueness_keys, utcnow, validate)
from master_svc.domain.errors import (changed_concurrently, parent_deleted, protected, row_deleted,
                                      stale_etag)
from master_svc.domain.listing import FILTERABLE, ListQuery, RowFilter, collection
from master_svc.usecases.common import Stores, transactional

COMMON_FIELDS = ("name", "code", "description", "is_active")


def implied_links(spec: EntitySpec, parent: Row) -> dict[str, str]:
    """The upper links of a `spec` row under `parent` (its scope parent's stored row): every level
    stores all its ancestors, so they are the parent's own links."""
    return {f: parent.get(f) or "" for f in spec.upper_links}


def check_etag(spec: EntitySpec, current: Row, given: str) -> None:
    """A write that names an etag applies only to that version of the row."""
    if given and given != current["etag"]:
        raise stale_etag(spec, current["id"], current["etag"], given)


class Masters:
    def __init__(self, stores: Stores):
        self.stores = stores

    # --- reads -----------------------------------------------------------------------------
    def get(self, spec: EntitySpec, unique_id: str) -> Row:
        return self.stores.rows.get(spec, unique_id)

    def list(self, spec: EntitySpec, q: ListQuery) -> tuple[list[Row], str, int]:
        """One page in keyset order (sort column, then key), the next page token and the total.

        The token carries the last row's sort value and key, so rows inserted or deleted while a
        client pages neither shift nor repeat the rows that existed before; the request's filters
        bind it to its query (a forged one only reads what its query may read anyway).
        """
        page = page_request(collection(spec.name), q.page_size, q.page_token, q.ordering,
                            (q.filter, q.search, q.is_active, q.show_deleted, q.parents), q.order_by)
        filters = parse_filter(q.filter, FILTERABLE + tuple(p.field for p in spec.parents))
        is_active = filters.pop("is_active", q.is_active)
        search = search_term(q.search, NAME_MAX)
        name = filters.pop("name", None)
        where = RowFilter(show_deleted=q.show_deleted, is_active=is_active, search=search,
                          name=None if name is None else " ".join(str(name).split()).lower(),
                          equal=tuple(filters.items()) + tuple((f, v) for f, v in q.parents if v))
        return self.stores.rows.list(spec, page, where)

    # --- writes ----------------------------------------------------------------------------
    @transactional
    def create(self, spec: EntitySpec, values: Row, actor: str) -> Row:
        created = self.insert(spec, values, actor)
        self.stores.rows.append_changes(kinds.CREATED, spec.name, [(created["id"], created["etag"])], actor)
        return created

    @transactional
    def update(self, spec: EntitySpec, unique_id: str, changes: Row, etag: str, actor: str) -> Row:
        """Applies `changes` (every mutable field for a replace, the masked ones for a patch).

        A geographic row whose direct parent changes gets its upper links re-derived unless the
        caller sent them.
        """
        rows = self.stores.rows
        changes = normalized(spec, changes)
        current = rows.get(spec, unique_id, for_update=True)
        check_etag(spec, current, etag)
        if current["is_deleted"]:
            raise row_deleted(spec, unique_id)
        merged = dict(current)
        if spec.scope and changes.get(spec.scope, merged[spec.scope]) != merged[spec.scope]:
            for link in spec.upper_links:
                merged[link] = ""
        merged.update(changes)
        validate(spec, merged)
        self._resolve_parents(spec, merged)
        data = {f: merged[f] for f in COMMON_FIELDS}
        data.update({p.field: merged.get(p.field) or None for p in spec.parents})
        data.update({f: merged[f] for f in spec.extra})
        data.update(updated_at=utcnow(), updated_by=actor, version=current["version"] + 1,
                    **uniqueness_keys(spec, merged))
        if not rows.update(spec, unique_id, data, merged["name"], version=current["version"]):
            raise changed_concurrently(spec, unique_id)
        row = rows.get(spec, unique_id)
        rows.append_changes(kinds.UPDATED, spec.name, [(unique_id, row["etag"])], actor)
        return row

    @transactional
    def delete(self, spec: EntitySpec, unique_id: str, etag: str, hard: bool, actor: str) -> Row:
        """Soft-deletes (or with `hard` removes) a row nothing references, and returns its last state."""
        rows = self.stores.rows
        current = rows.get(spec, unique_id, for_update=True)
        check_etag(spec, current, etag)
        if current["is_deleted"] and not hard:
            return current
        blocking = self._blocking_children(spec, unique_id, hard)
        if blocking:
            raise protected(spec, unique_id, blocking)
        if hard:
            rows.remove(spec, unique_id)
            rows.append_changes(kinds.DELETED, spec.name, [(unique_id, current["etag"])], actor)
            return current
        rows.update(spec, unique_id, {"is_deleted": True, "is_active": False, "live_name_key": None,
                                      "updated_at": utcnow(), "updated_by": actor,
                                      "version": current["version"] + 1}, current["name"])
        row = rows.get(spec, unique_id)
        rows.append_changes(kinds.DELETED, spec.name, [(unique_id, row["etag"])], actor)
        return row

    @transactional
    def undelete(self, spec: EntitySpec, unique_id: str, actor: str) -> Row:
        rows = self.stores.rows
        current = rows.get(spec, unique_id, for_update=True)
        if not current["is_deleted"]:
            return current
        for p in spec.parents:
            if current.get(p.field):
                try:
                    self._live_parent(p.entity, p.field, current[p.field])
                except InvalidArgument:
                    raise parent_deleted(p.entity, p.field, current[p.field]) from None
        rows.update(spec, unique_id, {"is_deleted": False, "is_active": True, "updated_at": utcnow(),
                                      "updated_by": actor, "version": current["version"] + 1,
                                      "live_name_key": uniqueness_keys(spec, current)["live_name_key"]},
                    current["name"])
        restored = rows.get(spec, unique_id)
        rows.append_changes(kinds.UNDELETED, spec.name, [(unique_id, restored["etag"])], actor)
        return restored

    # --- the rules the writes share ----------------------------------------------------------
    def insert(self, spec: EntitySpec, values: Row, actor: str, unique_id: str = "") -> Row:
        """Inserts a checked row (no outbox entry: the caller records it). Inside a transaction."""
        values = normalized(spec, values)
        validate(spec, values)
        self._resolve_parents(spec, values)
        now = utcnow()
        data = {f: values[f] for f in COMMON_FIELDS if values.get(f) is not None}
        data.update({p.field: values.get(p.field) for p in spec.parents})
        data.update({f: values[f] for f in spec.extra if f in values})
        data.update(unique_id=unique_id or uuid.uuid4().hex, created_at=now, updated_at=now,
                    created_by=actor, updated_by=actor, **uniqueness_keys(spec, values))
        return self.stores.rows.insert(spec, data)

    def _live_parent(self, entity: str, field: str, unique_id: str) -> Row:
        """The live parent row, share-locked on MySQL until commit.

        The lock makes a concurrent delete of the parent wait for this transaction, and then see
        the new child and refuse (PROTECT); without it both could pass their checks.
        """
        row = self.stores.rows.find(BY_NAME[entity], unique_id, share_lock=True)
        if row is None or row["is_deleted"]:
            raise invalid(field, f"no live {entity} has id {unique_id!r}")
        return row

    def _resolve_parents(self, spec: EntitySpec, values: Row) -> None:
        """Checks every given parent; for a geographic level fills the links above its direct parent
        from that parent's own (stored) links, and refuses a given link that disagrees."""
        for p in spec.parents:
            if p.field in spec.upper_links:
                continue
            if not values.get(p.field):
                values[p.field] = None
                continue
            parent = self._live_parent(p.entity, p.field, values[p.field])
            if spec.upper_links and p.field == spec.scope:
                implied = implied_links(spec, parent)
                for field in spec.upper_links:
                    given = values.get(field)
                    if given and given != implied[field]:
                        raise invalid(field, f"does not match the hierarchy of {p.entity} {parent['id']!r} "
                                             f"(expected {implied[field]!r})")
                    values[field] = implied[field]

    def _blocking_children(self, spec: EntitySpec, unique_id: str, hard: bool) -> list[tuple[str, str, str]]:
        """PROTECT: live children block any delete; deleted ones block only a hard delete, since
        their foreign keys still point here."""
        violations = []
        for child_entity, field in CHILDREN[spec.name]:
            live, deleted = self.stores.rows.count_children(BY_NAME[child_entity], field, unique_id)
            if live or (hard and deleted):
                what = f"{live} live" + (f" and {deleted} deleted" if hard and deleted else "")
                violations.append(("PROTECTED", child_entity,
                                   f"{what} {child_entity} row(s) reference this {spec.name} through {field}"))
        return violations
