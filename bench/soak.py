"""A bounded loopback soak: mixed REST traffic through Envoy at a fixed offered rate, with the resident
memory of every process sampled each second.

    .venv/bin/python -m bench.soak [--seconds 300] [--rate 60] [--threads 16] [--rounds 12] [--sqlite]

Starts its own auth_svc, master_svc and Envoy on free loopback ports, on a throwaway MariaDB (SQLite
with --sqlite or when no mariadbd is installed), seeds a little master and auth data, then offers
`--rate` requests per second for `--seconds` seconds, open loop: a scheduler issues one ticket every
1/rate seconds with an operation drawn from the weighted mix below, and `--threads` client threads
(one keep-alive HTTP/1.1 connection each) take them. Latency runs from the ticket's due time to the
end of the response, so time spent waiting for a free client thread counts (no coordinated
omission), and a saturated mesh shows as latency and a lower achieved rate, not as a quieter run.

The mix (weights per 100 tickets): login 2 (a bcrypt check at `--rounds`), refresh 8 (each client
rotates its own session's refresh token and uses the new one next time), authenticated lists 60 (five
master collections and auth users and roles, 50 rows a page), and master writes 30: create, PATCH with
the row's etag, hard delete, each 10, on equipment types and countries. Each client owns the rows it
creates, so no write conflicts with another; deletes keep the data set stationary, so memory that grows
is not data that grew. The per-client login limit and the edge's login and refresh buckets are lifted
for the run: every request comes from 127.0.0.1, and the soak measures the mesh, not the limiter.

Reported per operation: count, achieved req/s, p50/p99/max latency from the due time, p50/p99 from
sending (what the mesh took, without the wait for a client thread), errors by HTTP status (anything
but 200, or no response). Per process (auth_svc, master_svc, envoy): VmRSS at the end of the warm-up,
at the end, the maximum, the least-squares slope over the second half of the run (MiB/min) and the
growth from the warm-up's end (%). A table is printed and the whole report,
samples included, written to var/reports/soak.json.

Exit status 1 when any request failed or any mesh process trends upward past the bound: growth after
the warm-up above max(GROWTH_BOUND_MIB, GROWTH_BOUND_PCT of its size) *and* a second-half slope
above SLOPE_BOUND_MIB_PER_MIN. Both must hold: allocator arenas grow in steps of about a MiB, which
moves a short slope without moving the growth, while a leak moves both and keeps moving them.
"""
from __future__ import annotations

import argparse
import http.client
import json
import queue
import random
import statistics
import sys
import threading
import time
import urllib.parse
from collections import Counter, deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from bench.common import ADMIN_PASSWORD, bench_mesh
from tools.mesh import ROOT

REPORT = ROOT / "var" / "reports" / "soak.json"

LISTS = {
    "list continents": "/api/master/continents/?page_size=50",
    "list countries": "/api/master/countries/?page_size=50",
    "list states": "/api/master/states/?page_size=50",
    "list cities": "/api/master/cities/?page_size=50",
    "list equipment-types": "/api/master/equipment-types/?page_size=50",
    "list users": "/api/auth/users/?page_size=50",
    "list roles": "/api/auth/roles/?page_size=50",
}
MIX = {"login": 2, "refresh": 8, **{name: (5 if "users" in name or "roles" in name else 10) for name in LISTS},
       "create": 10, "update": 10, "delete": 10}
WRITABLE = ("equipment-types", "countries")

# Leak bounds for a mesh process after the warm-up (see the module docstring).
GROWTH_BOUND_MIB = 8.0
GROWTH_BOUND_PCT = 10.0
SLOPE_BOUND_MIB_PER_MIN = 2.0
SAMPLE_SECONDS = 1.0
MEASURED = ("auth_svc", "master_svc", "envoy")


