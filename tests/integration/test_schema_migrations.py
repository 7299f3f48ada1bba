"""The migrations are the schema: from an empty database, on SQLite and on the harness's MariaDB, they
build exactly the tables, columns, indexes and foreign keys the live models declare, so a model
changed without a migration fails here. The tables come from frozen DDL (storage/schema_v*.py): a model
change never changes a migration."""
from __future__ import annotations

import ast
import re
from types import ModuleType

import peewee
import pytest

from auth_svc.storage import migrations as auth_migrations
from auth_svc.storage import models as auth_models
from erp_common import db_connect
from erp_common.migrations import migrate
from master_svc.storage import migrations as master_migrations
from master_svc.storage import models as master_models
from tests.support import ROOT

SERVICES = {"auth": (auth_models, auth_migrations.MIGRATIONS), "master": (master_models, master_migrations.MIGRATIONS)}


def live_models(models: ModuleType) -> list[type[peewee.Model]]:
    """Every table model the module defines: its Model classes that no other class there extends."""
    classes = [v for v in vars(models).values()
               if isinstance(v, type) and issubclass(v, peewee.Model) and v.__module__ == models.__name__]
    return [c for c in classes if not any(other is not c and issubclass(other, c) for other in classes)]


def column_types(db: peewee.Database, table: str) -> dict[str, tuple[str, bool, bool]]:
    """name -> (declared type, nullable, primary key). SQLite keeps only the type's name: it ignores a
    declared length or precision (a VARCHAR(64) holds any text), so only MySQL compares them."""
    if db_connect.is_mysql(db):
        rows = db.execute_sql("SELECT column_name, column_type, is_nullable, column_key FROM information_schema.columns "
                              "WHERE table_schema = DATABASE() AND table_name = %s", (table,)).fetchall()
        return {name: (ctype.upper(), nullable == "YES", key == "PRI") for name, ctype, nullable, key in rows}
    rows = db.execute_sql(f'PRAGMA table_info("{table}")').fetchall()
    return {name: (re.sub(r"\(.*\)", "", ctype).upper(), not notnull, bool(pk))
            for _, name, ctype, notnull, _, pk in rows}


def schema(db: peewee.Database) -> dict[str, dict]:
    with db.connection_context():
        return {table: {
            "columns": column_types(db, table),
            "indexes": sorted((i.name, tuple(i.columns), i.unique) for i in db.get_indexes(table)),
            "foreign_keys": sorted((fk.column, fk.dest_table, fk.dest_column) for fk in db.get_foreign_keys(table)),
        } for table in db.get_tables() if table != "schema_migrations"}


@pytest.fixture(params=["sqlite", "mariadb"])
def new_database(request, tmp_path):
    """A factory of empty databases on one backend."""
    made = []

    def make() -> peewee.Database:
        if request.param == "sqlite":
            url = f"sqlite:///{tmp_path / f'db{len(made)}.sqlite3'}"
        else:
            url = request.getfixturevalue("mariadb").create_database("schema")
        made.append(db_connect.connect(url))
        return made[-1]

    yield make
    for db in made:
        db.close()


@pytest.mark.parametrize("service", SERVICES)
def test_migrations_from_empty_build_the_live_models_schema(service, new_database):
    models, migrations = SERVICES[service]
    tables = live_models(models)
    migrated, declared = new_database(), new_database()
    with migrated.bind_ctx(tables):
        assert migrate(migrated, migrations) == [version for version, _, _ in migrations]
    with declared.bind_ctx(tables), declared.connection_context():
        declared.create_tables(tables)
    want = schema(declared)
    assert set(want) == {model._meta.table_name for model in tables}
    assert schema(migrated) == want


@pytest.mark.parametrize("service", SERVICES)
def test_migrations_do_not_follow_the_models(service, new_database):
    """A column added to every live model without a migration appears in no table the migrations make:
    the tables come from frozen DDL, not from the models."""
    models, migrations = SERVICES[service]
    tables = live_models(models)
    for model in tables:
        model._meta.add_field("added_later", peewee.CharField(max_length=10, null=True))
    try:
        db = new_database()
        with db.bind_ctx(tables):
            migrate(db, migrations)
        made = schema(db)
    finally:
        for model in tables:
            model._meta.remove_field("added_later")
    assert set(made) == {model._meta.table_name for model in tables}
    assert [table for table, shape in made.items() if "added_later" in shape["columns"]] == []


@pytest.mark.parametrize("service", SERVICES)
def test_frozen_ddl_imports_nothing_of_the_service(service):
    """The frozen DDL is literal text: its modules import only the runner's type, never the models."""
    sources = sorted((ROOT / f"{service}_svc" / "storage").glob("schema_v*.py"))
    assert sources
    for source in sources:
        imports = {node.module if isinstance(node, ast.ImportFrom) else alias.name
                   for node in ast.walk(ast.parse(source.read_text()))
                   if isinstance(node, (ast.Import, ast.ImportFrom))
                   for alias in node.names}
        assert imports == {"erp_common.migrations"}, source
