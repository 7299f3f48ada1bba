"""Prometheus metrics shared by the services: RPC counts and latencies (fed by the ServiceInterceptor's
observer hook), the database pool and its circuit breaker read at scrape time, and the `/metrics` endpoint on its own port."""
from __future__ import annotations

import logging
from typing import Iterable

import grpc
import peewee
from prometheus_client import REGISTRY, Counter, Histogram, start_http_server
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from playhouse.pool import PooledDatabase

from erp_common.breaker import STATE_VALUES
from erp_common.db import breaker_for

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


def watch_database(database: peewee.Database) -> None:
    REGISTRY.register(DatabasePoolCollector(database))


def serve(addr: str):
    """Starts `/metrics` on `host:port` in a daemon thread; an empty address turns it off.
    Returns the HTTP server (its `server_port` is the bound port), or None."""
    if not addr:
        return None
    host, _, port = addr.rpartition(":")
    # An address without a host (":9451") asks for every interface: the operator's explicit choice, for a
    # scraper in another pod; the default is 127.0.0.1.
    every_interface = "0.0.0.0"  # nosec B104 # only for an address that names no host
    server, _thread = start_http_server(int(port), addr=host.strip("[]") or every_interface)
    logger.info("metrics on http://%s:%s/metrics", host, server.server_port)
    return server
