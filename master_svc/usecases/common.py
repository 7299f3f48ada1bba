"""What every master use case shares: the stores, master's unit of work (erp_common.unit_of_work)."""
from __future__ import annotations

from dataclasses import dataclass

import peewee

from erp_common.db import refuse_unless_closed
from erp_common.unit_of_work import UnitOfWork, transactional
from master_svc.storage.repository import MasterRepository

__all__ = ["Stores", "transactional"]


@dataclass(frozen=True)
class Stores(UnitOfWork):
    """The unit of work of master: the row repository over the one master database. A
    `@transactional` use case's change and its change-feed event commit (or vanish) together."""

    rows: MasterRepository

    @classmethod
    def over(cls, db: peewee.Database) -> "Stores":
        return cls(db, MasterRepository(db))

    def refuse_unless_closed(self) -> None:
        """UNAVAILABLE at once unless the database's circuit breaker is closed: for a call that would
        otherwise queue behind a shared read already waiting on the database (api/list_cache.py)."""
        refuse_unless_closed(self.db)