class Client:
    """One keep-alive HTTP/1.1 connection to the edge; (status, parsed JSON body or None)."""

    def __init__(self, addr: str):
        host, port = addr.rsplit(":", 1)
        self.host, self.port = host, int(port)
        self.conn: Optional[http.client.HTTPConnection] = None
        self.reconnects = 0

    def request(self, method: str, path: str, body: Optional[dict] = None,
                token: Optional[str] = None) -> tuple[int, object]:
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Content-Type": "application/json"} if data is not None else {}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        for attempt in (0, 1):
            reused = self.conn is not None
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
            try:
                self.conn.request(method, path, body=data, headers=headers)
                response = self.conn.getresponse()
                payload = response.read()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self.close()
                # The edge may close an idle keep-alive connection just as a request goes out on it;
                # like any HTTP client, send again once on a new connection. A fresh one failing is an error.
                if reused and attempt == 0:
                    self.reconnects += 1
                    continue
                raise
            if response.getheader("connection", "").lower() == "close":
                self.close()
            parsed = json.loads(payload) if payload and "json" in (response.getheader("content-type") or "") else None
            return response.status, parsed
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


@dataclass
class Outcome:
    latencies: list[float] = field(default_factory=list)  # from the due time: what the offered load sees
    service: list[float] = field(default_factory=list)  # from sending: what the mesh took
    errors: Counter = field(default_factory=Counter)


@dataclass
class Worker:
    """A client thread's own session and rows; every operation is one request."""

    index: int
    client: Client
    username: str
    password: str
    continent_id: str
    access: str = ""
    refresh_token: str = ""
    rows: deque = field(default_factory=deque)  # (collection, id, etag), oldest first
    created: int = 0

    def login(self) -> int:
        status, body = self.client.request("POST", "/api/auth/login/",
                                           {"username": self.username, "password": self.password})
        if status == 200:
            self.access, self.refresh_token = body["access_token"], body["refresh_token"]
        return status

    def refresh(self) -> int:
        status, body = self.client.request("POST", "/api/auth/refresh/", {"refresh_token": self.refresh_token})
        if status == 200:
            self.access, self.refresh_token = body["access_token"], body["refresh_token"]
        return status

    def create(self) -> int:
        collection = WRITABLE[self.created % len(WRITABLE)]
        self.created += 1
        row = {"name": f"Soak {self.index}-{self.created}", "code": f"S{self.index}X{self.created}"}
        if collection == "countries":
            row["continent_id"] = self.continent_id
        status, body = self.client.request("POST", f"/api/master/{collection}/", row, self.access)
        if status == 200:
            self.rows.append((collection, body["id"], body["etag"]))
        return status

    def update(self) -> int:
        if not self.rows:
            return self.create()
        collection, row_id, etag = self.rows.popleft()
        status, body = self.client.request("PATCH", f"/api/master/{collection}/{row_id}/",
                                           {"description": f"updated {time.time():.3f}", "etag": etag}, self.access)
        self.rows.append((collection, row_id, body["etag"] if status == 200 else etag))
        return status

    def delete(self) -> int:
        if not self.rows:
            return self.create()
        collection, row_id, etag = self.rows.popleft()
        status, _ = self.client.request("DELETE", f"/api/master/{collection}/{row_id}/?hard_delete=true&etag="
                                        + urllib.parse.quote(etag, safe=""), token=self.access)
        if status != 200:
            self.rows.appendleft((collection, row_id, etag))
        return status

    def run(self, kind: str) -> int:
        if kind in LISTS:
            return self.client.request("GET", LISTS[kind], token=self.access)[0]
        return getattr(self, kind)()


class RssSampler(threading.Thread):
    """VmRSS of each process (from /proc/<pid>/status) every SAMPLE_SECONDS: name -> [(t, MiB)]."""

    def __init__(self, pids: dict[str, int], origin: float):
        super().__init__(daemon=True)
        self.pids, self.origin = pids, origin
        self.samples: dict[str, list[tuple[float, float]]] = {name: [] for name in pids}
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            now = time.perf_counter() - self.origin
            for name, pid in self.pids.items():
                rss = vm_rss_mib(pid)
                if rss is not None:
                    self.samples[name].append((round(now, 2), rss))
            self.stopping.wait(SAMPLE_SECONDS)


def child_pids(pid: int) -> list[int]:
    found: set[int] = set()
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            found |= {int(c) for c in (task / "children").read_text().split()}
    except OSError:
        pass
    return sorted(found)


def vm_rss_mib(pid: int) -> Optional[float]:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def slope_per_minute(points: list[tuple[float, float]]) -> float:
    """Least-squares slope of (seconds, MiB) points, in MiB per minute; 0 for fewer than 2 points."""
    if len(points) < 2:
        return 0.0
    mean_t = statistics.fmean(t for t, _ in points)
    mean_v = statistics.fmean(v for _, v in points)
    var = sum((t - mean_t) ** 2 for t, _ in points)
    if var == 0:
        return 0.0
    return 60.0 * sum((t - mean_t) * (v - mean_v) for t, v in points) / var


