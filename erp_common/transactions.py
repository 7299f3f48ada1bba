"""One transaction, run again when the database aborted it in a conflict with a concurrent one."""
from __future__ import annotations

import logging
import time
from typing import Callable, TypeVar

import peewee

from erp_common.db_connect import is_mysql

log = logging.getLogger(__name__)
T = TypeVar("T")


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
