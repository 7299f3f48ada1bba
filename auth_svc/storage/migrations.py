"""Schema versions of the auth database, applied in order by erp_common.db.migrate."""
from __future__ import annotations

from auth_svc.storage import models


def _initial(db, migrator) -> None:
    db.create_tables(models.INITIAL_MODELS, safe=True)


def _hardening(db, migrator) -> None:
    """Revocation feed, login throttling, MFA and API keys (issue 4)."""
    db.create_tables(models.HARDENING_MODELS, safe=True)


MIGRATIONS = [
    (1, "initial schema", _initial),
    (2, "revocations, throttling, mfa, api keys", _hardening),
]
