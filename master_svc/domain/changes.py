"""The change feed's entries: every committed write of a master row appends one to the outbox."""
from __future__ import annotations

import datetime
from dataclasses import dataclass

CREATED, UPDATED, DELETED, UNDELETED = "created", "updated", "deleted", "undeleted"


@dataclass(frozen=True)
class ChangeRecord:
    cursor: int
    kind: str
    entity: str
    unique_id: str
    etag: str
    actor: str
    time: datetime.datetime
