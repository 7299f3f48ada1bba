"""Many rows at once: importing a file's rows (all or nothing) and making the live rows match
reference data (seed-geo's sync). Both obey the rules of single writes (usecases/masters.py) and
append one outbox event per row in their one transaction."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Callable

from erp_common.errors import AlreadyExists, DomainError, FailedPrecondition, InvalidArgument, invalid
from master_svc.domain import changes as kinds
from master_svc.domain.entities import (BY_NAME, EntitySpec, Row, etag, normalized, uniqueness_keys, utcnow,
                                        validate)
from master_svc.usecases.common import Stores, transactional
from master_svc.usecases.masters import Masters, implied_links

BULK_BATCH = 500


@dataclass(frozen=True)
class SyncResult:
    created: int
    updated: int
    unchanged: int
    ids: dict[str, str]


def _valid_id(unique_id: str) -> bool:
    return len(unique_id) <= 40 and unique_id.replace("-", "").replace("_", "").isalnum() and unique_id.isascii()


class Bulk:
    def __init__(self, stores: Stores, masters: Masters):
        self.stores = stores
        self.masters = masters

    def live_rows(self, spec: EntitySpec) -> list[Row]:
        return self.stores.rows.live_rows(spec)

    @transactional
    def import_rows(self, spec: EntitySpec, rows: list[tuple[int, Row]], actor: str) -> int:
        """Creates every row or none: each row is tried in a savepoint so all problems are found,
        then the whole import is rolled back if any row failed.

        A row may carry its `id` (moving data between environments keeps references intact).
        Raises INVALID_ARGUMENT whose violations are named `row N: field`.
        """
        problems: list[tuple[str, str]] = []
        created: list[tuple[str, str]] = []
        for number, values in rows:
            values = dict(values)
            given_id = (values.pop("id", "") or "").strip()
            try:
                with self.stores.atomic():
                    if given_id and self.stores.rows.exists(spec, given_id):
                        raise invalid("id", f"a {spec.name} with id {given_id!r} already exists")
                    if given_id and not _valid_id(given_id):
                        raise invalid("id", "must be at most 40 letters, digits, '-' or '_'")
                    row = self.masters.insert(spec, values, actor, given_id)
                    created.append((row["id"], row["etag"]))
            except InvalidArgument as exc:
                problems.extend((f"row {number}: {f}", d) for f, d in exc.violations)
            except (AlreadyExists, FailedPrecondition) as exc:
                # What the database refused (storage: a duplicate name, a parent removed meanwhile).
                problems.append((f"row {number}: name", exc.message))
            except DomainError as exc:
                problems.append((f"row {number}", exc.message))
        if problems:
            raise InvalidArgument(f"{len(problems)} problem(s); nothing was imported", reason="IMPORT_REJECTED",
                                  violations=problems)
        self.stores.rows.append_changes(kinds.CREATED, spec.name, created, actor)
        return len(created)

    @transactional
    def sync(self, spec: EntitySpec, key_field: str, desired: list[Row], actor: str,
             progress: Callable[[int], None] = lambda n: None) -> SyncResult:
        """Makes the live rows match `desired` (matched by `key_field`, else by name in the same
        scope), in one transaction: missing rows are created, differing ones updated, the rest
        left alone. `is_active` is never touched, so an operator's deactivation survives a re-run.

        Returns the counts and the unique_id of every desired row by its key.
        """
        store = self.stores.rows
        compared = ("name", "code", "description") + tuple(p.field for p in spec.parents) + spec.extra
        live_parents = {p.field: store.live_ids(p.entity) for p in spec.parents}
        scope_links = store.rows_by_id(BY_NAME[spec.scope_parent.entity]) if spec.upper_links else {}
        defaults = store.column_defaults(spec, compared)
        rows = [self._stored_form(spec, values, compared, live_parents, scope_links, defaults) for values in desired]
        created: list[tuple[str, str]] = []
        updated: list[tuple[str, str]] = []
        ids: dict[str, str] = {}
        inserts: list[dict] = []
        existing = store.live_rows(spec)
        by_key = {m[key_field]: m for m in existing if m[key_field]}
        by_name = {tuple(uniqueness_keys(spec, m).values()): m for m in existing}
        now = utcnow()
        for values in rows:
            keys = uniqueness_keys(spec, values)
            current = by_key.get(values[key_field]) or by_name.get(tuple(keys.values()))
            if current is None:
                inserts.append({**values, **keys, "unique_id": uuid.uuid4().hex, "created_at": now,
                                "updated_at": now, "created_by": actor, "updated_by": actor})
                created.append((inserts[-1]["unique_id"], etag(1)))
                ids[values[key_field]] = inserts[-1]["unique_id"]
                continue
            ids[values[key_field]] = current["id"]
            if any((current.get(f) or None) != (values[f] or None) for f in compared):
                store.update(spec, current["id"], {**values, **keys, "updated_at": now, "updated_by": actor,
                                                   "version": current["version"] + 1}, values["name"])
                updated.append((current["id"], etag(current["version"] + 1)))
        for start in range(0, len(inserts), BULK_BATCH):
            store.insert_many(spec, inserts[start:start + BULK_BATCH])
            progress(len(inserts[start:start + BULK_BATCH]))
        store.append_changes(kinds.CREATED, spec.name, created, actor)
        store.append_changes(kinds.UPDATED, spec.name, updated, actor)
        progress(len(rows) - len(created))
        return SyncResult(len(created), len(updated), len(rows) - len(created) - len(updated), ids)

    @staticmethod
    def _stored_form(spec: EntitySpec, values: Row, fields: tuple[str, ...], live_parents: dict[str, set[str]],
                     scope_links: dict[str, Row], defaults: dict) -> Row:
        """A validated row with every compared field at its stored value (defaults filled, upper
        links derived, parent ids checked against the live parents), so comparing with a stored
        row is a plain `==`."""
        values = normalized(spec, values)
        validate(spec, values)
        if values.get(spec.scope) in scope_links:
            for field, implied in implied_links(spec, scope_links[values[spec.scope]]).items():
                if values.get(field) and values[field] != implied:
                    raise invalid(field, f"does not match the hierarchy of {values[spec.scope]!r} "
                                         f"(expected {implied!r})")
                values[field] = implied
        for p in spec.parents:
            if values.get(p.field) and values[p.field] not in live_parents[p.field]:
                raise invalid(p.field, f"no live {p.entity} has id {values[p.field]!r}")
        return {f: (values.get(f) or None) if f in live_parents else values.get(f, defaults[f]) for f in fields}
