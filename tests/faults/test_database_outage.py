"""MariaDB stopped, crashed (SIGKILL) or hung (SIGSTOP) for a few seconds under load, then back.

Client threads write (continents at master_svc, roles at auth_svc, unique names) and read (lists,
logins) through Envoy REST and by direct gRPC with deadlines, while the database is away. During the
outage every call must fail with 503 / UNAVAILABLE (the JSON body of DESIGN.md) well inside its
deadline; afterwards the same processes serve again, every acknowledged write is in the database,
and retrying a failed create never duplicates it. The services' health names follow the database.
The stop trial also sends REST calls through the Go gateway (when built), which must answer alike: the
same 503 body at once, and `Retry-After` from the RetryInfo detail, as Envoy does.
"""
from __future__ import annotations

import itertools
import math
import threading
import time

import pytest

from tests.support.faults import (ADMIN_PASSWORD, AUTH_HEALTH_NAME, MASTER_HEALTH_NAME, Load, continent_stub,
                                  create_continent_grpc, health, latency_figures, list_continents_grpc, report, unique,
                                  wait_until)
from tests.support.http import RestClient, rest

OUTAGE_SECONDS = {"stop": 2.5, "crash": 2.5, "hang": 4.5}
REST_DEADLINE, GRPC_DEADLINE = 15.0, 10.0
# How long a failing call may take. A stopped or crashed server refuses connections, so a call fails
# as fast as it would succeed (the bound leaves room for a loaded 2-core machine). A hung one costs
# the driver's read timeout (3 s in the fault mesh's URL) or connect timeout (2 s), and a call that
# found every worker thread held by the hung server waits for one first; Envoy retries a read twice
# on the other replica, which meets the same hung server.
FAILURE_BOUND = {("stop", "rest"): 2.0, ("stop", "grpc"): 2.0, ("crash", "rest"): 2.0, ("crash", "grpc"): 2.0,
                 ("hang", "rest"): 10.5, ("hang", "grpc"): 6.5}
CREATES = ("rest-create", "grpc-create", "rest-role", "rest-gw-create", "rest-gw-role")
GATEWAY_KINDS = ("rest-gw-create", "rest-gw-role", "rest-gw-list")
RETRY_INFO = "type.googleapis.com/google.rpc.RetryInfo"
# The database circuit breaker closes at the probe's first success: up to one probe interval (1 s)
# after the server answers again, calls still get a clean 503 / UNAVAILABLE with Retry-After.
RESUME_SECONDS = 1.5


def _break(faults, mode: str) -> None:
    {"stop": faults.db.shutdown, "crash": faults.db.kill, "hang": faults.db.freeze}[mode]()


def _repair(faults, mode: str) -> None:
    faults.db.thaw() if mode == "hang" else faults.db.start()


def _is_clean_503(body) -> bool:
    """DESIGN.md's error body, and nothing of a stack trace in it."""
    return (isinstance(body, dict) and body.get("code") == 503 and body.get("status") == "UNAVAILABLE"
            and "Traceback" not in body.get("message", "") and 'File "' not in body.get("message", ""))


