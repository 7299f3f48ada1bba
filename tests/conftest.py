"""Session fixtures that start each real component once: MariaDB, then the mesh on free ports."""
from __future__ import annotations

import json
import urllib.error
import urllib.request

import grpc
import pytest

from erp_testing.mariadb import MariaDB
from tools.mesh import GATEWAY_BIN, Mesh

ADMIN_PASSWORD = "Test-Admin-Passw0rd!"


@pytest.fixture(scope="session")
def mariadb():
    server = MariaDB().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def mesh(mariadb):
    """auth_svc + master_svc on MariaDB behind Envoy (and the Go gateway when it is built)."""
    edges = ("envoy", "gateway") if GATEWAY_BIN.exists() else ("envoy",)
    m = Mesh.on_free_ports(edges=edges, extra_env={
                 "ERP_AUTH_DB_URL": mariadb.create_database("auth"),
                 "ERP_MASTER_DB_URL": mariadb.create_database("master"),
                 "ERP_ADMIN_PASSWORD": ADMIN_PASSWORD,
                 "ERP_BCRYPT_ROUNDS": "4",
                 "ERP_CORS_ORIGINS": "http://localhost:3000,https://app.example.com",
                 "ERP_REVOCATION_POLL_SECONDS": "1",
                 # Reuse of a refresh token is tested right after its rotation; the grace window
                 # has its own mesh (test_auth_hardened_mesh).
                 "ERP_REFRESH_REUSE_GRACE": "0",
                 # Every test logs in from 127.0.0.1: the shared mesh must not rate-limit the suite
                 # itself. The limits are tested on meshes of their own with small settings.
                 "ERP_LOGIN_IP_RATE_PER_MINUTE": "100000",
                 "ERP_EDGE_LOGIN_RATE_PER_MINUTE": "100000",
                 "ERP_EDGE_REFRESH_RATE_PER_MINUTE": "100000",
             })
    m.start()
    yield m
    m.stop()


class Http:
    """A plain HTTP client for one edge; returns (status, headers, parsed JSON or text)."""

    def __init__(self, base: str):
        self.base = base

    def request(self, method: str, path: str, body=None, token: str | None = None, headers: dict | None = None,
                raw: bytes | None = None):
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        req = urllib.request.Request(self.base + path, data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        if token:
            req.add_header("Authorization", f"Bearer {token}")
        for k, v in (headers or {}).items():
            req.add_header(k, v)
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                status, hdrs, payload = resp.status, resp.headers, resp.read()
        except urllib.error.HTTPError as err:
            status, hdrs, payload = err.code, err.headers, err.read()
        ctype = hdrs.get("content-type", "")
        if "json" in ctype and payload:
            return status, hdrs, json.loads(payload)
        return status, hdrs, payload.decode(errors="replace")

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, body, **kw)

    def put(self, path, body=None, **kw):
        return self.request("PUT", path, body, **kw)

    def patch(self, path, body=None, **kw):
        return self.request("PATCH", path, body, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)

    def login(self, username: str = "admin", password: str = ADMIN_PASSWORD) -> dict:
        status, _, body = self.post("/api/auth/login/", {"username": username, "password": password})
        assert status == 200, body
        return body


def _edge_params():
    return ["envoy", "gateway"] if GATEWAY_BIN.exists() else ["envoy"]


@pytest.fixture(scope="session", params=_edge_params())
def edge(request, mesh) -> Http:
    """The REST face, once per edge: the same e2e suite runs against Envoy and the Go gateway."""
    addr = mesh.edge_addr if request.param == "envoy" else mesh.gateway_addr
    return Http(f"http://{addr}")


@pytest.fixture(scope="session")
def envoy_http(mesh) -> Http:
    return Http(f"http://{mesh.edge_addr}")


@pytest.fixture(scope="session")
def admin_token(mesh) -> str:
    return Http(f"http://{mesh.edge_addr}").login()["access_token"]


@pytest.fixture(scope="session")
def auth_channel(mesh):
    with grpc.insecure_channel(mesh.auth_addr) as channel:
        yield channel


@pytest.fixture(scope="session")
def master_channel(mesh):
    with grpc.insecure_channel(mesh.master_addr) as channel:
        yield channel
