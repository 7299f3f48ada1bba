"""The unit of work of both services' use cases (cosmicpython's pattern, over peewee).

A service's `UnitOfWork` subclass holds its repositories over its one database and is the only way
its use cases and its servicers reach that database:

- `call` (from the event loop) runs a use case on a worker thread and that thread's connection,
  behind the database's circuit breaker and the caller's deadline; `call_now` does the same on the
  current thread, for work done before the server answers (start-up, bootstrap);
- `@transactional` methods (of an object whose `stores` is the unit of work) run in one transaction,
  again from the start when the database aborted it in a conflict; `atomic()` is a transaction
  (or a savepoint inside one) for a part of a use case;
- the database's errors leave it as domain errors (erp_common.db.domain_error_of), so no layer
  above storage sees the driver's.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Callable, ContextManager, Optional, TypeVar

import peewee

from erp_common.db import run_guarded, run_in_worker
from erp_common.transactions import in_transaction

F = TypeVar("F", bound=Callable)
T = TypeVar("T")


@dataclass(frozen=True)
class UnitOfWork:
    db: peewee.Database

    async def call(self, fn: Callable[..., T], *args) -> T:
        return await run_in_worker(self.db, fn, *args)

    def call_now(self, fn: Callable[..., T], *args) -> T:
        return run_guarded(self.db, fn, *args)

    def atomically(self, fn: Callable[[], T], read_committed: bool = False) -> T:
        """`fn` in one transaction (erp_common.transactions.in_transaction): it must do nothing outside the
        database that a second run would repeat."""
        return in_transaction(self.db, fn, read_committed=read_committed)

    def atomic(self) -> ContextManager:
        return self.db.atomic()

    def after_commit(self, fn: Callable[[], None]) -> None:
        """Calls `fn` once the current transaction commits (at once outside one); never on rollback."""
        self.db.after_commit(fn)


def transactional(method: Optional[F] = None, *, read_committed: bool = False):
    """Runs a use-case method (of an object whose `stores` is a UnitOfWork) in one transaction, so
    that a change and what records it (an audit entry, an outbox event) commit together.
    `read_committed` (MySQL) takes no gap locks: see erp_common.transactions.in_transaction."""
    def wrap(fn: F) -> F:
        @functools.wraps(fn)
        def run(self, *args, **kwargs):
            return self.stores.atomically(lambda: fn(self, *args, **kwargs), read_committed=read_committed)
        return run  # type: ignore[return-value]
    return wrap(method) if method is not None else wrap
