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
    """A fixed one-minute window per client; `limit` 0 turns the limit off."""

    limit: int
    seconds: int = 60

    def window(self, now: float) -> int:
        return int(now // self.seconds)

    def retry_after(self, now: float) -> float:
        return (self.window(now) + 1) * self.seconds - now

    def exceeded(self, count: int) -> bool:
        return self.limit > 0 and count > self.limit
