"""A burst of logins next to administrators' reads, as issue 14 found it: do the reads still work?

    python -m bench.login_burst [--logins 30] [--reads 19] [--rounds 12] [--edge envoy|gateway]

Starts a mesh on free ports over a throwaway MariaDB (bcrypt at `--rounds`), logs the admin in, then
fires `--logins` concurrent logins with unknown usernames and, at the same time, `--reads` concurrent
`GET /api/auth/roles/` with the admin's token. Prints the login statuses, their p50/p99, the reads'
statuses and the breaker openings auth_svc logged. tests/security/test_login_burst.py runs it small.
"""
from __future__ import annotations

import argparse
import collections
import concurrent.futures
import json
import statistics
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field

from bench.common import ADMIN_PASSWORD
from erp_testing.mariadb import MariaDB
from tools.mesh import Mesh

BREAKER_OPEN = "database circuit breaker open"


@dataclass
class BurstResult:
    login_statuses: collections.Counter = field(default_factory=collections.Counter)
    login_seconds: list[float] = field(default_factory=list)
    read_statuses: collections.Counter = field(default_factory=collections.Counter)
    retry_after: list[str] = field(default_factory=list)
    breaker_openings: int = 0

    def percentile(self, q: float) -> float:
        ordered = sorted(self.login_seconds) or [0.0]
        return ordered[min(len(ordered) - 1, int(len(ordered) * q))]

    def summary(self) -> str:
        return (f"logins {dict(sorted(self.login_statuses.items()))} p50 "
                f"{statistics.median(self.login_seconds or [0]) * 1000:.0f} ms p99 {self.percentile(0.99) * 1000:.0f} ms; "
                f"reads {dict(sorted(self.read_statuses.items()))}; breaker openings {self.breaker_openings}")


def _call(url: str, body: dict | None = None, token: str = "") -> tuple[int, dict]:  # nosec B107 # no token
    req = urllib.request.Request(url, data=json.dumps(body).encode() if body is not None else None,
                                 method="POST" if body is not None else "GET")
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:  # nosec B310 # http:// + a mesh address
            return resp.status, dict(resp.headers)
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers)


def burst(base: str, admin_token: str, logins: int, reads: int) -> BurstResult:
    """The logins and the reads all start together (a barrier), each on its own thread."""
    result = BurstResult()
    lock = threading.Lock()
    start = threading.Barrier(logins + reads)

    def login(i: int) -> None:
        start.wait()
        began = time.perf_counter()
        wrong = {"username": f"nobody-{i}", "password": "Wrong-Passw0rd!"}  # nosec B105 # unknown users
        status, headers = _call(base + "/api/auth/login/", wrong)
        with lock:
            result.login_statuses[status] += 1
            result.login_seconds.append(time.perf_counter() - began)
            if status == 429:
                result.retry_after.append(headers.get("Retry-After", headers.get("retry-after", "")))

    def read(_: int) -> None:
        start.wait()
        status, _ = _call(base + "/api/auth/roles/", token=admin_token)
        with lock:
            result.read_statuses[status] += 1

    with concurrent.futures.ThreadPoolExecutor(logins + reads) as pool:
        futures = [pool.submit(login, i) for i in range(logins)] + [pool.submit(read, i) for i in range(reads)]
        for f in futures:
            f.result()
    return result


def burst_env(db_auth: str, db_master: str, rounds: int, extra: dict | None = None) -> dict:
    return {"ERP_AUTH_DB_URL": db_auth, "ERP_MASTER_DB_URL": db_master, "ERP_ADMIN_PASSWORD": ADMIN_PASSWORD,
            "ERP_BCRYPT_ROUNDS": str(rounds), "ERP_LOGIN_IP_RATE_PER_MINUTE": "100000",
            "ERP_EDGE_LOGIN_RATE_PER_MINUTE": "100000", **(extra or {})}


def measure(mesh: Mesh, edge_addr: str, logins: int, reads: int) -> BurstResult:
    req = urllib.request.Request(f"http://{edge_addr}/api/auth/login/", method="POST",
                                 data=json.dumps({"username": "admin", "password": ADMIN_PASSWORD}).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as resp:  # nosec B310 # http:// + a mesh address
        token = json.loads(resp.read())["access_token"]
    log = mesh.state_dir / "log" / "auth_svc.log"
    before = log.read_text(errors="replace").count(BREAKER_OPEN)
    result = burst(f"http://{edge_addr}", token, logins, reads)
    time.sleep(2.5)  # a probe that timed out during the burst logs after its 2 s timeout
    result.breaker_openings = log.read_text(errors="replace").count(BREAKER_OPEN) - before
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--logins", type=int, default=30)
    parser.add_argument("--reads", type=int, default=19)
    parser.add_argument("--rounds", type=int, default=12)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--edge", choices=("envoy", "gateway"), default="envoy")
    args = parser.parse_args()
    db = MariaDB().start()
    try:
        mesh = Mesh.on_free_ports(prefix="erp-burst-", edges=(args.edge,), extra_env=burst_env(
            db.create_database("auth"), db.create_database("master"), args.rounds))
        mesh.start()
        try:
            addr = mesh.edge_addr if args.edge == "envoy" else mesh.gateway_addr
            for _ in range(args.runs):
                print(measure(mesh, addr, args.logins, args.reads).summary(), flush=True)
                time.sleep(3)
        finally:
            mesh.stop()
    finally:
        db.stop()


if __name__ == "__main__":
    main()
