"""Two replicas of each service behind one Envoy, on one MariaDB: the guarantees that must not depend
on which replica answers. Each replica serves its own /metrics, which shows where the calls went."""
from __future__ import annotations

import threading
import time
import uuid

import pytest

from erp_testing.prometheus import scrape
from tests.support.http import Http
from tools.mesh import Mesh

pytestmark = pytest.mark.e2e

ADMIN_PASSWORD = "Replica-Admin-Passw0rd!"
LOCKOUT_THRESHOLD = 4
AUTH = "erp.auth.v1.AuthService"
CONTINENTS = "erp.master.v1.ContinentService"


class Replicas:
    def __init__(self, mesh: Mesh):
        self.mesh = mesh
        self.http = Http(f"http://{mesh.edge_addr}")
        self.auth_metrics = mesh.auth_metrics_addr.split(",")
        self.master_metrics = mesh.master_metrics_addr.split(",")

    def calls(self, metrics_addrs: list[str], service: str, method: str, code: str) -> list[float]:
        """erp_rpc_requests_total of each replica."""
        return [scrape(addr).value("erp_rpc_requests_total", service=service, method=method, code=code)
                for addr in metrics_addrs]


@pytest.fixture(scope="module")
def replicas(mariadb):
    # Two processes per service, one keys dir for both auth replicas, one Envoy worker so that
    # round robin alternates strictly.
    mesh = Mesh.on_free_ports("erp-replicas-", replicas=2, edges=("envoy",), envoy_concurrency=1, extra_env={
        "ERP_AUTH_DB_URL": mariadb.create_database("auth"),
        "ERP_MASTER_DB_URL": mariadb.create_database("master"),
        "ERP_ADMIN_PASSWORD": ADMIN_PASSWORD,
        "ERP_BCRYPT_ROUNDS": "4",
        "ERP_REVOCATION_POLL_SECONDS": "1",
        "ERP_LOCKOUT_THRESHOLD": str(LOCKOUT_THRESHOLD),
        "ERP_REFRESH_REUSE_GRACE": "0",  # reuse is presented right after the rotation
    })
    try:
        mesh.start()
        assert len([p for p in mesh.processes if p.name.startswith(("auth_svc", "master_svc"))]) == 4
        yield Replicas(mesh)
    finally:
        mesh.stop()


def _login(http: Http, username: str = "admin", password: str = ADMIN_PASSWORD) -> dict:
    return http.login(username, password)


