"""Whether the database answers, asked once a second: the circuit breaker's way back to closed and
the services' health status."""
from __future__ import annotations

import asyncio
import concurrent.futures
import logging
from typing import Awaitable, Callable, Optional

import peewee

from erp_common import workers
from erp_common.db import PROBE_INTERVAL_SECONDS, breaker_for, call_with_connection

log = logging.getLogger("erp_common.db")


class DatabaseProbe:
    """Follows whether the database answers: `SELECT 1` every `interval` seconds on a worker thread,
    telling the database's circuit breaker each verdict and calling `on_change(reachable)` whenever
    that flips. A probe still waiting after `timeout` counts as a failure, and no second probe
    starts while one hangs (a frozen server holds one thread). The probe has a thread of its own:
    queued behind busy storage threads it would time out on a healthy database and the breaker would
    blame the database for the service's own load."""

    def __init__(self, db: peewee.Database, on_change: Callable[[bool], Awaitable[None]],
                 interval: float = PROBE_INTERVAL_SECONDS, timeout: float = 2.0):
        self._db = db
        self._breaker = breaker_for(db)
        self._on_change = on_change
        self._interval = interval
        self._timeout = timeout
        self.reachable = True
        self._thread = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="db-probe")

    def _ping(self) -> None:
        self._db.execute_sql("SELECT 1").fetchone()

    async def run(self) -> None:
        pending: Optional[asyncio.Future] = None
        while True:
            if pending is None or pending.done():
                # Past the breaker: the probe is what closes it again.
                pending = asyncio.get_running_loop().run_in_executor(
                    self._thread, call_with_connection, self._db, self._ping, ())
                pending.add_done_callback(lambda f: f.cancelled() or f.exception())
            try:
                await asyncio.wait_for(asyncio.shield(pending), self._timeout)
                reachable, reason = True, ""
            except Exception as exc:  # noqa: BLE001 - any failure means unreachable
                reachable, reason = False, str(exc) or f"no answer in {self._timeout}s"
            self._breaker.probe(reachable, f"probe: {reason}" if reason else "")
            if reachable != self.reachable:
                self.reachable = reachable
                if reachable:
                    log.info("database reachable again")
                else:
                    log.warning("database unreachable: %s", reason)
                    workers.notify_siblings(workers.DATABASE_DOWN)
                await self._on_change(reachable)
            await asyncio.sleep(self._interval)

    async def sibling_found_it_down(self) -> None:
        """Another worker of this service got no answer from the same database: refuse at once here
        too instead of after this worker's own probe times out. This probe closes the breaker
        again with its first answer."""
        self._breaker.probe(False, "probe of a sibling worker: no answer")
        if self.reachable:
            self.reachable = False
            log.warning("database unreachable: a sibling worker's probe got no answer")
            await self._on_change(False)
