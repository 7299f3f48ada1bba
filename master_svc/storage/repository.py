"""Generic master-row persistence driven by domain.entities. Peewee never leaves this module:
callers get `Row` dicts and domain errors.

Every write runs in one transaction that also appends its event to the change-feed outbox, so a
change and its event commit (or vanish) together.
"""
from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Optional

import peewee

from erp_common.errors import (Aborted, AlreadyExists, DomainError, FailedPrecondition, InvalidArgument, NotFound,
                               invalid)
from erp_common.keyset import keyset_page
from erp_common.listing import page_request, parse_filter, search_term
from master_svc.domain.entities import (BY_NAME, CHILDREN, NAME_MAX, UPPER_LINKS, EntitySpec, normalize_name,
                                        normalized, validate)
from master_svc.domain.listing import FILTERABLE, collection
from master_svc.storage import models
from master_svc.storage.models import utcnow

COMMON_FIELDS = ("name", "code", "description", "is_active")
BULK_BATCH = 500
MYSQL_DUPLICATE_KEY = 1062

Row = dict[str, Any]


@dataclass(frozen=True)
class ListQuery:
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
class ChangeRecord:
    cursor: int
    kind: str
    entity: str
    unique_id: str
    etag: str
    actor: str
    time: datetime.datetime


@dataclass(frozen=True)
class SyncResult:
    created: int
    updated: int
    unchanged: int
    ids: dict[str, str]


def etag_of(row: models.BaseMaster) -> str:
    return f'W/"{row.version}"'


ROW_FIELDS = ("unique_id", "name", "code", "description", "is_active", "is_deleted",
              "created_at", "updated_at", "created_by", "updated_by")


def _to_row(spec: EntitySpec, m: models.BaseMaster) -> Row:
    return _dict_to_row(spec, m.__data__)


def _dict_to_row(spec: EntitySpec, data: dict) -> Row:
    """A row from a model's field values (a model's __data__ or a `.dicts()` result)."""
    row: Row = {f: data.get(f) for f in ROW_FIELDS}
    row["is_active"], row["is_deleted"] = bool(row["is_active"]), bool(row["is_deleted"])
    row["id"] = data["unique_id"]
    row["etag"] = f'W/"{data["version"]}"'
    for p in spec.parents:
        row[p.field] = data.get(p.field) or ""
    for f in spec.extra:
        row[f] = data.get(f)
    return row


def _implied_links(spec: EntitySpec, parent: dict) -> dict[str, str]:
    """The upper links of a `spec` row under `parent` (its direct parent's stored values): every
    level stores all its ancestors, so they are the parent's own links."""
    return {f: parent.get(f) or "" for f in UPPER_LINKS[spec.name]}


def _is_duplicate(exc: peewee.IntegrityError) -> bool:
    args = exc.args
    return (bool(args) and args[0] == MYSQL_DUPLICATE_KEY) or "UNIQUE constraint failed" in str(exc)


def _valid_id(unique_id: str) -> bool:
    return len(unique_id) <= 40 and unique_id.replace("-", "").replace("_", "").isalnum() and unique_id.isascii()