def test_parallel_duplicate_creates_give_one_200_and_the_rest_409(replicas):
    token = _login(replicas.http)["access_token"]
    name, n = f"Atlantis {uuid.uuid4().hex[:8]}", 8
    before = replicas.calls(replicas.master_metrics, CONTINENTS, "CreateContinent", "ALREADY_EXISTS")
    start, statuses = threading.Barrier(n), []

    def create():
        start.wait()
        statuses.append(replicas.http.post("/api/master/continents/", {"name": name}, token=token)[0])

    threads = [threading.Thread(target=create) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(statuses) == [200] + [409] * (n - 1)
    deadline = time.monotonic() + 5  # the interceptor counts a call just after its reply is sent
    while True:
        after = replicas.calls(replicas.master_metrics, CONTINENTS, "CreateContinent", "ALREADY_EXISTS")
        refused = [a - b for a, b in zip(after, before)]
        if sum(refused) >= n - 1 or time.monotonic() > deadline:
            break
        time.sleep(0.02)
    assert sum(refused) == n - 1 and all(r > 0 for r in refused), refused  # both replicas said 409


def test_a_write_on_one_replica_is_listed_at_once_by_every_replica(replicas):
    """Lists are cached per data version (master_svc/api/list_cache.py): a write through either
    replica must show in the very next list from both, with no staleness window."""
    token = _login(replicas.http)["access_token"]
    path = "/api/master/continents/?page_size=1000"
    for _ in range(4):  # fill both replicas' caches (round robin alternates)
        assert replicas.http.get(path, token=token)[0] == 200
    for _ in range(2):
        name = f"Listed {uuid.uuid4().hex[:8]}"
        assert replicas.http.post("/api/master/continents/", {"name": name}, token=token)[0] == 200
        for _ in range(2):  # the next list on each replica
            status, _, body = replicas.http.get(path, token=token)
            assert status == 200 and name in {c["name"] for c in body["continents"]}


def _counted_once(replicas, service: str, method: str, code: str, before: list) -> list:
    """The per-replica counters once the call is counted: the interceptor counts after the reply
    is sent, so a scrape right after the response may not see it yet."""
    deadline = time.monotonic() + 5
    while True:
        after = replicas.calls(replicas.auth_metrics, service, method, code)
        if sum(a - b for a, b in zip(after, before)) >= 1 or time.monotonic() > deadline:
            return after
        time.sleep(0.02)


def test_a_refresh_token_presented_twice_revokes_its_session_on_any_replica(replicas):
    http, crossed = replicas.http, False
    for _ in range(4):  # until the two presentations met different replicas; with one worker, the first time
        tokens = _login(http)
        before = replicas.calls(replicas.auth_metrics, AUTH, "RefreshToken", "OK")
        first_status, _, first = http.post("/api/auth/refresh/", {"refresh_token": tokens["refresh_token"]})
        assert first_status == 200, first
        after_first = _counted_once(replicas, AUTH, "RefreshToken", "OK", before)
        reused = replicas.calls(replicas.auth_metrics, AUTH, "RefreshToken", "UNAUTHENTICATED")
        status, _, body = http.post("/api/auth/refresh/", {"refresh_token": tokens["refresh_token"]})
        assert (status, body["status"]) == (401, "UNAUTHENTICATED"), body
        reuse_after = _counted_once(replicas, AUTH, "RefreshToken", "UNAUTHENTICATED", reused)
        # The whole family is gone: the token the first refresh issued fails too.
        status, _, body = http.post("/api/auth/refresh/", {"refresh_token": first["refresh_token"]})
        assert status == 401, body
        rotated_on = [a - b for a, b in zip(after_first, before)].index(1)
        refused_on = [a - b for a, b in zip(reuse_after, reused)].index(1)
        if rotated_on != refused_on:
            crossed = True
            break
    assert crossed, "every reuse landed on the replica that had rotated the token"


def test_logout_on_one_replica_is_refused_by_every_master_replica_within_5s(replicas):
    http = replicas.http
    tokens = _login(http)
    access = tokens["access_token"]
    for _ in range(2):  # round robin: once on each master replica
        assert http.get("/api/master/continents/", token=access)[0] == 200
    before = replicas.calls(replicas.master_metrics, CONTINENTS, "ListContinents", "UNAUTHENTICATED")
    status, _, body = http.post("/api/auth/logout/", {}, token=access)
    assert status == 200, body
    logged_out, refused_at = time.monotonic(), None
    while time.monotonic() - logged_out < 5:
        if http.get("/api/master/continents/", token=access)[0] == 401:
            refused_at = time.monotonic() - logged_out
            break
        time.sleep(0.1)
    assert refused_at is not None, "the logged-out access token still works on master after 5 s"
    for _ in range(4):
        status, _, body = http.get("/api/master/continents/", token=access)
        assert (status, body["status"]) == (401, "UNAUTHENTICATED"), body
    after = replicas.calls(replicas.master_metrics, CONTINENTS, "ListContinents", "UNAUTHENTICATED")
    assert all(a > b for a, b in zip(after, before)), (before, after)  # both replicas refused it


def test_failures_spread_over_both_auth_replicas_still_lock_the_account(replicas):
    http = replicas.http
    admin = _login(http)["access_token"]
    username, password = f"replica_{uuid.uuid4().hex[:8]}", "Replica-User-Passw0rd!"
    status, _, body = http.post("/api/auth/users/", {"username": username, "password": password,
                                                     "email": f"{username}@example.com"}, token=admin)
    assert status == 200, body
    before = replicas.calls(replicas.auth_metrics, AUTH, "Login", "UNAUTHENTICATED")
    for attempt in range(LOCKOUT_THRESHOLD):
        status, _, body = http.post("/api/auth/login/", {"username": username, "password": f"wrong-{attempt}"})
        assert status == 401, (attempt, body)
    after = replicas.calls(replicas.auth_metrics, AUTH, "Login", "UNAUTHENTICATED")
    assert all(a > b for a, b in zip(after, before)), (before, after)  # the failures met both replicas
    locked_before = sum(scrape(a).value("erp_auth_login_total", outcome="locked") for a in replicas.auth_metrics)
    for _ in range(2):  # the right password, on each replica in turn
        status, _, body = http.post("/api/auth/login/", {"username": username, "password": password})
        assert (status, body["status"]) == (429, "RESOURCE_EXHAUSTED"), body
        assert [d for d in body["details"] if d["@type"].endswith("google.rpc.RetryInfo")], body
    locked_after = sum(scrape(a).value("erp_auth_login_total", outcome="locked") for a in replicas.auth_metrics)
    assert locked_after - locked_before == 2
