"""The audit log table: append, and list newest first."""
from __future__ import annotations

import datetime
from typing import Optional

import peewee

from auth_svc.domain.audit import AuditRecord
from auth_svc.storage import models
from erp_common.keyset import counted_page
from erp_common.listing import PageRequest


def _record(row: models.AuditLog) -> AuditRecord:
    return AuditRecord(row.id, row.event_type, row.user_id, row.username, row.actor, row.target_type,
                       row.target_id, row.ip_address, row.user_agent, row.browser, row.os, row.failure_reason,
                       row.metadata, row.before, row.after, row.created_at)


class AuditRepository:
    def __init__(self, db: peewee.Database):
        self.db = db

    def write(self, event_type: str, **fields) -> None:
        models.AuditLog.create(event_type=event_type, **fields)

    def count(self, event_type: str) -> int:
        return models.AuditLog.select().where(models.AuditLog.event_type == event_type).count()

    def list(self, page: PageRequest, event_type: str, username: str, start: Optional[datetime.datetime],
             end: Optional[datetime.datetime]) -> tuple[list[AuditRecord], str, int]:
        query = models.AuditLog.select()
        if event_type:
            query = query.where(models.AuditLog.event_type == event_type)
        if username:
            query = query.where(models.AuditLog.username == username)
        if start is not None:
            query = query.where(models.AuditLog.created_at >= start)
        if end is not None:
            query = query.where(models.AuditLog.created_at < end)
        rows, token, total = counted_page(query, models.AuditLog.id, models.AuditLog.id, page)
        return [_record(r) for r in rows], token, total
