"""Master rows in the database, for any entity of domain.entities: queries and rows, no rules (those
are master_svc.usecases'). Peewee never leaves this module: callers get `Row` dicts, and the database's
refusals come back as domain errors (a duplicate live name, a reference that went away).

The use cases hold the transaction; methods that lock a row (`for_update`, `share_lock`) keep it
locked until that transaction ends.
"""
from __future__ import annotations

import contextlib
from typing import Any, Iterable, Iterator, Optional

import peewee

from erp_common.errors import NotFound
from erp_common.keyset import keyset_page
from erp_common.listing import PageRequest
from master_svc.domain.changes import ChangeRecord
from master_svc.domain.entities import EntitySpec, Row, etag, utcnow
from master_svc.domain.errors import duplicate_name, reference_gone, still_referenced
from master_svc.domain.listing import RowFilter
from master_svc.storage import models

BULK_BATCH = 500
MYSQL_DUPLICATE_KEY = 1062

ROW_FIELDS = ("unique_id", "name", "code", "description", "is_active", "is_deleted",
              "created_at", "updated_at", "created_by", "updated_by", "version")


def _to_row(spec: EntitySpec, data: dict) -> Row:
    """A row from a model's field values (a model's __data__ or a `.dicts()` result)."""
    row: Row = {f: data.get(f) for f in ROW_FIELDS}
    row["is_active"], row["is_deleted"] = bool(row["is_active"]), bool(row["is_deleted"])
    row["id"] = data["unique_id"]
    row["etag"] = etag(data["version"])
    for p in spec.parents:
        row[p.field] = data.get(p.field) or ""
    for f in spec.extra:
        row[f] = data.get(f)
    return row


def _is_duplicate(exc: peewee.IntegrityError) -> bool:
    args = exc.args
    return (bool(args) and args[0] == MYSQL_DUPLICATE_KEY) or "UNIQUE constraint failed" in str(exc)


@contextlib.contextmanager
def _refusals(spec: EntitySpec, name: str) -> Iterator[None]:
    """The database's refusal of a write as a domain error: a live sibling already has the name, or
    a parent it names was removed since it was checked."""
    try:
        yield
    except peewee.IntegrityError as exc:
        if _is_duplicate(exc):
            raise duplicate_name(spec, name) from None
        raise reference_gone(spec, str(exc.args[-1] if exc.args else exc)) from None


