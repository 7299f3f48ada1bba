"""The PyMySQL internals the database calls rely on, in one place.

PyMySQL (1.2) takes its read and write timeouts only as arguments of `Connection()`, keeps them in
`_read_timeout` / `_write_timeout` and applies them to the socket before each packet; it has no
public way to change them on an open connection (nor a per-call timeout: PyMySQL issue #1169), and
no public accessor for its socket. A pooled connection lives across many calls with different
bounds, so these context managers set the private attributes for the span of one call and put them
back, and `closed_by_server` polls the private socket. Each degrades to doing nothing on a
connection without the attributes (SQLite, another driver).
"""
from __future__ import annotations

import contextlib
import select
import time
from typing import Iterator, Optional

import peewee

from erp_common.db_connect import is_mysql


@contextlib.contextmanager
def unbounded_reads(db: peewee.Database) -> Iterator[None]:
    """No client-side read timeout on this thread's connection for a while: a migration waits up to
    60 s for the lock and may rebuild a big table, longer than
    erp_common.db_connect.MYSQL_TIMEOUTS allows an RPC."""
    conn = db.connection()
    saved = getattr(conn, "_read_timeout", None)
    if hasattr(conn, "_read_timeout"):
        conn._read_timeout = None
    try:
        yield
    finally:
        if hasattr(conn, "_read_timeout"):
            conn._read_timeout = saved


@contextlib.contextmanager
def bounded_by(db: peewee.Database, deadline: Optional[float]) -> Iterator[None]:
    """The driver's read and write timeouts of this thread's connection cut to what is left of the
    caller's deadline, so that a call on a hung server gives its thread back when its caller has
    stopped waiting rather than at the full timeout."""
    conn = db.connection() if deadline is not None and is_mysql(db) else None
    saved = (getattr(conn, "_read_timeout", None), getattr(conn, "_write_timeout", None))
    left = max(0.001, deadline - time.monotonic()) if conn is not None else None
    bounded = conn is not None and hasattr(conn, "_read_timeout") and any(t is None or t > left for t in saved)
    if bounded:
        conn._read_timeout = min(saved[0] or left, left)
        conn._write_timeout = min(saved[1] or left, left)
    try:
        yield
    finally:
        if bounded:
            conn._read_timeout, conn._write_timeout = saved


def closed_by_server(db: peewee.Database) -> bool:
    """Whether the server has closed this thread's MySQL connection (restarted, shut down, killed the
    session): between calls an idle connection has nothing to read, so a readable socket means EOF
    or a farewell error packet. One non-blocking poll, no round trip; without it the first call on
    every worker thread after a database restart would fail on its dead connection."""
    if not is_mysql(db):
        return False
    sock = getattr(db.connection(), "_sock", None)
    if sock is None:
        return True
    try:
        readable, _, _ = select.select([sock], [], [], 0)
    except (OSError, ValueError):
        return True
    return bool(readable)
