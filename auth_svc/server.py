"""create_server(config): the auth gRPC server with health, reflection and the shared interceptor."""
from __future__ import annotations

import asyncio

import grpc

from auth_svc.api.servicer import AuthServicer
from auth_svc.config import AuthConfig
from auth_svc.keystore import KeyStore
from auth_svc.storage import migrations, models
from auth_svc.storage.repository import AuthRepository
from auth_svc.usecases import AuthUseCases
from erp.auth.v1 import auth_service_pb2, auth_service_pb2_grpc
from erp_common import db as dbutil
from erp_common.server import ServiceInterceptor, ServingServer, build_server

AUTH = "/erp.auth.v1.AuthService/"
PUBLIC_METHODS = {AUTH + m for m in ("Login", "GetLoginPage", "VerifyMfaLogin", "RefreshToken", "GetJwks",
                                     "ExchangeToken", "WatchRevocations", "ListRevocations")}


def open_database(config: AuthConfig):
    database = dbutil.connect(config.db_url)
    models.database.initialize(database)
    return database


def prepare(config: AuthConfig) -> tuple[AuthUseCases, str | None]:
    """Migrations, keys and bootstrap; returns the use cases and a generated admin password, if any."""
    database = open_database(config)
    dbutil.migrate(database, migrations.MIGRATIONS)
    usecases = AuthUseCases(config, AuthRepository(database), KeyStore(config.keys_dir, activation_seconds=config.key_activation_seconds))
    return usecases, usecases.bootstrap()


def create_server(config: AuthConfig, usecases: AuthUseCases) -> ServingServer:
    async def authenticate(token: str):
        return usecases.verifier.principal(token)

    def register(server: grpc.aio.Server) -> list[str]:
        auth_service_pb2_grpc.add_AuthServiceServicer_to_server(AuthServicer(usecases), server)
        return [auth_service_pb2.DESCRIPTOR.services_by_name["AuthService"].full_name]

    interceptor = ServiceInterceptor(authenticate, PUBLIC_METHODS, edge_secret=config.edge_secret)
    return build_server(config.grpc_addr, register, interceptor)


async def serve(config: AuthConfig) -> None:
    usecases, generated_password = await asyncio.to_thread(prepare, config)
    server = create_server(config, usecases)
    await server.start()
    if generated_password:
        print(f"auth_svc: first admin created: username 'admin', password '{generated_password}' "
              "(shown once; set ERP_ADMIN_PASSWORD to choose it)", flush=True)
    print(f"auth_svc: listening on {config.grpc_addr.rsplit(':', 1)[0]}:{server.port}", flush=True)
    await server.serve_until_signal()
