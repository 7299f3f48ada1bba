"""auth_svc.hashing: the bound counts hashes, not callers (issue 14)."""
from __future__ import annotations

import asyncio
import threading

import pytest

from auth_svc.hashing import PasswordHasher
from erp_common.errors import ResourceExhausted


def test_past_capacity_refused_at_once_and_a_cancelled_callers_hash_keeps_its_place():
    async def scenario():
        hasher = PasswordHasher(workers=1, queue=1)
        release = threading.Event()

        async def first_caller():
            with hasher.slot() as slot:
                await slot.run(release.wait, 5)

        running = asyncio.ensure_future(first_caller())
        await asyncio.sleep(0.05)  # its hash is running
        with hasher.slot() as second:
            with pytest.raises(ResourceExhausted) as refused:
                hasher.slot()
            assert refused.value.retry_after_seconds >= 1
        # The second gave its place back unused; the first caller gives up, but its hash still runs.
        running.cancel()
        await asyncio.sleep(0.05)
        with hasher.slot():
            with pytest.raises(ResourceExhausted):
                hasher.slot()
        release.set()
        for _ in range(100):
            await asyncio.sleep(0.01)
            try:
                with hasher.slot(), hasher.slot():
                    return
            except ResourceExhausted:
                continue
        raise AssertionError("the finished hash never gave its place back")

    asyncio.run(scenario())


def test_an_administrators_password_change_shares_the_pool_and_its_bound():
    hasher = PasswordHasher(workers=1, queue=0)
    assert hasher.run_waiting(lambda a, b: a + b, 2, 3) == 5  # and the place is given back
    with hasher.slot():
        with pytest.raises(ResourceExhausted):
            hasher.run_waiting(lambda: None)
