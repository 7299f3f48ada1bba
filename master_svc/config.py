"""Master service settings, read once from ERP_* environment variables. Defaults suit `make run`."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from erp_common.secrets import value_or_file
from erp_common.workers import parse_count

ROOT = Path(__file__).resolve().parent.parent


def _env(name: str, default: str) -> str:
    return os.environ.get(name, default)


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
    def from_env(cls) -> "MasterConfig":
        return cls(
            grpc_addr=_env("ERP_MASTER_GRPC_ADDR", "127.0.0.1:50052"),
            metrics_addr=_env("ERP_MASTER_METRICS_ADDR", "127.0.0.1:9452"),
            db_url=_env("ERP_MASTER_DB_URL", f"sqlite:///{ROOT / 'var' / 'master.sqlite3'}"),
            auth_addr=_env("ERP_AUTH_GRPC_ADDR", "127.0.0.1:50051").split(",")[0].strip(),
            jwt_issuer=_env("ERP_JWT_ISSUER", "auth_service"),
            jwt_audience=_env("ERP_JWT_AUDIENCE", "erp"),
            edge_secret=value_or_file(_env("ERP_EDGE_SHARED_SECRET", ""), _env("ERP_EDGE_SHARED_SECRET_FILE", "")),
            revocation_poll_seconds=float(_env("ERP_REVOCATION_POLL_SECONDS", "0.5")),
            # A quiet change feed sends a heartbeat this often, well inside Envoy's 300 s stream idle
            # timeout and the 30-60 s idle limits of common load balancers.
            change_feed_heartbeat_seconds=float(_env("ERP_CHANGE_FEED_HEARTBEAT_SECONDS", "15")),
            log_level=_env("ERP_LOG_LEVEL", "INFO"),
            otlp_endpoint=_env("OTEL_EXPORTER_OTLP_ENDPOINT", ""),
            workers=parse_count(_env("ERP_WORKERS", "")),
        )
