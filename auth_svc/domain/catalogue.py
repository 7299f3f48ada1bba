"""The permission catalogue: `master_{entity}_{action}` and `auth_{entity}_{action}`."""
from __future__ import annotations

from dataclasses import dataclass

MASTER_ENTITIES = ("continent", "country", "state", "district", "city",
                   "plant", "site", "ward", "zone", "equipment_type")
AUTH_ENTITIES = ("user", "role", "permission", "audit", "apikey")
ACTIONS = ("create", "read", "update", "delete")
ADMIN_ROLE = "administrators"


@dataclass(frozen=True)
class PermissionSpec:
    codename: str
    name: str
    service: str
    entity: str
    action: str


def _spec(service: str, entity: str, action: str) -> PermissionSpec:
    label = entity.replace("_", " ")
    return PermissionSpec(f"{service}_{entity}_{action}", f"Can {action} {label}", service, entity, action)


CATALOGUE: tuple[PermissionSpec, ...] = tuple(
    [_spec("master", e, a) for e in MASTER_ENTITIES for a in ACTIONS]
    + [_spec("auth", e, a) for e in AUTH_ENTITIES for a in ACTIONS])
