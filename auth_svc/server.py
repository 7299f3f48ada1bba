"""create_server(config, app): the auth gRPC server with health, reflection, the shared interceptor and
the revocation feed beside it."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import grpc

from auth_svc.api.admin import AuditServicer, GroupPermissionServicer, PermissionServicer, RoleServicer, UserServicer
from auth_svc.api.servicer import AuthServicer
from auth_svc.config import AuthConfig
from auth_svc.housekeeping import Housekeeping
from auth_svc.keystore import KeyStore
from auth_svc.metrics import observe_login
from auth_svc.revocation_feed import RevocationFeed
from auth_svc.storage import migrations, models
from auth_svc.usecases import Stores, UseCases
from erp.auth.v1 import admin_service_pb2, admin_service_pb2_grpc, auth_service_pb2, auth_service_pb2_grpc
from erp_common import contract, db_connect, launch, metrics, workers
from erp_common import migrations as schema
from erp_common.revocation import RevocationList
from erp_common.secrets import DataKeyring, write_secret_file
from erp_common.server import ServiceInterceptor, ServingServer, build_server

@dataclass
class AuthApp:
    usecases: UseCases
    feed: RevocationFeed
    # Set when bootstrap had to invent the first admin's password (kept in a 0600 file, never logged).
    generated_password: str | None


def initial_password_file(config: AuthConfig) -> Path:
    """Where a generated first-admin password is kept: beside the signing keys, readable by this user
    only (as Jenkins' initialAdminPassword), so that no log ever holds it."""
    return config.keys_dir / "initial-admin-password"


def announce_generated_password(config: AuthConfig, password: str, prefix: str = "") -> None:
    path = initial_password_file(config)
    write_secret_file(path, password)
    print(f"{prefix}first admin created: username 'admin', generated password in {path} (mode 0600; delete it "
          "once the password is changed; set ERP_ADMIN_PASSWORD to choose it)", flush=True)


def open_data_keyring(config: AuthConfig) -> DataKeyring:
    """The TOTP secrets' keyring: ERP_DATA_KEYS_FILE (e.g. a Kubernetes Secret), which must exist, or
    data-keys.json beside the signing keys (0600), made on first start."""
    if config.data_keys_file is not None:
        return DataKeyring.open(config.data_keys_file, create=False)
    return DataKeyring.open(config.keys_dir / "data-keys.json", create=True)


def open_database(config: AuthConfig):
    database = db_connect.connect(config.db_url)
    models.database.initialize(database)
    return database


def prepare(config: AuthConfig) -> AuthApp:
    """Migrations, keys, bootstrap and the revocations in force, before the server starts."""
    database = open_database(config)
    schema.migrate(database, migrations.MIGRATIONS)
    keyring = open_data_keyring(config)
    migrations.encrypt_totp_secrets(database, keyring)
    keys = KeyStore(config.keys_dir, activation_seconds=config.key_activation_seconds)
    stores = Stores.over(database, keyring)
    feed = RevocationFeed(stores, RevocationList(), config.revocation_poll_seconds)

    def notify_revoked() -> None:
        feed.notify()
        workers.notify_siblings()  # the other workers' feeds poll now too (their streams, their checks)

    usecases = UseCases.build(config, stores, keys, notify_revoked=notify_revoked)
    generated_password = usecases.bootstrap()
    feed.load_initial()
    return AuthApp(usecases, feed, generated_password)


class AuthServer(ServingServer):
    """The serving gRPC server; starting and stopping it also starts and ends the revocation feed
    (whose open streams would otherwise hold a graceful stop for its whole grace period) and the
    housekeeping job."""

    def __init__(self, serving: ServingServer, feed: RevocationFeed, housekeeping: Housekeeping):
        super().__init__(serving.server, serving.port, serving.health, serving.service_names)
        self.feed = feed
        self.housekeeping = housekeeping

    async def start(self) -> None:
        await super().start()
        self.feed.start()
        self.housekeeping.start()
        workers.on_sibling_signal(self.feed.notify)

    async def stop(self, grace: float = 10.0) -> None:
        await self.housekeeping.close()
        await self.feed.close()
        await super().stop(grace)


def create_server(config: AuthConfig, app: AuthApp) -> AuthServer:
    usecases, revocations = app.usecases, app.feed.revocations

    async def authenticate(token: str):
        return revocations.check(usecases.verifier.principal(token))

    def register(server: grpc.aio.Server) -> list[str]:
        auth_service_pb2_grpc.add_AuthServiceServicer_to_server(AuthServicer(usecases, app.feed), server)
        admin_service_pb2_grpc.add_UserServiceServicer_to_server(UserServicer(usecases), server)
        admin_service_pb2_grpc.add_RoleServiceServicer_to_server(RoleServicer(usecases), server)
        admin_service_pb2_grpc.add_PermissionServiceServicer_to_server(PermissionServicer(usecases), server)
        admin_service_pb2_grpc.add_GroupPermissionServiceServicer_to_server(GroupPermissionServicer(usecases), server)
        admin_service_pb2_grpc.add_AuditServiceServicer_to_server(AuditServicer(usecases), server)
        admin = admin_service_pb2.DESCRIPTOR.services_by_name
        return [auth_service_pb2.DESCRIPTOR.services_by_name["AuthService"].full_name] + [
            admin[name].full_name for name in ("UserService", "RoleService", "PermissionService",
                                               "GroupPermissionService", "AuditService")]

    interceptor = ServiceInterceptor(authenticate, contract.access_rules("auth"), edge_secret=config.edge_secret,
                                     observers=[metrics.observe_rpc, observe_login])
    return AuthServer(build_server(config.grpc_addr, register, interceptor), app.feed, Housekeeping(usecases.stores))


def _announce(config: AuthConfig, app: AuthApp) -> None:
    if app.generated_password:
        announce_generated_password(config, app.generated_password, prefix="auth_svc: ")


def serve(config: AuthConfig) -> int:
    """`python -m auth_svc serve`: one process, or ERP_WORKERS worker processes after migrations,
    signing key and bootstrap ran once in their parent (see erp_common/launch.py)."""
    return launch.serve(launch.Launch(
        "auth_svc", config.grpc_addr, config.metrics_addr, config.otlp_endpoint, config.workers,
        prepare=lambda: prepare(config), database=lambda app: app.usecases.stores.db,
        create_server=lambda app: create_server(config, app), announce=lambda app: _announce(config, app)))
