"""The session fixtures that start each real component once: MariaDB, then the mesh on free ports;
and the clients of that mesh. tests/conftest.py hands them to every suite."""
from __future__ import annotations

import grpc
import pytest

from erp_testing.mariadb import MariaDB
from tests.support import ADMIN_PASSWORD, EDGES
from tests.support.http import Http
from tools.mesh import Mesh


@pytest.fixture(scope="session")
def mariadb():
    server = MariaDB().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def mesh(mariadb):
    """auth_svc + master_svc on MariaDB behind Envoy (and the Go gateway when it is built)."""
    m = Mesh.on_free_ports(edges=EDGES, extra_env={
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


@pytest.fixture(scope="session", params=EDGES)
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
