"""Database from a URL, and an idempotent, versioned migration runner on playhouse.migrate."""
from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import contextvars
import datetime
import logging
import os
import select
import threading
import time
import weakref
from pathlib import Path
from typing import Awaitable, Callable, Iterator, Optional, Sequence, TypeVar

import peewee
from opentelemetry import trace
from playhouse import db_url
from playhouse.migrate import SchemaMigrator
from playhouse.pool import PooledDatabase

from erp_common import errors, workers
from erp_common.breaker import BreakerOpen, CircuitBreaker, Permit

log = logging.getLogger(__name__)
tracer = trace.get_tracer("erp_common.db")

Migration = tuple[int, str, Callable[[peewee.Database, SchemaMigrator], None]]
# Frozen DDL of one migration in one dialect: (table, its CREATE TABLE then CREATE INDEX statements).
FrozenTables = tuple[tuple[str, tuple[str, ...]], ...]
T = TypeVar("T")


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
# seconds). The circuit breaker below spares every later call that wait. A URL parameter overrides
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


class _SchemaVersion(peewee.Model):
    version = peewee.IntegerField(primary_key=True)
    name = peewee.CharField(max_length=200)
    applied_at = peewee.DateTimeField()

    class Meta:
        table_name = "schema_migrations"


@contextlib.contextmanager
def _unbounded_reads(db: peewee.Database) -> Iterator[None]:
    """No client-side read timeout on this thread's connection for a while: a migration waits up to
    60 s for the lock and may rebuild a big table, longer than MYSQL_TIMEOUTS allows an RPC."""
    conn = db.connection()
    saved = getattr(conn, "_read_timeout", None)
    if hasattr(conn, "_read_timeout"):
        conn._read_timeout = None
    try:
        yield
    finally:
        if hasattr(conn, "_read_timeout"):
            conn._read_timeout = saved


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
    with db.connection_context(), _unbounded_reads(db):
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


# MySQL/MariaDB errors that abort a transaction in a conflict with a concurrent one: the database
# rolled it back (deadlock) or gave up waiting for a row lock. Running it again is the remedy.
CONFLICT_ERRORS = {1213: "deadlock", 1205: "lock wait timeout"}
CONFLICT_ATTEMPTS = 3


