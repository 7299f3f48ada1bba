"""Prometheus metrics shared by the services: RPC counts and latencies (fed by the ServiceInterceptor's
observer hook), the database pool and its circuit breaker read at scrape time, and the `/metrics` endpoint on its own port.

With worker processes (erp_common/workers.py) the workers write their metrics to the parent's
multiprocess directory and the parent serves them summed: one scrape sees the whole service. The
pool and breaker, which a custom collector reads at scrape time in a single process, are copied by
each worker into multiprocess gauges every SAMPLE_SECONDS instead."""
from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Iterable

import grpc
import peewee
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram, ProcessCollector, start_http_server
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector
from playhouse.pool import PooledDatabase

from erp_common.breaker import STATE_VALUES
from erp_common.db import breaker_for

if TYPE_CHECKING:
    from erp_common.workers import Supervisor

logger = logging.getLogger(__name__)

RPC_REQUESTS = Counter("erp_rpc_requests", "RPCs handled, by gRPC service, method and status code.",
                       ["service", "method", "code"])
RPC_DURATION = Histogram("erp_rpc_duration_seconds",
                         "Time from the start of an RPC to its status, by gRPC service and method.",
                         ["service", "method"],
                         buckets=(.002, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30))


def split_method(full_method: str) -> tuple[str, str]:
    """`/erp.master.v1.ContinentService/GetContinent` -> (`erp.master.v1.ContinentService`, `GetContinent`)."""
    service, _, method = full_method.lstrip("/").rpartition("/")
    return service, method


def observe_rpc(full_method: str, code: grpc.StatusCode, seconds: float) -> None:
    """A ServiceInterceptor observer."""
    service, method = split_method(full_method)
    RPC_REQUESTS.labels(service, method, code.name).inc()
    RPC_DURATION.labels(service, method).observe(seconds)


class DatabasePoolCollector(Collector):
    """The state of the database's circuit breaker and the connections of its peewee pool, read when
    Prometheus scrapes. A database without a pool (SQLite) has no pool series."""

    def __init__(self, database: peewee.Database):
        self._database = database

    def collect(self) -> Iterable[GaugeMetricFamily]:
        pool = self._database
        name = str(pool.database or "")
        breaker = GaugeMetricFamily("erp_db_breaker_state", "The database circuit breaker: 0 closed (calls go "
                                    "through), 1 half-open (one trial call), 2 open (calls fail at once).",
                                    labels=["database"])
        breaker.add_metric([name], STATE_VALUES[breaker_for(pool).state])
        yield breaker
        if not isinstance(pool, PooledDatabase):
            return
        connections = GaugeMetricFamily("erp_db_pool_connections",
                                        "Pooled database connections, checked out (in_use) or waiting (idle).",
                                        labels=["database", "state"])
        # Plain len() of a dict and a list: a consistent enough snapshot without taking the pool's lock.
        connections.add_metric([name, "in_use"], len(pool._in_use))
        connections.add_metric([name, "idle"], len(pool._connections))
        yield connections
        limit = GaugeMetricFamily("erp_db_pool_max_connections", "Upper bound of the pool (0: unbounded).",
                                  labels=["database"])
        limit.add_metric([name], pool._max_connections or 0)
        yield limit


SAMPLE_SECONDS = 1.0
# How the workers' copies add up: the pools' connections are summed; the limit is each worker's; the
# breaker shown is the most open one.
WORKER_GAUGE_MODES = {"erp_db_breaker_state": "livemax", "erp_db_pool_connections": "livesum",
                      "erp_db_pool_max_connections": "livemax"}


def watch_database(database: peewee.Database) -> None:
    REGISTRY.register(DatabasePoolCollector(database))


async def sample_database(database: peewee.Database, interval: float = SAMPLE_SECONDS) -> None:
    """In a worker: copies what DatabasePoolCollector reads into multiprocess gauges, every `interval`."""
    collector, gauges = DatabasePoolCollector(database), {}
    while True:
        for family in collector.collect():
            gauge = gauges.get(family.name)
            if gauge is None:
                gauge = gauges[family.name] = Gauge(
                    family.name, family.documentation, labelnames=list(family.samples[0].labels),
                    registry=None, multiprocess_mode=WORKER_GAUGE_MODES[family.name])
            for sample in family.samples:
                gauge.labels(**sample.labels).set(sample.value)
        await asyncio.sleep(interval)


class WorkersCollector(Collector):
    """The parent's view of its workers."""

    def __init__(self, supervisor: "Supervisor"):
        self._supervisor = supervisor

    def collect(self) -> Iterable:
        live = GaugeMetricFamily("erp_workers", "Worker processes of this service running now.")
        live.add_metric([], len(self._supervisor.workers))
        yield live
        restarts = CounterMetricFamily("erp_worker_restarts", "Workers started again after one died.")
        restarts.add_metric([], self._supervisor.restarts)
        yield restarts


def serve_workers(addr: str, supervisor: "Supervisor"):
    """In the parent of worker processes: `/metrics` of all workers together, plus the parent's own
    process metrics and its workers."""
    from prometheus_client import multiprocess
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    ProcessCollector(registry=registry)
    registry.register(WorkersCollector(supervisor))
    return serve(addr, registry)


def serve(addr: str, registry: CollectorRegistry = REGISTRY):
    """Starts `/metrics` on `host:port` in a daemon thread; an empty address turns it off.
    Returns the HTTP server (its `server_port` is the bound port), or None."""
    if not addr:
        return None
    host, _, port = addr.rpartition(":")
    # An address without a host (":9451") asks for every interface: the operator's explicit choice, for a
    # scraper in another pod; the default is 127.0.0.1.
    every_interface = "0.0.0.0"  # nosec B104 # only for an address that names no host
    server, _thread = start_http_server(int(port), addr=host.strip("[]") or every_interface, registry=registry)
    logger.info("metrics on http://%s:%s/metrics", host, server.server_port)
    return server
