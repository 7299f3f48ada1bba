"""create_server(config): the master gRPC server with health, reflection and the shared interceptor."""
from __future__ import annotations

import asyncio

from erp_common import contract, db_connect, launch, metrics
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
    migrations ran once in their parent (see erp_common/launch.py)."""
    return launch.serve(launch.Launch(
        "master_svc", config.grpc_addr, config.metrics_addr, config.otlp_endpoint, config.workers,
        prepare=lambda: prepare(config), database=lambda usecases: usecases.stores.db,
        create_server=lambda usecases: create_server(config, usecases)))
