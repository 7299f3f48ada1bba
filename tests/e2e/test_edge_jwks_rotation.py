"""Signing-key rotation: a token signed with a key added by `python -m auth_svc rotate-keys` is
accepted by the edge on first use, although the edge caches the JWK set for minutes. auth_svc also
publishes a new key ERP_KEY_ACTIVATION_SECONDS before signing with it; this mesh sets that to 0 so
the edge's own refetch on an unknown kid is what is tested. A mesh of its own: rotating the session
mesh's keys would change every other test's tokens."""
from __future__ import annotations

import subprocess
import sys
import time

import jwt
import pytest

from tests.support import EDGES
from tests.support.edge import edge_http, own_mesh, running, wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


@pytest.fixture(scope="module")
def rotating_mesh():
    with running(own_mesh(ERP_KEY_ACTIVATION_SECONDS="0")) as mesh:
        yield mesh


def kid(token: str) -> str:
    return jwt.get_unverified_header(token)["kid"]


def test_new_signing_key_is_accepted_at_once(rotating_mesh):
    http = {kind: edge_http(rotating_mesh, kind) for kind in EDGES}
    old = http["envoy"].login()["access_token"]
    for kind in EDGES:  # every edge has the current key set cached now; so has master_svc
        assert http[kind].get("/api/master/continents/?page_size=1", token=old)[0] == 200
    warmed = time.monotonic()

    new_kid = subprocess.run([sys.executable, "-m", "auth_svc", "rotate-keys"], env=rotating_mesh.env(),
                             check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1]

    def token_signed_by_new_key():
        token = http["envoy"].login()["access_token"]
        return token if kid(token) == new_kid else None

    new = wait_for(token_signed_by_new_key, timeout=10, interval=1)  # auth_svc rereads its keys every second
    assert new and kid(new) == new_kid and kid(old) != new_kid
    # master_svc refetches on an unknown kid at most every 5 s; wait that out so only the edge is tested.
    time.sleep(max(0.0, 5.5 - (time.monotonic() - warmed)))

    results = {kind: http[kind].get("/api/master/continents/?page_size=1", token=new) for kind in EDGES}
    for kind, (status, _, body) in results.items():
        assert status == 200, (kind, body)
        assert http[kind].get("/api/master/continents/?page_size=1", token=old)[0] == 200, kind
