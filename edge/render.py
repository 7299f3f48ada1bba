"""Renders envoy.yaml.tmpl into a runnable Envoy config from ERP_* settings.

    python -m edge.render --out var/envoy.yaml

ERP_AUTH_UPSTREAMS / ERP_MASTER_UPSTREAMS may list several replicas (comma separated); Envoy
balances round robin over them, health-checks each with grpc.health.v1 and ejects outliers.
"""
from __future__ import annotations

import argparse
import os
import re
import string
import urllib.parse
from pathlib import Path

from edge import docs
from edge.config import EdgeConfig
from erp_common import contract
from erp_common.settings import report_deprecated

# Package data, beside this module: the template, and the Lua filter Envoy loads by file name.
TEMPLATE = Path(__file__).with_name("envoy.yaml.tmpl")
LUA_FILE = Path(__file__).with_name("errors.lua")

# The gRPC -> HTTP status table decides the code; this names it in the body of Envoy's own replies.
LOCAL_REPLY_STATUS = {
    400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 404: "NOT_FOUND",
    405: "UNIMPLEMENTED", 408: "DEADLINE_EXCEEDED", 409: "ABORTED", 413: "RESOURCE_EXHAUSTED",
    415: "INVALID_ARGUMENT", 429: "RESOURCE_EXHAUSTED", 431: "RESOURCE_EXHAUSTED", 500: "INTERNAL",
    501: "UNIMPLEMENTED", 502: "UNAVAILABLE", 503: "UNAVAILABLE", 504: "DEADLINE_EXCEEDED",
}

# The only routes reachable without a token: those of the contract's public RPCs (their
# `(erp.options.v1.access)`, read by erp_common.contract), the health check and the favicon. Everything
# else needs a valid access token before any service sees the request. Paths are matched after
# errors.lua drops the trailing slash; docs.py serves everything under DOCS_PREFIX.
PUBLIC_REST_PATHS = (*dict.fromkeys(route.path for rpc in contract.public_rpcs() for route in rpc.routes),
                     "/api/health", "/favicon.ico")
PUBLIC_GRPC_METHODS = tuple(rpc.path for rpc in contract.public_rpcs())
DOCS_PREFIX = "/api/docs"


def _indent(lines: list[str], spaces: int) -> str:
    return "\n".join(" " * spaces + line for line in lines)


def _status_mapper(comparison: str, name: str) -> list[str]:
    return [
        "- filter:",
        "    status_code_filter:",
        f"      comparison: {comparison}",
        "  body_format_override:",
        "    json_format:",
        '      code: "%RESPONSE_CODE%"',
        f'      status: "{name}"',
        '      message: "%LOCAL_REPLY_BODY%"',
        '    content_type: "application/json"',
    ]


def local_reply_mappers() -> str:
    """Mappers in order; the first that matches shapes the body of one of Envoy's own replies."""
    native_grpc = [
        "      - header_filter:",
        "          header: {name: content-type, string_match: {prefix: application/grpc}}",
        # A transcoded REST call has a gRPC content-type by now too, but also x-envoy-original-path.
        "      - header_filter:",
        "          header: {name: x-envoy-original-path, present_match: false}",
    ]
    own_403 = [
        "      - status_code_filter:",
        "          comparison: {op: EQ, value: {default_value: 403, runtime_key: edge.local_reply.jwt_403}}",
    ]
    lines = [
        # Envoy's only own 403 is jwt_authn's "Audiences in Jwt are not allowed": a token for another
        # audience is an invalid token, 401 like every other (DESIGN.md error table). Upstream 403s
        # (PERMISSION_DENIED from a service) are not local replies and keep their code.
        "- filter:",
        "    and_filter:",
        "      filters:",
        *own_403, *native_grpc,
        "  status_code: 401",
        "  body_format_override:",
        '    text_format_source: {inline_string: "%LOCAL_REPLY_BODY%"}',
        # Native gRPC: Envoy sends the body as grpc-message, so keep it the plain sentence.
        "- filter:",
        "    and_filter:",
        "      filters:",
        *native_grpc,
        "  body_format_override:",
        '    text_format_source: {inline_string: "%LOCAL_REPLY_BODY%"}',
        "- filter:",
        "    status_code_filter:",
        "      comparison: {op: EQ, value: {default_value: 403, runtime_key: edge.local_reply.jwt_403}}",
        "  status_code: 401",
        "  body_format_override:",
        "    json_format:",
        '      code: 401',
        '      status: "UNAUTHENTICATED"',
        '      message: "%LOCAL_REPLY_BODY%"',
        '    content_type: "application/json"',
        # The health check filter's 200 for /api/health.
        "- filter:",
        "    and_filter:",
        "      filters:",
        "      - status_code_filter:",
        "          comparison: {op: EQ, value: {default_value: 200, runtime_key: edge.local_reply.200}}",
        "      - header_filter:",
        "          header: {name: ':path', string_match: {exact: /api/health}}",
        "  body_format_override:",
        "    json_format:",
        '      status: "SERVING"',
        '    content_type: "application/json"',
    ]
    for code, name in LOCAL_REPLY_STATUS.items():
        lines += _status_mapper(f"{{op: EQ, value: {{default_value: {code}, runtime_key: edge.local_reply.{code}}}}}",
                                name)
    lines += _status_mapper("{op: GE, value: {default_value: 400, runtime_key: edge.local_reply.error}}", "UNKNOWN")
    return _indent(lines, 12)


