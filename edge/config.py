"""Edge settings, read once from ERP_* environment variables."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from erp_common.secrets import value_or_file

ROOT = Path(__file__).resolve().parent.parent


def _env(name: str, default: str) -> str:
    return os.environ.get(name, default)


def _list(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def _optional_path(value: str) -> Path | None:
    return Path(value) if value else None


def _non_negative(name: str, default: int) -> int:
    value = int(_env(name, str(default)))
    if value < 0:
        raise ValueError(f"{name}={value}: must be 0 or more")
    return value


def _positive_seconds(name: str, default: float) -> float:
    value = float(_env(name, str(default)))
    if value <= 0:
        raise ValueError(f"{name}={value}: must be a positive number of seconds")
    return value


@dataclass(frozen=True)
class EdgeConfig:
    http_addr: str
    admin_addr: str
    auth_addrs: list[str]
    master_addrs: list[str]
    cors_origins: list[str]
    edge_secret: str
    jwt_issuer: str
    jwt_audience: str
    max_body_bytes: int
    login_rate_per_minute: int
    refresh_rate_per_minute: int
    docs_dir: Path
    otlp_endpoint: str
    cors_max_age: int
    jwks_cache_seconds: int
    jwks_refetch_seconds: int
    bench_body_file: Path | None
    trusted_hops: int
    request_timeout: float

    @classmethod
    def from_env(cls) -> "EdgeConfig":
        return cls(
            http_addr=_env("ERP_EDGE_HTTP_ADDR", "127.0.0.1:8000"),
            admin_addr=_env("ERP_EDGE_ADMIN_ADDR", "127.0.0.1:9901"),
            auth_addrs=_list(_env("ERP_AUTH_GRPC_ADDR", "127.0.0.1:50051")),
            master_addrs=_list(_env("ERP_MASTER_GRPC_ADDR", "127.0.0.1:50052")),
            cors_origins=_list(_env("ERP_CORS_ORIGINS", "http://localhost:3000,http://127.0.0.1:3000")),
            edge_secret=value_or_file(_env("ERP_EDGE_SHARED_SECRET", ""), _env("ERP_EDGE_SHARED_SECRET_FILE", "")),
            jwt_issuer=_env("ERP_JWT_ISSUER", "auth_service"),
            jwt_audience=_env("ERP_JWT_AUDIENCE", "erp"),
            max_body_bytes=int(_env("ERP_MAX_BODY_BYTES", "1048576")),
            login_rate_per_minute=int(_env("ERP_EDGE_LOGIN_RATE_PER_MINUTE", "120")),
            refresh_rate_per_minute=int(_env("ERP_EDGE_REFRESH_RATE_PER_MINUTE", "240")),
            docs_dir=Path(_env("ERP_DOCS_DIR", str(ROOT / "var" / "docs"))),
            otlp_endpoint=_env("OTEL_EXPORTER_OTLP_ENDPOINT", ""),
            cors_max_age=int(_env("ERP_CORS_MAX_AGE", "86400")),
            jwks_cache_seconds=int(_env("ERP_EDGE_JWKS_CACHE_SECONDS", "300")),
            jwks_refetch_seconds=int(_env("ERP_EDGE_JWKS_REFETCH_SECONDS", "5")),
            # Set only by bench/: adds GET /api/bench/ceiling, a direct response behind the same filters.
            bench_body_file=_optional_path(_env("ERP_EDGE_BENCH_BODY_FILE", "")),
            # Proxies in front of the edge that append to X-Forwarded-For (a load balancer: 1); 0 for a
            # client that connects directly (`make run`). The Go gateway reads the same setting.
            trusted_hops=_non_negative("ERP_EDGE_TRUSTED_HOPS", 0),
            # Seconds a client has to send a whole request (headers and body); both edges.
            request_timeout=_positive_seconds("ERP_EDGE_REQUEST_TIMEOUT", 30.0),
        )
