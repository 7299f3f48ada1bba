"""What the service benches share: a bounded thread-pool driver, its result row, the database."""
from __future__ import annotations

import shutil
import statistics
import tempfile
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, Optional

import grpc

from tools.mesh import Mesh

HEADER = f"{'call':<22} {'calls':>8} {'per s':>10} {'p50 ms':>9} {'p99 ms':>9} {'errors':>7}"


@dataclass
class Result:
    name: str
    latencies: list[float]
    errors: int
    seconds: float

    def row(self) -> str:
        ordered = sorted(self.latencies) or [0.0]
        p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
        return (f"{self.name:<22} {len(self.latencies):>8} {len(self.latencies) / self.seconds:>10.1f} "
                f"{statistics.median(ordered) * 1000:>9.2f} {p99 * 1000:>9.2f} {self.errors:>7}")


def drive(name: str, make_worker: Callable[[int], Callable[[], object]], concurrency: int, *,
          total: Optional[int] = None, seconds: Optional[float] = None) -> Result:
    """Runs calls from `concurrency` threads, `total` calls in all or for `seconds`, whichever is
    given; `make_worker(i)` gives thread i its call. Failed calls are counted, not timed."""
    if (total is None) == (seconds is None):
        raise ValueError("give exactly one of total and seconds")
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.perf_counter() + (seconds or 0.0)
    shares = ([total // concurrency + (1 if i < total % concurrency else 0) for i in range(concurrency)]
              if total is not None else [None] * concurrency)

    def worker(index: int) -> None:
        call, mine, failed, done = make_worker(index), [], 0, 0
        while (done < shares[index]) if shares[index] is not None else (time.perf_counter() < deadline):
            started = time.perf_counter()
            try:
                call()
                mine.append(time.perf_counter() - started)
            except grpc.RpcError:
                failed += 1
            done += 1
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(concurrency)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return Result(name, latencies, errors[0], time.perf_counter() - started)


def databases(use_sqlite: bool, state: Path):
    """(auth URL, master URL, MariaDB server to stop or None, backend name): a throwaway MariaDB
    unless SQLite is asked for or no mariadbd is installed."""
    if not use_sqlite:
        try:
            from erp_testing.mariadb import MariaDB
            server = MariaDB().start()
            return server.create_database("bench_auth"), server.create_database("bench_master"), server, "MariaDB"
        except FileNotFoundError:
            pass
    return f"sqlite:///{state / 'auth.sqlite3'}", f"sqlite:///{state / 'master.sqlite3'}", None, "SQLite"


ADMIN_PASSWORD = "Bench-Admin-Passw0rd!"  # nosec B105 # a bench mesh's own throwaway admin, on loopback


@contextmanager
def bench_mesh(prefix: str, use_sqlite: bool, keep: bool = False, edges: tuple[str, ...] = (),
               **env: str) -> Iterator[tuple[Mesh, str]]:
    """A mesh (not started: some benches seed first) on free ports and its own database, and the
    backend's name; everything is stopped, and the work directory removed unless `keep`, on exit.
    `edges` are the edges the mesh starts (none by default: the benches that need one start their own).
    `env` overrides the defaults (bcrypt cost 4, WARNING logs, admin password ADMIN_PASSWORD)."""
    state = Path(tempfile.mkdtemp(prefix=prefix))
    auth_url, master_url, server, backend = databases(use_sqlite, state)
    mesh = Mesh.on_free_ports(edges=edges, state_dir=state, extra_env={
        "ERP_AUTH_DB_URL": auth_url, "ERP_MASTER_DB_URL": master_url, "ERP_ADMIN_PASSWORD": ADMIN_PASSWORD,
        "ERP_BCRYPT_ROUNDS": "4", "ERP_LOG_LEVEL": "WARNING", **env})
    try:
        yield mesh, backend
    finally:
        mesh.stop()
        if server:
            server.stop()
        if not keep:
            shutil.rmtree(state, ignore_errors=True)