class MasterRepository:
    def __init__(self, db: peewee.Database):
        self.db = db
        self._mysql = isinstance(db, peewee.MySQLDatabase)

    # --- helpers ---------------------------------------------------------------------------
    @staticmethod
    def model(spec: EntitySpec):
        return models.MODELS[spec.name]

    def _get(self, spec: EntitySpec, unique_id: str, for_update: bool = False) -> models.BaseMaster:
        model = self.model(spec)
        query = model.select().where(model.unique_id == unique_id)
        if for_update and self._mysql:
            query = query.for_update()
        row = query.first()
        if row is None:
            raise NotFound(f"{spec.name} {unique_id!r} not found", resource_type=spec.name, resource_name=unique_id)
        return row

    def _live_parent(self, parent_entity: str, field: str, unique_id: str) -> models.BaseMaster:
        """The live parent row, share-locked on MySQL until commit.

        The lock makes a concurrent delete of the parent wait for this transaction, and then see
        the new child and refuse (PROTECT); without it both could pass their checks.
        """
        model = models.MODELS[parent_entity]
        query = model.select().where(model.unique_id == unique_id)
        if self._mysql:
            query = query.for_update("LOCK IN SHARE MODE")
        row = query.first()
        if row is None or row.is_deleted:
            raise invalid(field, f"no live {parent_entity} has id {unique_id!r}")
        return row

    def _resolve_parents(self, spec: EntitySpec, values: Row) -> None:
        """Checks every given parent; for a geographic level fills the links above its direct parent
        from that parent's own (stored) links, and refuses a given link that disagrees."""
        upper = UPPER_LINKS.get(spec.name, ())
        for p in spec.parents:
            if p.field in upper:
                continue
            if not values.get(p.field):
                values[p.field] = None
                continue
            parent = self._live_parent(p.entity, p.field, values[p.field])
            if upper and p.field == spec.scope:
                implied = _implied_links(spec, parent.__data__)
                for field in upper:
                    given = values.get(field)
                    if given and given != implied[field]:
                        raise invalid(field, f"does not match the hierarchy of {p.entity} {parent.unique_id!r} "
                                             f"(expected {implied[field]!r})")
                    values[field] = implied[field]

    @staticmethod
    def _keys(spec: EntitySpec, values: Row, deleted: bool) -> dict:
        scope = values.get(spec.scope) if spec.scope else ""
        return {"scope_key": scope or "", "live_name_key": None if deleted else normalize_name(values["name"])}

    @staticmethod
    def _duplicate(spec: EntitySpec, name: str) -> AlreadyExists:
        where = f" in this {BY_NAME[spec.name].scope[:-3]}" if spec.scope else ""
        return AlreadyExists(f"a live {spec.name} named {name!r} already exists{where}",
                             reason="DUPLICATE_NAME", resource_type=spec.name, resource_name=name)

    def _integrity_error(self, spec: EntitySpec, exc: peewee.IntegrityError, name: str) -> DomainError:
        if _is_duplicate(exc):
            return self._duplicate(spec, name)
        return FailedPrecondition(f"a row this {spec.name} refers to was removed meanwhile; retry",
                                  reason="REFERENCE_GONE",
                                  violations=[("REFERENCE_GONE", spec.name, str(exc.args[-1] if exc.args else exc))])

    @staticmethod
    def _check_etag(spec: EntitySpec, current: models.BaseMaster, etag: str) -> None:
        if etag and etag != etag_of(current):
            raise Aborted(f"{spec.name} {current.unique_id!r} was changed by someone else (etag {etag_of(current)}, "
                          f"yours {etag}); reload it", reason="ETAG_MISMATCH")

    def change_version(self) -> int:
        """The last change cursor handed out: it advances with every committed write."""
        seq = models.ChangeSequence
        return seq.select(seq.last).where(seq.id == 1).scalar() or 0

    def _record(self, kind: str, entity: str, changes: list[tuple[str, str]], actor: str) -> None:
        """Appends events to the outbox with cursors taken from the sequence row (see ChangeSequence)."""
        if not changes:
            return
        seq = models.ChangeSequence
        seq.update(last=seq.last + len(changes)).where(seq.id == 1).execute()
        last = seq.select(seq.last).where(seq.id == 1).scalar()
        first, now = last - len(changes) + 1, utcnow()
        rows = [{"cursor": first + i, "kind": kind, "entity": entity, "unique_id": uid, "etag": etag,
                 "actor": actor, "created_at": now} for i, (uid, etag) in enumerate(changes)]
        for start in range(0, len(rows), BULK_BATCH):
            models.Change.insert_many(rows[start:start + BULK_BATCH]).execute()

    def _insert(self, spec: EntitySpec, values: Row, actor: str, unique_id: str = "") -> models.BaseMaster:
        values = normalized(spec, values)
        validate(spec, values)
        self._resolve_parents(spec, values)
        model, now = self.model(spec), utcnow()
        data = {f: values[f] for f in COMMON_FIELDS if values.get(f) is not None}
        data.update({p.field: values.get(p.field) for p in spec.parents})
        data.update({f: values[f] for f in spec.extra if f in values})
        data.update(unique_id=unique_id or uuid.uuid4().hex, created_at=now, updated_at=now,
                    created_by=actor, updated_by=actor, **self._keys(spec, values, False))
        model.insert(**data).execute()
        return self._get(spec, data["unique_id"])

    # --- reads -----------------------------------------------------------------------------
    def get(self, spec: EntitySpec, unique_id: str) -> Row:
        return _to_row(spec, self._get(spec, unique_id))

    def list(self, spec: EntitySpec, q: ListQuery) -> tuple[list[Row], str, int]:
        """One page in keyset order (sort column, then pk), the next page token and the total.

        The token carries the last row's sort value and pk, so rows inserted or deleted while a
        client pages neither shift nor repeat the rows that existed before.
        """
        model = self.model(spec)
        # The filters bind a page token to its query; a forged one only reads what its query may read anyway.
        page = page_request(collection(spec.name), q.page_size, q.page_token, q.ordering,
                            (q.filter, q.search, q.is_active, q.show_deleted, q.parents), q.order_by)
        filters = parse_filter(q.filter, FILTERABLE + tuple(p.field for p in spec.parents))
        query = model.select()
        if not q.show_deleted:
            query = query.where(model.is_deleted == False)  # noqa: E712 - peewee builds SQL from ==
        is_active = filters.pop("is_active", q.is_active)
        if is_active is not None:
            query = query.where(model.is_active == is_active)
        needle = search_term(q.search, NAME_MAX)
        if needle:
            query = query.where(model.name.contains(needle) | model.code.contains(needle))
        if "name" in filters:
            query = query.where(peewee.fn.LOWER(model.name) == " ".join(str(filters.pop("name")).split()).lower())
        for field, value in list(filters.items()) + [(f, v) for f, v in q.parents if v]:
            query = query.where(getattr(model, field) == value)
        total = query.count()
        # Plain dicts, not model instances: a page of 50 is read on every list call.
        rows, next_token = keyset_page(query.dicts(), getattr(model, page.sort_field), model.pk, page)
        return [_dict_to_row(spec, r) for r in rows], next_token, total

    def changes_after(self, cursor: int, entities: Iterable[str], limit: int) -> list[ChangeRecord]:
        change = models.Change
        rows = (change.select()
                .where((change.cursor > cursor) & change.entity.in_(list(entities)))
                .order_by(change.cursor).limit(limit))
        return [ChangeRecord(r.cursor, r.kind, r.entity, r.unique_id, r.etag, r.actor, r.created_at) for r in rows]

    def last_cursor(self) -> int:
        return models.ChangeSequence.select(models.ChangeSequence.last).where(models.ChangeSequence.id == 1).scalar()

    def live_rows(self, spec: EntitySpec) -> list[Row]:
        model = self.model(spec)
        live = model.select().where(model.is_deleted == False).order_by(model.pk)  # noqa: E712
        return [_to_row(spec, m) for m in live]

    # --- writes ----------------------------------------------------------------------------
    def create(self, spec: EntitySpec, values: Row, actor: str) -> Row:
        try:
            with self.db.atomic():
                created = self._insert(spec, values, actor)
                self._record("created", spec.name, [(created.unique_id, etag_of(created))], actor)
        except peewee.IntegrityError as exc:
            raise self._integrity_error(spec, exc, normalized(spec, values).get("name", "")) from None
        return _to_row(spec, created)

    def update(self, spec: EntitySpec, unique_id: str, changes: Row, etag: str, actor: str) -> Row:
        """Applies `changes` (every mutable field for a replace, the masked ones for a patch).

        A geographic row whose direct parent changes gets its upper links re-derived unless the
        caller sent them.
        """
        model = self.model(spec)
        changes = normalized(spec, changes)
        try:
            with self.db.atomic():
                current = self._get(spec, unique_id, for_update=True)
                self._check_etag(spec, current, etag)
                if current.is_deleted:
                    raise FailedPrecondition(f"{spec.name} {unique_id!r} is deleted; undelete it first",
                                             reason="DELETED",
                                             violations=[("DELETED", f"{spec.name}/{unique_id}", "row is deleted")])
                merged = _to_row(spec, current)
                if spec.scope and changes.get(spec.scope, merged[spec.scope]) != merged[spec.scope]:
                    for link in UPPER_LINKS.get(spec.name, ()):
                        merged[link] = ""
                merged.update(changes)
                validate(spec, merged)
                self._resolve_parents(spec, merged)
                data = {f: merged[f] for f in COMMON_FIELDS}
                data.update({p.field: merged.get(p.field) or None for p in spec.parents})
                data.update({f: merged[f] for f in spec.extra})
                data.update(updated_at=utcnow(), updated_by=actor, version=current.version + 1,
                            **self._keys(spec, merged, False))
                updated = (model.update(**data)
                           .where((model.unique_id == unique_id) & (model.version == current.version)).execute())
                if updated != 1:
                    raise Aborted(f"{spec.name} {unique_id!r} was changed concurrently; retry",
                                  reason="ETAG_MISMATCH")
                row = self._get(spec, unique_id)
                self._record("updated", spec.name, [(unique_id, etag_of(row))], actor)
        except peewee.IntegrityError as exc:
            raise self._integrity_error(spec, exc, changes.get("name") or current.name) from None
        return _to_row(spec, row)

    def _blocking_children(self, spec: EntitySpec, unique_id: str, hard: bool) -> list[tuple[str, str, str]]:
        """PROTECT: live children block any delete; deleted ones block only a hard delete, since
        their foreign keys still point here."""
        violations = []
        for child_entity, field in CHILDREN[spec.name]:
            child = models.MODELS[child_entity]
            live = deleted = 0
            for is_deleted, count in (child.select(child.is_deleted, peewee.fn.COUNT(child.pk))
                                      .where(getattr(child, field) == unique_id)
                                      .group_by(child.is_deleted).tuples()):
                if is_deleted:
                    deleted += count
                else:
                    live += count
            if live or (hard and deleted):
                what = f"{live} live" + (f" and {deleted} deleted" if hard and deleted else "")
                violations.append(("PROTECTED", child_entity,
                                   f"{what} {child_entity} row(s) reference this {spec.name} through {field}"))
        return violations

    def delete(self, spec: EntitySpec, unique_id: str, etag: str, hard: bool, actor: str) -> Row:
        """Soft-deletes (or with `hard` removes) a row nothing references, and returns its last state."""
        model = self.model(spec)
        with self.db.atomic():
            current = self._get(spec, unique_id, for_update=True)
            self._check_etag(spec, current, etag)
            if current.is_deleted and not hard:
                return _to_row(spec, current)
            blocking = self._blocking_children(spec, unique_id, hard)
            if blocking:
                raise FailedPrecondition(f"{spec.name} {unique_id!r} is still referenced: "
                                         + "; ".join(v[2] for v in blocking), reason="PROTECTED",
                                         violations=blocking)
            if hard:
                last = _to_row(spec, current)
                try:
                    with self.db.atomic():
                        model.delete().where(model.unique_id == unique_id).execute()
                except peewee.IntegrityError:
                    # The foreign keys (RESTRICT) are the backstop for a reference the checks above
                    # could not see; it is still PROTECT, never a 500.
                    raise FailedPrecondition(
                        f"{spec.name} {unique_id!r} is still referenced", reason="PROTECTED",
                        violations=[("PROTECTED", spec.name, "referenced by other rows")]) from None
                self._record("deleted", spec.name, [(unique_id, last["etag"])], actor)
                return last
            model.update(is_deleted=True, is_active=False, live_name_key=None, updated_at=utcnow(),
                         updated_by=actor, version=current.version + 1).where(model.unique_id == unique_id).execute()
            row = self._get(spec, unique_id)
            self._record("deleted", spec.name, [(unique_id, etag_of(row))], actor)
        return _to_row(spec, row)

    def undelete(self, spec: EntitySpec, unique_id: str, actor: str) -> Row:
        model = self.model(spec)
        try:
            with self.db.atomic():
                current = self._get(spec, unique_id, for_update=True)
                if not current.is_deleted:
                    return _to_row(spec, current)
                row = _to_row(spec, current)
                for p in spec.parents:
                    if row.get(p.field):
                        try:
                            self._live_parent(p.entity, p.field, row[p.field])
                        except InvalidArgument:
                            raise FailedPrecondition(
                                f"its {p.entity} {row[p.field]!r} is deleted; undelete that first",
                                reason="PARENT_DELETED",
                                violations=[("PARENT_DELETED", f"{p.entity}/{row[p.field]}", f"{p.field} is deleted")]
                            ) from None
                model.update(is_deleted=False, is_active=True, live_name_key=normalize_name(current.name),
                             updated_at=utcnow(), updated_by=actor, version=current.version + 1
                             ).where(model.unique_id == unique_id).execute()
                restored = self._get(spec, unique_id)
                self._record("undeleted", spec.name, [(unique_id, etag_of(restored))], actor)
        except peewee.IntegrityError as exc:
            raise self._integrity_error(spec, exc, current.name) from None
        return _to_row(spec, restored)

    # --- bulk ------------------------------------------------------------------------------
    def import_rows(self, spec: EntitySpec, rows: list[tuple[int, Row]], actor: str) -> int:
        """Creates every row or none: each row is tried in a savepoint so all problems are found,
        then the whole import is rolled back if any row failed.

        A row may carry its `id` (moving data between environments keeps references intact).
        Raises INVALID_ARGUMENT whose violations are named `row N: field`.
        """
        problems: list[tuple[str, str]] = []
        created: list[tuple[str, str]] = []
        model = self.model(spec)
        with self.db.atomic():
            for number, values in rows:
                values = dict(values)
                given_id = (values.pop("id", "") or "").strip()
                try:
                    with self.db.atomic():
                        if given_id and model.select().where(model.unique_id == given_id).exists():
                            raise invalid("id", f"a {spec.name} with id {given_id!r} already exists")
                        if given_id and not _valid_id(given_id):
                            raise invalid("id", "must be at most 40 letters, digits, '-' or '_'")
                        row = self._insert(spec, values, actor, given_id)
                        created.append((row.unique_id, etag_of(row)))
                except InvalidArgument as exc:
                    problems.extend((f"row {number}: {f}", d) for f, d in exc.violations)
                except DomainError as exc:
                    problems.append((f"row {number}", exc.message))
                except peewee.IntegrityError as exc:
                    problems.append((f"row {number}: name",
                                     self._integrity_error(spec, exc, values.get("name", "")).message))
            if problems:
                raise InvalidArgument(f"{len(problems)} problem(s); nothing was imported", reason="IMPORT_REJECTED",
                                      violations=problems)
            self._record("created", spec.name, created, actor)
        return len(created)

    def sync(self, spec: EntitySpec, key_field: str, desired: list[Row], actor: str,
             progress: Callable[[int], None] = lambda n: None) -> SyncResult:
        """Makes the live rows match `desired` (matched by `key_field`, else by name in the same
        scope), in one transaction: missing rows are created, differing ones updated, the rest
        left alone. `is_active` is never touched, so an operator's deactivation survives a re-run.

        Returns the counts and the unique_id of every desired row by its key.
        """
        model = self.model(spec)
        compared = ("name", "code", "description") + tuple(p.field for p in spec.parents) + spec.extra
        live_parents = {p.field: self._live_ids(p.entity) for p in spec.parents}
        scope_links = self._links_of_scopes(spec)
        rows = [self._stored_form(spec, values, compared, live_parents, scope_links) for values in desired]
        created: list[tuple[str, str]] = []
        updated: list[tuple[str, str]] = []
        ids: dict[str, str] = {}
        inserts: list[dict] = []
        try:
            with self.db.atomic():
                existing = list(model.select().where(model.is_deleted == False))  # noqa: E712
                by_key = {getattr(m, key_field): m for m in existing if getattr(m, key_field)}
                by_name = {(m.scope_key, m.live_name_key): m for m in existing}
                now = utcnow()
                for values in rows:
                    keys = self._keys(spec, values, False)
                    current = by_key.get(values[key_field]) or by_name.get((keys["scope_key"], keys["live_name_key"]))
                    if current is None:
                        inserts.append({**values, **keys, "unique_id": uuid.uuid4().hex, "created_at": now,
                                        "updated_at": now, "created_by": actor, "updated_by": actor})
                        created.append((inserts[-1]["unique_id"], 'W/"1"'))
                        ids[values[key_field]] = inserts[-1]["unique_id"]
                        continue
                    ids[values[key_field]] = current.unique_id
                    if any((current.__data__.get(f) or None) != (values[f] or None) for f in compared):
                        model.update(**values, **keys, updated_at=now, updated_by=actor,
                                     version=current.version + 1).where(model.pk == current.pk).execute()
                        updated.append((current.unique_id, f'W/"{current.version + 1}"'))
                for start in range(0, len(inserts), BULK_BATCH):
                    model.insert_many(inserts[start:start + BULK_BATCH]).execute()
                    progress(len(inserts[start:start + BULK_BATCH]))
                self._record("created", spec.name, created, actor)
                self._record("updated", spec.name, updated, actor)
        except peewee.IntegrityError as exc:
            raise self._integrity_error(spec, exc, "one of the rows") from None
        progress(len(rows) - len(created))
        return SyncResult(len(created), len(updated), len(rows) - len(created) - len(updated), ids)

    def _links_of_scopes(self, spec: EntitySpec) -> dict[str, dict]:
        """For a geographic level: every possible direct parent's id -> its stored upper links."""
        if spec.name not in UPPER_LINKS:
            return {}
        parent = models.MODELS[spec.scope[:-3]]
        return {row["unique_id"]: row for row in parent.select().dicts()}

    def _stored_form(self, spec: EntitySpec, values: Row, fields: tuple[str, ...],
                     live_parents: dict[str, set[str]], scope_links: dict[str, dict]) -> Row:
        """A validated row with every compared field at its stored value (defaults filled, upper
        links derived, parent ids checked against the live parents), so comparing with a stored
        row is a plain `==`."""
        values = normalized(spec, values)
        validate(spec, values)
        if values.get(spec.scope) in scope_links:
            for field, implied in _implied_links(spec, scope_links[values[spec.scope]]).items():
                if values.get(field) and values[field] != implied:
                    raise invalid(field, f"does not match the hierarchy of {values[spec.scope]!r} (expected {implied!r})")
                values[field] = implied
        for p in spec.parents:
            if values.get(p.field) and values[p.field] not in live_parents[p.field]:
                raise invalid(p.field, f"no live {p.entity} has id {values[p.field]!r}")
        model = self.model(spec)
        return {f: (values.get(f) or None) if f in live_parents else values.get(f, getattr(model, f).default)
                for f in fields}

    def _live_ids(self, entity: str) -> set[str]:
        model = models.MODELS[entity]
        return {uid for (uid,) in model.select(model.unique_id).where(model.is_deleted == False).tuples()}  # noqa: E712
