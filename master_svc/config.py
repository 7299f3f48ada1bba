"""Master service settings, read once from ERP_* environment variables. Defaults suit `make run`."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from erp_common.settings import STATE_DIR, Env, Shared, auth_upstreams, master_listen_addr
from erp_common.workers import parse_count


@dataclass(frozen=True)
class MasterConfig:
    grpc_addr: str
    metrics_addr: str
    db_url: str
    auth_addr: str
    jwt_issuer: str
    jwt_audience: str
    edge_secret: str
    revocation_poll_seconds: float
    change_feed_heartbeat_seconds: float
    log_level: str
    otlp_endpoint: str
    workers: int

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "MasterConfig":
        """From `environ` (default: this process's environment)."""
        return cls.read(Env(environ))

    @classmethod
    def read(cls, env: Env) -> "MasterConfig":
        shared = Shared.read(env)
        return cls(
            grpc_addr=master_listen_addr(env),
            metrics_addr=env.str("ERP_MASTER_METRICS_ADDR", "127.0.0.1:9452"),
            db_url=env.str("ERP_MASTER_DB_URL", f"sqlite:///{(STATE_DIR / 'master.sqlite3').absolute()}"),
            # The JWK set and the revocation feed come from the first auth replica listed.
            auth_addr=auth_upstreams(env)[0],
            jwt_issuer=shared.jwt_issuer,
            jwt_audience=shared.jwt_audience,
            edge_secret=shared.edge_secret,
            revocation_poll_seconds=env.float("ERP_REVOCATION_POLL_SECONDS", 0.5),
            # A quiet change feed sends a heartbeat this often, well inside Envoy's 300 s stream idle
            # timeout and the 30-60 s idle limits of common load balancers.
            change_feed_heartbeat_seconds=env.float("ERP_CHANGE_FEED_HEARTBEAT_SECONDS", 15),
            log_level=env.str("ERP_LOG_LEVEL", "INFO"),
            otlp_endpoint=shared.otlp_endpoint,
            workers=parse_count(env.str("ERP_WORKERS", "")),
        )
