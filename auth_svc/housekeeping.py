"""The housekeeping job of one auth_svc replica: every HOUSEKEEPING_SECONDS it deletes what no longer
matters (expired revocations and MFA challenges, finished rate windows, throttle rows quiet for a
day and holding no lock), through the unit of work like any RPC: on a worker thread, behind the
database's circuit breaker. Every replica runs it; a second deletion finds nothing."""
from __future__ import annotations

import asyncio
import logging
import time
from typing import Callable, Optional

from auth_svc.domain.throttle import RateWindow
from auth_svc.usecases import Stores

log = logging.getLogger(__name__)

HOUSEKEEPING_SECONDS = 300.0
THROTTLE_STALE_SECONDS = 86400.0


class Housekeeping:
    def __init__(self, stores: Stores, interval: float = HOUSEKEEPING_SECONDS,
                 clock: Callable[[], float] = time.time):
        self._stores = stores
        self._interval = interval
        self._clock = clock
        self._stop = asyncio.Event()
        self._task: Optional[asyncio.Task] = None

    def prune(self) -> None:
        now = self._clock()
        self._stores.sessions.prune(now, now - THROTTLE_STALE_SECONDS, RateWindow(0).window(now) - 1)

    async def run(self) -> None:
        while not self._stop.is_set():
            try:
                await self._stores.call(self.prune)
            except Exception:  # noqa: BLE001 - the database may be away; try again next time
                log.exception("housekeeping failed")
            try:
                await asyncio.wait_for(self._stop.wait(), timeout=self._interval)
            except asyncio.TimeoutError:
                pass

    def start(self) -> None:
        self._task = asyncio.create_task(self.run(), name="housekeeping")

    async def close(self) -> None:
        self._stop.set()
        if self._task is not None:
            await self._task
