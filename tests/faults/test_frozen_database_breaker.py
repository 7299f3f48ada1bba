"""MariaDB hung (SIGSTOP) under load with the driver's DEFAULT timeouts (no `?read_timeout=` in the
URL): each replica's circuit breaker opens when its database probe gets no answer, and from then on
every call fails at once, without waiting for a worker thread, as 503 JSON with Retry-After through
Envoy and UNAVAILABLE directly. The calls caught on the hung server before that end within their own
deadline (a short gRPC deadline cuts the driver's wait). Once the database thaws the same processes
serve again within a second or two.
"""
from __future__ import annotations

import itertools
import statistics
import threading
import time

import pytest

from tests.support.faults import (ADMIN_PASSWORD, AUTH_HEALTH_NAME, MASTER_HEALTH_NAME, Load, continent_stub,
                                  create_continent_grpc, health, latency_figures, list_continents_grpc, report, unique,
                                  wait_until)
from tests.support.http import RestClient

REST_DEADLINE = 15.0
# Shorter than the driver's default read timeout (10 s): a call caught on the hung server gives up
# at the caller's deadline, not at the driver's.
GRPC_DEADLINE = 3.0
FROZEN_AFTER_OPEN_SECONDS = 4.0
# Once the breaker is open a refusal costs no database work: the service answers in about a
# millisecond. The median must be well under the 100 ms target; the bounds on every call leave room
# for a loaded 2-core machine (the client's own threads included) and, through Envoy, for its two
# retries of a read on the other replica (50-500 ms back-off).
FAST_FAIL_MEDIAN = 0.05
FAST_FAIL_BOUND = {"grpc": 0.3, "rest": 1.0}
RECOVERY_BOUND = 2.5
DB_URL_VARS = ("ERP_AUTH_DB_URL", "ERP_MASTER_DB_URL")


@pytest.fixture
def default_timeouts(faults):
    """The service replicas restarted with database URLs that set no driver timeouts, and put back
    as the package's mesh has them afterwards."""
    services = faults.replicas("auth_svc") + faults.replicas("master_svc")
    saved = {p.name: dict(p.env) for p in services}

    def restart_all(env_for):
        for p in services:
            faults.kill(p)
            p.env = env_for(p)
        for p in services:
            faults.restart(p)
        faults.heal()

    restart_all(lambda p: {k: (v.split("?", 1)[0] if k in DB_URL_VARS else v) for k, v in p.env.items()})
    try:
        assert all("?" not in p.env[k] for p in services for k in DB_URL_VARS if k in p.env)
        yield faults
    finally:
        faults.db.thaw()
        restart_all(lambda p: saved[p.name])


def _clean_503(call) -> bool:
    body = call.body
    return (isinstance(body, dict) and body.get("code") == 503 and body.get("status") == "UNAVAILABLE"
            and body.get("message", "").startswith("database unavailable") and "Traceback" not in body["message"])