@pytest.mark.parametrize("mode", ["stop", "crash", "hang"])
def test_database_outage_under_load(faults, mode):
    token = faults.login()["access_token"]
    master = faults.replicas("master_svc")[0]
    auth = faults.replicas("auth_svc")[0]
    edge = RestClient(faults.edge, REST_DEADLINE, keep_headers=True)
    stub = continent_stub(faults.grpc_addr(master))
    prefix, counter = unique(f"outage-{mode}"), itertools.count()

    def names(tag):
        return lambda: f"{prefix}-{tag}{next(counter)}"

    load = Load(max_seconds=45)
    for i in range(2):
        load.add("rest-create", lambda n: edge("POST", "/api/master/continents/", {"name": n}, token),
                 REST_DEADLINE, key=names(f"r{i}-"))
    load.add("grpc-create", create_continent_grpc(stub, token, GRPC_DEADLINE), GRPC_DEADLINE, key=names("g"))
    load.add("rest-role", lambda n: edge("POST", "/api/auth/roles/", {"name": n}, token), REST_DEADLINE,
             key=names("role"))
    load.add("rest-list", lambda _: edge("GET", "/api/master/continents/?page_size=5", token=token), REST_DEADLINE,
             pause=0.02)
    load.add("grpc-list", list_continents_grpc(stub, token, GRPC_DEADLINE), GRPC_DEADLINE, pause=0.02)
    load.add("rest-login", lambda _: edge("POST", "/api/auth/login/", {"username": "admin",
                                                                      "password": ADMIN_PASSWORD}),
             REST_DEADLINE, pause=0.05)
    kinds = sorted({"rest-create", "grpc-create", "rest-role", "rest-list", "grpc-list", "rest-login"})
    if mode == "stop" and faults.gateway:
        gateway = RestClient(faults.gateway, REST_DEADLINE, keep_headers=True)
        load.add("rest-gw-create", lambda n: gateway("POST", "/api/master/continents/", {"name": n}, token),
                 REST_DEADLINE, key=names("gw"))
        load.add("rest-gw-role", lambda n: gateway("POST", "/api/auth/roles/", {"name": n}, token), REST_DEADLINE,
                 key=names("role-gw"))
        load.add("rest-gw-list", lambda _: gateway("GET", "/api/master/continents/?page_size=5", token=token),
                 REST_DEADLINE, pause=0.02)
        kinds = sorted(kinds + list(GATEWAY_KINDS))

    load.start()
    try:
        wait_until(lambda: all(any(c.ok for c in load.of(k)) for k in kinds), 15, "every kind of call served")
        _break(faults, mode)
        down_at = time.monotonic()
        # Health while the database is away: the services' names go NOT_SERVING, the process-level
        # status (what liveness probes and Envoy's health checks ask) stays SERVING.
        wait_until(lambda: health(faults.grpc_addr(master), MASTER_HEALTH_NAME) == "NOT_SERVING", 5,
                   "master health NOT_SERVING")
        master_detected = time.monotonic() - down_at
        wait_until(lambda: health(faults.grpc_addr(auth), AUTH_HEALTH_NAME) == "NOT_SERVING", 5,
                   "auth health NOT_SERVING")
        overall = (health(faults.grpc_addr(master)), health(faults.grpc_addr(auth)))
        edge_health = rest(faults.edge, "GET", "/api/health", timeout=5)[0]
        threading.Event().wait(max(0.0, down_at + OUTAGE_SECONDS[mode] - time.monotonic()))
        repair_at = time.monotonic()  # the server may answer before _repair returns
        _repair(faults, mode)
        up_at = time.monotonic()
        recovered = {k: wait_until(lambda k=k: next((c.ended - up_at for c in load.of(k)
                                                     if c.ok and c.started >= up_at), None), 15, f"{k} recovers")
                     for k in kinds}
        wait_until(lambda: health(faults.grpc_addr(master), MASTER_HEALTH_NAME) == "SERVING", 5,
                   "master health SERVING again")
        wait_until(lambda: health(faults.grpc_addr(auth), AUTH_HEALTH_NAME) == "SERVING", 5,
                   "auth health SERVING again")
        threading.Event().wait(0.5)  # normal service for a moment after the recovery
    finally:
        load.stop()

    calls = load.all()
    # No call outlived its deadline, and nothing but success or UNAVAILABLE was answered.
    late = [c for c in calls if c.seconds > c.deadline + 0.5 or c.outcome in ("TIMEOUT", "DEADLINE_EXCEEDED", "504")]
    assert not late, late[:5]
    odd = [c for c in calls if c.outcome not in ("200", "OK", "503", "UNAVAILABLE")]
    assert not odd, odd[:5]
    unclean = [c for c in calls if c.outcome == "503" and not _is_clean_503(c.body)]
    assert not unclean, unclean[:5]
    # Both edges turn RetryInfo into Retry-After (whole seconds, rounded up).
    no_retry_after = [c for c in calls if c.outcome == "503" and _retry_after(c.body) != c.headers.get("retry-after")]
    assert not no_retry_after, [(c.kind, c.body, c.headers) for c in no_retry_after[:5]]
    # Every call made while the database was away failed, and quickly.
    during = [c for c in calls if c.started >= down_at and c.ended <= repair_at]
    assert not [c for c in during if c.ok], [c for c in during if c.ok][:5]
    failures = [c for c in calls if not c.ok]
    if mode == "hang":  # the calls it held fail when the driver gives up waiting (its read timeout)
        assert [c for c in failures if c.seconds >= 2.0], failures[:5]
    else:
        assert {c.kind for c in during} == set(kinds), during
    slow = [c for c in failures if c.seconds > FAILURE_BOUND[mode, c.kind.split("-")[0]]]
    assert not slow, slow[:5]
    # Back without a restart: the same processes answer every kind of call, and nothing started
    # once the breakers had seen the database back failed.
    assert all(p.proc.poll() is None for p in faults.mesh.processes)
    after = [c for c in calls if c.started >= up_at + RESUME_SECONDS and not c.ok]
    assert not after, after[:5]
    assert overall == ("SERVING", "SERVING")

    acknowledged, failed, stored = _writes(faults, calls, prefix)
    assert not acknowledged - stored, f"acknowledged but lost: {sorted(acknowledged - stored)[:5]}"
    duplicates = _duplicates(faults, prefix)
    assert not duplicates, duplicates
    assert not _changes_missing(faults, prefix) and not _audit_missing(faults, prefix)
    retried = _retry_failed_creates(faults, token, failed, stored)
    assert not _duplicates(faults, prefix)

    envoy_rest_failures = [c for c in failures if c.kind.startswith("rest") and c.kind not in GATEWAY_KINDS]
    report(f"database_outage_{mode}", {
        "outage_seconds": round(repair_at - down_at, 2), "calls": len(calls), "failed_calls": len(failures),
        "calls_during_outage": len(during),
        "failure_latency_rest": latency_figures([c.seconds for c in envoy_rest_failures]),
        "rest_failed_with_retry_after": len([c for c in envoy_rest_failures if "retry-after" in c.headers]),
        "failure_latency_grpc": latency_figures([c.seconds for c in failures if c.kind.startswith("grpc")]),
        "success_latency": latency_figures([c.seconds for c in calls if c.ok]),
        **(_gateway_figures(calls, down_at, repair_at, recovered) if "rest-gw-list" in kinds else {}),
        "edge_health_during_outage": edge_health,
        "writes_acknowledged": len(acknowledged), "acknowledged_stored": len(acknowledged & stored),
        "writes_failed": len(failed), "unacknowledged_but_stored": len(failed & stored),
        "failed_creates_retried": retried,
        "health_not_serving_after_s": round(master_detected, 2),
        "recovered_after_s": {k: round(v, 2) for k, v in recovered.items()},
    })


