"""What the fault tests share: a mesh they may break (its own MariaDB, two replicas of each service
behind Envoy and, when it is built, the Go gateway), restarting what they killed, load from client
threads that record every call, and the figures report (`var/reports/faults.json`, also printed)
that outlives `-s`."""
from __future__ import annotations

import base64
import json
import signal
import statistics
import subprocess
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Callable

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from erp.master.v1 import master_service_pb2 as master_pb
from erp.master.v1 import master_service_pb2_grpc as master_grpc
from erp_testing.mariadb import MariaDB
from tests.support import ROOT
from tests.support.http import rest
from tests.support.waiting import wait_until
from tools.mesh import Mesh, Process, wait_grpc_health

ADMIN_PASSWORD = "Fault-Admin-Passw0rd!"
REPORT = ROOT / "var" / "reports" / "faults.json"
MASTER_HEALTH_NAME = "erp.master.v1.ContinentService"
AUTH_HEALTH_NAME = "erp.auth.v1.AuthService"


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


# --- figures --------------------------------------------------------------------------------------

def report(section: str, figures: dict) -> None:
    """Prints the figures and merges them into var/reports/faults.json under `section`."""
    print(f"\n[faults] {section}: {json.dumps(figures, sort_keys=True)}", flush=True)
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    try:
        data = json.loads(REPORT.read_text())
    except (OSError, ValueError):
        data = {}
    data[section] = {**figures, "recorded_at": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
    REPORT.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")


def latency_figures(seconds: list[float]) -> dict:
    if not seconds:
        return {"n": 0}
    ordered = sorted(seconds)
    return {"n": len(ordered), "p50_ms": round(statistics.median(ordered) * 1000, 1),
            "p95_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))] * 1000, 1),
            "max_ms": round(ordered[-1] * 1000, 1)}


# --- the mesh under fault -------------------------------------------------------------------------

class FaultMesh:
    """Two replicas of auth_svc and master_svc behind one Envoy (and the Go gateway when built), on a
    MariaDB of their own."""

    def __init__(self, db: MariaDB, mesh: Mesh, auth_db: str, master_db: str):
        self.db = db
        self.mesh = mesh
        self.auth_db = auth_db
        self.master_db = master_db
        self.edge = mesh.edge_addr
        self.gateway = mesh.gateway_addr if "gateway" in mesh.edges else None

    def replicas(self, service: str) -> list[Process]:
        return [p for p in self.mesh.processes if p.name.split("-")[0] == service]

    @staticmethod
    def grpc_addr(p: Process) -> str:
        return p.env["ERP_AUTH_LISTEN_ADDR" if p.name.startswith("auth") else "ERP_MASTER_LISTEN_ADDR"]

    @staticmethod
    def kill(p: Process) -> None:
        """SIGKILL: no graceful stop, in-flight transactions die with the process."""
        if p.proc.poll() is None:
            p.proc.send_signal(signal.SIGKILL)
        p.proc.wait(timeout=10)

    @staticmethod
    def start_again(p: Process) -> None:
        """Starts a killed replica again with its own command line and environment; returns at once."""
        assert p.proc.poll() is not None, f"{p.name} is still running"
        p.proc = subprocess.Popen(p.argv, env=p.env, cwd=ROOT, stdout=open(p.log_path, "ab"),
                                  stderr=subprocess.STDOUT, start_new_session=True)

    def restart(self, p: Process, timeout: float = 60.0) -> None:
        self.start_again(p)
        wait_grpc_health(self.grpc_addr(p), p, timeout)

    def heal(self, timeout: float = 60.0) -> None:
        """Everything up again (whatever a failed test left behind), and the edge routing to it."""
        self.db.thaw()
        self.db.start()
        for p in self.mesh.processes:
            if p.proc.poll() is not None and p.name not in ("envoy", "gateway"):
                self.restart(p, timeout)
        for p in self.replicas("auth_svc") + self.replicas("master_svc"):
            wait_until(lambda: health(self.grpc_addr(p), p.name.startswith("auth") and AUTH_HEALTH_NAME
                                      or MASTER_HEALTH_NAME) == "SERVING", timeout, f"{p.name} serving")
        for edge in filter(None, (self.edge, self.gateway)):
            wait_until(lambda: rest(edge, "GET", "/api/health", timeout=2)[0] == 200, timeout, f"edge {edge} healthy")

    def sql(self, database_url: str, query: str, args=()) -> list[tuple]:
        with self.db.connect(database_url.rsplit("/", 1)[1]) as conn, conn.cursor() as cur:
            cur.execute(query, args)
            return list(cur.fetchall())

    def login(self) -> dict:
        status, body = rest(self.edge, "POST", "/api/auth/login/",
                            {"username": "admin", "password": ADMIN_PASSWORD}, timeout=10)
        assert status == 200, body
        return body


def jwt_claims(token: str) -> dict:
    """The payload of a JWT, unverified (the test only reads its own tokens' `sid` and `jti`)."""
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))



def health(addr: str, service: str = "") -> str:
    with grpc.insecure_channel(addr) as channel:
        try:
            response = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(service=service),
                                                                 timeout=1)
        except grpc.RpcError as exc:
            return exc.code().name
    return health_pb2.HealthCheckResponse.ServingStatus.Name(response.status)


