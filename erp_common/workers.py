"""Worker processes: one service command serving from `ERP_WORKERS` processes on one port.

The parent process does the one-time start-up work (migrations, signing key, first admin), then
forks the workers; each worker builds its own gRPC server on the same address with
`grpc.so_reuseport`, so the kernel spreads connections over them, and runs everything that is per
process (revocation list, list cache, database breaker and probe) for itself. The parent never
creates a gRPC object: gRPC Python supports `fork()` only before any server or channel exists
(grpc's examples/python/multiprocessing). It serves the Prometheus metrics of all workers together
(prometheus_client's multiprocess mode over a directory it creates and removes), restarts a worker
that dies, relays a worker's "something changed" (SIGUSR1) and "the database is down" (SIGUSR2) signals to
its siblings, and on SIGTERM
stops the workers gracefully and waits for them. A worker dies with its parent (PR_SET_PDEATHSIG), so
killing the service kills all of it.

`ERP_WORKERS=1` keeps the single process: no parent, no fork.
"""
from __future__ import annotations

import ctypes
import logging
import os
import shutil
import signal
import socket
import sys
import tempfile
import time
from pathlib import Path
from typing import Awaitable, Callable, Optional, TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
METRICS_DIR_PREFIX = "erp-metrics-"
# A worker that dies this soon after its start counts towards a crash loop; after CRASH_LOOP_LIMIT
# of those in a row the parent gives up (a worker that cannot bind or open its database would
# otherwise be restarted for ever).
EARLY_DEATH_SECONDS = 5.0
CRASH_LOOP_LIMIT = 5
PR_SET_PDEATHSIG = 1

# Set in a worker: the parent's pid (the one to tell about changes).
_parent_pid: Optional[int] = None


def default_count() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0))


def parse_count(value: str) -> int:
    """`ERP_WORKERS`: a positive number, or empty for one per usable core."""
    if not value.strip():
        return default_count()
    count = int(value)
    if count < 1:
        raise ValueError(f"ERP_WORKERS={value}: must be 1 or more (empty: one per core)")
    return count


def use_multiprocess_metrics() -> str:
    """Puts prometheus_client in multiprocess mode over a fresh directory; returns it.

    Must run before prometheus_client is imported: the library picks its value store at import."""
    if "prometheus_client" in sys.modules:
        raise RuntimeError("prometheus_client was imported before the worker metrics directory was set")
    remove_orphaned_metrics_dirs()
    path = tempfile.mkdtemp(prefix=f"{METRICS_DIR_PREFIX}{os.getpid()}-")
    os.environ[MULTIPROC_ENV] = path
    return path


def remove_orphaned_metrics_dirs(root: Optional[str] = None) -> list[str]:
    """Removes the metrics directories of parents that are gone (killed: a stopped parent removes
    its own), named by their pid; returns them."""
    removed = []
    for entry in Path(root or tempfile.gettempdir()).glob(f"{METRICS_DIR_PREFIX}*-*"):
        pid = entry.name[len(METRICS_DIR_PREFIX):].split("-", 1)[0]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(str(entry))
    return removed