def memory_trend(samples: list[tuple[float, float]], warmup: float, seconds: float) -> dict:
    """RSS at the warm-up's end, at the end and at most; the second half's slope; the growth since
    the warm-up. Values at an instant are the median of the samples within 2 s of it, so that one
    sample caught in the middle of a burst does not stand for the process."""
    run = [(t, v) for t, v in samples if 0 <= t <= seconds + SAMPLE_SECONDS] or samples

    def at(moment: float) -> float:
        near = [v for t, v in run if abs(t - moment) <= 2.0]
        if not near:
            near = [min(run, key=lambda p: abs(p[0] - moment))[1]]
        return statistics.median(near)

    start, end = at(warmup), at(seconds)
    growth = end - start
    return {
        "rss_warmup_mib": round(start, 1),
        "rss_end_mib": round(end, 1),
        "rss_max_mib": round(max(v for _, v in run), 1),
        "growth_mib": round(growth, 1),
        "growth_pct": round(100.0 * growth / start, 1) if start else 0.0,
        "slope_mib_per_min": round(slope_per_minute([(t, v) for t, v in run if t >= seconds / 2]), 2),
    }


def leaks(trend: dict) -> bool:
    """Whether a process's trend (memory_trend) breaks the leak bound of the module docstring."""
    allowed = max(GROWTH_BOUND_MIB, trend["rss_warmup_mib"] * GROWTH_BOUND_PCT / 100)
    return trend["growth_mib"] > allowed and trend["slope_mib_per_min"] > SLOPE_BOUND_MIB_PER_MIN


def percentile(ordered: list[float], q: float) -> float:
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))] if ordered else 0.0


def seed(client: Client, users: int) -> tuple[str, list[tuple[str, str]]]:
    """A little of everything the lists read; returns the soak continent's id and (username, password)
    of `users` users holding the administrators role (role id 1)."""
    status, body = client.request("POST", "/api/auth/login/", {"username": "admin", "password": ADMIN_PASSWORD})
    if status != 200:
        raise RuntimeError(f"admin login failed: {status} {body}")
    token = body["access_token"]

    def post(path: str, row: dict) -> dict:
        status, created = client.request("POST", path, row, token)
        if status != 200:
            raise RuntimeError(f"seeding {path} failed: {status} {created}")
        return created

    continent = post("/api/master/continents/", {"name": "Soak continent", "code": "SK"})
    country = post("/api/master/countries/", {"name": "Soak country", "continent_id": continent["id"]})
    state = post("/api/master/states/", {"name": "Soak state", "country_id": country["id"]})
    district = post("/api/master/districts/", {"name": "Soak district", "state_id": state["id"]})
    for i in range(20):
        post("/api/master/continents/", {"name": f"Seed continent {i}", "code": f"C{i}"})
        post("/api/master/countries/", {"name": f"Seed country {i}", "continent_id": continent["id"]})
        post("/api/master/states/", {"name": f"Seed state {i}", "country_id": country["id"]})
        post("/api/master/cities/", {"name": f"Seed city {i}", "district_id": district["id"]})
        post("/api/master/equipment-types/", {"name": f"Seed equipment {i}", "category": "seed"})
        post("/api/auth/roles/", {"name": f"Soak role {i}", "description": "seeded by the soak"})
    accounts = []
    for i in range(users):
        username, password = f"soak_user_{i}", f"Soak-Passw0rd-{i}!"
        post("/api/auth/users/", {"username": username, "password": password, "role_ids": [1]})
        accounts.append((username, password))
    return continent["id"], accounts


