"""Password hashing on its own bounded pool, apart from the storage worker threads.

bcrypt is CPU work of a quarter of a second a hash. On the pool that runs storage calls (and, before
issue 14, the database probe), a burst of logins queued every other call behind it, the probe timed
out and the circuit breaker blamed the database. Here hashing has `workers` threads and at most
`queue` more hashes waiting; past that a login is refused at once (RESOURCE_EXHAUSTED with a retry
delay, 429 + Retry-After at the edges) instead of waiting without end. Passwords set by
administrators are hashed on the same pool.
"""
from __future__ import annotations

import asyncio
import concurrent.futures
import math
import threading
import time
from typing import Callable, TypeVar

from erp_common.errors import ResourceExhausted

T = TypeVar("T")
BUSY = "Too many logins at once. Try again shortly."


class PasswordHasher:
    def __init__(self, workers: int, queue: int):
        self.workers = workers
        self.capacity = workers + queue
        self._pool = concurrent.futures.ThreadPoolExecutor(workers, thread_name_prefix="bcrypt")
        self._lock = threading.Lock()
        self._admitted = 0
        # The last hash's duration: what a refused caller is told to wait for a queue position.
        self._seconds = 0.25

    def slot(self) -> "HashSlot":
        """A place for one hash, taken at once or refused with RESOURCE_EXHAUSTED. Taken before the
        login's storage step, so a refused login costs no database work either."""
        with self._lock:
            if self._admitted >= self.capacity:
                wait = math.ceil(self._seconds * self.capacity / self.workers)
                raise ResourceExhausted(BUSY, reason="HASHING_BUSY", retry_after_seconds=max(1, wait))
            self._admitted += 1
        return HashSlot(self)

    def run_waiting(self, fn: Callable[..., T], *args) -> T:
        """From a storage worker thread, never the event loop: `fn(*args)` on a hashing thread, waited
        for; refused at once like a login when the pool is full. For the administrators' password
        changes, which hash inside their transaction."""
        with self.slot():
            future = self._pool.submit(self._timed, fn, *args)
            return future.result()

    def _give_back(self) -> None:
        with self._lock:
            self._admitted -= 1

    def _timed(self, fn: Callable[..., T], *args) -> T:
        started = time.monotonic()
        try:
            return fn(*args)
        finally:
            self._seconds = time.monotonic() - started


class HashSlot:
    """Held from `slot()` until its hash has really finished, even when the caller gave up (a
    cancelled RPC), so the bound counts running and waiting hashes, not callers; when no hash was
    run, until the `with` block ends."""

    def __init__(self, hasher: PasswordHasher):
        self._hasher = hasher
        self._future: concurrent.futures.Future | None = None

    def __enter__(self) -> "HashSlot":
        return self

    def __exit__(self, *exc) -> None:
        if self._future is None:
            self._hasher._give_back()

    async def run(self, fn: Callable[..., T], *args) -> T:
        """`fn(*args)` on a hashing thread; one hash per slot."""
        if self._future is not None:
            raise RuntimeError("a slot holds one hash")
        self._future = self._hasher._pool.submit(self._hasher._timed, fn, *args)
        self._future.add_done_callback(lambda _: self._hasher._give_back())
        return await asyncio.wrap_future(self._future)
