"""The fuzz run's own mesh: auth_svc + master_svc on databases of their own in the session MariaDB,
behind Envoy and the Go gateway, so that the junk schemathesis writes never reaches the shared mesh.

Who calls: `admin` (the bootstrapped first administrator) sends every case. The fuzzer may aim any
user operation at any id, so the accounts the run depends on are kept out of its reach by `Guard`
(tests/support/fuzz.py): a case aimed at them is redirected to a sacrificial user, and the operations that
end the caller's own session or change its MFA run with a fresh token of a second administrator.
"""
from __future__ import annotations

import shutil

import pytest

from tests.support import ADMIN_PASSWORD, EDGES
from tests.support.fuzz import ANSWERS, CASES, SCENARIOS, Guard
from tests.support.http import Http
from tools.mesh import Mesh


@pytest.fixture(scope="session")
def fuzz_mesh(mariadb):
    mesh = Mesh.on_free_ports("erp-fuzz-", edges=EDGES, extra_env={
        "ERP_AUTH_DB_URL": mariadb.create_database("fuzz_auth"),
        "ERP_MASTER_DB_URL": mariadb.create_database("fuzz_master"),
        "ERP_ADMIN_PASSWORD": ADMIN_PASSWORD,
        "ERP_BCRYPT_ROUNDS": "4",
        "ERP_REVOCATION_POLL_SECONDS": "1",
        # The fuzzer logs in with whatever it likes, a guarded account's name included, and the guard
        # logs in once per session-ending case: no limit or lockout may end the run. The limits have
        # their own tests with small settings.
        "ERP_LOGIN_IP_RATE_PER_MINUTE": "1000000",
        "ERP_EDGE_LOGIN_RATE_PER_MINUTE": "1000000",
        "ERP_EDGE_REFRESH_RATE_PER_MINUTE": "1000000",
        "ERP_LOCKOUT_THRESHOLD": "1000000",
        "ERP_LOG_LEVEL": "WARNING",
    })
    mesh.start()
    yield mesh
    mesh.stop()
    shutil.rmtree(mesh.state_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def guard(fuzz_mesh) -> Guard:
    return Guard.set_up(Http(f"http://{fuzz_mesh.edge_addr}"))


def pytest_terminal_summary(terminalreporter):
    if not CASES:
        return
    write = terminalreporter.write_line
    terminalreporter.section("schemathesis cases sent")
    for (edge, run, label), n in sorted(CASES.items()):
        write(f"{n:6d}  {edge:8s} {run:9s} {label}")
    for edge, run in sorted({(e, r) for e, r, _ in CASES}):
        sent = sum(n for (e, r, _), n in CASES.items() if (e, r) == (edge, run))
        answers = ", ".join(f"{n} {cls}" for (e, r, cls), n in sorted(ANSWERS.items()) if (e, r) == (edge, run))
        scenarios = f", {SCENARIOS[edge]} scenarios" if run == "stateful" else ""
        write(f"{edge} {run}: {sent} cases ({answers}{scenarios})")
    write(f"total: {sum(CASES.values())} cases over {len({label for _, _, label in CASES})} operations")
