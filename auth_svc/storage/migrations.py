"""Schema versions of the auth database, applied in order by erp_common.db.migrate."""
from __future__ import annotations

from auth_svc.storage import models


def _initial(db, migrator) -> None:
    db.create_tables(models.ALL_MODELS, safe=True)


MIGRATIONS = [
    (1, "initial schema", _initial),
]
