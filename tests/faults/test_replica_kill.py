"""One of two master_svc replicas SIGKILLed under load behind Envoy: the other serves. Only calls in
flight at the moment of the kill may fail (a write the dead replica was running: Envoy must not
replay it elsewhere); every call made afterwards succeeds, reads and writes, and the replica is
used again once restarted."""
from __future__ import annotations

import itertools

from erp_testing.prometheus import scrape
from tests.support.faults import Load, kill_replica_under_load, latency_figures, report, unique, wait_until
from tests.support.http import RestClient

REST_DEADLINE = 15.0
AFTER_KILL_SECONDS = 3.0
CLIENT_THREADS = 5

def _served_lists(metrics_addr: str) -> float:
    return scrape(metrics_addr).value("erp_rpc_requests_total", service="erp.master.v1.ContinentService",
                                      method="ListContinents", code="OK")


def test_killing_a_master_replica_under_load(faults):
    token = faults.login()["access_token"]
    edge = RestClient(faults.edge, REST_DEADLINE)
    prefix, counter = unique("replica-kill"), itertools.count()
    load = Load(max_seconds=30)
    for _ in range(3):
        load.add("rest-create", lambda n: edge("POST", "/api/master/continents/", {"name": n}, token),
                 REST_DEADLINE, key=lambda: f"{prefix}-{next(counter)}")
    for _ in range(2):
        load.add("rest-list", lambda _: edge("GET", "/api/master/continents/?page_size=5", token=token),
                 REST_DEADLINE)
    victim, survivor = faults.replicas("master_svc")
    load.start()
    try:
        wait_until(lambda: sum(c.ok for c in load.all()) >= 40, 15, "load running on both replicas")
        victim_metrics = victim.env["ERP_MASTER_METRICS_ADDR"]
        kill = kill_replica_under_load(faults, load, victim, lambda: _served_lists(victim_metrics),
                                       AFTER_KILL_SECONDS, timeout=10)
    finally:
        load.stop()

    calls = load.all()
    failed = [c for c in calls if not c.ok]
    at_kill, after_kill = kill.split(failed)
    # Failures only among the calls in flight when the replica died (each client thread had at most
    # one), answered 503, and none once Envoy has seen the connection go.
    assert len(at_kill) <= CLIENT_THREADS, (len(at_kill), kill.in_flight)
    assert not after_kill, after_kill[:5]
    assert all(c.outcome == "503" and c.body.get("status") == "UNAVAILABLE" for c in failed), failed[:5]
    assert kill.served_after >= 20 and survivor.proc.poll() is None
    # A write that failed may have committed on the dead replica; an acknowledged one is stored.
    creates = [c for c in calls if c.kind == "rest-create"]
    acknowledged = {c.key for c in creates if c.ok}
    stored = {n for (n,) in faults.sql(faults.master_db, "SELECT name FROM master_continent WHERE name LIKE %s",
                                       (prefix + "-%",))}
    assert acknowledged <= stored
    report("replica_kill", {
        "calls": len(calls), "client_calls_in_flight_at_kill": kill.in_flight,
        "failed_at_kill": len(at_kill), "failed_after_kill_noticed": len(after_kill), "calls_after_kill": kill.served_after,
        "failed_kinds": sorted({c.kind for c in failed}),
        "writes_acknowledged": len(acknowledged), "acknowledged_stored": len(acknowledged & stored),
        "unacknowledged_but_stored": len({c.key for c in creates if not c.ok} & stored),
        "success_latency": latency_figures([c.seconds for c in calls if c.ok]),
        "restarted_replica_serving_after_s": round(kill.back_after, 2),
    })
