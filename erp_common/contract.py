"""The registry of the contract, read from the generated descriptors: every RPC of erp.* with who may
call it (protos/erp/options/v1/options.proto), its HTTP routes (`google.api.http`) and the upstream
that serves it. The services' interceptor, the permission catalogue and the Envoy config derive from
this; the Go gateway reads the same options from its own descriptors (edge/gateway/registry.go)."""
from __future__ import annotations

import functools
from dataclasses import dataclass

from google.api import annotations_pb2, http_pb2

from erp.auth.v1 import admin_service_pb2, auth_service_pb2
from erp.master.v1 import master_service_pb2
from erp.options.v1 import options_pb2

# The contract's files, in the order their services are listed (Envoy's transcoder, the catalogue).
FILES = (auth_service_pb2.DESCRIPTOR, admin_service_pb2.DESCRIPTOR, master_service_pb2.DESCRIPTOR)

PUBLIC, AUTHENTICATED, PERMISSION, INTERNAL = "public", "authenticated", "permission", "internal"
_VERBS = ("get", "put", "post", "delete", "patch")


@dataclass(frozen=True)
class Access:
    """Who may call an RPC: `rule` is the options' oneof case, `permission` its codename if any."""

    rule: str
    permission: str = ""

    @property
    def needs_token(self) -> bool:
        return self.rule in (AUTHENTICATED, PERMISSION)


@dataclass(frozen=True)
class Route:
    verb: str  # GET, POST ...
    path: str  # the template, e.g. /api/master/countries/{id}


@dataclass(frozen=True)
class Rpc:
    path: str  # the gRPC path, /erp.auth.v1.AuthService/Login
    service: str  # erp.auth.v1.AuthService
    upstream: str  # auth | master
    access: Access
    routes: tuple[Route, ...]


def _routes(rule: http_pb2.HttpRule) -> list[Route]:
    found = [Route(verb.upper(), getattr(rule, verb)) for verb in _VERBS if rule.WhichOneof("pattern") == verb]
    for binding in rule.additional_bindings:
        found += _routes(binding)
    return found


def _access(method) -> Access:
    options = method.GetOptions()
    if not options.HasExtension(options_pb2.access):
        raise ValueError(f"{method.full_name} has no (erp.options.v1.access)")
    access = options.Extensions[options_pb2.access]
    rule = access.WhichOneof("rule")
    if rule is None:
        raise ValueError(f"{method.full_name}: (erp.options.v1.access) sets no rule")
    return Access(rule, access.permission)


def _services(file) -> list:
    return sorted(file.services_by_name.values(), key=lambda service: service.index)


@functools.cache
def rpcs() -> tuple[Rpc, ...]:
    """Every RPC of the contract, in declaration order."""
    found = []
    for file in FILES:
        upstream = file.GetOptions().Extensions[options_pb2.upstream]
        if not upstream:
            raise ValueError(f"{file.name} has no (erp.options.v1.upstream)")
        for service in _services(file):
            for method in service.methods:
                options = method.GetOptions()
                rule = options.Extensions[annotations_pb2.http] if options.HasExtension(annotations_pb2.http) else None
                found.append(Rpc(f"/{service.full_name}/{method.name}", service.full_name, upstream,
                                 _access(method), tuple(_routes(rule)) if rule is not None else ()))
    return tuple(found)


def access_rules(upstream: str) -> dict[str, Access]:
    """gRPC path -> access, for the RPCs one upstream serves (its interceptor enforces them)."""
    return {rpc.path: rpc.access for rpc in rpcs() if rpc.upstream == upstream}


def services() -> list[str]:
    return list(dict.fromkeys(rpc.service for rpc in rpcs()))


def upstreams() -> list[str]:
    return list(dict.fromkeys(rpc.upstream for rpc in rpcs()))


def public_rpcs() -> list[Rpc]:
    return [rpc for rpc in rpcs() if rpc.access.rule == PUBLIC]


def internal_rpcs() -> list[Rpc]:
    return [rpc for rpc in rpcs() if rpc.access.rule == INTERNAL]


def entities(upstream: str) -> tuple[str, ...]:
    """The entities the upstream's services manage (`(erp.options.v1.entity)`), in declaration order."""
    found = []
    for file in FILES:
        if file.GetOptions().Extensions[options_pb2.upstream] != upstream:
            continue
        for service in _services(file):
            entity = service.GetOptions().Extensions[options_pb2.entity]
            if entity:
                found.append(entity)
    return tuple(found)
