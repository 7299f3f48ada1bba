"""The ten masters: their names, parents and extra fields, and the field rules every write obeys.

Everything generic (use cases, storage, servicers, CSV) is driven by these specs: what sets one
entity apart (its links to every ancestor, its codes' forms and bounds) is data here, so an eleventh
master is one entry here plus its messages, model and migration (README: how to add an entity).
"""
from __future__ import annotations

import datetime
import unicodedata
from dataclasses import dataclass
from typing import Any, Callable, Optional

from erp_common import text
from erp_common.errors import InvalidArgument

NAME_MAX, CODE_MAX = 200, 50
# Descriptions and addresses are TEXT columns: 65,535 bytes on MySQL, so at 4 bytes a character
# this bound fits every backend (SQLite has none; without it MySQL alone refused long texts).
TEXT_MAX = 10000
# The width of `live_name_key` (models.BaseMaster).
NAME_KEY_MAX = 200
# Fields holding free text; every other string field is one line.
FREE_TEXT = ("description", "address")


# A master row as the layers pass it around: its fields by name, with `id`, `etag` and `version`.
Row = dict[str, Any]


@dataclass(frozen=True)
class Parent:
    field: str          # e.g. "country_id"
    entity: str         # permission entity name of the parent, e.g. "country"
    required: bool


@dataclass(frozen=True)
class FieldRule:
    """A rule of one extra field: `problem(value)` says what is wrong with a set value, or ""."""

    field: str
    problem: Callable[[Any], str]


@dataclass(frozen=True)
class EntitySpec:
    name: str                    # permission entity name: "equipment_type"
    message: str                 # protobuf message name: "EquipmentType"
    plural: str                  # plural for RPC names: "EquipmentTypes"
    collection: str              # REST collection: "equipment-types"
    parents: tuple[Parent, ...] = ()
    extra: tuple[str, ...] = ()  # extra scalar fields
    # The parent whose id scopes name uniqueness ("country name within a continent").
    scope: str = ""
    # The links above the scope that a row carries too, nearest first: every geographic level has
    # all its ancestors (DESIGN.md, the seed's City), filled from the scope parent's own links when
    # omitted and checked against them when given.
    upper_links: tuple[str, ...] = ()
    # Code fields stored upper-case (only ASCII: "ß".upper() is "SS", which would pass for a code).
    upper_case: tuple[str, ...] = ()
    # The extra fields' own rules, in the order their problems are reported.
    rules: tuple[FieldRule, ...] = ()

    def permission(self, action: str) -> str:
        return f"master_{self.name}_{action}"

    @property
    def scope_parent(self) -> Optional[Parent]:
        return next((p for p in self.parents if p.field == self.scope), None)


def _at_most(size: int) -> Callable[[Any], str]:
    return lambda value: f"Ensure this field has no more than {size} characters." if len(value or "") > size else ""


def _between(bound: int) -> Callable[[Any], str]:
    return lambda value: (f"must be between -{bound} and {bound}"
                          if value is not None and not -bound <= value <= bound else "")


def _letters(size: int) -> Callable[[Any], str]:
    def problem(value: Any) -> str:
        if value and (len(value) != size or not value.isascii() or not value.isalpha() or not value.isupper()):
            return f"must be {size} upper-case letters"
        return ""
    return problem


def _three_digits(value: Any) -> str:
    return "must be 3 digits" if value and (len(value) != 3 or not value.isascii() or not value.isdigit()) else ""


def _calling_code(value: Any) -> str:
    if value and not (value.startswith("+") and value.isascii() and value[1:].replace("-", "").isdigit()
                      and len(value) <= 20):
        return "must look like +91 or +1-684"
    return ""


ENTITIES: tuple[EntitySpec, ...] = (
    EntitySpec("continent", "Continent", "Continents", "continents"),
    EntitySpec("country", "Country", "Countries", "countries",
               (Parent("continent_id", "continent", True),),
               ("iso_alpha2", "iso_alpha3", "iso_numeric", "phone_code"), scope="continent_id",
               upper_case=("iso_alpha2", "iso_alpha3", "iso_numeric"),
               rules=(FieldRule("iso_alpha2", _letters(2)), FieldRule("iso_alpha3", _letters(3)),
                      FieldRule("iso_numeric", _three_digits), FieldRule("phone_code", _calling_code))),
    EntitySpec("state", "State", "States", "states",
               (Parent("continent_id", "continent", False), Parent("country_id", "country", True)),
               ("subdivision_code",), scope="country_id", upper_links=("continent_id",),
               rules=(FieldRule("subdivision_code", _at_most(10)),)),
    EntitySpec("district", "District", "Districts", "districts",
               (Parent("continent_id", "continent", False), Parent("country_id", "country", False),
                Parent("state_id", "state", True)),
               scope="state_id", upper_links=("country_id", "continent_id")),
    EntitySpec("city", "City", "Cities", "cities",
               (Parent("continent_id", "continent", False), Parent("country_id", "country", False),
                Parent("state_id", "state", False), Parent("district_id", "district", True)),
               scope="district_id", upper_links=("state_id", "country_id", "continent_id")),
    EntitySpec("plant", "Plant", "Plants", "plants", (Parent("city_id", "city", False),),
               ("address", "latitude", "longitude"), scope="city_id",
               rules=(FieldRule("latitude", _between(90)), FieldRule("longitude", _between(180)))),
    EntitySpec("site", "Site", "Sites", "sites", (Parent("plant_id", "plant", False),), scope="plant_id"),
    EntitySpec("ward", "Ward", "Wards", "wards", (Parent("zone_id", "zone", False),), scope="zone_id"),
    EntitySpec("zone", "Zone", "Zones", "zones", (Parent("city_id", "city", False),), scope="city_id"),
    EntitySpec("equipment_type", "EquipmentType", "EquipmentTypes", "equipment-types", (), ("category",),
               rules=(FieldRule("category", _at_most(100)),)),
)

