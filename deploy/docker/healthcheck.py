#!/usr/bin/env python3
"""Container health probe for the ERP images (Docker HEALTHCHECK, compose healthcheck).

    python /opt/erp/healthcheck.py grpc 127.0.0.1:50051 [SERVICE]
    python /opt/erp/healthcheck.py http http://127.0.0.1:8000/api/health

`grpc` asks grpc.health.v1.Health/Check (SERVICE defaults to "" = the whole server) and exits 0 only
on SERVING. `http` exits 0 only on a 2xx answer. Anything else (refused, timeout, NOT_SERVING) exits 1.
Kubernetes does not use this script: it has native `grpc:` and `httpGet:` probes.
"""
from __future__ import annotations

import sys
import urllib.error
import urllib.request

TIMEOUT_S = 2.5


def check_grpc(addr: str, service: str = "") -> bool:
    import grpc
    from grpc_health.v1 import health_pb2, health_pb2_grpc

    with grpc.insecure_channel(addr) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        reply = stub.Check(health_pb2.HealthCheckRequest(service=service), timeout=TIMEOUT_S)
    return reply.status == health_pb2.HealthCheckResponse.SERVING


def check_http(url: str) -> bool:
    request = urllib.request.Request(url, headers={"User-Agent": "erp-healthcheck"})
    with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:  # noqa: S310 - loopback URL
        return 200 <= response.status < 300


def main(argv: list[str]) -> int:
    if len(argv) < 2 or argv[0] not in {"grpc", "http"}:
        print(__doc__, file=sys.stderr)
        return 2
    kind, target, *rest = argv
    try:
        ok = check_grpc(target, rest[0] if rest else "") if kind == "grpc" else check_http(target)
    except (urllib.error.URLError, OSError) as exc:
        print(f"unhealthy: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # grpc.RpcError and friends
        print(f"unhealthy: {exc}", file=sys.stderr)
        return 1
    if not ok:
        print("unhealthy: not serving", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
