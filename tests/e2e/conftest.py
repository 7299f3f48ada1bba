"""Fixtures of the edge e2e tests; the session mesh and the `edge` parametrisation live in tests/conftest.py,
the helpers (own meshes, stub upstream, minted tokens) in edge_support.py."""
from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def keys_dir(mesh):
    """The session mesh's signing keys, for tokens auth_svc would never issue (expired, no permissions)."""
    return mesh.state_dir / "keys"
