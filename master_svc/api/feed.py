"""ChangeFeedService: streams the change outbox to watchers.

A watcher reads the outbox after its cursor, then waits for a wake-up from a write in this
process or for the poll interval, whichever comes first; the poll is what makes writes committed
by other replicas (or by `import-csv`) reach it.
"""
from __future__ import annotations

import asyncio
import datetime
import threading
import time

from google.protobuf import timestamp_pb2

from erp.master.v1 import master_service_pb2 as pb
from erp.master.v1 import master_service_pb2_grpc as pb_grpc
from erp_common.errors import PermissionDenied, invalid
from erp_common.server import reauthenticated_principal, require_principal
from master_svc.domain import changes
from master_svc.domain.changes import ChangeRecord
from master_svc.domain.entities import BY_NAME, ENTITIES
from master_svc.usecases import UseCases

POLL_SECONDS = 0.2
BATCH = 500
KINDS = {changes.CREATED: pb.Change.KIND_CREATED, changes.UPDATED: pb.Change.KIND_UPDATED,
         changes.DELETED: pb.Change.KIND_DELETED, changes.UNDELETED: pb.Change.KIND_UNDELETED}


class ChangeSignal:
    """Wakes every waiting watcher of this process; safe to call from worker threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiters: set[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = set()

    def notify(self) -> None:
        with self._lock:
            waiters = list(self._waiters)
        for loop, event in waiters:
            loop.call_soon_threadsafe(event.set)

    async def wait(self, timeout: float) -> None:
        waiter = (asyncio.get_running_loop(), asyncio.Event())
        with self._lock:
            self._waiters.add(waiter)
        try:
            await asyncio.wait_for(waiter[1].wait(), timeout)
        except asyncio.TimeoutError:
            pass
        finally:
            with self._lock:
                self._waiters.discard(waiter)


def _message(change: ChangeRecord) -> pb.WatchChangesResponse:
    when = timestamp_pb2.Timestamp()
    when.FromDatetime(change.time.replace(tzinfo=datetime.timezone.utc))
    return pb.WatchChangesResponse(change=pb.Change(
        cursor=change.cursor, kind=KINDS[change.kind], entity=change.entity, id=change.unique_id,
        etag=change.etag, actor=change.actor, change_time=when))


def _heartbeat() -> pb.WatchChangesResponse:
    now = timestamp_pb2.Timestamp()
    now.GetCurrentTime()
    return pb.WatchChangesResponse(heartbeat_time=now)


class ChangeFeedServicer(pb_grpc.ChangeFeedServiceServicer):
    def __init__(self, usecases: UseCases, signal: ChangeSignal, heartbeat_seconds: float,
                 poll_seconds: float = POLL_SECONDS):
        self._usecases = usecases
        self._signal = signal
        self._heartbeat = heartbeat_seconds
        self._poll = poll_seconds

    async def WatchChanges(self, request: pb.WatchChangesRequest, context):
        principal = require_principal()
        if request.cursor < -1:
            raise invalid("cursor", "must be -1 (from now), 0 (from the start) or a cursor received earlier")
        if request.max_changes < 0:
            raise invalid("max_changes", "must not be negative")
        unknown = [e for e in request.entities if e not in BY_NAME]
        if unknown:
            raise invalid("entities", f"unknown entity {unknown[0]!r}; use names like {ENTITIES[1].name!r}")
        wanted = list(dict.fromkeys(request.entities)) or [e.name for e in ENTITIES]
        readable = [e for e in wanted if principal.has(BY_NAME[e].permission("read"))]
        if not readable or (request.entities and len(readable) < len(wanted)):
            missing = next(e for e in wanted if e not in readable)
            permission = BY_NAME[missing].permission("read")
            raise PermissionDenied(f"permission {permission} required", reason="PERMISSION_DENIED",
                                   permission=permission)
        cursor, sent, last_sent = request.cursor, 0, time.monotonic()
        if cursor == -1:
            cursor = await self._usecases.call(self._usecases.changes.last_cursor)
        while True:
            # A logout or a right taken away ends a stream as it ends any other call (within a poll).
            principal = await reauthenticated_principal()
            still = [e for e in readable if principal.has(BY_NAME[e].permission("read"))]
            if len(still) < len(readable) and (request.entities or not still):
                permission = BY_NAME[next(e for e in readable if e not in still)].permission("read")
                raise PermissionDenied(f"permission {permission} required", reason="PERMISSION_DENIED",
                                       permission=permission)
            readable = still
            batch = await self._usecases.call(self._usecases.changes.after, cursor, readable, BATCH)
            for change in batch:
                yield _message(change)
                cursor, sent, last_sent = change.cursor, sent + 1, time.monotonic()
                if request.max_changes and sent >= request.max_changes:
                    return
            if not batch and time.monotonic() - last_sent >= self._heartbeat:
                yield _heartbeat()
                last_sent = time.monotonic()
            if len(batch) < BATCH:
                await self._signal.wait(self._poll)
