"""Metrics, traces and logs of the running mesh: what an operator's Prometheus and trace collector see."""
from __future__ import annotations

import json
import os
import uuid

import pytest

from erp_testing.otlp import OtlpCollector
from erp_testing.prometheus import scrape
from tests.support.http import Http
from tools.mesh import Mesh

pytestmark = pytest.mark.e2e

CONTINENTS = "erp.master.v1.ContinentService"
SERVER, CLIENT = 2, 3  # opentelemetry.proto.trace.v1.Span.SpanKind


def test_rpcs_are_counted_and_timed_by_service_method_and_code(mesh, envoy_http, admin_token):
    before = scrape(mesh.master_metrics_addr)
    status, _, created = envoy_http.post("/api/master/continents/", {"name": f"Metrics {uuid.uuid4().hex[:8]}"},
                                         token=admin_token)
    assert status == 200, created
    assert envoy_http.get(f"/api/master/continents/{uuid.uuid4().hex}/", token=admin_token)[0] == 404
    assert envoy_http.get(f"/api/master/continents/{created['id']}/", token=admin_token)[0] == 200
    after = scrape(mesh.master_metrics_addr)

    def delta(name, **labels):
        return after.value(name, **labels) - before.value(name, **labels)

    assert delta("erp_rpc_requests_total", service=CONTINENTS, method="CreateContinent", code="OK") == 1
    assert delta("erp_rpc_requests_total", service=CONTINENTS, method="GetContinent", code="OK") == 1
    assert delta("erp_rpc_requests_total", service=CONTINENTS, method="GetContinent", code="NOT_FOUND") == 1
    assert delta("erp_rpc_duration_seconds_count", service=CONTINENTS, method="GetContinent") == 2
    assert delta("erp_rpc_duration_seconds_bucket", service=CONTINENTS, method="CreateContinent", le="+Inf") == 1
    assert delta("erp_rpc_duration_seconds_sum", service=CONTINENTS, method="CreateContinent") > 0
    # The edge's gRPC health checks are RPCs too, under their own labels.
    assert after.value("erp_rpc_requests_total", service="grpc.health.v1.Health", method="Check", code="OK") > 0


def test_login_outcomes_are_counted(mesh, envoy_http):
    before = scrape(mesh.auth_metrics_addr)
    envoy_http.login()
    status, _, _ = envoy_http.post("/api/auth/login/", {"username": f"nobody-{uuid.uuid4().hex[:8]}",
                                                        "password": "wrong-password"})
    assert status == 401
    assert envoy_http.post("/api/auth/login/", {"username": "", "password": ""})[0] == 400
    after = scrape(mesh.auth_metrics_addr)
    outcomes = {o: after.value("erp_auth_login_total", outcome=o) - before.value("erp_auth_login_total", outcome=o)
                for o in ("success", "invalid_credentials", "locked", "mfa_required")}
    assert outcomes == {"success": 1, "invalid_credentials": 1, "locked": 0, "mfa_required": 0}
    assert (after.value("erp_rpc_requests_total", service="erp.auth.v1.AuthService", method="Login",
                        code="INVALID_ARGUMENT")
            - before.value("erp_rpc_requests_total", service="erp.auth.v1.AuthService", method="Login",
                           code="INVALID_ARGUMENT")) == 1