def run_soak(seconds: float = 300.0, rate: float = 60.0, threads: int = 16, rounds: int = 12,
             warmup: Optional[float] = None, use_sqlite: bool = False, rng_seed: int = 9) -> dict:
    """Runs the soak and returns its report (see the module docstring); raises if the mesh cannot start."""
    warmup = min(60.0, seconds / 3) if warmup is None else warmup
    with bench_mesh("erp-soak-", use_sqlite, edges=("envoy",), ERP_BCRYPT_ROUNDS=str(rounds),
                    ERP_LOG_LEVEL="INFO", ERP_LOGIN_IP_RATE_PER_MINUTE="0",
                    ERP_EDGE_LOGIN_RATE_PER_MINUTE="1000000",
                    ERP_EDGE_REFRESH_RATE_PER_MINUTE="1000000") as (mesh, backend):
        mesh.start()
        setup_client = Client(mesh.edge_addr)
        continent_id, accounts = seed(setup_client, threads)
        setup_client.close()
        workers = [Worker(i, Client(mesh.edge_addr), *accounts[i], continent_id) for i in range(threads)]
        for w in workers:
            if w.login() != 200:
                raise RuntimeError(f"{w.username} cannot log in")

        pids = {p.name: p.proc.pid for p in mesh.processes}
        for p in mesh.processes:  # a service's worker processes (ERP_WORKERS) are judged one by one
            pids.update({f"{p.name}/w{i}": child for i, child in enumerate(child_pids(p.proc.pid), 1)})
        kinds, weights = list(MIX), list(MIX.values())
        outcomes = {kind: Outcome() for kind in kinds}
        tickets: queue.Queue = queue.Queue()
        unsent = [0]
        lock = threading.Lock()
        origin = time.perf_counter() + 0.5
        sampler = RssSampler(pids, origin)
        sampler.start()

        def schedule() -> None:
            rng = random.Random(rng_seed)  # nosec B311 # a reproducible traffic mix, not a secret
            total = int(seconds * rate)
            for k in range(total):
                due = origin + k / rate
                pause = due - time.perf_counter()
                if pause > 0:
                    time.sleep(pause)
                tickets.put((due, rng.choices(kinds, weights)[0]))
            for _ in workers:
                tickets.put(None)

        def serve(worker: Worker) -> None:
            late_after = origin + seconds + 5.0
            while (ticket := tickets.get()) is not None:
                due, kind = ticket
                if time.perf_counter() > late_after:
                    with lock:
                        unsent[0] += 1
                    continue
                sent = time.perf_counter()
                try:
                    status = worker.run(kind)
                except Exception as exc:  # no response, or not the one expected: a failed request
                    status = type(exc).__name__
                finished = time.perf_counter()
                with lock:
                    if status == 200:
                        outcomes[kind].latencies.append(finished - due)
                        outcomes[kind].service.append(finished - sent)
                    else:
                        outcomes[kind].errors[str(status)] += 1

        running = [threading.Thread(target=schedule)] + [threading.Thread(target=serve, args=(w,)) for w in workers]
        for t in running:
            t.start()
        for t in running:
            t.join()
        elapsed = max(time.perf_counter() - origin, seconds)
        time.sleep(SAMPLE_SECONDS)
        sampler.stopping.set()
        sampler.join()
        for w in workers:
            w.client.close()

    operations = {}
    for kind in kinds:
        ordered, service = sorted(outcomes[kind].latencies), sorted(outcomes[kind].service)
        operations[kind] = {
            "count": len(ordered) + sum(outcomes[kind].errors.values()),
            "per_s": round(len(ordered) / elapsed, 1),
            "p50_ms": round(percentile(ordered, 0.5) * 1000, 1),
            "p99_ms": round(percentile(ordered, 0.99) * 1000, 1),
            "max_ms": round((ordered[-1] if ordered else 0.0) * 1000, 1),
            "service_p50_ms": round(percentile(service, 0.5) * 1000, 1),
            "service_p99_ms": round(percentile(service, 0.99) * 1000, 1),
            "errors": sum(outcomes[kind].errors.values()),
            "errors_by_status": dict(outcomes[kind].errors),
        }
    processes = {}
    for name, samples in sampler.samples.items():
        if samples:
            trend = memory_trend(samples, warmup, seconds)
            trend["leak"] = leaks(trend)
            processes[name] = trend
    errors = sum(op["errors"] for op in operations.values())
    completed = sum(len(o.latencies) for o in outcomes.values())
    problems = [f"{errors} failed requests"] if errors else []
    problems += [f"{name}: RSS grows {p['growth_mib']} MiB ({p['growth_pct']} %) after the warm-up, "
                 f"{p['slope_mib_per_min']} MiB/min over the second half" for name, p in processes.items() if p["leak"]]
    problems += [f"{name}: no RSS samples" for name in MEASURED if name not in processes]
    return {
        "config": {"seconds": seconds, "warmup_seconds": warmup, "offered_per_s": rate, "client_threads": threads,
                   "mode": "open loop, fixed offered rate; latency from each request's due time",
                   "bcrypt_rounds": rounds, "database": backend, "edge": "envoy", "mix": MIX,
                   "leak_bound": {"growth_mib": GROWTH_BOUND_MIB, "growth_pct": GROWTH_BOUND_PCT,
                                  "slope_mib_per_min": SLOPE_BOUND_MIB_PER_MIN}},
        "operations": operations,
        "totals": {"completed": completed, "per_s": round(completed / elapsed, 1), "errors": errors,
                   "unsent": unsent[0], "reconnects": sum(w.client.reconnects for w in workers)},
        "processes": processes,
        "samples": sampler.samples,
        "ok": not problems,
        "problems": problems,
    }


