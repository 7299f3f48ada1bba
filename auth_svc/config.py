"""Auth service settings, read once from ERP_* environment variables. Defaults suit `make run`."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from erp_common.secrets import value_or_file
from erp_common.workers import default_count, parse_count

ROOT = Path(__file__).resolve().parent.parent


def _env(name: str, default: str) -> str:
    return os.environ.get(name, default)


# bcrypt's own range. Production keeps the default 12 (about a quarter of a second per hash here);
# lower costs are for test runs only. Outside the range no hash can be made, so refuse at start-up
# rather than at the first login.
BCRYPT_ROUNDS_RANGE = range(4, 32)


def _bcrypt_rounds() -> int:
    rounds = int(_env("ERP_BCRYPT_ROUNDS", "12"))
    if rounds not in BCRYPT_ROUNDS_RANGE:
        raise ValueError(f"ERP_BCRYPT_ROUNDS={rounds}: bcrypt's cost must be 4 to 31 (production: 12 or more)")
    return rounds


def _hash_threads() -> int:
    """Hashing threads of one worker process: the usable cores shared among the ERP_WORKERS processes."""
    return max(1, default_count() // parse_count(_env("ERP_WORKERS", "")))


def _positive(name: str, default: int) -> int:
    value = int(_env(name, str(default)))
    if value < 1:
        raise ValueError(f"{name}={value}: must be 1 or more")
    return value


@dataclass(frozen=True)
class AuthConfig:
    grpc_addr: str
    metrics_addr: str
    db_url: str
    keys_dir: Path
    data_keys_file: Path | None
    jwt_issuer: str
    jwt_audience: str
    access_ttl: int
    refresh_ttl: int
    bcrypt_rounds: int
    hash_workers: int
    hash_queue: int
    admin_password: str
    edge_secret: str
    refresh_reuse_grace: int
    lockout_threshold: int
    lockout_base_seconds: int
    lockout_max_seconds: int
    ip_rate_limit_per_minute: int
    mfa_token_ttl: int
    api_key_token_ttl: int
    revocation_poll_seconds: float
    key_activation_seconds: int
    log_level: str
    otlp_endpoint: str
    workers: int

    @classmethod
    def from_env(cls) -> "AuthConfig":
        return cls(
            grpc_addr=_env("ERP_AUTH_GRPC_ADDR", "127.0.0.1:50051"),
            metrics_addr=_env("ERP_AUTH_METRICS_ADDR", "127.0.0.1:9451"),
            db_url=_env("ERP_AUTH_DB_URL", f"sqlite:///{ROOT / 'var' / 'auth.sqlite3'}"),
            keys_dir=Path(_env("ERP_KEYS_DIR", str(ROOT / "var" / "keys"))),
            # The AES-GCM keys of the TOTP secrets (a file, e.g. a mounted Secret, which must exist); unset,
            # keys_dir/data-keys.json, made on first start (auth_svc.server.open_data_keyring).
            data_keys_file=Path(_env("ERP_DATA_KEYS_FILE", "")) if _env("ERP_DATA_KEYS_FILE", "") else None,
            jwt_issuer=_env("ERP_JWT_ISSUER", "auth_service"),
            jwt_audience=_env("ERP_JWT_AUDIENCE", "erp"),
            access_ttl=int(_env("ERP_JWT_ACCESS_TTL", "3600")),
            refresh_ttl=int(_env("ERP_JWT_REFRESH_TTL", "604800")),
            bcrypt_rounds=_bcrypt_rounds(),
            # Password hashing's own pool (auth_svc/hashing.py), per worker process: the cores shared
            # among the workers, and twice as many hashes waiting; a login beyond gets 429 + Retry-After.
            hash_workers=_positive("ERP_HASH_WORKERS", _hash_threads()),
            hash_queue=int(_env("ERP_HASH_QUEUE", str(2 * _hash_threads()))),
            admin_password=_env("ERP_ADMIN_PASSWORD", ""),
            edge_secret=value_or_file(_env("ERP_EDGE_SHARED_SECRET", ""), _env("ERP_EDGE_SHARED_SECRET_FILE", "")),
            refresh_reuse_grace=int(_env("ERP_REFRESH_REUSE_GRACE", "10")),
            lockout_threshold=int(_env("ERP_LOCKOUT_THRESHOLD", "5")),
            lockout_base_seconds=int(_env("ERP_LOCKOUT_BASE_SECONDS", "60")),
            lockout_max_seconds=int(_env("ERP_LOCKOUT_MAX_SECONDS", "900")),
            ip_rate_limit_per_minute=int(_env("ERP_LOGIN_IP_RATE_PER_MINUTE", "60")),
            mfa_token_ttl=int(_env("ERP_MFA_TOKEN_TTL", "300")),
            api_key_token_ttl=int(_env("ERP_API_KEY_TOKEN_TTL", "900")),
            revocation_poll_seconds=float(_env("ERP_REVOCATION_POLL_SECONDS", "0.5")),
            # Longer than the Envoy edge caches the JWK set (300 s): no verifier meets an unknown kid.
            key_activation_seconds=int(_env("ERP_KEY_ACTIVATION_SECONDS", "360")),
            log_level=_env("ERP_LOG_LEVEL", "INFO"),
            otlp_endpoint=_env("OTEL_EXPORTER_OTLP_ENDPOINT", ""),
            workers=parse_count(_env("ERP_WORKERS", "")),
        )