@dataclass
class Call:
    kind: str
    started: float
    ended: float
    outcome: str  # "200", "503", ... for REST; "OK", "UNAVAILABLE", ... for gRPC; "TIMEOUT"/"ERROR:..." otherwise
    deadline: float
    key: str = ""
    body: object = None
    headers: dict = field(default_factory=dict)

    @property
    def seconds(self) -> float:
        return self.ended - self.started

    @property
    def ok(self) -> bool:
        return self.outcome in ("200", "OK")


@dataclass
class Load:
    """Client threads that each repeat one kind of call until stopped (or `max_seconds` passed),
    recording every call. Threads stop by themselves: the loop checks the event and the bound."""

    max_seconds: float = 60.0
    calls: list[Call] = field(default_factory=list)
    in_flight: dict[str, float] = field(default_factory=dict)

    def __post_init__(self):
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()

    def add(self, kind: str, call: Callable[[str], tuple[str, object]], deadline: float,
            key: Callable[[], str] = lambda: "", pause: float = 0.0) -> None:
        """`call(key)` returns (outcome, body) or (outcome, body, response headers); exceptions are
        recorded as TIMEOUT or ERROR."""
        def run():
            stop_at = time.monotonic() + self.max_seconds
            n = 0
            while not self._stop.is_set() and time.monotonic() < stop_at:
                k = key()
                token = f"{kind}#{threading.get_ident()}#{n}"
                n += 1
                started = time.monotonic()
                with self._lock:
                    self.in_flight[token] = started
                headers = {}
                try:
                    outcome, body, *extra = call(k)
                    headers = extra[0] if extra else {}
                except TimeoutError:
                    outcome, body = "TIMEOUT", None
                except OSError as exc:
                    outcome, body = ("TIMEOUT" if "timed out" in str(exc) else f"ERROR:{type(exc).__name__}"), str(exc)
                ended = time.monotonic()
                with self._lock:
                    del self.in_flight[token]
                    self.calls.append(Call(kind, started, ended, outcome, deadline, k, body, headers))
                if pause:
                    self._stop.wait(pause)
        self._threads.append(threading.Thread(target=run, name=f"load-{kind}", daemon=True))

    def start(self) -> "Load":
        for t in self._threads:
            t.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        for t in self._threads:
            t.join(timeout=30)
        assert not any(t.is_alive() for t in self._threads), "a load thread did not stop"

    def in_flight_now(self) -> int:
        with self._lock:
            return len(self.in_flight)

    def of(self, kind: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.kind == kind]

    def all(self) -> list[Call]:
        with self._lock:
            return list(self.calls)


# The kill reaches Envoy as a reset of its connection a moment later: a request it put on that
# connection in between was in flight at the kill as far as anyone can tell (Envoy cannot know
# whether the replica read it, so it does not replay a write).
KILL_NOTICED_WITHIN = 0.5


@dataclass
class ReplicaKill:
    """What happened around one SIGKILL of a replica under load."""
    in_flight: int
    killed_at: float
    served_after: int
    back_after: float

    def split(self, failed: list[Call]) -> tuple[list[Call], list[Call]]:
        """The failed calls made before Envoy could have noticed the kill, and those made after."""
        cutoff = self.killed_at + KILL_NOTICED_WITHIN
        return [c for c in failed if c.started <= cutoff], [c for c in failed if c.started > cutoff]


def kill_replica_under_load(faults: FaultMesh, load: Load, victim: Process, served: Callable[[], float],
                            after_kill: float, timeout: float) -> ReplicaKill:
    """SIGKILLs `victim` while `load` runs, lets the load go on for `after_kill` s against the survivor,
    restarts the victim and waits until `served()` (a count of the calls it served) grows again."""
    in_flight = load.in_flight_now()
    killed_at = time.monotonic()
    faults.kill(victim)
    threading.Event().wait(after_kill)
    served_after = len([c for c in load.all() if c.started > killed_at])
    faults.restart(victim)
    before = served()
    wait_until(lambda: served() > before, timeout, "the restarted replica serves again")
    return ReplicaKill(in_flight, killed_at, served_after, time.monotonic() - killed_at)


def continent_stub(addr: str) -> master_grpc.ContinentServiceStub:
    return master_grpc.ContinentServiceStub(grpc.insecure_channel(addr))


def grpc_outcome(fn: Callable[[], object]) -> tuple[str, object]:
    try:
        return "OK", fn()
    except grpc.RpcError as exc:
        return exc.code().name, exc.details()


def create_continent_grpc(stub, token: str, deadline: float) -> Callable[[str], tuple[str, object]]:
    md = (("authorization", f"Bearer {token}"),)
    return lambda name: grpc_outcome(lambda: stub.CreateContinent(
        master_pb.CreateContinentRequest(continent=master_pb.Continent(name=name)), metadata=md, timeout=deadline))


def list_continents_grpc(stub, token: str, deadline: float) -> Callable[[str], tuple[str, object]]:
    md = (("authorization", f"Bearer {token}"),)
    return lambda _: grpc_outcome(lambda: stub.ListContinents(
        master_pb.ListContinentsRequest(page_size=5), metadata=md, timeout=deadline))
