"""Opening a service's database: from its URL (pooled MySQL with bounded driver timeouts, or SQLite
in WAL mode in private files), each statement traced; and closing every connection before a fork."""
from __future__ import annotations

import contextlib
import os
from pathlib import Path

import peewee
from opentelemetry import trace
from playhouse import db_url
from playhouse.pool import PooledDatabase

tracer = trace.get_tracer("erp_common.db")


class _TracedStatements:
    """Mixed into the database class: one CLIENT span per statement, child of the RPC's span.
    Outside a recorded trace (migrations, tracing off) it costs one check."""

    def execute_sql(self, sql, params=None):
        if not trace.get_current_span().is_recording():
            return super().execute_sql(sql, params)
        operation = sql.lstrip().split(None, 1)[0].upper() if sql.strip() else "SQL"
        # The statement is peewee's parameterised text: values travel separately and are never recorded.
        with tracer.start_as_current_span(operation, kind=trace.SpanKind.CLIENT, attributes={
                "db.system.name": "mysql" if isinstance(self, peewee.MySQLDatabase) else "sqlite",
                "db.namespace": str(self.database), "db.operation.name": operation,
                "db.query.text": sql[:2000]}):
            return super().execute_sql(sql, params)


_traced_classes: dict[type, type] = {}


def _traced(url: str, **defaults) -> peewee.Database:
    scheme = url.split(":", 1)[0]
    base = db_url.schemes[scheme]
    cls = _traced_classes.setdefault(base, type(base.__name__, (_TracedStatements, base), {}))
    return cls(**{**defaults, **db_url.parse(url)})


# PyMySQL waits forever by default. With these bounds a server that is down fails a call at once
# (connection refused) and one that hangs fails it within the read timeout, so no worker thread is
# stuck for good. The read and write bounds stay below the edge's 15 s route timeout, so a call
# caught on a hung server still ends in the service's own 503 rather than the edge's 504, and they
# are far above any statement of an RPC (milliseconds; an import of thousands of rows, a few
# seconds). The circuit breaker (erp_common.db) spares every later call that wait. A URL parameter overrides
# them (`mysql://...?read_timeout=120` for a long import).
MYSQL_TIMEOUTS = {"connect_timeout": 5, "read_timeout": 10, "write_timeout": 10}


def connect(url: str) -> peewee.Database:
    """`mysql://user:pw@host:port/db` (pooled, utf8mb4) or `sqlite:///path` (WAL). Query parameters
    of the URL are passed to the driver and win over the defaults."""
    if url.startswith("mysql://"):
        url = "mysql+pool://" + url[len("mysql://"):]
    if url.startswith("mysql+pool://"):
        return _traced(url, max_connections=32, stale_timeout=300, timeout=10, charset="utf8mb4", **MYSQL_TIMEOUTS)
    if url.startswith("sqlite"):
        database = _traced(url, pragmas={"journal_mode": "wal", "busy_timeout": 10000, "foreign_keys": 1})
        _private_sqlite_files(database.database)
        return database
    raise ValueError(f"unsupported database URL scheme: {url.split(':', 1)[0]}")


def _private_sqlite_files(path: str) -> None:
    """A SQLite database holds password hashes, TOTP secrets and session IPs: its file is made 0600 in
    a 0700 directory before SQLite opens it, and SQLite gives its -wal and -shm files the database
    file's mode. Files left 0644 by an older version are narrowed too."""
    if not path or path == ":memory:" or path.startswith("file:"):
        return
    file = Path(path)
    file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.close(os.open(file, os.O_WRONLY | os.O_CREAT, 0o600))
    for existing in (file, file.with_name(file.name + "-wal"), file.with_name(file.name + "-shm")):
        with contextlib.suppress(FileNotFoundError):
            existing.chmod(0o600)


def is_mysql(db: peewee.Database) -> bool:
    return isinstance(db, peewee.MySQLDatabase)



def close_for_fork(db: peewee.Database) -> None:
    """Closes every connection this process holds, so that no forked worker process shares one."""
    if not db.is_closed():
        db.close()
    if isinstance(db, PooledDatabase):
        db.close_all()
