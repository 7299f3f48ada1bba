"""The ERP_* environment, read in one place for every Python component.

Each component's `config.py` (auth_svc, master_svc, edge) builds its frozen settings from an `Env`
and the `Shared` settings every component reads alike. The README's Configuration table documents
every variable, and tests/unit/test_settings.py holds the table, this code and the Go gateway's
`config.go` (which parses the shared names again) to one another.

Listen and dial are separate names: `ERP_AUTH_LISTEN_ADDR` is what auth_svc binds,
`ERP_AUTH_UPSTREAMS` the comma-separated replicas a client dials (master_svc, both edges); the same
for master. `ERP_AUTH_GRPC_ADDR` / `ERP_MASTER_GRPC_ADDR`, which meant either, are deprecated aliases
of both for one release: read where the new name is unset, with one warning each per process.
"""
from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from erp_common.secrets import value_or_file

# Local state for `make run`, which starts every process in the repository root: the default paths
# (databases, keys, docs pages) are under ./var; deployments set each path.
STATE_DIR = Path("var")

# DESIGN.md's ports: what each service binds and, by default, where its clients dial it.
AUTH_ADDR = "127.0.0.1:50051"
MASTER_ADDR = "127.0.0.1:50052"

# Meant "listen" to a service and "dial" to its clients; each is read where its replacement is unset.
AUTH_ADDR_DEPRECATED = "ERP_AUTH_GRPC_ADDR"
MASTER_ADDR_DEPRECATED = "ERP_MASTER_GRPC_ADDR"
DEPRECATED_NAMES = (AUTH_ADDR_DEPRECATED, MASTER_ADDR_DEPRECATED)

_log = logging.getLogger("erp.settings")
_warned: set[str] = set()
_pending: list[str] = []


def _deprecated(old: str, new: str) -> None:
    """Queues one warning per deprecated name and process; `report_deprecated` logs them once the
    component's logging is set up (its level is itself a setting)."""
    if old not in _warned:
        _warned.add(old)
        _pending.append(f"{old} is deprecated and read as {new}: set {new} instead "
                        "(listen and dial addresses are separate settings)")


def report_deprecated() -> None:
    """Logs, once, a warning per deprecated name read so far."""
    while _pending:
        _log.warning(_pending.pop(0))


def split_list(value: str) -> list[str]:
    """A comma-separated setting: stripped items, empty ones dropped."""
    return [v.strip() for v in value.split(",") if v.strip()]


class Env:
    """Typed reads of one environment; `defaults` records each name read with its default (the
    settings test compares them with the README and the gateway)."""

    def __init__(self, environ: Mapping[str, str] | None = None):
        self._environ = os.environ if environ is None else environ
        self.defaults: dict[str, str] = {}

    def str(self, name: str, default: str = "") -> str:
        self.defaults[name] = default
        return self._environ.get(name, default)

    def int(self, name: str, default: int, minimum: int | None = None) -> int:
        value = int(self.str(name, str(default)))
        if minimum is not None and value < minimum:
            raise ValueError(f"{name}={value}: must be {minimum} or more")
        return value

    def seconds(self, name: str, default: float) -> float:
        """A positive number of seconds."""
        value = float(self.str(name, f"{default:g}"))
        if value <= 0:
            raise ValueError(f"{name}={value}: must be a positive number of seconds")
        return value

    def float(self, name: str, default: float) -> float:
        return float(self.str(name, f"{default:g}"))

    def list(self, name: str, default: str) -> list[str]:
        return split_list(self.str(name, default))

    def path(self, name: str, default: Path) -> Path:
        return Path(self.str(name, str(default)))

    def optional_path(self, name: str) -> Path | None:
        value = self.str(name, "")
        return Path(value) if value else None

    def secret(self, name: str) -> str:
        """`name`, else the stripped content of the file `name_FILE` (a mounted Secret), else ''."""
        return value_or_file(self.str(name, ""), self.str(f"{name}_FILE", ""))

    def renamed(self, name: str, deprecated: str, default: str) -> str:
        """`name`, else the deprecated alias it replaces (with a warning), else `default`."""
        value = self.str(name, default)
        self.defaults.setdefault(deprecated, "")
        if deprecated not in self._environ:
            return value
        _deprecated(deprecated, name)
        return value if name in self._environ else self._environ[deprecated]  # the new name wins


@dataclass(frozen=True)
class Shared:
    """What every component reads alike: the tokens' issuer and audience, the edge shared secret
    (the service credential) and the trace collector."""

    jwt_issuer: str
    jwt_audience: str
    edge_secret: str
    otlp_endpoint: str

    @classmethod
    def read(cls, env: Env) -> "Shared":
        return cls(
            jwt_issuer=env.str("ERP_JWT_ISSUER", "auth_service"),
            jwt_audience=env.str("ERP_JWT_AUDIENCE", "erp"),
            edge_secret=env.secret("ERP_EDGE_SHARED_SECRET"),
            otlp_endpoint=env.str("OTEL_EXPORTER_OTLP_ENDPOINT", ""),
        )


def auth_listen_addr(env: Env) -> str:
    return env.renamed("ERP_AUTH_LISTEN_ADDR", AUTH_ADDR_DEPRECATED, AUTH_ADDR)


def master_listen_addr(env: Env) -> str:
    return env.renamed("ERP_MASTER_LISTEN_ADDR", MASTER_ADDR_DEPRECATED, MASTER_ADDR)


def _upstreams(env: Env, name: str, deprecated: str, default: str) -> list[str]:
    addrs = split_list(env.renamed(name, deprecated, default))
    if not addrs:
        raise ValueError(f"{name} needs at least one address")
    return addrs


def auth_upstreams(env: Env) -> list[str]:
    """The auth replicas a client dials: host:port, comma separated."""
    return _upstreams(env, "ERP_AUTH_UPSTREAMS", AUTH_ADDR_DEPRECATED, AUTH_ADDR)


def master_upstreams(env: Env) -> list[str]:
    """The master replicas a client dials: host:port, comma separated."""
    return _upstreams(env, "ERP_MASTER_UPSTREAMS", MASTER_ADDR_DEPRECATED, MASTER_ADDR)
