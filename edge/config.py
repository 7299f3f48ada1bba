"""Edge settings, read once from ERP_* environment variables."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from erp_common.settings import STATE_DIR, Env, Shared, auth_upstreams, master_upstreams

# The descriptor set `make gen` writes, for `make run` (started in the repository root); the image sets it.
DESCRIPTOR_SET = Path("gen", "envoy", "erp.binpb")


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
    descriptor_set: Path
    otlp_endpoint: str
    cors_max_age: int
    jwks_cache_seconds: int
    jwks_refetch_seconds: int
    trusted_hops: int
    request_timeout: float
    upstream_timeout: float

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "EdgeConfig":
        """From `environ` (default: this process's environment)."""
        return cls.read(Env(environ))

    @classmethod
    def read(cls, env: Env) -> "EdgeConfig":
        shared = Shared.read(env)
        return cls(
            http_addr=env.str("ERP_EDGE_HTTP_ADDR", "127.0.0.1:8000"),
            admin_addr=env.str("ERP_EDGE_ADMIN_ADDR", "127.0.0.1:9901"),
            auth_addrs=auth_upstreams(env),
            master_addrs=master_upstreams(env),
            cors_origins=env.list("ERP_CORS_ORIGINS", "http://localhost:3000,http://127.0.0.1:3000"),
            edge_secret=shared.edge_secret,
            jwt_issuer=shared.jwt_issuer,
            jwt_audience=shared.jwt_audience,
            max_body_bytes=env.int("ERP_MAX_BODY_BYTES", 1048576),
            login_rate_per_minute=env.int("ERP_EDGE_LOGIN_RATE_PER_MINUTE", 120),
            refresh_rate_per_minute=env.int("ERP_EDGE_REFRESH_RATE_PER_MINUTE", 240),
            docs_dir=env.path("ERP_DOCS_DIR", (STATE_DIR / "docs").absolute()),
            # The contract for the JSON transcoder: every service, method and message of protos/. Not
            # *_FILE: in the images that suffix means "a secret's value in this file" (entrypoint.sh).
            descriptor_set=env.path("ERP_EDGE_DESCRIPTOR_SET", DESCRIPTOR_SET.absolute()),
            otlp_endpoint=shared.otlp_endpoint,
            cors_max_age=env.int("ERP_CORS_MAX_AGE", 86400),
            jwks_cache_seconds=env.int("ERP_EDGE_JWKS_CACHE_SECONDS", 300),
            jwks_refetch_seconds=env.int("ERP_EDGE_JWKS_REFETCH_SECONDS", 5),
            # Proxies in front of the edge that append to X-Forwarded-For (a load balancer: 1); 0 for a
            # client that connects directly (`make run`). The Go gateway reads the same setting.
            trusted_hops=env.int("ERP_EDGE_TRUSTED_HOPS", 0, minimum=0),
            # Seconds a client has to send a whole request (headers and body); both edges.
            request_timeout=env.seconds("ERP_EDGE_REQUEST_TIMEOUT", 30),
            # Seconds a call may take upstream, retries included (the change feed has none); both edges.
            upstream_timeout=env.seconds("ERP_EDGE_UPSTREAM_TIMEOUT", 15),
        )