BY_NAME = {e.name: e for e in ENTITIES}

# Columns of the CSV export; an import reads the same header, ignoring the output-only columns.
CSV_OUTPUT_ONLY = ("is_deleted", "created_at", "updated_at", "created_by", "updated_by", "unique_id", "etag")


def utcnow() -> datetime.datetime:
    """The time a write records: naive UTC, as every backend stores it."""
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def etag(version: int) -> str:
    """A row's ETag (a weak validator, RFC 9110): its version, which every write advances."""
    return f'W/"{version}"'


def csv_columns(spec: EntitySpec) -> tuple[str, ...]:
    return (("id", "name", "code", "description", "is_active", "is_deleted") + tuple(p.field for p in spec.parents)
            + spec.extra + ("created_at", "updated_at"))


def mutable_fields(spec: EntitySpec) -> tuple[str, ...]:
    return ("name", "code", "description", "is_active") + tuple(p.field for p in spec.parents) + spec.extra


# Which entities reference each entity, and through which field: what PROTECT must look at.
CHILDREN: dict[str, tuple[tuple[str, str], ...]] = {
    e.name: tuple((child.name, p.field) for child in ENTITIES for p in child.parents if p.entity == e.name)
    for e in ENTITIES
}


def uniqueness_keys(spec: EntitySpec, values: Row, live: bool = True) -> dict[str, Any]:
    """The stored keys that keep names unique among live siblings (models.BaseMaster): the scoping
    parent's id and, while the row is live, its name's key (a deleted row's name collides with none)."""
    scope = values.get(spec.scope) if spec.scope else ""
    return {"scope_key": scope or "", "live_name_key": normalize_name(values["name"]) if live else None}


def normalize_name(name: str) -> str:
    """The stored uniqueness key of a name (erp_common.text): NFKC caseless, whitespace-insensitive."""
    return text.stored_key(text.caseless_key(name), NAME_KEY_MAX)


def clean_name(name: str) -> str:
    """The stored form of a name: NFC, surrounding whitespace removed, inner runs collapsed to one space."""
    return text.clean_name(name)


def normalized(spec: EntitySpec, values: dict[str, Any]) -> dict[str, Any]:
    """A copy with the stored forms: cleaned name, trimmed ids, NFC trimmed codes, upper-case ISO codes;
    free text as sent."""
    out = dict(values)
    if "name" in out:
        out["name"] = clean_name(out["name"] or "")
    for key, value in out.items():
        if isinstance(value, str) and key.endswith("_id"):
            out[key] = value.strip()
        elif isinstance(value, str) and key not in FREE_TEXT and key != "name":
            out[key] = unicodedata.normalize("NFC", value).strip()
    for key in spec.upper_case:
        if isinstance(out.get(key), str):
            value = out[key].strip()
            out[key] = value.upper() if value.isascii() else value
    return out


def field_violations(spec: EntitySpec, values: dict[str, Any]) -> list[tuple[str, str]]:
    """Every (field, problem) of a row's own values; parents are checked against storage later."""
    problems: list[tuple[str, str]] = []
    raw_name = values.get("name") or ""
    name = clean_name(raw_name)
    if not name:
        problems.append(("name", "This field is required."))
    elif len(name) > NAME_MAX:
        problems.append(("name", f"Ensure this field has no more than {NAME_MAX} characters."))
    elif problem := text.line_problem(raw_name, whitespace_allowed=True):
        problems.append(("name", problem))
    if len(values.get("code") or "") > CODE_MAX:
        problems.append(("code", f"Ensure this field has no more than {CODE_MAX} characters."))
    for field in ("code", "description") + spec.extra:
        value = values.get(field)
        if not isinstance(value, str) or not value:
            continue
        if field in FREE_TEXT:
            if len(value) > TEXT_MAX:
                problems.append((field, f"Ensure this field has no more than {TEXT_MAX} characters."))
            elif problem := text.text_problem(value):
                problems.append((field, problem))
        elif problem := text.line_problem(value):
            problems.append((field, problem))
    for p in spec.parents:
        if p.required and not values.get(p.field):
            problems.append((p.field, "This field is required."))
    for rule in spec.rules:
        if problem := rule.problem(values.get(rule.field)):
            problems.append((rule.field, problem))
    return problems


def validate(spec: EntitySpec, values: dict[str, Any]) -> None:
    """Raises INVALID_ARGUMENT listing every problem of the row at once, so a form can show them all."""
    problems = field_violations(spec, values)
    if problems:
        raise InvalidArgument("; ".join(f"{f}: {d}" for f, d in problems), violations=problems)
