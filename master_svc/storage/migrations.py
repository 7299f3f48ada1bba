"""Schema versions of the master database, applied in order by erp_common.migrations.migrate.

A version, once released, never changes: a new table or column is a new entry.
"""
from __future__ import annotations

import logging

import peewee
from playhouse.migrate import migrate as apply_operations

from erp_common.db_connect import is_mysql
from erp_common.migrations import create_frozen_tables
from master_svc.domain.entities import normalize_name
from master_svc.storage import models, schema_v1, schema_v3

log = logging.getLogger(__name__)


def _initial(db, migrator) -> None:
    create_frozen_tables(db, schema_v1.SQLITE, schema_v1.MYSQL)


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
    create_frozen_tables(db, schema_v3.SQLITE, schema_v3.MYSQL)
    models.ChangeSequence.insert(id=1, last=0).on_conflict_ignore().execute()


def _nfkc_caseless_name_keys(db, migrator) -> None:
    """Name keys become NFKC caseless (erp_common.text): recomputes the key of every live row. Names
    are left as stored (new writes store NFC). A row whose new key would collide with a sibling's
    keeps its old key, and is logged, so the migration never fails on data that was valid before."""
    for model in models.ALL_MODELS:
        live = model.select(model.pk, model.name, model.live_name_key).where(model.live_name_key.is_null(False))
        for row in live:
            key = normalize_name(row.name)
            if key == row.live_name_key:
                continue
            try:
                with db.atomic():
                    model.update(live_name_key=key).where(model.pk == row.pk).execute()
            except peewee.IntegrityError:
                log.warning("%s %s keeps its old name key: %r now collides with a sibling",
                            model._meta.table_name, row.pk, row.name)


def _ancestors_of_states_and_districts(db, migrator) -> None:
    """States get `continent_id`, districts `continent_id` and `country_id` (every level carries all
    its ancestors, as cities do), filled from their parents. A database created by migration 1 with
    today's models has the columns already."""
    for model, fields in ((models.State, ("continent_id",)), (models.District, ("continent_id", "country_id"))):
        table = model._meta.table_name
        present = {c.name for c in db.get_columns(table)}
        apply_operations(*[migrator.add_column(table, f, getattr(model, f)) for f in fields if f not in present])
    # States first: each district copies its state's links.
    models.State.update(continent_id=models.Country.select(models.Country.continent_id).where(
        models.Country.unique_id == models.State.country_id)).where(models.State.continent_id.is_null()).execute()
    for field in ("continent_id", "country_id"):
        models.District.update({getattr(models.District, field): models.State.select(getattr(models.State, field)).where(
            models.State.unique_id == models.District.state_id)}).where(
            getattr(models.District, field).is_null()).execute()


MIGRATIONS = [
    (1, "initial schema", _initial),
    (2, "microsecond timestamps and exact name keys", _precise_timestamps_and_exact_name_keys),
    (3, "change feed outbox", _change_feed_outbox),
    (4, "NFKC caseless name keys", _nfkc_caseless_name_keys),
    (5, "states and districts carry all their ancestors", _ancestors_of_states_and_districts),
]
