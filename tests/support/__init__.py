"""What the test suites share, in one package; every suite imports it as `from tests.support... import`
and no suite imports another suite's modules.

    tests.support          ROOT (the checkout), EDGES (the edges this machine can run), ADMIN_PASSWORD
    tests.support.http     Http, the tests' HTTP client
    tests.support.mesh     the session fixtures: MariaDB, the shared mesh, an Http per edge, channels
    tests.support.edge     meshes of a test module's own, edges before a stub, minted tokens, edge errors
    tests.support.hostile  forged tokens and the markers of a leaked internal error
    tests.support.auth     the auth admin API over gRPC (integration)
    tests.support.master   the master_svc command line
    tests.support.browser  headless Chromium and its screenshots
    tests.support.faults   fault injection: meshes with replicas, load, kills, reports
    tests.support.fuzz     the schema fuzzing's cases and checks
    tests.support.deploy   the offline deploy checks' tools
    tests.support.containers   podman, the images and the running stack
"""
from __future__ import annotations

from pathlib import Path

from tools.mesh import GATEWAY_BIN

ROOT = Path(__file__).resolve().parents[2]
# The first administrator of the session mesh (tests.support.mesh); meshes of their own choose theirs.
ADMIN_PASSWORD = "Test-Admin-Passw0rd!"
# The REST face runs behind Envoy, and behind the Go gateway too when `make gateway` built it.
EDGES = ("envoy", "gateway") if GATEWAY_BIN.exists() else ("envoy",)
