"""Starts the whole mesh on this machine: auth_svc, master_svc and an edge (Envoy or the Go gateway).

    python -m tools.mesh run   [--edge envoy|gateway]   foreground; Ctrl-C stops everything
    python -m tools.mesh up    [--edge envoy|gateway]   background: a detached supervisor runs the same
                                                        loop as `run` (pid and log files in var/run, var/log)
    python -m tools.mesh down                           stops that supervisor and waits for the ports to close

Addresses come from the ERP_*_ADDR variables (DESIGN.md's ports when unset; ERP_AUTH_LISTEN_ADDR /
ERP_MASTER_LISTEN_ADDR may list several replicas, which the edges and master_svc then dial as
ERP_*_UPSTREAMS) and the state directory
(SQLite files, keys, logs, pid files) from ERP_MESH_DIR (default var/). The test harness uses `Mesh`
directly with free ports and a throwaway MariaDB.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import socket
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from erp_common.secrets import ensure_secret_file, private_append, private_dir
from erp_common.settings import (DEPRECATED_NAMES, Env, auth_listen_addr, master_listen_addr, report_deprecated,
                                 split_list)
from tools.ports import free_port

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"
PY = sys.executable
GATEWAY_BIN = ROOT / "edge" / "gateway" / "erp-gateway"

# Each address of a Mesh and the ERP_* variable the component that listens there reads it from.
ADDRESS_VARS = {
    "auth_addr": "ERP_AUTH_LISTEN_ADDR", "master_addr": "ERP_MASTER_LISTEN_ADDR", "edge_addr": "ERP_EDGE_HTTP_ADDR",
    "admin_addr": "ERP_EDGE_ADMIN_ADDR", "gateway_addr": "ERP_GATEWAY_HTTP_ADDR",
    "auth_metrics_addr": "ERP_AUTH_METRICS_ADDR", "master_metrics_addr": "ERP_MASTER_METRICS_ADDR",
}
# The services' replicas, as their clients (master_svc, the edges) dial them.
UPSTREAM_VARS = {"auth_addr": "ERP_AUTH_UPSTREAMS", "master_addr": "ERP_MASTER_UPSTREAMS"}
STOP_TIMEOUT = 20.0  # per process, after SIGTERM, before SIGKILL


class Interrupted(Exception):
    """SIGINT or SIGTERM reached `run`, `up` or the supervisor (tools.mesh installs the handler)."""


class _Signals:
    """While `deferred` is above zero a stop signal is only noted, and raised when it drops to zero:
    a signal between fork and the bookkeeping of a child would otherwise leave that child running."""

    deferred = 0
    pending: int | None = None

    @classmethod
    def handler(cls, signum, frame) -> None:
        if cls.deferred:
            cls.pending = signum
            return
        raise Interrupted(signal.Signals(signum).name)

    @classmethod
    def install(cls) -> None:
        signal.signal(signal.SIGINT, cls.handler)
        signal.signal(signal.SIGTERM, cls.handler)


@contextlib.contextmanager
def _signals_deferred():
    _Signals.deferred += 1
    try:
        yield
    finally:
        _Signals.deferred -= 1
        if not _Signals.deferred and _Signals.pending is not None:
            signum, _Signals.pending = _Signals.pending, None
            raise Interrupted(signal.Signals(signum).name)


@dataclass
class Process:
    name: str
    argv: list[str]
    env: dict
    log_path: Path
    proc: subprocess.Popen | None = None


@dataclass
class Mesh:
    """Addresses default to DESIGN.md's ports; tests pass free ports and MariaDB URLs.

    `auth_addr` / `master_addr` may list several replicas (comma separated): one process each, all
    behind the edge. The metrics addresses pair with them by position; a replica without one serves
    no metrics."""

    auth_addr: str = "127.0.0.1:50051"
    master_addr: str = "127.0.0.1:50052"
    edge_addr: str = "127.0.0.1:8000"
    admin_addr: str = "127.0.0.1:9901"
    gateway_addr: str = "127.0.0.1:8080"
    auth_metrics_addr: str = "127.0.0.1:9451"
    master_metrics_addr: str = "127.0.0.1:9452"
    edges: tuple[str, ...] = ("envoy",)
    envoy_concurrency: int = 0  # Envoy worker threads; 0 = one per core. 1 makes round robin strict.
    state_dir: Path = VAR
    extra_env: dict = field(default_factory=dict)
    processes: list[Process] = field(default_factory=list)

    @classmethod
    def from_env(cls, **kwargs) -> "Mesh":
        """The mesh `make run`/`up`/`down` start: the ERP_*_ADDR variables where set, DESIGN.md's
        ports otherwise; state under ERP_MESH_DIR (default var/)."""
        addrs = {name: os.environ[var] for name, var in ADDRESS_VARS.items() if os.environ.get(var, "").strip()}
        settings = Env()
        addrs.update(auth_addr=auth_listen_addr(settings), master_addr=master_listen_addr(settings))
        report_deprecated()
        return cls(**addrs, state_dir=Path(os.environ.get("ERP_MESH_DIR") or VAR), **kwargs)

    @classmethod
    def on_free_ports(cls, prefix: str = "erp-mesh-", replicas: int = 1, **kwargs) -> "Mesh":
        """A mesh on free loopback ports with a fresh state directory (tests, benches), so that it
        coexists with `make run` and with other test runs. `replicas` processes per service."""
        def addrs(n: int) -> str:
            return ",".join(f"127.0.0.1:{free_port()}" for _ in range(n))
        ports = dict(auth_addr=addrs(replicas), master_addr=addrs(replicas), edge_addr=addrs(1),
                     admin_addr=addrs(1), gateway_addr=addrs(1), auth_metrics_addr=addrs(replicas),
                     master_metrics_addr=addrs(replicas), state_dir=Path(tempfile.mkdtemp(prefix=prefix)))
        return cls(**{**ports, **kwargs})

    def env(self) -> dict:
        # Databases, keys and logs live here: readable by this user only, like the keys (issue 14).
        private_dir(self.state_dir)
        secret_file = self.state_dir / "keys" / "edge-secret"
        ensure_secret_file(secret_file)
        env = {k: v for k, v in os.environ.items() if not k.startswith("ERP_")}
        env.update({var: getattr(self, name) for name, var in ADDRESS_VARS.items()})
        env.update({var: getattr(self, name) for name, var in UPSTREAM_VARS.items()})
        env.update({
            "PYTHONUNBUFFERED": "1",
            "ERP_KEYS_DIR": str(self.state_dir / "keys"),
            "ERP_EDGE_SHARED_SECRET_FILE": str(secret_file),
            "ERP_AUTH_DB_URL": f"sqlite:///{self.state_dir / 'auth.sqlite3'}",
            "ERP_MASTER_DB_URL": f"sqlite:///{self.state_dir / 'master.sqlite3'}",
        })
        # The caller's own settings win, except the deprecated addresses, which from_env translated.
        env.update({k: v for k, v in os.environ.items() if k.startswith("ERP_") and k not in DEPRECATED_NAMES})
        env.update(self.extra_env)
        return env

    def _spawn(self, name: str, argv: list[str], env: dict, foreground: bool) -> Process:
        log_path = private_dir(self.state_dir / "log") / f"{name}.log"
        p = Process(name, argv, env, log_path)
        # Each child in its own session: a terminal's Ctrl-C reaches only this launcher, which stops
        # the children in order (edge first), instead of all of them at once.
        with _signals_deferred():
            if foreground:
                p.proc = subprocess.Popen(argv, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                          stdin=subprocess.DEVNULL, start_new_session=True)
                threading.Thread(target=_tee, args=(p.proc, name, log_path), daemon=True).start()
            else:
                with private_append(log_path) as log:
                    p.proc = subprocess.Popen(argv, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                                              stdin=subprocess.DEVNULL, start_new_session=True)
            self.processes.append(p)
        return p

    def _start_replicas(self, service: str, env: dict, foreground: bool, timeout: float) -> None:
        listen_var, metrics_var = (f"ERP_{service.split('_')[0].upper()}_{kind}_ADDR" for kind in ("LISTEN", "METRICS"))
        metrics = split_list(env[metrics_var])
        # One after the other: the first applies migrations and creates the signing key.
        for i, addr in enumerate(split_list(env[listen_var])):
            replica_env = dict(env, **{listen_var: addr, metrics_var: metrics[i] if i < len(metrics) else ""})
            p = self._spawn(service if i == 0 else f"{service}-{i + 1}", [PY, "-m", service], replica_env,
                            foreground)
            wait_grpc_health(addr, p, timeout)

    def start(self, foreground: bool = False, timeout: float = 60.0) -> None:
        """Starts every process and waits until each answers; on any failure stops those already
        started before raising, so a caller never has to clean up after a half-started mesh."""
        try:
            self._start(foreground, timeout)
        except BaseException:
            self.stop()
            raise

    def _start(self, foreground: bool, timeout: float) -> None:
        env = self.env()
        self._start_replicas("auth_svc", env, foreground, timeout)
        self._start_replicas("master_svc", env, foreground, timeout)
        if "envoy" in self.edges:
            config = self.state_dir / "run" / "envoy.yaml"
            subprocess.run([PY, "-m", "edge.render", "--out", str(config)], env=env, cwd=ROOT, check=True)
            workers = ["--concurrency", str(self.envoy_concurrency)] if self.envoy_concurrency else []
            envoy = self._spawn("envoy", [str(Path(PY).parent / "envoy"), "-c", str(config), "--log-level", "warn",
                                          "--component-log-level", "jwt:error",
                                          "--use-dynamic-base-id", "--drain-time-s", "2", *workers], env, foreground)
            _wait_http(f"http://{self.edge_addr}/api/health", envoy, timeout)
        if "gateway" in self.edges:
            if not GATEWAY_BIN.exists():
                raise FileNotFoundError(f"{GATEWAY_BIN} missing: run `make gateway`")
            gateway = self._spawn("gateway", [str(GATEWAY_BIN)], env, foreground)
            _wait_http(f"http://{self.gateway_addr}/api/health", gateway, timeout)

    def write_pids(self) -> None:
        run = self.state_dir / "run"
        private_dir(run)
        for p in self.processes:
            (run / f"{p.name}.pid").write_text(str(p.proc.pid))

    def stop(self) -> None:
        """SIGTERM to every process (SIGKILL after STOP_TIMEOUT), waiting for each; a stop signal
        arriving meanwhile is raised only once all are gone."""
        with _signals_deferred():
            for p in reversed(self.processes):
                if p.proc and p.proc.poll() is None:
                    p.proc.send_signal(signal.SIGTERM)
            for p in reversed(self.processes):
                if p.proc:
                    try:
                        p.proc.wait(timeout=STOP_TIMEOUT)
                    except subprocess.TimeoutExpired:
                        p.proc.kill()
                        p.proc.wait()
            self.processes.clear()

    def addresses(self) -> list[str]:
        """Every address this mesh listens on, for `down` to wait until each is closed."""
        names = ["auth_addr", "master_addr", "auth_metrics_addr", "master_metrics_addr"]
        names += ["edge_addr", "admin_addr"] if "envoy" in self.edges else []
        names += ["gateway_addr"] if "gateway" in self.edges else []
        return [a for name in names for a in split_list(getattr(self, name))]


def _tee(proc: subprocess.Popen, name: str, log_path: Path) -> None:
    with private_append(log_path) as log:
        for line in proc.stdout:
            log.write(line)
            log.flush()
            if not line.startswith(b"{"):  # JSON log lines go to the file; plain messages to the console too
                sys.stdout.write(f"[{name}] {line.decode(errors='replace')}")
                sys.stdout.flush()


def wait_grpc_health(addr: str, p: Process, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    with grpc.insecure_channel(addr) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        while time.monotonic() < deadline:
            if p.proc.poll() is not None:
                raise RuntimeError(f"{p.name} exited with {p.proc.returncode}; see {p.log_path}")
            try:
                if stub.Check(health_pb2.HealthCheckRequest(), timeout=1).status == health_pb2.HealthCheckResponse.SERVING:
                    return
            except grpc.RpcError:
                time.sleep(0.1)
    raise TimeoutError(f"{p.name} not healthy on {addr} after {timeout}s; see {p.log_path}")


def _wait_http(url: str, p: Process, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if p.proc.poll() is not None:
            raise RuntimeError(f"{p.name} exited with {p.proc.returncode}; see {p.log_path}")
        try:
            with urllib.request.urlopen(url, timeout=1) as r:  # nosec B310 # http:// + a mesh address
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"{p.name} not ready at {url} after {timeout}s; see {p.log_path}")


def _banner(mesh: Mesh, started: float) -> str:
    lines = [f"ERP mesh ready in {time.monotonic() - started:.1f}s",
             f"  auth_svc    grpc://{mesh.auth_addr}   (metrics http://{mesh.auth_metrics_addr}/metrics)",
             f"  master_svc  grpc://{mesh.master_addr}   (metrics http://{mesh.master_metrics_addr}/metrics)"]
    if "envoy" in mesh.edges:
        lines += [f"  edge        http://{mesh.edge_addr}   REST + native gRPC; admin http://{mesh.admin_addr}",
                  f"  docs        http://{mesh.edge_addr}/api/docs/swagger/  and /api/docs/redoc/",
                  f"  login page  http://{mesh.edge_addr}/api/auth/login_page/"]
    if "gateway" in mesh.edges:
        lines.append(f"  gateway     http://{mesh.gateway_addr}   REST (grpc-gateway)")
    base = mesh.edge_addr if "envoy" in mesh.edges else mesh.gateway_addr
    lines += ["Log in:",
              f"  curl -s -X POST http://{base}/api/auth/login/ -H 'Content-Type: application/json' \\",
              "       -d '{\"username\":\"admin\",\"password\":\"<ERP_ADMIN_PASSWORD or the one printed above>\"}'",
              f"Logs: {mesh.state_dir / 'log'}"]
    return "\n".join(lines)


def _alive(pid: int, name: str) -> bool:
    """True while `pid` runs and is still the process named (not a recycled pid)."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return name.encode() in cmdline and b"<defunct>" not in cmdline


