"""The ten masters: their names, parents and extra fields. Everything generic is driven by this."""
from __future__ import annotations

from dataclasses import dataclass, field


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
    EntitySpec("state", "State", "States", "states", (Parent("country_id", "country", True),),
               ("subdivision_code",), scope="country_id"),
    EntitySpec("district", "District", "Districts", "districts", (Parent("state_id", "state", True),),
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


def normalize_name(name: str) -> str:
    """The uniqueness key of a name: case- and whitespace-insensitive."""
    return " ".join(name.split()).casefold()
