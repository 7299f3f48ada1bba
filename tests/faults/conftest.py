"""The fault tests break things on purpose, so they never use the session mesh: one MariaDB and one
mesh of their own (two replicas of each service behind Envoy, and the Go gateway in front of the same
replicas when `make gateway` has built it), healed before every test."""
from __future__ import annotations

import shutil

import pytest

from erp_testing.mariadb import MariaDB
from tests.support import EDGES
from tests.support.faults import ADMIN_PASSWORD, FaultMesh
from tools.mesh import Mesh

# A hung database must fail a call well inside the callers' deadlines (10 s direct, 15 s at the
# edge): the URL sets the driver's timeouts below the defaults of erp_common.db_connect.
DB_PARAMS = "?connect_timeout=2&read_timeout=3&write_timeout=3"

# Package scope (this directory has an __init__.py for it): the mesh stops when the last fault test
# has run, not at the end of the whole suite.
@pytest.fixture(scope="package")
def fault_mesh():
    db = MariaDB().start()
    auth_db, master_db = db.create_database("fauth"), db.create_database("fmaster")
    mesh = Mesh.on_free_ports("erp-faults-", replicas=2, edges=EDGES, extra_env={
        "ERP_AUTH_DB_URL": auth_db + DB_PARAMS,
        "ERP_MASTER_DB_URL": master_db + DB_PARAMS,
        "ERP_ADMIN_PASSWORD": ADMIN_PASSWORD,
        "ERP_BCRYPT_ROUNDS": "4",
        "ERP_REVOCATION_POLL_SECONDS": "1",
        "ERP_LOGIN_IP_RATE_PER_MINUTE": "100000",
        "ERP_EDGE_LOGIN_RATE_PER_MINUTE": "100000",
        "ERP_EDGE_REFRESH_RATE_PER_MINUTE": "100000",
        "ERP_LOG_LEVEL": "WARNING",
    })
    try:
        mesh.start()
        yield FaultMesh(db, mesh, auth_db, master_db)
    finally:
        mesh.stop()
        db.stop()
        shutil.rmtree(mesh.state_dir, ignore_errors=True)


@pytest.fixture
def faults(fault_mesh) -> FaultMesh:
    """The fault mesh with every component up and the edge routing, whatever the last test left."""
    fault_mesh.heal()
    yield fault_mesh