class MasterRepository:
    def __init__(self, db: peewee.Database):
        self.db = db
        self._mysql = isinstance(db, peewee.MySQLDatabase)

    @staticmethod
    def _model(entity: str):
        return models.MODELS[entity]

    # --- rows ------------------------------------------------------------------------------
    def get(self, spec: EntitySpec, unique_id: str, for_update: bool = False) -> Row:
        row = self.find(spec, unique_id, for_update=for_update)
        if row is None:
            raise NotFound(f"{spec.name} {unique_id!r} not found", resource_type=spec.name, resource_name=unique_id)
        return row

    def find(self, spec: EntitySpec, unique_id: str, for_update: bool = False,
             share_lock: bool = False) -> Optional[Row]:
        """The row, or None. On MySQL `for_update` locks it for writing, `share_lock` for reading
        (a concurrent delete waits for this transaction)."""
        model = self._model(spec.name)
        query = model.select().where(model.unique_id == unique_id)
        if self._mysql and (for_update or share_lock):
            query = query.for_update("LOCK IN SHARE MODE" if share_lock else True)
        found = query.dicts().first()
        return None if found is None else _to_row(spec, found)

    def exists(self, spec: EntitySpec, unique_id: str) -> bool:
        model = self._model(spec.name)
        return model.select().where(model.unique_id == unique_id).exists()

    def insert(self, spec: EntitySpec, data: dict) -> Row:
        with _refusals(spec, data.get("name") or ""):
            self._model(spec.name).insert(**data).execute()
        return self.get(spec, data["unique_id"])

    def insert_many(self, spec: EntitySpec, rows: list[dict]) -> None:
        with _refusals(spec, "one of the rows"):
            self._model(spec.name).insert_many(rows).execute()

    def update(self, spec: EntitySpec, unique_id: str, data: dict, name: str,
               version: Optional[int] = None) -> bool:
        """Writes `data` to the row (only while it is at `version`, when given); whether it did.
        `name` is the row's name for a duplicate's message."""
        model = self._model(spec.name)
        where = model.unique_id == unique_id
        if version is not None:
            where &= model.version == version
        with _refusals(spec, name):
            return model.update(**data).where(where).execute() == 1

    def remove(self, spec: EntitySpec, unique_id: str) -> None:
        """Deletes the row for good; refused (PROTECTED) by the foreign keys (RESTRICT) when a row
        still references it."""
        model = self._model(spec.name)
        try:
            with self.db.atomic():
                model.delete().where(model.unique_id == unique_id).execute()
        except peewee.IntegrityError:
            raise still_referenced(spec, unique_id) from None

    def count_children(self, child: EntitySpec, field: str, unique_id: str) -> tuple[int, int]:
        """How many live and how many deleted `child` rows reference `unique_id` through `field`."""
        model = self._model(child.name)
        counts = {bool(is_deleted): count for is_deleted, count in
                  (model.select(model.is_deleted, peewee.fn.COUNT(model.pk))
                   .where(getattr(model, field) == unique_id).group_by(model.is_deleted).tuples())}
        return counts.get(False, 0), counts.get(True, 0)

    def live_rows(self, spec: EntitySpec) -> list[Row]:
        model = self._model(spec.name)
        live = model.select().where(model.is_deleted == False).order_by(model.pk).dicts()  # noqa: E712
        return [_to_row(spec, data) for data in live]

    def live_ids(self, entity: str) -> set[str]:
        model = self._model(entity)
        return {uid for (uid,) in model.select(model.unique_id).where(model.is_deleted == False).tuples()}  # noqa: E712

    def rows_by_id(self, spec: EntitySpec) -> dict[str, Row]:
        """Every row of the entity, deleted ones included, by id."""
        return {data["unique_id"]: _to_row(spec, data) for data in self._model(spec.name).select().dicts()}

    def column_defaults(self, spec: EntitySpec, fields: Iterable[str]) -> dict[str, Any]:
        """What the database stores for each of `fields` when a write leaves it out."""
        model = self._model(spec.name)
        return {f: getattr(model, f).default for f in fields}

    # --- lists -----------------------------------------------------------------------------
    def list(self, spec: EntitySpec, page: PageRequest, where: RowFilter) -> tuple[list[Row], str, int]:
        """One keyset page of the rows `where` selects (erp_common.keyset), the next page token and
        the number of rows selected."""
        model = self._model(spec.name)
        query = model.select()
        if not where.show_deleted:
            query = query.where(model.is_deleted == False)  # noqa: E712 - peewee builds SQL from ==
        if where.is_active is not None:
            query = query.where(model.is_active == where.is_active)
        if where.search:
            query = query.where(model.name.contains(where.search) | model.code.contains(where.search))
        if where.name is not None:
            query = query.where(peewee.fn.LOWER(model.name) == where.name)
        for field, value in where.equal:
            query = query.where(getattr(model, field) == value)
        total = query.count()
        # Plain dicts, not model instances: a page of 50 is read on every list call.
        rows, next_token = keyset_page(query.dicts(), getattr(model, page.sort_field), model.pk, page)
        return [_to_row(spec, r) for r in rows], next_token, total

    # --- the change outbox -----------------------------------------------------------------
    def append_changes(self, kind: str, entity: str, changes: list[tuple[str, str]], actor: str) -> None:
        """Appends (unique_id, etag) events with cursors taken from the sequence row (see ChangeSequence)."""
        if not changes:
            return
        seq = models.ChangeSequence
        seq.update(last=seq.last + len(changes)).where(seq.id == 1).execute()
        first, now = self.last_cursor() - len(changes) + 1, utcnow()
        rows = [{"cursor": first + i, "kind": kind, "entity": entity, "unique_id": uid, "etag": tag,
                 "actor": actor, "created_at": now} for i, (uid, tag) in enumerate(changes)]
        for start in range(0, len(rows), BULK_BATCH):
            models.Change.insert_many(rows[start:start + BULK_BATCH]).execute()

    def last_cursor(self) -> int:
        """The last change cursor handed out: it advances with every committed write."""
        seq = models.ChangeSequence
        return seq.select(seq.last).where(seq.id == 1).scalar() or 0

    def changes_after(self, cursor: int, entities: Iterable[str], limit: int) -> list[ChangeRecord]:
        change = models.Change
        rows = (change.select()
                .where((change.cursor > cursor) & change.entity.in_(list(entities)))
                .order_by(change.cursor).limit(limit))
        return [ChangeRecord(r.cursor, r.kind, r.entity, r.unique_id, r.etag, r.actor, r.created_at) for r in rows]
