"""The loopback soak of bench/soak.py, bounded to 30 s inside `make test` (`make soak` runs 5 minutes at
the production bcrypt cost): mixed logins, refreshes, lists and writes through Envoy, no failed
request, every kind of operation exercised, and no process whose memory keeps growing.

The leak bound (bench/soak.py) asks for both growth after the warm-up above max(8 MiB, 10 %) and a
slope above 2 MiB/min over the run's second half. Noise moves one of them, a leak both: the first
10 s (seeded caches, connection pools, the JWT caches of Envoy and of the services filling) are
discarded, and what is left moves in allocator steps of about 1 MiB. In 30 s this catches what
retains roughly 10 kB per request or more (8 MiB over the ~1,200 requests after the warm-up); the
5-minute `make soak` judges the slope over 150 s and catches slower leaks. bcrypt runs at cost 4
here: at cost 12 the logins alone would take half a core from the other tests."""
from __future__ import annotations

import pytest

from bench import soak

pytestmark = pytest.mark.slow

SECONDS, WARMUP, RATE = 30.0, 10.0, 60.0


@pytest.fixture(scope="module")
def report() -> dict:
    result = soak.run_soak(seconds=SECONDS, rate=RATE, threads=16, rounds=4, warmup=WARMUP)
    soak.write_report(result, soak.ROOT / "var" / "reports" / "soak-test.json")
    print(soak.table(result))
    return result


def test_no_request_fails(report):
    failed = {kind: op["errors_by_status"] for kind, op in report["operations"].items() if op["errors"]}
    assert report["totals"]["errors"] == 0, failed


def test_every_kind_of_operation_is_exercised(report):
    succeeded = {kind: op["count"] - op["errors"] for kind, op in report["operations"].items()}
    assert set(succeeded) == set(soak.MIX)
    assert all(n > 0 for n in succeeded.values()), succeeded
    assert report["totals"]["completed"] >= 0.5 * SECONDS * RATE, "the mesh served too little to judge"


def test_memory_of_every_process_is_bounded(report):
    processes = report["processes"]
    assert set(soak.MEASURED) <= set(processes), sorted(processes)
    for name in soak.MEASURED:
        samples = report["samples"][name]
        assert len(samples) >= SECONDS - 5, f"{name}: {len(samples)} RSS samples"
        assert not processes[name]["leak"], f"{name}: {processes[name]}"


def series(seconds: float, rss) -> list[tuple[float, float]]:
    return [(float(t), rss(t)) for t in range(int(seconds) + 1)]


def test_the_bound_tells_a_leak_from_warm_up_and_allocator_steps():
    def trend(rss, seconds=SECONDS, warmup=WARMUP):
        return soak.memory_trend(series(seconds, rss), warmup, seconds)

    # Caches filling during the warm-up, then flat: bounded.
    assert not soak.leaks(trend(lambda t: 70 + min(t, 9) * 1.5))
    # Flat with one allocator step of 2 MiB late in the run: a steep short slope, little growth.
    assert not soak.leaks(trend(lambda t: 80 + (2 if t >= 25 else 0)))
    # ~10 kB retained per request at 60 requests/s after the warm-up: 12 MiB in 20 s.
    assert soak.leaks(trend(lambda t: 80 + max(t - WARMUP, 0) * 0.6))
    # A slow leak the 30 s run cannot see but five minutes can: 3 MiB/min.
    assert not soak.leaks(trend(lambda t: 80 + t * 0.05))
    assert soak.leaks(trend(lambda t: 80 + t * 0.05, seconds=300, warmup=60))
