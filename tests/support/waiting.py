"""wait_until: the one way the suites wait for something to become true."""
from __future__ import annotations

import time
from typing import Callable


class WaitTimedOut(AssertionError, TimeoutError):
    """A wait that ran out: a failed expectation (AssertionError) and a timeout (TimeoutError), so callers
    may treat it as either."""


def wait_until(check: Callable[[], object], timeout: float, what: str, interval: float = 0.05):
    """Calls `check` until it returns something truthy, and returns that. An exception counts as "not
    yet" (the service may still be starting); after `timeout` seconds, WaitTimedOut names `what` and the
    last answer or exception."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            last = check()
        except Exception as exc:  # noqa: BLE001 - not yet
            last = exc
        else:
            if last:
                return last
        if time.monotonic() > deadline:
            raise WaitTimedOut(f"{what}: not within {timeout:g} s (last: {last!r})")
        time.sleep(interval)
