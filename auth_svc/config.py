"""Auth service settings, read once from ERP_* environment variables. Defaults suit `make run`."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from erp_common.settings import STATE_DIR, Env, Shared, auth_listen_addr
from erp_common.workers import default_count, parse_count

# bcrypt's own range. Production keeps the default 12 (about a quarter of a second per hash here);
# lower costs are for test runs only. Outside the range no hash can be made, so refuse at start-up
# rather than at the first login.
BCRYPT_ROUNDS_RANGE = range(4, 32)


def _bcrypt_rounds(env: Env) -> int:
    rounds = env.int("ERP_BCRYPT_ROUNDS", 12)
    if rounds not in BCRYPT_ROUNDS_RANGE:
        raise ValueError(f"ERP_BCRYPT_ROUNDS={rounds}: bcrypt's cost must be 4 to 31 (production: 12 or more)")
    return rounds


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
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "AuthConfig":
        """From `environ` (default: this process's environment)."""
        return cls.read(Env(environ))

    @classmethod
    def read(cls, env: Env) -> "AuthConfig":
        shared = Shared.read(env)
        workers = parse_count(env.str("ERP_WORKERS", ""))
        # Password hashing's own pool (auth_svc/hashing.py), per worker process: the cores shared
        # among the workers, and twice as many hashes waiting; a login beyond gets 429 + Retry-After.
        hash_threads = max(1, default_count() // workers)
        return cls(
            grpc_addr=auth_listen_addr(env),
            metrics_addr=env.str("ERP_AUTH_METRICS_ADDR", "127.0.0.1:9451"),
            db_url=env.str("ERP_AUTH_DB_URL", f"sqlite:///{(STATE_DIR / 'auth.sqlite3').absolute()}"),
            keys_dir=env.path("ERP_KEYS_DIR", (STATE_DIR / "keys").absolute()),
            # The AES-GCM keys of the TOTP secrets (a file, e.g. a mounted Secret, which must exist); unset,
            # keys_dir/data-keys.json, made on first start (auth_svc.server.open_data_keyring).
            data_keys_file=env.optional_path("ERP_DATA_KEYS_FILE"),
            jwt_issuer=shared.jwt_issuer,
            jwt_audience=shared.jwt_audience,
            access_ttl=env.int("ERP_JWT_ACCESS_TTL", 3600),
            refresh_ttl=env.int("ERP_JWT_REFRESH_TTL", 604800),
            bcrypt_rounds=_bcrypt_rounds(env),
            hash_workers=env.int("ERP_HASH_WORKERS", hash_threads, minimum=1),
            hash_queue=env.int("ERP_HASH_QUEUE", 2 * hash_threads),
            admin_password=env.str("ERP_ADMIN_PASSWORD", ""),
            edge_secret=shared.edge_secret,
            refresh_reuse_grace=env.int("ERP_REFRESH_REUSE_GRACE", 10),
            lockout_threshold=env.int("ERP_LOCKOUT_THRESHOLD", 5),
            lockout_base_seconds=env.int("ERP_LOCKOUT_BASE_SECONDS", 60),
            lockout_max_seconds=env.int("ERP_LOCKOUT_MAX_SECONDS", 900),
            ip_rate_limit_per_minute=env.int("ERP_LOGIN_IP_RATE_PER_MINUTE", 60),
            mfa_token_ttl=env.int("ERP_MFA_TOKEN_TTL", 300),
            api_key_token_ttl=env.int("ERP_API_KEY_TOKEN_TTL", 900),
            revocation_poll_seconds=env.float("ERP_REVOCATION_POLL_SECONDS", 0.5),
            # Longer than the Envoy edge caches the JWK set (300 s): no verifier meets an unknown kid.
            key_activation_seconds=env.int("ERP_KEY_ACTIVATION_SECONDS", 360),
            log_level=env.str("ERP_LOG_LEVEL", "INFO"),
            otlp_endpoint=shared.otlp_endpoint,
            workers=workers,
        )
