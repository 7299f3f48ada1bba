"""An idempotent, versioned migration runner on playhouse.migrate, safe to run from several replicas,
and the frozen DDL its migrations are written in."""
from __future__ import annotations

import datetime
import logging
from typing import Callable, Sequence

import peewee
from playhouse.migrate import SchemaMigrator

from erp_common.db_connect import is_mysql
from erp_common.pymysql_timeouts import unbounded_reads

log = logging.getLogger(__name__)

Migration = tuple[int, str, Callable[[peewee.Database, SchemaMigrator], None]]
# Frozen DDL of one migration in one dialect: (table, its CREATE TABLE then CREATE INDEX statements).
FrozenTables = tuple[tuple[str, tuple[str, ...]], ...]


class _SchemaVersion(peewee.Model):
    version = peewee.IntegerField(primary_key=True)
    name = peewee.CharField(max_length=200)
    applied_at = peewee.DateTimeField()

    class Meta:
        table_name = "schema_migrations"


def create_frozen_tables(db: peewee.Database, sqlite: FrozenTables, mysql: FrozenTables) -> None:
    """Runs a migration's frozen DDL for the database's dialect, in order, skipping a table that
    already exists (as peewee's `create_tables(safe=True)` did, which wrote the DDL)."""
    have = set(db.get_tables())
    for table, statements in (mysql if is_mysql(db) else sqlite):
        if table in have:
            continue
        for statement in statements:
            db.execute_sql(statement)


def migrate(db: peewee.Database, migrations: Sequence[Migration]) -> list[int]:
    """Applies the migrations not yet recorded, in order; safe to run from several replicas."""
    applied: list[int] = []
    with db.connection_context(), unbounded_reads(db):
        lock = is_mysql(db)
        if lock:
            got = db.execute_sql("SELECT GET_LOCK('erp_schema_migrations', 60)").fetchone()[0]
            if got != 1:
                raise RuntimeError("could not take the migration lock")
        try:
            with _SchemaVersion.bind_ctx(db):
                db.create_tables([_SchemaVersion], safe=True)
                done = {row.version for row in _SchemaVersion.select()}
                migrator = SchemaMigrator.from_database(db)
                for version, name, step in sorted(migrations, key=lambda m: m[0]):
                    if version in done:
                        continue
                    log.info("applying migration %s %s", version, name)
                    with db.atomic():
                        step(db, migrator)
                        _SchemaVersion.create(version=version, name=name,
                                              applied_at=datetime.datetime.now(datetime.timezone.utc))
                    applied.append(version)
        finally:
            if lock:
                db.execute_sql("SELECT RELEASE_LOCK('erp_schema_migrations')")
    return applied
