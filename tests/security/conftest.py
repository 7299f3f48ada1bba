"""One mesh with production settings for the security checks: bcrypt cost, log level and limits are
left at their defaults (none of the suite's speed-ups), on the Mesh's own SQLite files."""
from __future__ import annotations

import secrets
import shutil

import pytest

from tests.support import EDGES
from tools.mesh import Mesh

# The suite's settings that a production install would not have; the mesh below must not inherit them.
TEST_OVERRIDES = ("ERP_BCRYPT_ROUNDS", "ERP_LOG_LEVEL", "ERP_LOGIN_IP_RATE_PER_MINUTE",
                  "ERP_EDGE_LOGIN_RATE_PER_MINUTE", "ERP_EDGE_REFRESH_RATE_PER_MINUTE")


@pytest.fixture(scope="session")
def admin_password() -> str:
    """Random per run, so that finding it in a log cannot be a coincidence."""
    return "Adm1n-" + secrets.token_urlsafe(18)


@pytest.fixture(scope="session")
def default_mesh(admin_password):
    """auth_svc, master_svc, Envoy (and the Go gateway when built) with default settings, except the
    free ports, the state directory and the first admin's password. test_secrets_not_logged stops it
    to read complete logs; the other tests only read the files it wrote (keys, database)."""
    with pytest.MonkeyPatch.context() as env:
        for name in TEST_OVERRIDES:
            env.delenv(name, raising=False)
        mesh = Mesh.on_free_ports(prefix="erp-security-", edges=EDGES,
                                  extra_env={"ERP_ADMIN_PASSWORD": admin_password})
        mesh.start()
    yield mesh
    mesh.stop()
    shutil.rmtree(mesh.state_dir, ignore_errors=True)  # it holds private keys
