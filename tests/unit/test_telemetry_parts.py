"""Metric collectors, the login outcome observer, trace ids in log lines and the edge's tracing block."""
from __future__ import annotations

import json
import logging

import grpc
import peewee
from opentelemetry import trace
from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags
from playhouse.pool import PooledSqliteDatabase
from prometheus_client import CollectorRegistry

from auth_svc.metrics import LOGINS, observe_login
from edge.render import tracing, tracing_cluster
from erp_common import tracing as erp_tracing
from erp_common.logs import JsonFormatter
from erp_common.db import breaker_for
from erp_common.metrics import DatabasePoolCollector, split_method
from erp_common.server import CallContext, call_var


def _pool_samples(database) -> dict:
    registry = CollectorRegistry()
    registry.register(DatabasePoolCollector(database))
    return {(s.name, tuple(sorted(s.labels.items()))): s.value for m in registry.collect() for s in m.samples}


def test_pool_gauges_follow_checkouts():
    db = PooledSqliteDatabase(":memory:", max_connections=4)
    name = ":memory:"
    in_use, idle = (("erp_db_pool_connections", (("database", name), ("state", s))) for s in ("in_use", "idle"))
    assert _pool_samples(db)[in_use] == 0
    db.connect()
    assert (_pool_samples(db)[in_use], _pool_samples(db)[idle]) == (1, 0)
    db.close()
    samples = _pool_samples(db)
    assert (samples[in_use], samples[idle]) == (0, 1)
    assert samples[("erp_db_pool_max_connections", (("database", name),))] == 4


def test_unpooled_database_reports_its_breaker_only():
    db = peewee.SqliteDatabase(":memory:")
    state = ("erp_db_breaker_state", (("database", ":memory:"),))
    assert _pool_samples(db) == {state: 0}
    breaker_for(db).probe(False)
    assert _pool_samples(db) == {state: 2}


def test_split_method():
    assert split_method("/erp.master.v1.ContinentService/GetContinent") == (
        "erp.master.v1.ContinentService", "GetContinent")


def _count(outcome: str) -> float:
    return LOGINS.labels(outcome)._value.get()


def test_login_outcomes_come_from_codes_and_the_call_outcome():
    before = {o: _count(o) for o in ("success", "invalid_credentials", "locked", "mfa_required")}
    login = "/erp.auth.v1.AuthService/Login"
    observe_login(login, grpc.StatusCode.OK, 0.1)
    observe_login("/erp.auth.v1.AuthService/VerifyMfaLogin", grpc.StatusCode.UNAUTHENTICATED, 0.1)
    observe_login(login, grpc.StatusCode.RESOURCE_EXHAUSTED, 0.1)
    observe_login(login, grpc.StatusCode.INVALID_ARGUMENT, 0.1)  # an empty form is no attempt
    observe_login("/erp.auth.v1.AuthService/RefreshToken", grpc.StatusCode.OK, 0.1)
    token = call_var.set(CallContext(method=login, request_id="r", client_ip="", user_agent="", token="",
                                     outcome="mfa_required"))
    try:
        observe_login(login, grpc.StatusCode.OK, 0.1)
    finally:
        call_var.reset(token)
    assert {o: _count(o) - n for o, n in before.items()} == {
        "success": 1, "invalid_credentials": 1, "locked": 1, "mfa_required": 1}


def _log_line() -> dict:
    record = logging.LogRecord("erp.access", logging.INFO, __file__, 1, "rpc", None, None)
    return json.loads(JsonFormatter().format(record))


def test_log_lines_carry_the_current_trace_id():
    assert "trace_id" not in _log_line()
    ctx = SpanContext(trace_id=0x4BF92F3577B34DA6A3CE929D0E0E4736, span_id=0x00F067AA0BA902B7, is_remote=True,
                      trace_flags=TraceFlags(TraceFlags.SAMPLED))
    with trace.use_span(NonRecordingSpan(ctx)):
        line = _log_line()
    assert (line["trace_id"], line["span_id"]) == ("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7")


def test_no_endpoint_means_no_sdk():
    assert erp_tracing.setup("test", "") is None


def test_edge_tracing_only_with_an_endpoint():
    assert tracing("") == "" and tracing_cluster("") == ""
    block = tracing("http://collector.monitoring:4317")
    assert "envoy.tracers.opentelemetry" in block and "cluster_name: otel_collector" in block
    cluster = tracing_cluster("http://collector.monitoring:4317")
    assert "type: STRICT_DNS" in cluster and "address: collector.monitoring, port_value: 4317" in cluster
    assert "transport_socket" not in cluster
    # That the x-request-id stays the one the client saw, tracing or not, is checked on the whole
    # rendered config: test_edge_render.test_client_request_ids_are_kept_verbatim_with_or_without_tracing.
    assert "address: 127.0.0.1, port_value: 4317" in tracing_cluster("127.0.0.1")
    tls = tracing_cluster("https://otel.example.com")
    assert "UpstreamTlsContext" in tls and "sni: otel.example.com" in tls and "port_value: 4317" in tls