def test_frozen_database_fails_fast_once_the_breaker_opens(default_timeouts):
    faults = default_timeouts
    token = faults.login()["access_token"]
    masters = faults.replicas("master_svc")
    replicas = [(faults.grpc_addr(p), MASTER_HEALTH_NAME) for p in masters] + [
        (faults.grpc_addr(p), AUTH_HEALTH_NAME) for p in faults.replicas("auth_svc")]
    edge = RestClient(faults.edge, REST_DEADLINE, keep_headers=True)
    stub = continent_stub(faults.grpc_addr(masters[0]))
    prefix, counter = unique("frozen"), itertools.count()

    def callers(max_seconds: float) -> Load:
        load = Load(max_seconds=max_seconds)
        load.add("rest-create", lambda n: edge("POST", "/api/master/continents/", {"name": n}, token),
                 REST_DEADLINE, key=lambda: f"{prefix}-r{next(counter)}")
        load.add("rest-list", lambda _: edge("GET", "/api/master/continents/?page_size=5", token=token),
                 REST_DEADLINE, pause=0.02)
        load.add("rest-login", lambda _: edge("POST", "/api/auth/login/", {"username": "admin",
                                                                          "password": ADMIN_PASSWORD}),
                 REST_DEADLINE, pause=0.05)
        load.add("grpc-create", create_continent_grpc(stub, token, GRPC_DEADLINE), GRPC_DEADLINE,
                 key=lambda: f"{prefix}-g{next(counter)}")
        load.add("grpc-list", list_continents_grpc(stub, token, GRPC_DEADLINE), GRPC_DEADLINE, pause=0.02)
        return load

    kinds = sorted({"rest-create", "rest-list", "rest-login", "grpc-create", "grpc-list"})
    # Callers throughout (some are caught on the hung server before the breaker opens and wait
    # for their deadline or the driver's timeout), and fresh ones while the breaker is open.
    load, fresh = callers(40), callers(FROZEN_AFTER_OPEN_SECONDS + 5)
    load.start()
    try:
        wait_until(lambda: all(any(c.ok for c in load.of(k)) for k in kinds), 15, "every kind of call served")
        faults.db.freeze()
        frozen_at = time.monotonic()
        # Each replica's breaker opens with the probe verdict that turns its health name NOT_SERVING.
        opened = [wait_until(lambda a=addr, n=name: health(a, n) == "NOT_SERVING" and time.monotonic(), 6,
                             f"{addr} NOT_SERVING") for addr, name in replicas]
        open_at = time.monotonic()
        fresh.start()
        threading.Event().wait(FROZEN_AFTER_OPEN_SECONDS)
        fresh.stop()
        thaw_at = time.monotonic()
        faults.db.thaw()
        recovered = {k: wait_until(lambda k=k: next((c.ended - thaw_at for c in load.of(k)
                                                     if c.ok and c.started >= thaw_at), None), 10, f"{k} recovers")
                     for k in kinds}
        threading.Event().wait(1.0)  # normal service for a moment
    finally:
        fresh.stop()
        load.stop()

    calls = load.all() + fresh.all()
    # Nothing outlived its deadline, and no 504: the edge never had to give up on a service.
    late = [c for c in calls if c.seconds > c.deadline + 0.5 or c.outcome in ("TIMEOUT", "504")]
    assert not late, late[:5]
    odd = [c for c in calls if c.outcome not in ("200", "OK", "503", "UNAVAILABLE", "DEADLINE_EXCEEDED")]
    assert not odd, odd[:5]
    # DEADLINE_EXCEEDED only for a call caught on the hung server before the breaker opened, at its
    # own deadline.
    expired = [c for c in calls if c.outcome == "DEADLINE_EXCEEDED"]
    assert all(c.started < open_at and c.seconds >= c.deadline - 0.2 for c in expired), expired[:5]

    # After the breaker opened and before the thaw, every call failed, and fast.
    # (A read Envoy retries may be answered after the thaw: only calls that ended before it count.)
    during = [c for c in calls if c.started >= open_at and c.ended <= thaw_at]
    assert {c.kind for c in during} == set(kinds), {c.kind for c in during}
    assert all(c.outcome in ("503", "UNAVAILABLE") for c in during), [c for c in during if c.ok][:5]
    rest_during = [c for c in during if c.kind.startswith("rest")]
    grpc_during = [c for c in during if c.kind.startswith("grpc")]
    assert all(_clean_503(c) and c.headers.get("retry-after") == "1" for c in rest_during), rest_during[:3]
    slow = [c for c in during if c.seconds > FAST_FAIL_BOUND[c.kind.split("-")[0]]]
    assert not slow, slow[:5]
    assert statistics.median(c.seconds for c in during) < FAST_FAIL_MEDIAN

    # Back without a restart, promptly, and nothing started a moment after the thaw failed.
    assert all(p.proc.poll() is None for p in faults.mesh.processes)
    assert max(recovered.values()) < RECOVERY_BOUND, recovered
    after = [c for c in calls if c.started >= thaw_at + RECOVERY_BOUND and not c.ok]
    assert not after, after[:5]
    for addr, name in replicas:
        assert health(addr, name) == "SERVING"

    caught = [c for c in calls if not c.ok and c.started < open_at]
    report("frozen_database_breaker", {
        "driver_timeouts": "defaults (connect 5 s, read/write 10 s)",
        "breaker_open_after_freeze_s": round(open_at - frozen_at, 2),
        "first_replica_open_after_freeze_s": round(min(opened) - frozen_at, 2),
        "calls": len(calls), "calls_while_open": len(during),
        "fail_fast_grpc_direct": latency_figures([c.seconds for c in grpc_during]),
        "fail_fast_rest_via_envoy": latency_figures([c.seconds for c in rest_during]),
        "caught_before_open": latency_figures([c.seconds for c in caught]),
        "caught_before_open_outcomes": sorted({c.outcome for c in caught}),
        "recovered_after_thaw_s": {k: round(v, 2) for k, v in recovered.items()},
    })
