"""How storage work reaches the database: on a worker thread (off the event loop) and the connection
that thread keeps, behind the database's circuit breaker and the caller's deadline; the database's
errors leave as domain errors. Opening a database is erp_common.db_connect, transactions
erp_common.transactions, migrations erp_common.migrations, the probe erp_common.db_probe."""
from __future__ import annotations

import asyncio
import contextvars
import logging
import threading
import time
import weakref
from typing import Callable, Optional, TypeVar

import peewee
from playhouse.pool import PooledDatabase

from erp_common import errors
from erp_common.breaker import BreakerOpen, CircuitBreaker, Permit
from erp_common.pymysql_timeouts import bounded_by, closed_by_server
from erp_common.transactions import is_transaction_conflict

log = logging.getLogger(__name__)
T = TypeVar("T")


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


# A worker thread keeps its pooled connection between calls; one idle longer than this is
# returned to the pool and taken again, so the pool's stale check (and a ping) sees it.
IDLE_RECHECK_SECONDS = 30.0
_thread_state = threading.local()


def _drop_connection(db: peewee.Database) -> None:
    """Closes this thread's connection for good (a pooled one is not put back for reuse)."""
    if isinstance(db, PooledDatabase):
        db.manual_close()
    else:
        db.close()


def call_with_connection(db: peewee.Database, fn: Callable[..., T], args: tuple,
                         deadline: Optional[float] = None) -> T:
    """`fn(*args)` on this thread's connection, past the circuit breaker (what the probe needs): a
    connection the server closed or one idle for long is replaced first, a broken one dropped after."""
    now = time.monotonic()
    last = getattr(_thread_state, "last_used", {}).get(id(db), now)
    if not db.is_closed():
        if closed_by_server(db):
            _drop_connection(db)
        elif now - last > IDLE_RECHECK_SECONDS:
            db.close()
    db.connect(reuse_if_open=True)
    try:
        with bounded_by(db, deadline):
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
        result = call_with_connection(db, fn, args, deadline)
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