def _wait_gone(pid: int, name: str, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while _alive(pid, name):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def _port_open(addr: str) -> bool:
    host, _, port = addr.rpartition(":")
    try:
        with socket.create_connection((host.strip("[]") or "127.0.0.1", int(port)), timeout=0.5):
            return True
    except OSError:
        return False


def _supervise(mesh: Mesh, foreground: bool, on_ready: Callable[[], None]) -> None:
    """The loop of `run` and of `up`'s detached supervisor: until a stop signal or a child's exit,
    then stops every child. A signal during start-up stops the children started so far."""
    run_dir = mesh.state_dir / "run"
    try:
        mesh.start(foreground=foreground)
        if not foreground:
            mesh.write_pids()
            (run_dir / "addresses.json").write_text(json.dumps(mesh.addresses()))
            (run_dir / "ready").write_text(str(os.getpid()))
        on_ready()
        while True:
            for p in mesh.processes:
                if p.proc.poll() is not None:
                    print(f"{p.name} exited with {p.proc.returncode}; stopping the mesh (see {p.log_path})", flush=True)
                    return
            time.sleep(0.5)
    except Interrupted as stopped:
        print(f"{stopped}: stopping ...", flush=True)
    finally:
        names = [p.name for p in mesh.processes]
        mesh.stop()
        if not foreground:
            for name in names:
                (run_dir / f"{name}.pid").unlink(missing_ok=True)
            (run_dir / "ready").unlink(missing_ok=True)


def _up(mesh: Mesh, edge: str) -> int:
    """Starts the supervisor in its own session (it outlives this command and the terminal), and
    returns once it reports the mesh ready, or its failure."""
    private_dir(mesh.state_dir)
    run_dir, log_dir = private_dir(mesh.state_dir / "run"), private_dir(mesh.state_dir / "log")
    pid_file, ready = run_dir / "mesh.pid", run_dir / "ready"
    if pid_file.exists() and _alive(int(pid_file.read_text() or 0), "tools.mesh"):
        print(f"the mesh is already up (supervisor pid {pid_file.read_text()}); `make down` first", file=sys.stderr)
        return 1
    ready.unlink(missing_ok=True)
    with _signals_deferred(), private_append(log_dir / "mesh.log") as log:
        supervisor = subprocess.Popen([PY, "-m", "tools.mesh", "supervise", "--edge", edge], cwd=ROOT,
                                      stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                      start_new_session=True)
        pid_file.write_text(str(supervisor.pid))
    try:
        while not ready.exists():
            if supervisor.poll() is not None:
                print(f"the mesh did not start (exit {supervisor.returncode}); see {log_dir / 'mesh.log'}",
                      file=sys.stderr)
                pid_file.unlink(missing_ok=True)
                return 1
            time.sleep(0.1)
    except Interrupted:
        supervisor.terminate()  # the supervisor stops what it started, then exits
        supervisor.wait()
        pid_file.unlink(missing_ok=True)
        raise
    return 0


def _down(state_dir: Path) -> int:
    """Stops the supervisor (which stops its children), then any child a killed supervisor left,
    and waits until no address of the mesh accepts connections."""
    run_dir = state_dir / "run"
    pid_file = run_dir / "mesh.pid"
    if pid_file.exists():
        pid = int(pid_file.read_text() or 0)
        if _alive(pid, "tools.mesh"):
            os.kill(pid, signal.SIGTERM)
            if not _wait_gone(pid, "tools.mesh", STOP_TIMEOUT * 4):
                print(f"supervisor {pid} still running after SIGTERM", file=sys.stderr)
                return 1
            print(f"stopped the mesh (supervisor pid {pid})")
        pid_file.unlink()
    for child in sorted(run_dir.glob("*.pid")):
        pid, name = int(child.read_text() or 0), child.stem.split("-")[0]
        name = "erp-gateway" if name == "gateway" else name
        if _alive(pid, name):
            os.kill(pid, signal.SIGTERM)
            if not _wait_gone(pid, name, STOP_TIMEOUT):
                os.kill(pid, signal.SIGKILL)
            print(f"stopped {child.stem} (pid {pid}), left by a supervisor that did not stop it")
        child.unlink()
    addresses_file = run_dir / "addresses.json"
    if addresses_file.exists():
        deadline = time.monotonic() + STOP_TIMEOUT
        for addr in json.loads(addresses_file.read_text()):
            while _port_open(addr):
                if time.monotonic() > deadline:
                    print(f"{addr} still accepts connections", file=sys.stderr)
                    return 1
                time.sleep(0.1)
        addresses_file.unlink()
    (run_dir / "ready").unlink(missing_ok=True)
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tools.mesh", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("run", "up", "down", "supervise"))
    parser.add_argument("--edge", choices=("envoy", "gateway", "both"), default=os.environ.get("EDGE", "envoy"))
    args = parser.parse_args()
    edges = ("envoy", "gateway") if args.edge == "both" else (args.edge,)
    mesh = Mesh.from_env(edges=edges)
    _Signals.install()
    if args.command == "down":
        sys.exit(_down(mesh.state_dir))
    if args.command == "supervise":
        _supervise(mesh, foreground=False, on_ready=lambda: print("ERP mesh ready", flush=True))
        return
    started = time.monotonic()
    # A generated first-admin password lives in a 0600 file, never in a log: shown here, on the
    # operator's terminal, by the run that created it.
    password_file = Path(mesh.env()["ERP_KEYS_DIR"]) / "initial-admin-password"
    password_before = password_file.stat().st_mtime_ns if password_file.exists() else None

    def announce() -> None:
        if password_file.exists() and password_file.stat().st_mtime_ns != password_before:
            print(f"first admin: username 'admin', password '{password_file.read_text().strip()}' "
                  f"(kept in {password_file}; shown once)", flush=True)
        print(_banner(mesh, started), flush=True)

    try:
        if args.command == "up":
            status = _up(mesh, args.edge)
            if status == 0:
                announce()
                print(f"Stop it with `make down`; the supervisor's log is {mesh.state_dir / 'log' / 'mesh.log'}")
            sys.exit(status)
        _supervise(mesh, foreground=True, on_ready=announce)
    except Interrupted:
        sys.exit(130)


if __name__ == "__main__":
    main()
