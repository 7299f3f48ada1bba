"""Responses (list pages, single rows) remembered per master-data version.

Master data is read far more often than it changes, and a page of 50 rows costs milliseconds of
Python to decode and encode. Every write of any replica advances the change sequence (the outbox's
cursor, in the same transaction), so a cached response is reused only while the sequence still has
the value it had when the response was read: one indexed one-row read instead of the response's
queries. There is no staleness window, across replicas included.

The version reads themselves are shared (`VersionReads`): a call waits for a read that started after
the call arrived, so it sees every write committed before it arrived, and under load one read answers
all the calls that arrived while the previous one was in flight instead of one read per call.
"""
from __future__ import annotations

import asyncio
import contextvars
import threading
import time
from collections import OrderedDict
from typing import Awaitable, Callable, Hashable, Optional

from erp_common.db import call_deadline, deadline_passed


class ListCache:
    def __init__(self, max_entries: int = 512):
        self._entries: OrderedDict[Hashable, tuple[int, object]] = OrderedDict()
        self._max = max_entries
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable, version: int) -> Optional[object]:
        """The value cached under `key` for `version`, else None."""
        with self._lock:
            hit = self._entries.get(key)
            if hit is not None and hit[0] == version:
                self._entries.move_to_end(key)
                self.hits += 1
                return hit[1]
            self.misses += 1
            return None

    def put(self, key: Hashable, version: int, value: object) -> None:
        """Remembers `value` as read at `version`, which must have been read before the value."""
        with self._lock:
            self._entries[key] = (version, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self._max:
                self._entries.popitem(last=False)


class VersionReads:
    """Single-flight reads of the data version, on one event loop: `current()` returns the result of
    a read that started after it was called."""

    def __init__(self, read: Callable[[], Awaitable[int]], refuse_queueing: Callable[[], None] = lambda: None):
        """`refuse_queueing()` raises when a call must not wait behind a read already in flight (the
        database's breaker opened meanwhile: the read may hang until its timeout)."""
        self._read = read
        self._refuse_queueing = refuse_queueing
        self._next: Optional[asyncio.Future] = None  # the read the callers arriving now wait for
        self._next_deadline: Optional[float] = None
        self._reading = False
        self.reads = 0

    async def current(self) -> int:
        """Raises DEADLINE_EXCEEDED when the call's deadline passes first, as its own read would."""
        deadline = call_deadline.get()
        if self._reading:
            self._refuse_queueing()
        if self._next is None:
            self._next = asyncio.get_running_loop().create_future()
            # A shared read whose waiters all went away still has its outcome retrieved.
            self._next.add_done_callback(lambda f: f.cancelled() or f.exception())
            self._next_deadline = deadline
            if not self._reading:
                self._reading = True
                # Outside any one call's context: no caller's trace applies to the others.
                asyncio.get_running_loop().create_task(self._run(), context=contextvars.Context())
        elif self._next_deadline is not None:
            # The read is bounded by the latest deadline of its waiters (none: unbounded).
            self._next_deadline = None if deadline is None else max(self._next_deadline, deadline)
        waiting = asyncio.shield(self._next)
        if deadline is None:
            return await waiting
        try:
            return await asyncio.wait_for(waiting, max(0.0, deadline - time.monotonic()))
        except asyncio.TimeoutError:
            raise deadline_passed() from None

    async def _run(self) -> None:
        try:
            while self._next is not None:
                waiting, self._next = self._next, None  # later callers wait for the next read
                call_deadline.set(self._next_deadline)
                self.reads += 1
                try:
                    waiting.set_result(await self._read())
                except Exception as exc:  # noqa: BLE001 - every waiter gets the read's failure
                    waiting.set_exception(exc)
        finally:
            self._reading = False
