"""Session fixtures that start each real component once."""
from __future__ import annotations

import pytest

from erp_testing.mariadb import MariaDB


@pytest.fixture(scope="session")
def mariadb():
    server = MariaDB().start()
    yield server
    server.stop()
