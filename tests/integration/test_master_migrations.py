"""Master schema migrations on a database that has rows from before them (MariaDB and SQLite)."""
from __future__ import annotations

import datetime

import peewee
import pytest

from erp_common import db_connect
from erp_common.migrations import migrate
from master_svc.storage import migrations, models

NOW = datetime.datetime(2026, 1, 1)


class _StateBefore(models.BaseMaster):
    """master_state as migrations 1-4 created it, before states carried their continent."""
    country_id = peewee.ForeignKeyField(models.Country, field="unique_id", column_name="country_id")
    subdivision_code = peewee.CharField(max_length=10, default="")

    class Meta:
        table_name = "master_state"


class _DistrictBefore(models.BaseMaster):
    state_id = peewee.ForeignKeyField(_StateBefore, field="unique_id", column_name="state_id")

    class Meta:
        table_name = "master_district"


@pytest.fixture(params=["mariadb", "sqlite"])
def database(request, tmp_path):
    url = (request.getfixturevalue("mariadb").create_database(f"migr{id(request) % 100000}")
           if request.param == "mariadb" else f"sqlite:///{tmp_path / 'master.sqlite3'}")
    database = db_connect.connect(url)
    models.database.initialize(database)
    yield database
    database.close()


def test_states_and_districts_get_their_ancestors_from_their_parents(database):
    with database.connection_context():
        before = [{models.State: _StateBefore, models.District: _DistrictBefore}.get(m, m) for m in models.ALL_MODELS]
        database.create_tables(before)
    # Migration 1 made these tables, back then; 2-4 run on them as they did.
    migrate(database, [(1, "initial schema", lambda db, m: None)] + migrations.MIGRATIONS[1:4])
    with database.connection_context():
        rows = dict(created_at=NOW, updated_at=NOW)
        models.Continent.insert(unique_id="asia", name="Asia", live_name_key="asia", **rows).execute()
        models.Country.insert(unique_id="india", name="India", continent_id="asia", scope_key="asia",
                              live_name_key="india", **rows).execute()
        _StateBefore.insert(unique_id="mh", name="MH", country_id="india", scope_key="india", live_name_key="mh",
                            **rows).execute()
        _DistrictBefore.insert(unique_id="pune", name="Pune", state_id="mh", scope_key="mh", live_name_key="pune",
                               **rows).execute()

    assert migrate(database, migrations.MIGRATIONS) == [5]

    with database.connection_context():
        state = models.State.select().where(models.State.unique_id == "mh").dicts().get()
        district = models.District.select().where(models.District.unique_id == "pune").dicts().get()
    assert (state["continent_id"], state["country_id"]) == ("asia", "india")
    assert (district["continent_id"], district["country_id"], district["state_id"]) == ("asia", "india", "mh")


def test_a_new_database_has_the_columns_from_the_first_migration(database):
    assert migrate(database, migrations.MIGRATIONS) == [1, 2, 3, 4, 5]
    with database.connection_context():
        assert {"continent_id", "country_id"} <= {c.name for c in database.get_columns("master_district")}
        assert "continent_id" in {c.name for c in database.get_columns("master_state")}
