"""A circuit breaker in front of the database: while it is open, storage calls fail at once with
UNAVAILABLE (and a retry delay) instead of taking a worker thread to wait for a server that does not
answer. Plain state and a clock, no I/O: erp_common.db feeds it call outcomes and the database
probe's verdicts, and asks it before every storage call.

- closed: calls go through; `failure_threshold` consecutive connection-level failures open it.
- open: calls are refused. The probe's next success closes it. When calls opened it and the probe
  does not say the database is down, one trial call goes through every `retry_seconds` (half-open):
  its success closes the breaker, its failure keeps it open.
- The probe's failure opens it at once, whatever calls say; then only the probe closes it (a trial
  call would only hold a thread on the same hung server).
"""
from __future__ import annotations

import threading
import time
from typing import Callable, Optional

CLOSED, OPEN, HALF_OPEN = "closed", "open", "half_open"
STATE_VALUES = {CLOSED: 0, HALF_OPEN: 1, OPEN: 2}


class Permit:
    """Leave to make one call; settled once, by its outcome or by the call not being made."""

    __slots__ = ("trial", "settled")

    def __init__(self, trial: bool):
        self.trial = trial
        self.settled = False


class BreakerOpen(Exception):
    """The breaker refused a call; `retry_after` is when the caller may try again (seconds)."""

    def __init__(self, reason: str, retry_after: float):
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


class CircuitBreaker:
    def __init__(self, failure_threshold: int = 3, retry_seconds: float = 1.0,
                 clock: Callable[[], float] = time.monotonic,
                 on_change: Optional[Callable[[str, str], None]] = None):
        self.failure_threshold = failure_threshold
        self.retry_seconds = retry_seconds
        self._clock = clock
        self._on_change = on_change
        self._lock = threading.Lock()
        self._state = CLOSED
        self._failures = 0
        self._opened_at = 0.0
        self._probe_down = False
        self.reason = ""

    @property
    def state(self) -> str:
        return self._state

    def acquire(self) -> Permit:
        """A permit for one call, or BreakerOpen. Never blocks beyond the lock."""
        with self._lock:
            if self._state == CLOSED:
                return Permit(trial=False)
            if (self._state == OPEN and not self._probe_down
                    and self._clock() - self._opened_at >= self.retry_seconds):
                self._set(HALF_OPEN, self.reason)
                return Permit(trial=True)
            raise BreakerOpen(self.reason, self.retry_seconds)

    def admits(self) -> bool:
        """Whether a call admitted earlier may still start (one queued for a thread meanwhile)."""
        return self._state == CLOSED

    def release(self, permit: Permit, outcome: Optional[bool]) -> None:
        """How the call went: True the database answered (an error of its own included), False a
        connection-level failure (refused, lost, timed out), None the call never reached it."""
        with self._lock:
            if permit.settled:
                return
            permit.settled = True
            if permit.trial and self._state == HALF_OPEN:
                if outcome is True:
                    self._close()
                elif outcome is False:
                    self._open("trial call failed")
                else:  # no verdict: the next caller may try
                    self._set(OPEN, self.reason)
                return
            if outcome is True:
                self._failures = 0
            elif outcome is False and self._state == CLOSED:
                self._failures += 1
                if self._failures >= self.failure_threshold:
                    self._open(f"{self._failures} consecutive calls failed")

    def probe(self, reachable: bool, reason: str = "") -> None:
        """The database probe's verdict, after each of its checks."""
        with self._lock:
            self._probe_down = not reachable
            if reachable:
                if self._state != CLOSED:
                    self._close()
            elif self._state == CLOSED:
                self._open(reason or "probe failed")
            else:
                self._opened_at = self._clock()

    def _open(self, reason: str) -> None:
        self._opened_at = self._clock()
        self._set(OPEN, reason)

    def _close(self) -> None:
        self._failures = 0
        self._set(CLOSED, "")

    def _set(self, state: str, reason: str) -> None:
        before, self._state, self.reason = self._state, state, reason
        if before != state and self._on_change is not None:
            self._on_change(state, reason)
