"""Fixtures of the edge e2e tests; the session mesh and the `edge` parametrisation live in
tests/support/mesh.py, the helpers (own meshes, stub upstream, minted tokens) in tests/support/edge.py."""
from __future__ import annotations

import pytest

from tests.support.edge import EdgesOnly, stub_master


@pytest.fixture(scope="session")
def keys_dir(mesh):
    """The session mesh's signing keys, for tokens auth_svc would never issue (expired, no permissions)."""
    return mesh.state_dir / "keys"


@pytest.fixture(scope="module")
def stubbed(mesh):
    """Both edges at their defaults (no trusted proxy) in front of a stub master_svc: (edges, servicer)."""
    with stub_master() as (stub_addr, servicer):
        edges = EdgesOnly(mesh, stub_addr).start()
        try:
            yield edges, servicer
        finally:
            edges.stop()
