"""Fixtures of the auth integration tests. Each module gets a client IP of its own, so the per-client
login limit counts its logins apart from every other module's."""
from __future__ import annotations

import uuid

import pytest

from tests.support.auth import Client


@pytest.fixture(scope="module")
def client_ip() -> str:
    return f"10.{uuid.uuid4().int % 200 + 20}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250 + 1}"


@pytest.fixture(scope="module")
def anonymous(mesh, auth_channel, client_ip) -> Client:
    secret = (mesh.state_dir / "keys" / "edge-secret").read_text().strip()
    return Client(auth_channel, secret, client_ip)


@pytest.fixture(scope="module")
def admin_password(mesh) -> str:
    return mesh.extra_env["ERP_ADMIN_PASSWORD"]


@pytest.fixture(scope="module")
def admin(anonymous, admin_password) -> Client:
    return anonymous.login("admin", admin_password)
