"""The ten masters: their names, parents and extra fields, and the field rules every write obeys.

Everything generic (storage, servicers, CSV) is driven by these specs, so an eleventh master is
one entry here plus its model and messages.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any

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


@dataclass(frozen=True)
class Parent:
    field: str          # e.g. "country_id"
    entity: str         # permission entity name of the parent, e.g. "country"
    required: bool


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

    def permission(self, action: str) -> str:
        return f"master_{self.name}_{action}"


ENTITIES: tuple[EntitySpec, ...] = (
    EntitySpec("continent", "Continent", "Continents", "continents"),
    EntitySpec("country", "Country", "Countries", "countries",
               (Parent("continent_id", "continent", True),),
               ("iso_alpha2", "iso_alpha3", "iso_numeric", "phone_code"), scope="continent_id"),
    EntitySpec("state", "State", "States", "states",
               (Parent("continent_id", "continent", False), Parent("country_id", "country", True)),
               ("subdivision_code",), scope="country_id"),
    EntitySpec("district", "District", "Districts", "districts",
               (Parent("continent_id", "continent", False), Parent("country_id", "country", False),
                Parent("state_id", "state", True)),
               scope="state_id"),
    EntitySpec("city", "City", "Cities", "cities",
               (Parent("continent_id", "continent", False), Parent("country_id", "country", False),
                Parent("state_id", "state", False), Parent("district_id", "district", True)),
               scope="district_id"),
    EntitySpec("plant", "Plant", "Plants", "plants", (Parent("city_id", "city", False),),
               ("address", "latitude", "longitude"), scope="city_id"),
    EntitySpec("site", "Site", "Sites", "sites", (Parent("plant_id", "plant", False),), scope="plant_id"),
    EntitySpec("ward", "Ward", "Wards", "wards", (Parent("zone_id", "zone", False),), scope="zone_id"),
    EntitySpec("zone", "Zone", "Zones", "zones", (Parent("city_id", "city", False),), scope="city_id"),
    EntitySpec("equipment_type", "EquipmentType", "EquipmentTypes", "equipment-types", (), ("category",)),
)

BY_NAME = {e.name: e for e in ENTITIES}

# Columns of the CSV export; an import reads the same header, ignoring the output-only columns.
CSV_OUTPUT_ONLY = ("is_deleted", "created_at", "updated_at", "created_by", "updated_by", "unique_id", "etag")


def csv_columns(spec: EntitySpec) -> tuple[str, ...]:
    return (("id", "name", "code", "description", "is_active", "is_deleted") + tuple(p.field for p in spec.parents)
            + spec.extra + ("created_at", "updated_at"))


def mutable_fields(spec: EntitySpec) -> tuple[str, ...]:
    return ("name", "code", "description", "is_active") + tuple(p.field for p in spec.parents) + spec.extra


# Every geographic level carries all its ancestors (DESIGN.md, the seed's City): the links above
# its direct parent (the scope), filled from that parent's own links when omitted and checked
# against them when given.
UPPER_LINKS: dict[str, tuple[str, ...]] = {
    "state": ("continent_id",),
    "district": ("country_id", "continent_id"),
    "city": ("state_id", "country_id", "continent_id"),
}

# Which entities reference each entity, and through which field: what PROTECT must look at.
CHILDREN: dict[str, tuple[tuple[str, str], ...]] = {
    e.name: tuple((child.name, p.field) for child in ENTITIES for p in child.parents if p.entity == e.name)
    for e in ENTITIES
}


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
    if spec.name == "country":
        for key in ("iso_alpha2", "iso_alpha3", "iso_numeric"):
            if isinstance(out.get(key), str):
                # Only ASCII is upper-cased: "ß".upper() is "SS", which would pass for a code.
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
    if spec.name == "plant":
        for field, bound in (("latitude", 90), ("longitude", 180)):
            value = values.get(field)
            if value is not None and not -bound <= value <= bound:
                problems.append((field, f"must be between -{bound} and {bound}"))
    if spec.name == "country":
        for field, size in (("iso_alpha2", 2), ("iso_alpha3", 3)):
            value = values.get(field) or ""
            if value and (len(value) != size or not value.isascii() or not value.isalpha() or not value.isupper()):
                problems.append((field, f"must be {size} upper-case letters"))
        numeric = values.get("iso_numeric") or ""
        if numeric and (len(numeric) != 3 or not numeric.isascii() or not numeric.isdigit()):
            problems.append(("iso_numeric", "must be 3 digits"))
        phone = values.get("phone_code") or ""
        if phone and not (phone.startswith("+") and phone.isascii() and phone[1:].replace("-", "").isdigit()
                          and len(phone) <= 20):
            problems.append(("phone_code", "must look like +91 or +1-684"))
    if spec.name == "state" and len(values.get("subdivision_code") or "") > 10:
        problems.append(("subdivision_code", "Ensure this field has no more than 10 characters."))
    if spec.name == "equipment_type" and len(values.get("category") or "") > 100:
        problems.append(("category", "Ensure this field has no more than 100 characters."))
    return problems


def validate(spec: EntitySpec, values: dict[str, Any]) -> None:
    """Raises INVALID_ARGUMENT listing every problem of the row at once, so a form can show them all."""
    problems = field_violations(spec, values)
    if problems:
        raise InvalidArgument("; ".join(f"{f}: {d}" for f, d in problems), violations=problems)
