"""Reading the audit log."""
from __future__ import annotations

import datetime
from typing import Optional

from auth_svc.domain.audit import AuditRecord
from auth_svc.domain.listing import AUDIT_LOGS
from auth_svc.usecases.common import Stores
from erp_common.errors import invalid
from erp_common.listing import page_request


class AuditLogs:
    def __init__(self, stores: Stores):
        self.stores = stores

    def list(self, page_size: int, page_token: str, event_type: str, username: str,
             start: Optional[datetime.datetime], end: Optional[datetime.datetime]) -> tuple[list[AuditRecord], str, int]:
        """Newest first; `start` inclusive, `end` exclusive."""
        if start is not None and end is not None and end <= start:
            raise invalid("end_time", "must be after start_time")
        filters = (event_type.strip(), username.strip(), start, end)
        page = page_request(AUDIT_LOGS, page_size, page_token, "", filters)
        return self.stores.audit.list(page, *filters)
