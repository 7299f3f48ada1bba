import peewee

from erp_common import db_connect
from erp_common.migrations import migrate


def test_throwaway_mariadb_accepts_peewee_and_migrations(mariadb):
    url = mariadb.create_database("harness")
    database = db_connect.connect(url)
    assert isinstance(database, peewee.MySQLDatabase)
    calls = []
    migrations = [(1, "one", lambda db, m: calls.append(1)), (2, "two", lambda db, m: calls.append(2))]
    assert migrate(database, migrations) == [1, 2]
    assert migrate(database, migrations) == []
    assert calls == [1, 2]
    with database.connection_context():
        version = database.execute_sql("SELECT VERSION()").fetchone()[0]
    assert "MariaDB" in version
