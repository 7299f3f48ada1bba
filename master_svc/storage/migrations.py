"""Schema versions of the master database, applied in order by erp_common.db.migrate.

A version, once released, never changes: a new table or column is a new entry.
"""
from __future__ import annotations

from erp_common.db import is_mysql
from master_svc.storage import models


def _initial(db, migrator) -> None:
    db.create_tables(models.ALL_MODELS, safe=True)


def _precise_timestamps_and_exact_name_keys(db, migrator) -> None:
    """MySQL only: DATETIME(6) so keyset page tokens round-trip exactly, and a binary collation on
    `live_name_key` so uniqueness means exactly the Python normalisation (case- and
    whitespace-insensitive) and not also accent-insensitive, as utf8mb4_unicode_ci would make it.
    SQLite already stores full-precision text and compares the key byte for byte."""
    if not is_mysql(db):
        return
    for model in models.ALL_MODELS:
        table = model._meta.table_name
        db.execute_sql(f"ALTER TABLE `{table}` MODIFY `created_at` DATETIME(6) NOT NULL, "
                       f"MODIFY `updated_at` DATETIME(6) NOT NULL, "
                       f"MODIFY `live_name_key` VARCHAR(200) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL")


def _change_feed_outbox(db, migrator) -> None:
    db.create_tables([models.ChangeSequence, models.Change], safe=True)
    models.ChangeSequence.insert(id=1, last=0).on_conflict_ignore().execute()


MIGRATIONS = [
    (1, "initial schema", _initial),
    (2, "microsecond timestamps and exact name keys", _precise_timestamps_and_exact_name_keys),
    (3, "change feed outbox", _change_feed_outbox),
]
