"""Generic master-row persistence driven by domain.entities. Peewee never leaves this module:
callers get `Row` dicts and domain errors."""
from __future__ import annotations

import base64
import hashlib
import json
import uuid
from dataclasses import dataclass
from typing import Any, Optional

import peewee

from erp_common.errors import AlreadyExists, FailedPrecondition, InvalidArgument, NotFound, Aborted, invalid
from master_svc.domain.entities import BY_NAME, ENTITIES, EntitySpec, normalize_name
from master_svc.storage import models
from master_svc.storage.models import utcnow

COMMON_FIELDS = ("name", "code", "description", "is_active")
ORDERABLE = {"name", "code", "created_at", "updated_at"}
DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE = 50, 1000

Row = dict[str, Any]

# Which entities reference each entity, and through which field: PROTECT checks.
CHILDREN: dict[str, list[tuple[str, str]]] = {e.name: [] for e in ENTITIES}
for _spec in ENTITIES:
    for _parent in _spec.parents:
        CHILDREN[_parent.entity].append((_spec.name, _parent.field))


@dataclass(frozen=True)
class ListQuery:
    page_size: int = 0
    page_token: str = ""
    ordering: str = ""
    search: str = ""
    is_active: Optional[bool] = None
    show_deleted: bool = False
    parents: tuple[tuple[str, str], ...] = ()


def etag_of(row: models.BaseMaster) -> str:
    return f'W/"{row.version}"'


def _to_row(spec: EntitySpec, m: models.BaseMaster) -> Row:
    row: Row = {f: getattr(m, f) for f in ("unique_id", "name", "code", "description", "is_active", "is_deleted",
                                            "created_at", "updated_at", "created_by", "updated_by")}
    row["id"] = m.unique_id
    row["etag"] = etag_of(m)
    for p in spec.parents:
        row[p.field] = m.__data__.get(p.field) or ""
    for f in spec.extra:
        row[f] = getattr(m, f)
    return row