def check_address_free(address: str) -> None:
    """Raises OSError when something already listens on `host:port`. Workers bind with SO_REUSEPORT,
    which would let them silently share the port with an older copy of the service (same user)
    instead of failing as a single process does; this bind without it fails as that one would."""
    host, _, port = address.rpartition(":")
    if int(port) == 0:
        raise ValueError(f"{address}: workers share one port, so it must be given (not 0)")
    family, kind, proto, _, sockaddr = socket.getaddrinfo(host.strip("[]") or None, int(port),
                                                          type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind(sockaddr)


def is_worker() -> bool:
    return _parent_pid is not None


# What a worker can tell its siblings (through the parent): something changed that they should
# pick up now rather than at their next poll (a revocation, a master-data write); the database
# stopped answering this worker's probe.
CHANGED = signal.SIGUSR1
DATABASE_DOWN = signal.SIGUSR2
RELAYED = (CHANGED, DATABASE_DOWN)


def notify_siblings(what: signal.Signals = CHANGED) -> None:
    """Thread-safe: asks the parent to run every worker's `on_sibling_signal(what)` callback. No-op
    in a single-process service."""
    if _parent_pid is not None:
        try:
            os.kill(_parent_pid, what)
        except ProcessLookupError:
            pass


def on_sibling_signal(callback: Callable[[], None], what: signal.Signals = CHANGED) -> None:
    """In a running event loop of a worker: calls `callback` (on the loop) whenever a sibling (or
    this worker) called `notify_siblings(what)`."""
    if _parent_pid is not None:
        import asyncio
        asyncio.get_running_loop().add_signal_handler(what, callback)


def _die_with_parent(parent: int) -> None:
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: the getppid check below still catches most cases
        pass
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


class Supervisor:
    """The parent: forks `count` workers running `work()` (which returns when the worker stopped)."""

    def __init__(self, name: str, count: int, work: Callable[[], None], grace_seconds: float = 15.0):
        self.name = name
        self.count = count
        self._work = work
        self._grace = grace_seconds
        self.workers: dict[int, float] = {}  # pid -> start time
        self.restarts = 0
        self.failed = False
        self._stopping = False
        self._early_deaths = 0

    def _spawn(self) -> None:
        parent = os.getpid()
        # The relayed signals stay blocked across fork until the worker ignores them: their default
        # would kill it before it has a handler.
        signal.pthread_sigmask(signal.SIG_BLOCK, set(RELAYED))
        pid = os.fork()
        if pid == 0:
            global _parent_pid
            code = 1
            try:
                _parent_pid = parent
                for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGCHLD):
                    signal.signal(sig, signal.SIG_DFL)
                for sig in RELAYED:
                    signal.signal(sig, signal.SIG_IGN)
                signal.pthread_sigmask(signal.SIG_UNBLOCK, set(RELAYED))
                _die_with_parent(parent)
                self._work()
                code = 0
            except BaseException:  # noqa: BLE001 - a worker reports and exits, never returns into the parent
                log.exception("%s worker %d failed", self.name, os.getpid())
            finally:
                logging.shutdown()
                os._exit(code)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, set(RELAYED))
        self.workers[pid] = time.monotonic()

    def _relay(self, signum: int, _frame) -> None:
        for pid in list(self.workers):
            try:
                os.kill(pid, signum)
            except ProcessLookupError:
                pass

    def _stop(self, *_) -> None:
        if not self._stopping:
            self._stopping = True
            for pid in list(self.workers):
                try:
                    os.kill(pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass

    def _reap(self) -> None:
        from prometheus_client import multiprocess
        while self.workers:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                self.workers.clear()
                return
            if pid == 0:
                return
            started = self.workers.pop(pid, None)
            if started is None:
                continue
            multiprocess.mark_process_dead(pid)
            if self._stopping:
                continue
            lived = time.monotonic() - started
            log.warning("%s worker %d exited (%s) after %.1fs; starting another", self.name, pid,
                        _describe(status), lived)
            self._early_deaths = self._early_deaths + 1 if lived < EARLY_DEATH_SECONDS else 0
            if self._early_deaths >= CRASH_LOOP_LIMIT:
                log.error("%s workers keep dying at start; stopping the service", self.name)
                self.failed = True
                self._stop()
                continue
            self.restarts += 1
            self._spawn()

    def run(self, serve_metrics: Callable[["Supervisor"], None] = lambda _: None) -> int:
        """Forks the workers, then (only then: no thread exists at the first fork) serves the metrics,
        and supervises until SIGTERM/SIGINT and every worker has stopped. Returns the exit code: 0, or
        1 when the workers kept dying at start."""
        for sig in RELAYED:
            signal.signal(sig, self._relay)
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        for _ in range(self.count):
            self._spawn()
        serve_metrics(self)
        deadline = None
        try:
            while self.workers:
                self._reap()
                if self._stopping:
                    deadline = deadline or time.monotonic() + self._grace
                    if time.monotonic() > deadline:
                        for pid in list(self.workers):
                            log.warning("%s worker %d did not stop in %ss; killing it", self.name, pid, self._grace)
                            os.kill(pid, signal.SIGKILL)
                        deadline = float("inf")
                time.sleep(0.05 if self._stopping else 0.2)
        finally:
            self._stop()
        return 1 if self.failed else 0


def _describe(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"signal {signal.Signals(os.WTERMSIG(status)).name}"
    return f"code {os.waitstatus_to_exitcode(status)}"


def remove_metrics_dir() -> None:
    path = os.environ.get(MULTIPROC_ENV)
    if path:
        shutil.rmtree(path, ignore_errors=True)


def run_service(name: str, count: int, address: str, metrics_addr: str, prepare: Callable[[], T],
                serve_prepared: Callable[[T], Awaitable[None]]) -> int:
    """The parent of a service's workers: `prepare()` (the one-time start-up work, which must leave
    no database connection or thread open) once, then `count` workers each running
    `serve_prepared(prepared)` on `address`. Call `use_multiprocess_metrics` first."""
    import asyncio

    from erp_common import metrics

    check_address_free(address)
    prepared = prepare()
    supervisor = Supervisor(name, count, lambda: asyncio.run(serve_prepared(prepared)))
    try:
        return supervisor.run(lambda s: metrics.serve_workers(metrics_addr, s))
    finally:
        remove_metrics_dir()
