"""`make up` / `make down` exactly as the README writes them, and `make run`'s launcher stopped at any
moment: the mesh outlives `make up`, listens where the ERP_*_ADDR variables say, starts without a
warning, and leaves no process and no open port behind. Every run here uses free ports and its own
state directory (ERP_MESH_DIR), so it never meets `make run` or another test run."""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from tools.ports import free_port
from tests.support import ADMIN_PASSWORD
from tests.support.http import Http
from tools.mesh import ADDRESS_VARS
from tests.support import ROOT



@pytest.fixture
def mesh_env():
    """The environment of a user who moved every port (item 2 of issue 15) and the state directory."""
    state = Path(tempfile.mkdtemp(prefix="erp-make-up-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("ERP_") and not k.startswith("MAKE")}
    env.update({var: f"127.0.0.1:{free_port()}" for var in ADDRESS_VARS.values()})
    env.update(ERP_MESH_DIR=str(state), ERP_ADMIN_PASSWORD=ADMIN_PASSWORD, ERP_BCRYPT_ROUNDS="4", EDGE="envoy")
    yield env
    for pid in _mesh_processes(state):  # only after a failed assertion: the tests check there are none
        os.kill(pid, signal.SIGKILL)
    shutil.rmtree(state, ignore_errors=True)


def _mesh_processes(state: Path) -> list[int]:
    """Every process whose environment names this state directory: the launcher, the supervisor and
    every child it started, whatever their parent is now."""
    marker = f"ERP_MESH_DIR={state}\0".encode()
    found = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit() and int(proc.name) != os.getpid():
            try:
                environ = (proc / "environ").read_bytes()
                if marker in environ and b"zombie" not in (proc / "status").read_bytes().lower():
                    found.append(int(proc.name))
            except OSError:
                continue
    return found


def _command(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _listening(addr: str) -> bool:
    host, _, port = addr.rpartition(":")
    try:
        with socket.create_connection((host, int(port)), timeout=0.5):
            return True
    except OSError:
        return False


def _make(target: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(["make", target], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def _startup_warnings(log_dir: Path) -> list[str]:
    """Envoy's plain log lines at warning or worse, and the services' JSON lines above info."""
    problems = []
    for log in sorted(log_dir.glob("*.log")):
        for line in log.read_text(errors="replace").splitlines():
            if line.startswith("{"):
                level = json.loads(line).get("level", "info").lower()
                if level not in ("info", "debug"):
                    problems.append(f"{log.name}: {line}")
            elif re.search(r"\[(warning|error|critical)\]", line):
                problems.append(f"{log.name}: {line}")
    return problems


def test_make_up_stays_up_on_the_configured_ports_and_make_down_leaves_nothing(mesh_env):
    state = Path(mesh_env["ERP_MESH_DIR"])
    edge = mesh_env["ERP_EDGE_HTTP_ADDR"]
    up = _make("up", mesh_env)
    assert up.returncode == 0, up.stdout + up.stderr
    assert f"edge        http://{edge}" in up.stdout and f"http://{edge}/api/auth/login/" in up.stdout
    assert "8000" not in up.stdout.replace(edge, "")  # no default port printed

    time.sleep(5)  # `make up` has returned long ago: every process must still serve
    http = Http(f"http://{edge}")
    token = http.login()["access_token"]
    status, _, body = http.get("/api/master/continents/", token=token)
    assert status == 200 and body["continents"] == [], body
    started = {_command(pid) for pid in _mesh_processes(state)}
    for part in ("tools.mesh supervise", "-m auth_svc", "-m master_svc", "envoy -c"):
        assert any(part in command for command in started), (part, started)
    assert _startup_warnings(state / "log") == []

    down = _make("down", mesh_env)
    assert down.returncode == 0, down.stdout + down.stderr
    assert _mesh_processes(state) == []
    assert [a for a in (mesh_env[v] for v in ADDRESS_VARS.values() if v != "ERP_GATEWAY_HTTP_ADDR")
            if _listening(a)] == []
    assert list((state / "run").glob("*.pid")) == []
    # A second `make down` has nothing to do and says nothing went wrong.
    assert _make("down", mesh_env).returncode == 0


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_launcher_stopped_during_start_up_leaves_no_process(mesh_env, signum):
    """The signal arrives while auth_svc is up and the rest is still starting."""
    state = Path(mesh_env["ERP_MESH_DIR"])
    launcher = subprocess.Popen([sys.executable, "-m", "tools.mesh", "run"], cwd=ROOT, env=mesh_env,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 60
    while not _listening(mesh_env["ERP_AUTH_LISTEN_ADDR"]):
        assert launcher.poll() is None and time.monotonic() < deadline, launcher.stdout.read()
        time.sleep(0.05)
    launcher.send_signal(signum)
    output, _ = launcher.communicate(timeout=60)
    assert "ERP mesh ready" not in output  # it was stopped during start-up, as intended
    assert launcher.returncode == 0, output  # a requested stop is a clean exit
    assert _mesh_processes(state) == [], output
    assert not _listening(mesh_env["ERP_AUTH_LISTEN_ADDR"])
