"""The revocation feed of one auth_svc replica: the database's revocations in memory, streamed out.

One task polls the revocation table (at once when this replica revoked something, else every
ERP_REVOCATION_POLL_SECONDS for the other replicas' revocations), merges what it finds into this
replica's `RevocationList` and wakes the `WatchRevocations` streams. Polls re-read the last
`OVERLAP_SECONDS` of revocations as well as everything after the cursor, because an
auto-increment id is taken at insert and a row can commit after a higher-numbered one. Every read
goes through the unit of work, as the RPCs' do: a worker thread, the database's circuit breaker.
"""
from __future__ import annotations

import asyncio
import logging
import time
from typing import AsyncIterator, Callable, Optional

from auth_svc.storage.models import from_epoch
from auth_svc.usecases import Stores
from erp_common.revocation import RevocationList, RevokedSession

log = logging.getLogger(__name__)

OVERLAP_SECONDS = 30.0
# What the feed keeps for streams that fell behind; a stream further behind gets a full resend.
LOG_LIMIT = 5000


class RevocationFeed:
    def __init__(self, stores: Stores, revocations: RevocationList, poll_seconds: float,
                 clock: Callable[[], float] = time.time):
        self._stores = stores
        self.revocations = revocations
        self._poll_seconds = poll_seconds
        self._clock = clock
        self._log: list[RevokedSession] = []
        self._log_base = 0
        self._changed = asyncio.Event()
        self._wake = asyncio.Event()
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._task: Optional[asyncio.Task] = None
        self._closed = False

    # --- loading ---------------------------------------------------------------------------
    def _load(self, cursor: int) -> list[RevokedSession]:
        return self._stores.sessions.revocations_since(cursor, from_epoch(self._clock() - OVERLAP_SECONDS))

    def load_initial(self) -> None:
        """Everything in force, before the server answers its first request."""
        self.revocations.apply(self._stores.call_now(self._load, 0))

    async def _poll_once(self) -> None:
        fresh = self.revocations.apply(await self._stores.call(self._load, self.revocations.cursor))
        if fresh:
            self._log.extend(fresh)
            if len(self._log) > LOG_LIMIT:
                drop = len(self._log) - LOG_LIMIT
                del self._log[:drop]
                self._log_base += drop
            self._changed.set()
            self._changed = asyncio.Event()

    async def run(self) -> None:
        while not self._closed:
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=self._poll_seconds)
            except asyncio.TimeoutError:
                pass
            self._wake.clear()
            try:
                await self._poll_once()
            except Exception:  # noqa: BLE001 - the database may be away; keep polling
                log.exception("revocation feed poll failed")

    def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._task = asyncio.create_task(self.run(), name="revocation-feed")

    async def close(self) -> None:
        """Ends the streams (their clients reconnect elsewhere) and the poller."""
        self._closed = True
        self._changed.set()
        self._wake.set()
        if self._task is not None:
            await self._task

    def notify(self) -> None:
        """Thread-safe: a revocation was just written here; poll now instead of at the next tick."""
        if self._loop is not None and not self._closed:
            self._loop.call_soon_threadsafe(self._wake.set)

    # --- streaming -------------------------------------------------------------------------
    def in_force_after(self, cursor: int) -> list[RevokedSession]:
        return self.revocations.in_force_after(cursor, OVERLAP_SECONDS)

    async def subscribe(self, cursor: int) -> AsyncIterator[RevokedSession]:
        """What is in force after `cursor`, then every revocation as this replica learns of it."""
        position = self._log_base + len(self._log)
        for entry in self.in_force_after(cursor):
            yield entry
        while not self._closed:
            changed = self._changed
            if position == self._log_base + len(self._log):
                await changed.wait()
                continue
            if position < self._log_base:
                position = self._log_base + len(self._log)
                for entry in self.in_force_after(0):
                    yield entry
                continue
            entry = self._log[position - self._log_base]
            position += 1
            yield entry
