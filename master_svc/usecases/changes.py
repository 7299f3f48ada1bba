"""Reading the change outbox: what the change feed streams, and the version the read caches follow."""
from __future__ import annotations

from typing import Iterable

from master_svc.domain.changes import ChangeRecord
from master_svc.usecases.common import Stores


class Changes:
    def __init__(self, stores: Stores):
        self.stores = stores

    def after(self, cursor: int, entities: Iterable[str], limit: int) -> list[ChangeRecord]:
        """Up to `limit` changes of `entities` after `cursor`, oldest first."""
        return self.stores.rows.changes_after(cursor, entities, limit)

    def last_cursor(self) -> int:
        """The cursor of the last committed change (0 before any): every write of any replica
        advances it in its own transaction, so it is also the version of the master data."""
        return self.stores.rows.last_cursor()