def table(report: dict) -> str:
    c, t = report["config"], report["totals"]
    lines = [f"soak: {c['seconds']:g} s through Envoy REST on loopback, {c['database']}, bcrypt cost "
             f"{c['bcrypt_rounds']}, {c['offered_per_s']:g} req/s offered by {c['client_threads']} client threads "
             f"({c['mode']}), warm-up {c['warmup_seconds']:g} s",
             "latency from the due time (p50, p99, max) and from sending (svc p50, svc p99), in ms",
             f"{'operation':<22} {'count':>7} {'req/s':>7} {'p50':>8} {'p99':>8} {'max':>8} {'svc p50':>8} "
             f"{'svc p99':>8} {'errors':>7}"]
    for kind, op in report["operations"].items():
        by_status = " " + json.dumps(op["errors_by_status"]) if op["errors"] else ""
        lines.append(f"{kind:<22} {op['count']:>7} {op['per_s']:>7.1f} {op['p50_ms']:>8.1f} {op['p99_ms']:>8.1f} "
                     f"{op['max_ms']:>8.1f} {op['service_p50_ms']:>8.1f} {op['service_p99_ms']:>8.1f} "
                     f"{op['errors']:>7}{by_status}")
    lines.append(f"{'all':<22} {t['completed'] + t['errors']:>7} {t['per_s']:>7.1f} {'':>44} "
                 f"{t['errors']:>7}   unsent {t['unsent']}, reconnects {t['reconnects']}")
    lines += ["", f"{'process':<14} {'RSS warm MiB':>13} {'end MiB':>8} {'max MiB':>8} {'growth':>14} "
                  f"{'slope MiB/min':>14}  verdict"]
    for name, p in report["processes"].items():
        verdict = "LEAK TREND" if p["leak"] else "bounded"
        lines.append(f"{name:<14} {p['rss_warmup_mib']:>13.1f} {p['rss_end_mib']:>8.1f} {p['rss_max_mib']:>8.1f} "
                     f"{p['growth_mib']:>+7.1f} ({p['growth_pct']:>+4.1f}%) "
                     f"{p['slope_mib_per_min']:>+14.2f}  {verdict}")
    lines.append("")
    lines.append("OK" if report["ok"] else "FAILED: " + "; ".join(report["problems"]))
    return "\n".join(lines)


def write_report(report: dict, path: Path = REPORT) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=1) + "\n")
    return path


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=300.0, help="measured duration (default 300)")
    parser.add_argument("--rate", type=float, default=60.0, help="offered requests per second (default 60)")
    parser.add_argument("--threads", type=int, default=16, help="client threads (default 16)")
    parser.add_argument("--rounds", type=int, default=12, help="bcrypt cost (default 12, the production default)")
    parser.add_argument("--warmup", type=float, default=None, help="seconds excluded from the growth figure "
                                                                    "(default a third of the run, at most 60)")
    parser.add_argument("--sqlite", action="store_true", help="use SQLite instead of a throwaway MariaDB")
    parser.add_argument("--report", type=Path, default=REPORT, help=f"JSON report (default {REPORT})")
    args = parser.parse_args(argv)
    report = run_soak(args.seconds, args.rate, args.threads, args.rounds, args.warmup, args.sqlite)
    print(table(report))
    print(f"report: {write_report(report, args.report)}")
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