def is_transaction_conflict(exc: BaseException) -> bool:
    """Whether `exc`, or an error it was raised while handling, is a deadlock or lock wait timeout.
    A deadlock rolls back the whole transaction, so the savepoint being rolled back when it surfaces
    is gone too: the error that reaches the caller is then 1305 (no such savepoint), with the
    deadlock as its context."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, peewee.DatabaseError) and exc.args and exc.args[0] in CONFLICT_ERRORS:
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


def in_transaction(db: peewee.Database, fn: Callable[[], T], read_committed: bool = False) -> T:
    """Runs `fn` in one transaction, again from the start (up to CONFLICT_ATTEMPTS tries) when the
    database aborted it in a conflict with a concurrent transaction. `fn` must do nothing outside
    the database that a second run would repeat (callbacks after commit are dropped on rollback).

    `read_committed` (MySQL): each statement reads the latest committed rows and InnoDB takes no
    gap locks, so writes that replace a range of rows (a role's permissions, a user's roles) no
    longer deadlock with writes to the neighbouring range; lock the parent row to serialise writers
    of the same range."""
    isolation = {"isolation_level": "READ COMMITTED"} if read_committed and is_mysql(db) else {}
    attempt = 1
    while True:
        try:
            with db.atomic(**isolation):
                return fn()
        except peewee.DatabaseError as exc:
            if attempt == CONFLICT_ATTEMPTS or db.in_transaction() or not is_transaction_conflict(exc):
                raise
            log.info("transaction conflict (%s), running it again", exc)
        time.sleep(0.01 * attempt)
        attempt += 1


# MySQL client errors that say the server was not reached or stopped answering (refused, host
# unreachable, gone away, lost mid-query or timed out, broken pipe), and PyMySQL's (0, '') for a
# connection it had already closed. A conflict, a constraint or a syntax error is an answer.
CONNECTION_ERRORS = frozenset({0, 2002, 2003, 2005, 2006, 2013, 2055})


def is_connection_failure(exc: BaseException) -> bool:
    return (isinstance(exc, (peewee.OperationalError, peewee.InterfaceError)) and bool(exc.args)
            and isinstance(exc.args[0], int) and exc.args[0] in CONNECTION_ERRORS)


def domain_error_of(exc: BaseException) -> Optional[errors.DomainError]:
    """The domain error a database error means to the caller, so that no layer above storage sees
    the driver's: a conflict the retries did not get past is ABORTED (run it again), a database that
    does not answer or broke the connection is UNAVAILABLE. None for anything else (a bug: INTERNAL)."""
    if is_transaction_conflict(exc):
        log.warning("transaction conflict: %s", exc)
        return errors.Aborted("a concurrent change conflicted with this one; retry", reason="TRANSACTION_CONFLICT")
    if isinstance(exc, (peewee.OperationalError, peewee.InterfaceError)):
        log.error("database unavailable: %s", exc)
        return _unavailable(PROBE_INTERVAL_SECONDS)
    return None


# Each database object (one per service process) has its breaker; the probe and every storage call
# of that process share it.
PROBE_INTERVAL_SECONDS = 1.0
_breakers: "weakref.WeakKeyDictionary[peewee.Database, CircuitBreaker]" = weakref.WeakKeyDictionary()
_breakers_lock = threading.Lock()


def _log_breaker(state: str, reason: str) -> None:
    if state == "open":
        log.warning("database circuit breaker open (%s): storage calls fail at once", reason)
    else:
        log.info("database circuit breaker %s", state.replace("_", "-"))


def breaker_for(db: peewee.Database) -> CircuitBreaker:
    with _breakers_lock:
        breaker = _breakers.get(db)
        if breaker is None:
            breaker = _breakers[db] = CircuitBreaker(retry_seconds=PROBE_INTERVAL_SECONDS, on_change=_log_breaker)
        return breaker


# When the RPC being served must end (time.monotonic()), set by the server interceptor from the
# caller's gRPC deadline; None without one. asyncio.to_thread carries it into the worker thread.
call_deadline: contextvars.ContextVar[Optional[float]] = contextvars.ContextVar("erp_call_deadline", default=None)


def _unavailable(retry_after: float) -> errors.Unavailable:
    return errors.Unavailable("database unavailable, retry later", reason="DATABASE_UNAVAILABLE",
                              retry_after_seconds=retry_after)


def _past(deadline: Optional[float]) -> bool:
    return deadline is not None and time.monotonic() >= deadline


def deadline_passed() -> errors.DeadlineExceeded:
    return errors.DeadlineExceeded("the call's deadline passed before the database answered",
                                   reason="DEADLINE_EXCEEDED")


@contextlib.contextmanager
def _bounded_by(db: peewee.Database, deadline: Optional[float]) -> Iterator[None]:
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


# A worker thread keeps its pooled connection between calls; one idle longer than this is
# returned to the pool and taken again, so the pool's stale check (and a ping) sees it.
IDLE_RECHECK_SECONDS = 30.0
_thread_state = threading.local()


def _closed_by_server(db: peewee.Database) -> bool:
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


def close_for_fork(db: peewee.Database) -> None:
    """Closes every connection this process holds, so that no forked worker process shares one."""
    if not db.is_closed():
        db.close()
    if isinstance(db, PooledDatabase):
        db.close_all()


def _drop_connection(db: peewee.Database) -> None:
    """Closes this thread's connection for good (a pooled one is not put back for reuse)."""
    if isinstance(db, PooledDatabase):
        db.manual_close()
    else:
        db.close()


def _call_with_connection(db: peewee.Database, fn: Callable[..., T], args: tuple,
                          deadline: Optional[float] = None) -> T:
    now = time.monotonic()
    last = getattr(_thread_state, "last_used", {}).get(id(db), now)
    if not db.is_closed():
        if _closed_by_server(db):
            _drop_connection(db)
        elif now - last > IDLE_RECHECK_SECONDS:
            db.close()
    db.connect(reuse_if_open=True)
    try:
        with _bounded_by(db, deadline):
            return fn(*args)
    except (peewee.OperationalError, peewee.InterfaceError):
        # A broken connection must not be reused by the next call on this thread.
        if not db.in_transaction():
            db.close()
        raise
    finally:
        if not hasattr(_thread_state, "last_used"):
            _thread_state.last_used = {}
        _thread_state.last_used[id(db)] = time.monotonic()


def _guarded_call(db: peewee.Database, breaker: CircuitBreaker, permit: Permit, deadline: Optional[float],
                  fn: Callable[..., T], args: tuple) -> T:
    """In the worker thread: a call that waited for a thread while its deadline passed or the
    breaker opened is not made; a made call tells the breaker how the database answered, and its
    database errors leave as domain errors (domain_error_of)."""
    if _past(deadline):
        breaker.release(permit, None)
        raise deadline_passed()
    if not permit.trial and not breaker.admits():
        breaker.release(permit, None)
        raise _unavailable(breaker.retry_seconds)
    try:
        result = _call_with_connection(db, fn, args, deadline)
    except BaseException as exc:
        if is_connection_failure(exc) and _past(deadline):
            breaker.release(permit, None)  # its own deadline cut it short: no verdict on the database
            raise deadline_passed() from exc
        breaker.release(permit, False if is_connection_failure(exc) else True)
        mapped = domain_error_of(exc)
        if mapped is not None:
            raise mapped from exc
        raise
    breaker.release(permit, True)
    return result


