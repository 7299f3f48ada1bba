"""The response cache serves an entry only for the data version it was read at, and the version
reads are shared only by calls that arrived before the read started."""
import asyncio
import time

from master_svc.api.list_cache import ListCache, VersionReads


def test_an_entry_is_reused_while_the_version_holds_and_missed_after_a_write():
    cache = ListCache()
    assert cache.get("countries?page=1", 7) is None
    cache.put("countries?page=1", 7, "v7")
    assert cache.get("countries?page=1", 7) == "v7"
    assert cache.get("countries?page=1", 8) is None  # a write happened
    assert (cache.hits, cache.misses) == (1, 2)


def test_the_cache_is_bounded_least_recently_used_first():
    cache = ListCache(max_entries=2)
    for key in ("a", "b"):
        cache.put(key, 1, key)
    assert cache.get("a", 1) == "a"  # "a" becomes the most recent
    cache.put("c", 1, "c")           # evicts "b"
    assert cache.get("a", 1) == "a"
    assert cache.get("b", 1) is None


def test_version_reads_are_shared_only_by_calls_that_arrived_before_the_read_started():
    async def scenario():
        version, started, release = [0], [], asyncio.Event()

        async def read():
            seen = version[0]  # what the database answers, as of the read's start
            started.append(seen)
            await release.wait()
            release.clear()
            return seen

        reads = VersionReads(read)
        first = [asyncio.create_task(reads.current()) for _ in range(5)]
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        assert started == [0]            # five calls, one read in flight
        version[0] = 1                   # a write commits while that read is in flight
        later = [asyncio.create_task(reads.current()) for _ in range(3)]
        await asyncio.sleep(0)
        release.set()
        assert await asyncio.gather(*first) == [0] * 5
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        release.set()
        # The later calls arrived after the first read began: they get a read of their own, which
        # sees the write, never the first read's answer.
        assert await asyncio.gather(*later) == [1] * 3
        assert reads.reads == 2

    asyncio.run(scenario())


def test_a_failed_version_read_fails_its_waiters_and_the_next_call_reads_again():
    async def scenario():
        outcomes = [RuntimeError("database down"), 5]

        async def read():
            outcome = outcomes.pop(0)
            if isinstance(outcome, Exception):
                raise outcome
            return outcome

        reads = VersionReads(read)
        results = await asyncio.gather(reads.current(), reads.current(), return_exceptions=True)
        assert [str(r) for r in results] == ["database down"] * 2
        assert await reads.current() == 5

    asyncio.run(scenario())


def test_a_waiter_gives_up_at_its_own_deadline_and_the_read_is_bounded_by_the_latest():
    from erp_common.db import call_deadline
    from erp_common.errors import DeadlineExceeded

    async def scenario():
        release, bounds = asyncio.Event(), []

        async def read():
            bounds.append(call_deadline.get())
            await release.wait()
            return 3

        reads = VersionReads(read)
        soon, later = time.monotonic() + 0.05, time.monotonic() + 60

        async def call(deadline):
            call_deadline.set(deadline)
            return await reads.current()

        hurried = asyncio.create_task(call(soon))
        patient = asyncio.create_task(call(later))
        await asyncio.sleep(0.1)
        assert isinstance(hurried.exception(), DeadlineExceeded)
        release.set()
        assert await patient == 3
        assert bounds == [later]

    asyncio.run(scenario())


def test_no_call_queues_behind_a_read_in_flight_while_the_breaker_is_open():
    async def scenario():
        release, breaker_open = asyncio.Event(), [False]

        async def read():
            await release.wait()
            return 1

        def refuse():
            if breaker_open[0]:
                raise RuntimeError("database unavailable")

        reads = VersionReads(read, refuse)
        stuck = asyncio.create_task(reads.current())
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        breaker_open[0] = True  # the database hung under the read in flight
        try:
            await reads.current()
            raise AssertionError("queued behind the hung read")
        except RuntimeError as exc:
            assert str(exc) == "database unavailable"
        release.set()
        assert await stuck == 1

    asyncio.run(scenario())