def test_database_pool_use_is_read_at_scrape_time(mesh, envoy_http, admin_token):
    assert envoy_http.get("/api/master/continents/", token=admin_token)[0] == 200
    for addr in (mesh.auth_metrics_addr, mesh.master_metrics_addr):
        samples = scrape(addr)
        pools = {labels for name, labels in samples if name == "erp_db_pool_connections"}
        assert {dict(labels)["state"] for labels in pools} == {"in_use", "idle"}
        database = dict(next(iter(pools)))["database"]
        in_use = samples.value("erp_db_pool_connections", database=database, state="in_use")
        idle = samples.value("erp_db_pool_connections", database=database, state="idle")
        # Each storage worker thread keeps its connection between calls (erp_common.db.run_in_worker),
        # and a revocation poll may hold one more: never more than the thread pool plus one, in each
        # worker process (their pools are summed; the limit is each one's).
        threads = min(32, (os.cpu_count() or 1) + 4)
        processes = samples.value("erp_workers") if samples.has("erp_workers") else 1
        assert 1 <= in_use + idle and in_use <= (threads + 1) * processes, (in_use, idle, processes)
        assert samples.value("erp_db_pool_max_connections", database=database) == 32
        assert samples.has("process_cpu_seconds_total")


@pytest.fixture(scope="module")
def traced_mesh():
    """A mesh of its own (SQLite is enough) exporting traces to an in-process OTLP collector."""
    collector = OtlpCollector().start()
    mesh = Mesh.on_free_ports("erp-traced-", edges=("envoy",),
                extra_env={"OTEL_EXPORTER_OTLP_ENDPOINT": collector.endpoint, "OTEL_BSP_SCHEDULE_DELAY": "200",
                           "ERP_ADMIN_PASSWORD": "Traced-Passw0rd!", "ERP_BCRYPT_ROUNDS": "4"})
    try:
        mesh.start()
        yield mesh, collector
    finally:
        mesh.stop()
        collector.stop()


def test_one_rest_call_is_one_trace_across_edge_service_and_database(traced_mesh):
    mesh, collector = traced_mesh
    http = Http(f"http://{mesh.edge_addr}")
    token = http.login("admin", "Traced-Passw0rd!")["access_token"]
    status, headers, _ = http.get("/api/master/continents/?search=traced", token=token)
    assert status == 200
    request_id = headers["x-request-id"]

    def edge_span(spans):
        return [s for s in spans if s.service == "erp-edge" and s.attributes.get("guid:x-request-id") == request_id]

    # Envoy flushes its spans every 5 s; the services every 200 ms (OTEL_BSP_SCHEDULE_DELAY).
    spans = collector.wait_for(lambda spans: edge_span(spans) and any(
        s.service == "master_svc" and s.trace_id == edge_span(spans)[0].trace_id for s in spans))
    (edge,) = edge_span(spans)
    trace = [s for s in spans if s.trace_id == edge.trace_id]
    by_id = {s.span_id: s for s in trace}
    assert edge.parent_span_id == "" and edge.attributes["upstream_cluster"] == "master"

    (server,) = [s for s in trace if s.service == "master_svc" and s.kind == SERVER]
    assert server.name == f"{CONTINENTS}/ListContinents"
    assert server.attributes["rpc.grpc.status_code"] == 0
    assert by_id[server.parent_span_id].service == "erp-edge"  # the traceparent Envoy sent upstream

    queries = [s for s in trace if s.service == "master_svc" and s.kind == CLIENT]
    assert queries and all(q.parent_span_id == server.span_id for q in queries)
    assert {q.attributes["db.operation.name"] for q in queries} == {"SELECT"}
    assert all("traced" not in q.attributes["db.query.text"] for q in queries)  # values are never recorded

    # The service's JSON access line names the same request and trace. (Envoy's names them too, as
    # request_id and trace_id, but it flushes its log file only every 10 s.)
    def log_lines(name):
        return [json.loads(line) for line in (mesh.state_dir / "log" / f"{name}.log").read_text().splitlines()
                if line.startswith("{")]

    (access,) = [e for e in log_lines("master_svc") if e.get("logger") == "erp.access"
                 and e.get("request_id") == request_id]
    assert access["trace_id"] == edge.trace_id and access["span_id"] == server.span_id
    assert access["method"] == f"/{CONTINENTS}/ListContinents" and access["code"] == "OK"


def test_health_checks_make_no_traces(traced_mesh):
    _, collector = traced_mesh
    assert not [s for s in collector.spans if "Health" in s.name]