def _permit(db: peewee.Database) -> tuple[CircuitBreaker, Permit]:
    breaker = breaker_for(db)
    try:
        return breaker, breaker.acquire()
    except BreakerOpen as exc:
        raise _unavailable(exc.retry_after) from None


def run_guarded(db: peewee.Database, fn: Callable[..., T], *args) -> T:
    """`run_in_worker` for a caller that is already off the event loop (start-up, before the server
    answers): on this thread, behind the same circuit breaker, deadline and error mapping."""
    deadline = call_deadline.get()
    if _past(deadline):
        raise deadline_passed()
    breaker, permit = _permit(db)
    return _guarded_call(db, breaker, permit, deadline, fn, args)


def refuse_unless_closed(db: peewee.Database) -> None:
    """UNAVAILABLE at once unless the database's circuit breaker is closed: for a call that would
    otherwise queue behind one already waiting on the database (a shared read)."""
    breaker = breaker_for(db)
    if not breaker.admits():
        raise _unavailable(breaker.retry_seconds)


async def run_in_worker(db: peewee.Database, fn: Callable[..., T], *args) -> T:
    """Runs blocking storage work in the default worker pool, off the event loop.

    Fails at once, without taking a thread, while the database's circuit breaker is open (UNAVAILABLE
    with a retry delay) or when the caller's deadline has passed (DEADLINE_EXCEEDED).

    Each worker thread holds one pooled connection across calls instead of taking and returning it
    per call: under load the pool's lock and the per-call reconnect bookkeeping cost more than the
    queries (profiled with py-spy on ListCountries)."""
    deadline = call_deadline.get()
    if _past(deadline):
        raise deadline_passed()
    breaker, permit = _permit(db)
    try:
        return await asyncio.to_thread(_guarded_call, db, breaker, permit, deadline, fn, args)
    except asyncio.CancelledError:
        # A trial call cancelled before its thread ran must not keep the breaker half-open for good
        # (a no-op once the thread has settled it); any other call's thread reports for itself.
        if permit.trial:
            breaker.release(permit, None)
        raise


class DatabaseProbe:
    """Follows whether the database answers: `SELECT 1` every `interval` seconds on a worker thread,
    telling the database's circuit breaker each verdict and calling `on_change(reachable)` whenever
    that flips. A probe still waiting after `timeout` counts as a failure, and no second probe
    starts while one hangs (a frozen server holds one thread). The probe has a thread of its own:
    queued behind busy storage threads it would time out on a healthy database and the breaker would
    blame the database for the service's own load."""

    def __init__(self, db: peewee.Database, on_change: Callable[[bool], Awaitable[None]],
                 interval: float = PROBE_INTERVAL_SECONDS, timeout: float = 2.0):
        self._db = db
        self._breaker = breaker_for(db)
        self._on_change = on_change
        self._interval = interval
        self._timeout = timeout
        self.reachable = True
        self._thread = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="db-probe")

    def _ping(self) -> None:
        self._db.execute_sql("SELECT 1").fetchone()

    async def run(self) -> None:
        pending: Optional[asyncio.Future] = None
        while True:
            if pending is None or pending.done():
                # Past the breaker: the probe is what closes it again.
                pending = asyncio.get_running_loop().run_in_executor(
                    self._thread, _call_with_connection, self._db, self._ping, ())
                pending.add_done_callback(lambda f: f.cancelled() or f.exception())
            try:
                await asyncio.wait_for(asyncio.shield(pending), self._timeout)
                reachable, reason = True, ""
            except Exception as exc:  # noqa: BLE001 - any failure means unreachable
                reachable, reason = False, str(exc) or f"no answer in {self._timeout}s"
            self._breaker.probe(reachable, f"probe: {reason}" if reason else "")
            if reachable != self.reachable:
                self.reachable = reachable
                if reachable:
                    log.info("database reachable again")
                else:
                    log.warning("database unreachable: %s", reason)
                    workers.notify_siblings(workers.DATABASE_DOWN)
                await self._on_change(reachable)
            await asyncio.sleep(self._interval)

    async def sibling_found_it_down(self) -> None:
        """Another worker of this service got no answer from the same database: refuse at once here
        too instead of after this worker's own probe times out. This probe closes the breaker
        again with its first answer."""
        self._breaker.probe(False, "probe of a sibling worker: no answer")
        if self.reachable:
            self.reachable = False
            log.warning("database unreachable: a sibling worker's probe got no answer")
            await self._on_change(False)