def jwt_public_rules() -> str:
    templated = [path for path in PUBLIC_REST_PATHS if "{" in path]
    if templated:
        raise ValueError(f"a public route must be a literal path (jwt_authn matches it exactly): {templated}")
    lines = [f"- match: {{path: {path}}}" for path in PUBLIC_REST_PATHS + PUBLIC_GRPC_METHODS + (DOCS_PREFIX,)]
    lines.append(f"- match: {{prefix: {DOCS_PREFIX}/}}")
    return _indent(lines, 14)


def internal_methods_regex() -> str:
    """The RPCs only services may call (`internal: true`): the edge answers them 404 itself."""
    return "^(" + "|".join(re.escape(rpc.path) for rpc in contract.internal_rpcs()) + ")$"


def upstream_clusters(config: EdgeConfig) -> str:
    """One cluster per upstream the contract names, at the addresses configured for it."""
    addrs = {"auth": config.auth_addrs, "master": config.master_addrs}
    return "\n".join(cluster(name, addrs[name]) for name in contract.upstreams())


def cors_origins(origins: list[str]) -> str:
    return _indent([f"- exact: {o!r}" for o in origins] or ["- exact: 'http://localhost:3000'"], 18)


def _split(addr: str) -> tuple[str, int]:
    host, _, port = addr.rpartition(":")
    return host.strip("[]") or "127.0.0.1", int(port)


# Streams Envoy multiplexes on one upstream connection before it opens another (see cluster()).
UPSTREAM_STREAMS_PER_CONNECTION = 8


def cluster(name: str, addrs: list[str]) -> str:
    endpoints = []
    for addr in addrs:
        host, port = _split(addr)
        endpoints.append(f"        - endpoint: {{address: {{socket_address: {{address: {host}, port_value: {port}}}}}}}")
    dns = "STATIC" if all(_split(a)[0].replace(".", "").isdigit() for a in addrs) else "STRICT_DNS"
    return "\n".join([
        f"  - name: {name}",
        f"    type: {dns}",
        "    connect_timeout: 1s",
        "    lb_policy: ROUND_ROBIN",
        "    typed_extension_protocol_options:",
        "      envoy.extensions.upstreams.http.v3.HttpProtocolOptions:",
        '        "@type": type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions',
        "        explicit_http_config:",
        # A service's worker processes share its port, and the kernel spreads connections, not
        # requests, over them: a few streams per connection make Envoy open several under load.
        f"          http2_protocol_options: {{max_concurrent_streams: {UPSTREAM_STREAMS_PER_CONNECTION}}}",
        "    circuit_breakers:",
        "      thresholds:",
        "      - {priority: DEFAULT, max_connections: 1024, max_pending_requests: 1024, max_requests: 4096, max_retries: 16}",
        "    outlier_detection:",
        "      consecutive_5xx: 5",
        "      consecutive_gateway_failure: 3",
        "      interval: 5s",
        "      base_ejection_time: 15s",
        "      max_ejection_percent: 50",
        "    health_checks:",
        "    - timeout: 1s",
        "      interval: 2s",
        "      unhealthy_threshold: 2",
        "      healthy_threshold: 1",
        "      no_traffic_interval: 2s",
        "      grpc_health_check: {}",
        "    common_lb_config:",
        "      healthy_panic_threshold: {value: 0}",
        "    load_assignment:",
        f"      cluster_name: {name}",
        "      endpoints:",
        "      - lb_endpoints:",
        *endpoints,
    ])


