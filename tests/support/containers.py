"""Helpers for tests/containers: podman and podman-compose as `make test-containers` runs them.

Every command goes through podman with the project's containers.conf (runc, ulimits that fit).
Podman 4.3 runs no periodic health checks without systemd, so waiting for health runs each
container's own HEALTHCHECK (`podman healthcheck run`), exactly the command its image declares.
"""
from __future__ import annotations

import json
import os
import random
import socket
import subprocess
import threading
import time
from dataclasses import dataclass, field

import grpc
import pytest

from erp.master.v1 import master_service_pb2 as pb
from erp.master.v1 import master_service_pb2_grpc as pb_grpc
from tests.support import ROOT
from tests.support.http import Http
from tests.support.waiting import wait_until

DEPLOY = ROOT / "deploy"
SECRETS = DEPLOY / "secrets"
CONTAINERS_CONF = DEPLOY / "podman" / "containers.conf"
VERSION = os.environ.get("ERP_VERSION", "0.1.0")

if os.environ.get("ERP_CONTAINER_TESTS") != "1":
    pytest.skip("the container tests run with `make test-containers` (images built first)",
                allow_module_level=True)


def free_port() -> int:
    """A free port below the kernel's ephemeral range (32768-60999): podman binds it only seconds
    later, and the other test runs on this machine take their ports from that range."""
    while True:
        port = random.randrange(20000, 32000)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port


def env() -> dict[str, str]:
    return dict(os.environ, CONTAINERS_CONF=str(CONTAINERS_CONF))


def podman(*args: str, check: bool = True, timeout: float = 120) -> subprocess.CompletedProcess:
    res = subprocess.run(["podman", *args], capture_output=True, text=True, env=env(), timeout=timeout)
    if check and res.returncode != 0:
        raise AssertionError(f"podman {' '.join(args)} exited {res.returncode}: {res.stderr[-2000:]}")
    return res


def base_images() -> dict[str, str]:
    """NAME_IMAGE -> the stand-in tag, as `make images` passed them."""
    out = subprocess.run([str(DEPLOY / "bases" / "build.sh"), "--list"], capture_output=True, text=True,
                         check=True).stdout
    return dict(line.split("=", 1) for line in out.split())


class RetryingHttp(Http):
    """A client that honours the API's 503 + Retry-After ("database unavailable, retry later"): on
    this loaded 2-core machine a replica's database breaker opens now and then for a probe interval
    while the stack settles. Up to 5 retries; anything else is returned as it came."""

    def request(self, *args, **kw):
        for _ in range(5):
            status, headers, body = super().request(*args, **kw)
            if status != 503:
                break
            time.sleep(float(headers.get("retry-after", "1") or 1))
        return status, headers, body


@dataclass
class Container:
    name: str
    service: str
    state: str
    exit_code: int


def containers(label: str) -> list[Container]:
    rows = json.loads(podman("ps", "-a", "--filter", f"label={label}", "--format", "json").stdout or "[]")
    return [Container(r["Names"][0], r.get("Labels", {}).get("com.docker.compose.service", ""),
                      r["State"], r.get("ExitCode", 0)) for r in rows]


def healthy(name: str) -> bool:
    """Runs the container's own health check once; True when it passes (or it declares none)."""
    res = podman("healthcheck", "run", name, check=False, timeout=30)
    return res.returncode == 0 or "has no defined healthcheck" in res.stderr


def wait_healthy(names: list[str], timeout: float) -> None:
    pending = set(names)

    def all_healthy() -> bool:
        for name in sorted(pending):
            if healthy(name):
                pending.discard(name)
        return not pending

    wait_until(all_healthy, timeout, f"{sorted(pending)} are healthy", interval=2)


def logs_since(name: str, since: str) -> str:
    res = podman("logs", "--since", since, name, check=False)
    return res.stdout + res.stderr


def grpc_list_continents(addr: str, token: str, search: str) -> list[str]:
    """A native gRPC call (HTTP/2, protobuf) to the edge at `addr`."""
    with grpc.insecure_channel(addr) as channel:
        reply = pb_grpc.ContinentServiceStub(channel).ListContinents(
            pb.ListContinentsRequest(search=search), metadata=(("authorization", f"Bearer {token}"),), timeout=15)
    return [c.name for c in reply.continents]


@dataclass
class Load:
    """Threads that list continents through an edge until stopped: (start time, ok) per call."""
    http: Http
    token: str
    threads: int = 4
    calls: list[tuple[float, bool, str]] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _workers: list[threading.Thread] = field(default_factory=list)

    def _run(self) -> None:
        while not self._stop.is_set():
            started = time.monotonic()
            try:
                status, _, body = self.http.get("/api/master/continents/?page_size=5", token=self.token)
                self.calls.append((started, status == 200, "" if status == 200 else f"{status} {body}"))
            except OSError as exc:
                self.calls.append((started, False, repr(exc)))

    def __enter__(self) -> "Load":
        self._workers = [threading.Thread(target=self._run, daemon=True) for _ in range(self.threads)]
        for worker in self._workers:
            worker.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        for worker in self._workers:
            worker.join(timeout=40)
