"""The domain errors of master writes, each built in one place: the use cases raise most of them,
storage raises those the database detects (a duplicate live name, a reference that went away)."""
from __future__ import annotations

from erp_common.errors import Aborted, AlreadyExists, FailedPrecondition
from master_svc.domain.entities import EntitySpec


def duplicate_name(spec: EntitySpec, name: str) -> AlreadyExists:
    where = f" in this {spec.scope_parent.entity}" if spec.scope_parent else ""
    return AlreadyExists(f"a live {spec.name} named {name!r} already exists{where}",
                         reason="DUPLICATE_NAME", resource_type=spec.name, resource_name=name)


def reference_gone(spec: EntitySpec, detail: str) -> FailedPrecondition:
    return FailedPrecondition(f"a row this {spec.name} refers to was removed meanwhile; retry",
                              reason="REFERENCE_GONE", violations=[("REFERENCE_GONE", spec.name, detail)])


def protected(spec: EntitySpec, unique_id: str, violations: list[tuple[str, str, str]]) -> FailedPrecondition:
    """PROTECT: `violations` name what still references the row."""
    return FailedPrecondition(f"{spec.name} {unique_id!r} is still referenced: " + "; ".join(v[2] for v in violations),
                              reason="PROTECTED", violations=violations)


def still_referenced(spec: EntitySpec, unique_id: str) -> FailedPrecondition:
    """PROTECT by the foreign keys (RESTRICT): the backstop for a reference the checks could not see."""
    return FailedPrecondition(f"{spec.name} {unique_id!r} is still referenced", reason="PROTECTED",
                              violations=[("PROTECTED", spec.name, "referenced by other rows")])


def stale_etag(spec: EntitySpec, unique_id: str, current: str, given: str) -> Aborted:
    return Aborted(f"{spec.name} {unique_id!r} was changed by someone else (etag {current}, yours {given}); "
                   "reload it", reason="ETAG_MISMATCH")


def changed_concurrently(spec: EntitySpec, unique_id: str) -> Aborted:
    return Aborted(f"{spec.name} {unique_id!r} was changed concurrently; retry", reason="ETAG_MISMATCH")


def row_deleted(spec: EntitySpec, unique_id: str) -> FailedPrecondition:
    return FailedPrecondition(f"{spec.name} {unique_id!r} is deleted; undelete it first", reason="DELETED",
                              violations=[("DELETED", f"{spec.name}/{unique_id}", "row is deleted")])


def parent_deleted(entity: str, field: str, unique_id: str) -> FailedPrecondition:
    return FailedPrecondition(f"its {entity} {unique_id!r} is deleted; undelete that first", reason="PARENT_DELETED",
                              violations=[("PARENT_DELETED", f"{entity}/{unique_id}", f"{field} is deleted")])
