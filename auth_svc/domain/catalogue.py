"""The permission catalogue: `master_{entity}_{action}` and `auth_{entity}_{action}`. The master
entities are those the contract's services declare (`(erp.options.v1.entity)`, in proto order, which
is also the order the permissions are created in); every permission an RPC needs is in the catalogue
(tests/contract/test_registry.py)."""
from __future__ import annotations

from dataclasses import dataclass

from erp_common import contract

MASTER_ENTITIES = contract.entities("master")
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
