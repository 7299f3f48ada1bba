"""What the master RPCs and commands do, as plain synchronous functions over the row repository.

The servicers run these through `UseCases.call` (a worker thread and its connection, behind the
database's circuit breaker and the caller's deadline), so slow work never blocks the event loop and
the API layer never holds the database; the commands (seed-geo, import-csv) through `call_now`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, TypeVar

from master_svc.usecases.bulk import Bulk
from master_svc.usecases.changes import Changes
from master_svc.usecases.common import Stores
from master_svc.usecases.masters import Masters

T = TypeVar("T")


@dataclass
class UseCases:
    """One of each use-case object, over one unit of work (`stores`)."""

    stores: Stores
    masters: Masters
    bulk: Bulk
    changes: Changes

    @classmethod
    def build(cls, stores: Stores) -> "UseCases":
        masters = Masters(stores)
        return cls(stores=stores, masters=masters, bulk=Bulk(stores, masters), changes=Changes(stores))

    async def call(self, fn: Callable[..., T], *args) -> T:
        """Runs a use case (a method of the above) on a worker thread and its database connection,
        behind the database's circuit breaker and the caller's deadline (erp_common.unit_of_work)."""
        return await self.stores.call(fn, *args)

    def call_now(self, fn: Callable[..., T], *args) -> T:
        """The same on this thread, for a command run outside the server."""
        return self.stores.call_now(fn, *args)

    def refuse_unless_closed(self) -> None:
        self.stores.refuse_unless_closed()