class MasterRepository:
    def __init__(self, db: peewee.Database):
        self.db = db

    # --- helpers ---------------------------------------------------------------------------
    @staticmethod
    def model(spec: EntitySpec):
        return models.MODELS[spec.name]

    def _get(self, spec: EntitySpec, unique_id: str, for_update: bool = False) -> models.BaseMaster:
        model = self.model(spec)
        query = model.select().where(model.unique_id == unique_id)
        if for_update and isinstance(self.db, peewee.MySQLDatabase):
            query = query.for_update()
        row = query.first()
        if row is None:
            raise NotFound(f"{spec.name} {unique_id!r} not found", resource_type=spec.name, resource_name=unique_id)
        return row

    def _live_parent(self, parent_entity: str, field: str, unique_id: str) -> models.BaseMaster:
        model = models.MODELS[parent_entity]
        row = model.get_or_none(model.unique_id == unique_id)
        if row is None or row.is_deleted:
            raise invalid(field, f"no live {parent_entity} has id {unique_id!r}")
        return row

    def _resolve_parents(self, spec: EntitySpec, values: Row) -> None:
        """Checks every given parent; for a City fills and checks the whole hierarchy."""
        for p in spec.parents:
            if p.required and not values.get(p.field):
                if spec.name == "city" and p.field != "district_id":
                    continue
                raise invalid(p.field, "This field is required.")
        if spec.name == "city":
            district = self._live_parent("district", "district_id", values["district_id"])
            state = models.State.get(models.State.unique_id == district.__data__["state_id"])
            country = models.Country.get(models.Country.unique_id == state.__data__["country_id"])
            implied = {"state_id": state.unique_id, "country_id": country.unique_id,
                       "continent_id": country.__data__["continent_id"]}
            for field, expected in implied.items():
                given = values.get(field)
                if given and given != expected:
                    raise invalid(field, f"does not match the hierarchy of district {district.unique_id!r} "
                                         f"(expected {expected!r})")
                values[field] = expected
            return
        for p in spec.parents:
            if values.get(p.field):
                self._live_parent(p.entity, p.field, values[p.field])
            else:
                values[p.field] = None

    @staticmethod
    def _validate(spec: EntitySpec, values: Row) -> None:
        name = values.get("name") or ""
        if not name.strip():
            raise invalid("name", "This field is required.")
        if len(name) > 200:
            raise invalid("name", "Ensure this field has no more than 200 characters.")
        if len(values.get("code") or "") > 50:
            raise invalid("code", "Ensure this field has no more than 50 characters.")
        if spec.name == "plant":
            lat, lon = values.get("latitude"), values.get("longitude")
            if lat is not None and not -90 <= lat <= 90:
                raise invalid("latitude", "must be between -90 and 90")
            if lon is not None and not -180 <= lon <= 180:
                raise invalid("longitude", "must be between -180 and 180")
        if spec.name == "country":
            for field, size in (("iso_alpha2", 2), ("iso_alpha3", 3)):
                v = values.get(field) or ""
                if v and (len(v) != size or not v.isalpha()):
                    raise invalid(field, f"must be {size} letters")
            num = values.get("iso_numeric") or ""
            if num and (len(num) != 3 or not num.isdigit()):
                raise invalid("iso_numeric", "must be 3 digits")

    @staticmethod
    def _keys(spec: EntitySpec, values: Row, deleted: bool) -> dict:
        scope = values.get(spec.scope) if spec.scope else ""
        return {"scope_key": scope or "", "live_name_key": None if deleted else normalize_name(values["name"])}

    def _duplicate(self, spec: EntitySpec, name: str) -> AlreadyExists:
        return AlreadyExists(f"a live {spec.name} named {name.strip()!r} already exists here",
                             reason="DUPLICATE_NAME", resource_type=spec.name, resource_name=name.strip())

    # --- reads -----------------------------------------------------------------------------
    def get(self, spec: EntitySpec, unique_id: str) -> Row:
        return _to_row(spec, self._get(spec, unique_id))

    def list(self, spec: EntitySpec, q: ListQuery) -> tuple[list[Row], str, int]:
        model = self.model(spec)
        size = q.page_size or DEFAULT_PAGE_SIZE
        if size < 0:
            raise invalid("page_size", "must not be negative")
        size = min(size, MAX_PAGE_SIZE)
        ordering = q.ordering or "name"
        desc = ordering.startswith("-")
        field_name = ordering.lstrip("-")
        if field_name not in ORDERABLE:
            raise invalid("ordering", f"must be one of {sorted(ORDERABLE)}, optionally prefixed with '-'")
        conds = []
        if not q.show_deleted:
            conds.append(model.is_deleted == False)  # noqa: E712
        if q.is_active is not None:
            conds.append(model.is_active == q.is_active)
        if q.search:
            needle = q.search.strip()
            conds.append(model.name.contains(needle) | model.code.contains(needle))
        for field, value in q.parents:
            if value:
                conds.append(getattr(model, field) == value)
        base = model.select()
        for c in conds:
            base = base.where(c)
        total = base.count()
        sort_col = getattr(model, field_name)
        fingerprint = hashlib.sha1(json.dumps([ordering, q.search, q.is_active, q.show_deleted, q.parents]).encode()).hexdigest()[:12]
        page = base
        if q.page_token:
            try:
                token = json.loads(base64.urlsafe_b64decode(q.page_token.encode() + b"=="))
                last_value, last_pk, token_fp = token["v"], int(token["pk"]), token["f"]
            except (ValueError, KeyError, TypeError):
                raise invalid("page_token", "is not a token returned by this list") from None
            if token_fp != fingerprint:
                raise invalid("page_token", "belongs to a list with other filters or ordering")
            if field_name in ("created_at", "updated_at"):
                last_value = peewee.format_date_time(last_value, ["%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d %H:%M:%S"])
            if desc:
                page = page.where((sort_col < last_value) | ((sort_col == last_value) & (model.pk < last_pk)))
            else:
                page = page.where((sort_col > last_value) | ((sort_col == last_value) & (model.pk > last_pk)))
        order = (sort_col.desc(), model.pk.desc()) if desc else (sort_col.asc(), model.pk.asc())
        rows = list(page.order_by(*order).limit(size + 1))
        next_token = ""
        if len(rows) > size:
            rows = rows[:size]
            last = rows[-1]
            payload = {"v": str(getattr(last, field_name)), "pk": last.pk, "f": fingerprint}
            next_token = base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")
        return [_to_row(spec, r) for r in rows], next_token, total

    # --- writes ----------------------------------------------------------------------------
    def create(self, spec: EntitySpec, values: Row, actor: str) -> Row:
        values = dict(values)
        self._validate(spec, values)
        model = self.model(spec)
        try:
            with self.db.atomic():
                self._resolve_parents(spec, values)
                now = utcnow()
                data = {f: values[f] for f in COMMON_FIELDS if f in values}
                data["name"] = " ".join(values["name"].split())
                data.update({p.field: values.get(p.field) for p in spec.parents})
                data.update({f: values[f] for f in spec.extra if f in values})
                data.update(unique_id=uuid.uuid4().hex, created_at=now, updated_at=now,
                            created_by=actor, updated_by=actor, **self._keys(spec, values, False))
                row = model.create(**data)
        except peewee.IntegrityError:
            raise self._duplicate(spec, values["name"]) from None
        return self.get(spec, row.unique_id)

    def update(self, spec: EntitySpec, unique_id: str, changes: Row, etag: str, actor: str) -> Row:
        model = self.model(spec)
        try:
            with self.db.atomic():
                current = self._get(spec, unique_id, for_update=True)
                if etag and etag != etag_of(current):
                    raise Aborted(f"{spec.name} {unique_id!r} was changed by someone else; reload it",
                                  reason="ETAG_MISMATCH")
                merged = _to_row(spec, current)
                merged.update(changes)
                self._validate(spec, merged)
                self._resolve_parents(spec, merged)
                data = {f: merged[f] for f in COMMON_FIELDS}
                data["name"] = " ".join(merged["name"].split())
                data.update({p.field: merged.get(p.field) or None for p in spec.parents})
                data.update({f: merged[f] for f in spec.extra})
                data.update(updated_at=utcnow(), updated_by=actor, version=current.version + 1,
                            **self._keys(spec, merged, current.is_deleted))
                updated = (model.update(**data)
                           .where((model.unique_id == unique_id) & (model.version == current.version)).execute())
                if updated != 1:
                    raise Aborted(f"{spec.name} {unique_id!r} was changed concurrently; retry",
                                  reason="ETAG_MISMATCH")
        except peewee.IntegrityError:
            raise self._duplicate(spec, changes.get("name") or "") from None
        return self.get(spec, unique_id)

    def _blocking_children(self, spec: EntitySpec, unique_id: str, include_deleted: bool) -> list[tuple[str, str, str]]:
        violations = []
        for child_entity, field in CHILDREN[spec.name]:
            child = models.MODELS[child_entity]
            query = child.select().where(getattr(child, field) == unique_id)
            if not include_deleted:
                query = query.where(child.is_deleted == False)  # noqa: E712
            count = query.count()
            if count:
                violations.append(("PROTECTED", f"{child_entity}",
                                   f"{count} {'' if include_deleted else 'live '}{child_entity} row(s) reference this "
                                   f"{spec.name} through {field}"))
        return violations

    def delete(self, spec: EntitySpec, unique_id: str, etag: str, hard: bool, actor: str) -> Row:
        model = self.model(spec)
        with self.db.atomic():
            current = self._get(spec, unique_id, for_update=True)
            if etag and etag != etag_of(current):
                raise Aborted(f"{spec.name} {unique_id!r} was changed by someone else; reload it",
                              reason="ETAG_MISMATCH")
            blocking = self._blocking_children(spec, unique_id, include_deleted=hard)
            if blocking:
                raise FailedPrecondition(f"{spec.name} {unique_id!r} is still referenced: "
                                         + "; ".join(v[2] for v in blocking), reason="PROTECTED",
                                         violations=blocking)
            last = _to_row(spec, current)
            if hard:
                try:
                    model.delete().where(model.unique_id == unique_id).execute()
                except peewee.IntegrityError:
                    raise FailedPrecondition(f"{spec.name} {unique_id!r} is still referenced", reason="PROTECTED",
                                             violations=[("PROTECTED", spec.name, "referenced by other rows")]) from None
                return last
            model.update(is_deleted=True, is_active=False, live_name_key=None, updated_at=utcnow(),
                         updated_by=actor, version=current.version + 1).where(model.unique_id == unique_id).execute()
        return self.get(spec, unique_id)

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
                        parent = models.MODELS[p.entity]
                        if not parent.select().where((parent.unique_id == row[p.field]) & (parent.is_deleted == False)).exists():  # noqa: E712
                            raise FailedPrecondition(f"its {p.entity} {row[p.field]!r} is deleted; undelete it first",
                                                     reason="PARENT_DELETED",
                                                     violations=[("PARENT_DELETED", p.entity, f"{p.field} is deleted")])
                model.update(is_deleted=False, is_active=True, live_name_key=normalize_name(current.name),
                             updated_at=utcnow(), updated_by=actor, version=current.version + 1
                             ).where(model.unique_id == unique_id).execute()
        except peewee.IntegrityError:
            raise self._duplicate(spec, current.name) from None
        return self.get(spec, unique_id)
