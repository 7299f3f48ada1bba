"""Worker processes (ERP_WORKERS): one command and one port per service, served by several processes
whose parent did the one-time work, serves their metrics summed, restarts a dead one, relays
revocations between them and stops them all."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from erp.auth.v1 import admin_service_pb2 as apb
from erp.auth.v1 import admin_service_pb2_grpc as apb_grpc
from erp.auth.v1 import auth_service_pb2 as pb
from erp.auth.v1 import auth_service_pb2_grpc as pb_grpc
from erp.master.v1 import master_service_pb2 as mpb
from erp.master.v1 import master_service_pb2_grpc as mpb_grpc
from erp_testing.prometheus import scrape
from tests.support import ROOT
from tests.support.waiting import wait_until
from tools.mesh import Mesh

pytestmark = pytest.mark.e2e

ADMIN_PASSWORD = "Workers-Admin-Passw0rd!"
WORKERS = 3


def children(pid: int) -> set[int]:
    found = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        found |= {int(c) for c in (task / "children").read_text().split()}
    return found


@pytest.fixture(scope="module")
def mesh(tmp_path_factory):
    # A revocation poll far longer than the test waits: only the workers' relay can make a sibling
    # learn of a logout in time.
    m = Mesh.on_free_ports("erp-workers-", edges=(), extra_env={
        "ERP_WORKERS": str(WORKERS), "ERP_ADMIN_PASSWORD": ADMIN_PASSWORD, "ERP_BCRYPT_ROUNDS": "4",
        "ERP_REVOCATION_POLL_SECONDS": "60", "ERP_LOG_LEVEL": "INFO"})
    m.start()
    yield m
    m.stop()


def proc(mesh: Mesh, name: str) -> subprocess.Popen:
    return next(p.proc for p in mesh.processes if p.name == name)


def log_of(mesh: Mesh, name: str) -> str:
    return next(p.log_path for p in mesh.processes if p.name == name).read_text()


def login(channel) -> pb.LoginResponse:
    return pb_grpc.AuthServiceStub(channel).Login(pb.LoginRequest(username="admin", password=ADMIN_PASSWORD),
                                                   timeout=10)


def test_each_service_is_one_parent_and_its_workers_on_one_port(mesh):
    for name in ("auth_svc", "master_svc"):
        assert len(children(proc(mesh, name).pid)) == WORKERS, name
        assert scrape(getattr(mesh, f"{name.split('_')[0]}_metrics_addr")).value("erp_workers") == WORKERS
    # The one-time work ran once, in the parent: one migration run, one listening line per worker.
    auth_log = log_of(mesh, "auth_svc")
    assert auth_log.count("applying migration 1 ") == 1
    assert auth_log.count(f"listening on {mesh.auth_addr} (worker ") == WORKERS


def test_metrics_of_all_workers_add_up_in_one_scrape(mesh):
    method = dict(service="grpc.health.v1.Health", method="Check", code="OK")
    before = scrape(mesh.master_metrics_addr).value("erp_rpc_requests_total", **method)
    calls = 30
    for _ in range(calls):  # a connection each: the kernel spreads them over the workers
        with grpc.insecure_channel(mesh.master_addr) as channel:
            health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=5)
    wait_until(lambda: scrape(mesh.master_metrics_addr).value("erp_rpc_requests_total", **method) - before == calls,
               timeout=15.0, what=f"{calls} health checks counted")
    # Each worker writes its own files (named by its pid) into the parent's directory.
    assert len(worker_metric_files(children(proc(mesh, "master_svc").pid))) >= 2, "one worker took every call"


def worker_metric_files(pids: set[int]) -> list[Path]:
    return [f for f in Path(tempfile.gettempdir()).glob("erp-metrics-*/counter_*.db")
            if int(f.stem.rsplit("_", 1)[1]) in pids]


def test_a_logout_reaches_every_worker_at_once(mesh):
    with grpc.insecure_channel(mesh.auth_addr) as channel:
        token = login(channel).access_token
        metadata = (("authorization", f"Bearer {token}"),)
        pb_grpc.AuthServiceStub(channel).Logout(pb.LogoutRequest(), metadata=metadata, timeout=10)
    time.sleep(0.5)
    # A connection each, so that every worker is asked; their own poll is 60 s away.
    codes = []
    for _ in range(12):
        with grpc.insecure_channel(mesh.auth_addr) as channel:
            try:
                apb_grpc.RoleServiceStub(channel).ListRoles(apb.ListRolesRequest(), metadata=metadata, timeout=10)
                codes.append(grpc.StatusCode.OK)
            except grpc.RpcError as exc:
                codes.append(exc.code())
    assert codes == [grpc.StatusCode.UNAUTHENTICATED] * 12


def test_a_dead_worker_is_replaced(mesh):
    parent = proc(mesh, "master_svc").pid
    victim = min(children(parent))
    os.kill(victim, signal.SIGKILL)
    wait_until(lambda: victim not in children(parent) and len(children(parent)) == WORKERS, timeout=15.0,
               what="a new worker")
    metrics = wait_until(lambda: (lambda s: s if s.value("erp_worker_restarts_total") == 1 else None)(
        scrape(mesh.master_metrics_addr)), timeout=15.0, what="the restart counted")
    assert metrics.value("erp_workers") == WORKERS
    with grpc.insecure_channel(mesh.auth_addr) as auth, grpc.insecure_channel(mesh.master_addr) as channel:
        token = login(auth).access_token
        for _ in range(WORKERS * 3):
            mpb_grpc.ContinentServiceStub(channel).ListContinents(
                mpb.ListContinentsRequest(), metadata=(("authorization", f"Bearer {token}"),), timeout=10)


def test_a_second_copy_on_the_same_port_refuses_to_start(mesh):
    env = {**mesh.env(), "ERP_MASTER_METRICS_ADDR": ""}
    copy = subprocess.run([sys.executable, "-m", "master_svc"], env=env, capture_output=True, text=True, timeout=60,
                          cwd=ROOT)
    assert copy.returncode != 0
    assert "Address already in use" in copy.stderr


def test_sigterm_stops_the_workers_and_sigkill_takes_them_along():
    m = Mesh.on_free_ports("erp-workers-stop-", edges=(), extra_env={
        "ERP_WORKERS": "2", "ERP_ADMIN_PASSWORD": ADMIN_PASSWORD, "ERP_BCRYPT_ROUNDS": "4"})
    try:
        m.start()
        auth, master = proc(m, "auth_svc"), proc(m, "master_svc")
        auth_workers, master_workers = children(auth.pid), children(master.pid)
        with grpc.insecure_channel(m.master_addr) as channel:
            health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=5)
        metrics_dir = wait_until(lambda: worker_metric_files(master_workers), timeout=15.0,
                                 what="a worker's metrics")[0].parent
        master.send_signal(signal.SIGTERM)
        assert master.wait(timeout=20) == 0
        assert not any(Path(f"/proc/{pid}").exists() for pid in master_workers)
        assert not metrics_dir.exists()
        auth.kill()
        auth.wait(timeout=10)
        wait_until(lambda: not any(Path(f"/proc/{pid}").exists() for pid in auth_workers), timeout=10,
                   what="the workers of a killed parent gone")
    finally:
        m.stop()

