"""Operators' view of a renamed setting: a deployment still on ERP_AUTH_GRPC_ADDR / ERP_MASTER_GRPC_ADDR
keeps working for a release, and each program that reads one says so once, in its own log format."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support import ROOT
from tools.mesh import GATEWAY_BIN
from tools.ports import free_port

OLD = {"ERP_AUTH_GRPC_ADDR": "127.0.0.1:1", "ERP_MASTER_GRPC_ADDR": "127.0.0.1:2"}


def _env(tmp_path: Path, **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ERP_")}
    return {**env, **OLD, "ERP_MASTER_DB_URL": f"sqlite:///{tmp_path / 'master.sqlite3'}", **extra}


def _warnings(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "is deprecated" in line]


def test_master_svc_logs_one_json_warning_per_deprecated_name(tmp_path):
    result = subprocess.run([sys.executable, "-m", "master_svc", "migrate"], cwd=ROOT, env=_env(tmp_path),
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in _warnings(result.stderr)]
    assert [(e["level"], e["logger"], e["msg"].split(" is deprecated and read as ")) for e in lines] == [
        ("warning", "erp.settings", ["ERP_MASTER_GRPC_ADDR", "ERP_MASTER_LISTEN_ADDR: set ERP_MASTER_LISTEN_ADDR "
                                     "instead (listen and dial addresses are separate settings)"]),
        ("warning", "erp.settings", ["ERP_AUTH_GRPC_ADDR", "ERP_AUTH_UPSTREAMS: set ERP_AUTH_UPSTREAMS "
                                     "instead (listen and dial addresses are separate settings)"]),
    ]


def test_the_envoy_renderer_dials_the_deprecated_addresses_and_says_so(tmp_path):
    out = tmp_path / "envoy.yaml"
    result = subprocess.run([sys.executable, str(ROOT / "edge" / "render.py"), "--out", str(out)], cwd=ROOT,
                            env=_env(tmp_path), capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert [line.split(" is deprecated")[0] for line in _warnings(result.stderr)] == list(OLD)
    config = out.read_text()
    assert "port_value: 1}" in config and "port_value: 2}" in config


@pytest.mark.skipif(not GATEWAY_BIN.exists(), reason="run `make gateway`")
def test_the_gateway_dials_the_deprecated_addresses_and_says_so_once(tmp_path):
    addr = f"127.0.0.1:{free_port()}"
    proc = subprocess.Popen([str(GATEWAY_BIN)], env=_env(tmp_path, ERP_GATEWAY_HTTP_ADDR=addr),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        lines = []
        deadline = time.monotonic() + 30
        while not any("gateway listening" in line for line in lines):
            assert time.monotonic() < deadline and proc.poll() is None, lines
            lines.append(proc.stderr.readline())
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    listening = json.loads(next(line for line in lines if "gateway listening" in line))
    assert (listening["auth"], listening["master"]) == (["127.0.0.1:1"], ["127.0.0.1:2"])
    assert [(e["level"], e["name"], e["read_as"]) for e in map(json.loads, _warnings("".join(lines)))] == [
        ("WARN", "ERP_AUTH_GRPC_ADDR", "ERP_AUTH_UPSTREAMS"), ("WARN", "ERP_MASTER_GRPC_ADDR", "ERP_MASTER_UPSTREAMS")]
