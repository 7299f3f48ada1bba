"""serve(Launch(...)): how a service process runs, the same for auth_svc and master_svc.

One process (`ERP_WORKERS=1`) prepares (migrations, keys, bootstrap) and serves; with more, the parent
prepares once and supervises the workers, which serve what it prepared (erp_common/workers.py). Either
way a serving process traces, exports or samples its database metrics, follows the database's health
and stops on SIGTERM/SIGINT. A service gives only what is its own: how to prepare, where its database
is, how to build its server, and what to tell the operator once it is prepared.
"""
from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass
from typing import Any, Callable, Generic, TypeVar

from erp_common import db_connect, metrics, tracing, workers
from erp_common.server import ServingServer

T = TypeVar("T")


def _say_nothing(prepared: Any) -> None:
    return None


@dataclass(frozen=True)
class Launch(Generic[T]):
    name: str  # the process name in logs and messages: "auth_svc"
    grpc_addr: str
    metrics_addr: str
    otlp_endpoint: str | None
    workers: int
    prepare: Callable[[], T]  # the one-time start-up work; returns what the servers are built on
    database: Callable[[T], Any]  # the peewee database inside what prepare returned
    create_server: Callable[[T], ServingServer]
    # Told once: after the server starts in a single process, before the workers fork otherwise.
    announce: Callable[[T], None] = _say_nothing


def serve(launch: Launch[T]) -> int:
    """`python -m <service> serve`: one process, or `launch.workers` worker processes after the
    start-up work ran once in their parent."""
    if launch.workers == 1:
        asyncio.run(_serve_one(launch))
        return 0

    def prepare_once() -> T:
        prepared = launch.prepare()
        db_connect.close_for_fork(launch.database(prepared))
        launch.announce(prepared)
        return prepared

    return workers.run_service(launch.name, launch.workers, launch.grpc_addr, launch.metrics_addr,
                               prepare_once, lambda prepared: serve_prepared(launch, prepared))


async def _serve_one(launch: Launch[T]) -> None:
    prepared = await asyncio.to_thread(launch.prepare)
    await serve_prepared(launch, prepared, announce=True)


async def serve_prepared(launch: Launch[T], prepared: T, announce: bool = False) -> None:
    """One serving process: the single one (which announces), or a worker (whose parent announced and
    serves the metrics)."""
    tracer_provider = tracing.setup(launch.name, launch.otlp_endpoint)
    database = launch.database(prepared)
    if workers.is_worker():
        sampler = asyncio.create_task(metrics.sample_database(database))
    else:
        metrics.watch_database(database)
        metrics.serve(launch.metrics_addr)
    server = launch.create_server(prepared)
    server.follow_database(database)
    await server.start()
    if announce:
        launch.announce(prepared)
    print(f"{launch.name}: listening on {launch.grpc_addr.rsplit(':', 1)[0]}:{server.port}"
          f"{f' (worker {os.getpid()})' if workers.is_worker() else ''}", flush=True)
    await server.serve_until_signal()
    if workers.is_worker():
        sampler.cancel()
    if tracer_provider:
        tracer_provider.shutdown()