def _collector(endpoint: str) -> tuple[str, int, bool]:
    """`http://host:4317` (plaintext h2c), `https://host:4317` (TLS) or `host:port` -> (host, port, tls)."""
    parsed = urllib.parse.urlsplit(endpoint if "://" in endpoint else "http://" + endpoint)
    return parsed.hostname or "127.0.0.1", parsed.port or 4317, parsed.scheme == "https"


def tracing(otlp_endpoint: str) -> str:
    """The HCM's tracing block: Envoy continues a client's W3C `traceparent` or starts a trace, sends
    its span to the OTLP collector and the `traceparent` of that span to the upstream service.
    Empty (no tracing, no collector cluster) when OTEL_EXPORTER_OTLP_ENDPOINT is unset."""
    if not otlp_endpoint:
        return ""
    return _indent([
        "tracing:",
        "  random_sampling: {value: 100}",
        "  provider:",
        "    name: envoy.tracers.opentelemetry",
        "    typed_config:",
        '      "@type": type.googleapis.com/envoy.config.trace.v3.OpenTelemetryConfig',
        "      grpc_service:",
        "        envoy_grpc: {cluster_name: otel_collector}",
        "        timeout: 2s",
        "      service_name: erp-edge",
    ], 10)


def tracing_cluster(otlp_endpoint: str) -> str:
    if not otlp_endpoint:
        return ""
    host, port, tls = _collector(otlp_endpoint)
    dns = "STATIC" if host.replace(".", "").isdigit() else "STRICT_DNS"
    lines = [
        "- name: otel_collector",
        f"  type: {dns}",
        "  connect_timeout: 1s",
        "  typed_extension_protocol_options:",
        "    envoy.extensions.upstreams.http.v3.HttpProtocolOptions:",
        '      "@type": type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions',
        "      explicit_http_config: {http2_protocol_options: {}}",
        "  load_assignment:",
        "    cluster_name: otel_collector",
        "    endpoints:",
        "    - lb_endpoints:",
        f"      - endpoint: {{address: {{socket_address: {{address: {host}, port_value: {port}}}}}}}",
    ]
    if tls:
        lines += [
            "  transport_socket:",
            "    name: envoy.transport_sockets.tls",
            "    typed_config:",
            '      "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext',
            f"      sni: {host}",
            "      common_tls_context:",
            "        validation_context:",
            "          trusted_ca: {filename: /etc/ssl/certs/ca-certificates.crt}",
            f"          match_typed_subject_alt_names: [{{san_type: DNS, matcher: {{exact: {host}}}}}]",
        ]
    return _indent(lines, 2)


def render(config: EdgeConfig) -> str:
    template = string.Template(TEMPLATE.read_text())
    edge_host, edge_port = _split(config.http_addr)
    admin_host, admin_port = _split(config.admin_addr)
    return template.substitute(
        ADMIN_HOST=admin_host, ADMIN_PORT=admin_port, EDGE_HOST=edge_host, EDGE_PORT=edge_port,
        LOCAL_REPLY_MAPPERS=local_reply_mappers(), CORS_ORIGINS=cors_origins(config.cors_origins),
        CORS_MAX_AGE=config.cors_max_age, EDGE_SECRET=config.edge_secret,
        DOCS_ROUTES=docs.routes(config.docs_dir, DOCS_PREFIX),
        JWT_PUBLIC_RULES=jwt_public_rules(), JWKS_CACHE_SECONDS=config.jwks_cache_seconds,
        JWKS_REFETCH_SECONDS=config.jwks_refetch_seconds,
        LOGIN_BURST=config.login_rate_per_minute, REFRESH_BURST=config.refresh_rate_per_minute,
        LUA_FILE=LUA_FILE, MAX_BODY_BYTES=config.max_body_bytes,
        JWT_ISSUER=config.jwt_issuer, JWT_AUDIENCE=config.jwt_audience,
        DESCRIPTOR=config.descriptor_set, SERVICES=", ".join(contract.services()),
        INTERNAL_METHODS=internal_methods_regex(), UPSTREAM_CLUSTERS=upstream_clusters(config),
        TRACING=tracing(config.otlp_endpoint), TRACING_CLUSTER=tracing_cluster(config.otlp_endpoint),
        TRUSTED_HOPS=config.trusted_hops, REQUEST_TIMEOUT=f"{config.request_timeout:g}",
        REQUEST_HEADERS_TIMEOUT=f"{min(10.0, config.request_timeout):g}",
        UPSTREAM_TIMEOUT=f"{config.upstream_timeout:g}",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # holds the edge secret
    config = EdgeConfig.from_env()
    report_deprecated()
    with os.fdopen(fd, "w") as f:
        f.write(render(config))


if __name__ == "__main__":
    main()
