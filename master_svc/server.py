"""create_server(config): the master gRPC server with health, reflection and the shared interceptor."""
from __future__ import annotations

import asyncio
import os

from erp_common import contract, db_connect, metrics, tracing, workers
from erp_common import migrations as schema
from erp_common.revocation import RevocationList
from erp_common.server import ServiceInterceptor, ServingServer, build_server
from master_svc.api.servicer import register_all
from master_svc.auth_client import make_verifier
from master_svc.config import MasterConfig
from master_svc.storage import migrations, models
from master_svc.usecases import UseCases
from master_svc.usecases.common import Stores


def prepare(config: MasterConfig) -> UseCases:
    """The migrations, then the use cases over the migrated database (the composition root)."""
    database = db_connect.connect(config.db_url)
    models.database.initialize(database)
    schema.migrate(database, migrations.MIGRATIONS)
    return UseCases.build(Stores.over(database))


def create_server(config: MasterConfig, usecases: UseCases) -> ServingServer:
    verifier = make_verifier(config)
    revocations = RevocationList.from_address(config.auth_addr, config.edge_secret,
                                              config.revocation_poll_seconds).start()

    async def authenticate(token: str):
        # A cache hit needs no thread; a miss may fetch the JWK set, so it runs off the loop.
        principal = verifier.cached_principal(token) or await asyncio.to_thread(verifier.principal, token)
        return revocations.check(principal)

    interceptor = ServiceInterceptor(authenticate, contract.access_rules("master"),
                                     edge_secret=config.edge_secret, observers=[metrics.observe_rpc])
    return build_server(config.grpc_addr,
                        lambda server: register_all(server, usecases, config.change_feed_heartbeat_seconds),
                        interceptor)


def serve(config: MasterConfig) -> int:
    """`python -m master_svc serve`: one process, or ERP_WORKERS worker processes after the
    migrations ran once in their parent (see erp_common/workers.py)."""
    if config.workers == 1:
        asyncio.run(_serve_one(config))
        return 0

    def prepare_once() -> UseCases:
        usecases = prepare(config)
        db_connect.close_for_fork(usecases.stores.db)
        return usecases

    return workers.run_service("master_svc", config.workers, config.grpc_addr, config.metrics_addr,
                               prepare_once, lambda usecases: serve_prepared(config, usecases))


async def _serve_one(config: MasterConfig) -> None:
    await serve_prepared(config, await asyncio.to_thread(prepare, config))


async def serve_prepared(config: MasterConfig, usecases: UseCases) -> None:
    """One serving process: the single one, or a worker (whose parent serves the metrics)."""
    tracer_provider = tracing.setup("master_svc", config.otlp_endpoint)
    if workers.is_worker():
        sampler = asyncio.create_task(metrics.sample_database(usecases.stores.db))
    else:
        metrics.watch_database(usecases.stores.db)
        metrics.serve(config.metrics_addr)
    server = create_server(config, usecases)
    server.follow_database(usecases.stores.db)
    await server.start()
    print(f"master_svc: listening on {config.grpc_addr.rsplit(':', 1)[0]}:{server.port}"
          f"{f' (worker {os.getpid()})' if workers.is_worker() else ''}", flush=True)
    await server.serve_until_signal()
    if workers.is_worker():
        sampler.cancel()
    if tracer_provider:
        tracer_provider.shutdown()
