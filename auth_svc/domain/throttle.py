"""Brute-force defences as pure state transitions: per-account lockout and per-client rate windows.

The storage layer keeps the state in the database (so every replica sees the same counts) and
applies these functions inside a row lock.
"""
from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class LockoutPolicy:
    threshold: int
    base_seconds: int
    max_seconds: int

    def lock_seconds(self, previous_lockouts: int) -> int:
        """The first lock lasts `base_seconds`; each further one twice the last, up to `max_seconds`."""
        return min(self.base_seconds * 2 ** min(previous_lockouts, 32), self.max_seconds)


@dataclass(frozen=True)
class AccountThrottle:
    """Consecutive failed attempts against one login key (a known or unknown username)."""

    failures: int = 0
    lockouts: int = 0
    locked_until: float = 0.0


def admit(state: AccountThrottle, policy: LockoutPolicy, now: float) -> tuple[AccountThrottle, float]:
    """Counts an attempt before its credentials are checked; returns the new state and, when the
    attempt is refused, the seconds to wait (0 when admitted).

    Counting first means parallel guesses cannot all slip in before the first failure is recorded:
    at most `threshold` attempts are ever checked between two locks. A success resets the count.
    """
    if state.locked_until > now:
        return state, state.locked_until - now
    if state.failures >= policy.threshold:
        return state, float(policy.lock_seconds(state.lockouts))
    return replace(state, failures=state.failures + 1), 0.0


def settle_failure(state: AccountThrottle, policy: LockoutPolicy, now: float) -> AccountThrottle:
    """A checked attempt failed: when the count has reached the threshold, the key locks."""
    if state.failures >= policy.threshold and state.locked_until <= now:
        seconds = policy.lock_seconds(state.lockouts)
        return AccountThrottle(failures=0, lockouts=state.lockouts + 1, locked_until=now + seconds)
    return state


@dataclass(frozen=True)
class RateWindow:
    """A per-client limit over a sliding minute; `limit` 0 turns it off.

    Counts live in fixed windows (cheap, shared by replicas in the database); the previous window's
    count is weighted by how much of it still overlaps the last `seconds` (the sliding-window
    approximation), so a burst cannot pass twice the limit around a window boundary."""

    limit: int
    seconds: int = 60

    def window(self, now: float) -> int:
        return int(now // self.seconds)

    def _elapsed(self, now: float) -> float:
        return (now - self.window(now) * self.seconds) / self.seconds

    def estimate(self, now: float, current: int, previous: int) -> float:
        return previous * (1.0 - self._elapsed(now)) + current

    def exceeded(self, now: float, current: int, previous: int) -> bool:
        return self.limit > 0 and self.estimate(now, current, previous) > self.limit

    def retry_after(self, now: float, current: int, previous: int) -> float:
        """Seconds until one more request fits under the limit."""
        window_end = (self.window(now) + 1) * self.seconds - now
        if current >= self.limit or previous <= 0:
            return window_end
        # previous * (1 - e) + current <= limit - 1 once e >= 1 - (limit - 1 - current) / previous.
        needed = 1.0 - (self.limit - 1 - current) / previous
        return max(1.0, min(window_end, (needed - self._elapsed(now)) * self.seconds))
