"""Every suite's session fixtures (tests/support/mesh.py): MariaDB, the shared mesh and its clients."""
from tests.support.mesh import (admin_token, auth_channel, edge, envoy_http, mariadb,  # noqa: F401 (fixtures)
                                master_channel, mesh)