def _retry_after(body) -> str | None:
    """The Retry-After an edge owes for this error body: RetryInfo's delay in whole seconds, rounded up."""
    for detail in body.get("details", []) if isinstance(body, dict) else []:
        if detail.get("@type") == RETRY_INFO:
            return str(math.ceil(float(detail["retry_delay"].rstrip("s"))))
    return None


def _gateway_figures(calls, down_at: float, repair_at: float, recovered: dict) -> dict:
    gateway = [c for c in calls if c.kind in GATEWAY_KINDS]
    failures = [c for c in gateway if not c.ok]
    return {"gateway": {
        "calls": len(gateway), "calls_during_outage": len([c for c in gateway if down_at <= c.started
                                                           and c.ended <= repair_at]),
        "failed_calls": len(failures), "failure_latency": latency_figures([c.seconds for c in failures]),
        "failed_with_retry_after": len([c for c in failures if "retry-after" in c.headers]),
        "recovered_after_s": {k: round(recovered[k], 2) for k in GATEWAY_KINDS},
    }}


def _writes(faults, calls, prefix) -> tuple[set, set, set]:
    creates = [c for c in calls if c.kind in CREATES]
    acknowledged = {c.key for c in creates if c.ok}
    failed = {c.key for c in creates if not c.ok}
    like = prefix + "-%"
    stored = {n for (n,) in faults.sql(faults.master_db, "SELECT name FROM master_continent WHERE name LIKE %s", (like,))}
    stored |= {n for (n,) in faults.sql(faults.auth_db, "SELECT name FROM auth_role WHERE name LIKE %s", (like,))}
    return acknowledged, failed, stored


def _duplicates(faults, prefix) -> list:
    like = prefix + "-%"
    return (faults.sql(faults.master_db, "SELECT name, COUNT(*) FROM master_continent WHERE name LIKE %s "
                                         "GROUP BY name HAVING COUNT(*) > 1", (like,))
            + faults.sql(faults.auth_db, "SELECT name, COUNT(*) FROM auth_role WHERE name LIKE %s "
                                         "GROUP BY name HAVING COUNT(*) > 1", (like,)))


def _changes_missing(faults, prefix) -> list:
    """Stored continents without their change-feed event (written in the same transaction)."""
    return faults.sql(faults.master_db, "SELECT c.name FROM master_continent c LEFT JOIN master_change ch "
                                        "ON ch.unique_id = c.unique_id AND ch.kind = 'created' "
                                        "WHERE c.name LIKE %s AND ch.cursor IS NULL", (prefix + "-%",))


def _audit_missing(faults, prefix) -> list:
    """Stored roles without their ROLE_CREATED audit entry."""
    return faults.sql(faults.auth_db, "SELECT r.name FROM auth_role r LEFT JOIN auth_audit_log a "
                                      "ON a.target_type = 'role' AND CAST(a.target_id AS UNSIGNED) = r.id "
                                      "AND a.event_type = 'ROLE_CREATED' WHERE r.name LIKE %s AND a.id IS NULL",
                      (prefix + "-%",))


RETRIED_SAMPLE = 60


def _retry_failed_creates(faults, token, failed: set, stored: set) -> int:
    """A client retries a failed create once: 200 when the first try left nothing, 409 when it did
    commit (the unique name), never a second row. Every failed create that did commit is retried;
    of the others (thousands once the breaker fails them at once), a sample."""
    committed = sorted(failed & stored)
    for name in committed + sorted(failed - stored)[:RETRIED_SAMPLE]:
        path = "/api/auth/roles/" if "-role" in name else "/api/master/continents/"
        status, body = rest(faults.edge, "POST", path, {"name": name}, token, timeout=REST_DEADLINE)
        assert status == (409 if name in stored else 200), (name, status, body)
    return len(committed) + min(len(failed - stored), RETRIED_SAMPLE)
