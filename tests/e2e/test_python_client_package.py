"""clients/python, the installable gRPC client package: built and installed with pip into a fresh
virtual environment (nothing of this repository on its path), then tests/e2e/grpc_client_flow.py
runs there against both services directly and through Envoy's native gRPC."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from tests.support import ADMIN_PASSWORD
from tests.support import ROOT

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def fresh_python(tmp_path_factory):
    work = tmp_path_factory.mktemp("erp-client")
    # A copy with the stubs link resolved, so the build writes nothing into the tree.
    shutil.copytree(ROOT / "clients" / "python", work / "erp-client", symlinks=False)
    subprocess.run([sys.executable, "-m", "venv", str(work / "venv")], check=True, timeout=120)
    python = work / "venv" / "bin" / "python"
    result = subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                             str(work / "erp-client")], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    return python


def test_the_package_is_typed_and_declares_its_dependencies(fresh_python):
    probe = ("import importlib.metadata as m, importlib.resources as r, re; "
             "print(sorted(re.split('[<>=!~ ;]', x)[0] for x in m.requires('erp-client'))); "
             "print(r.files('erp_client').joinpath('py.typed').is_file(), r.files('erp').joinpath('py.typed').is_file(), "
             "r.files('erp.master.v1').joinpath('master_service_pb2.pyi').is_file())")
    out = subprocess.run([str(fresh_python), "-c", probe], capture_output=True, text=True, timeout=60,
                         cwd=fresh_python.parent).stdout.splitlines()
    assert out == ["['googleapis-common-protos', 'grpcio', 'grpcio-status', 'protobuf']", "True True True"], out


def test_the_flow_against_the_services_and_envoy(mesh, fresh_python):
    config = {"direct": [mesh.master_addr.split(",")[0], mesh.auth_addr.split(",")[0]], "envoy": mesh.edge_addr,
              "username": "admin", "password": ADMIN_PASSWORD}
    flow = fresh_python.parent.parent.parent / "grpc_client_flow.py"
    shutil.copy(ROOT / "tests" / "e2e" / "grpc_client_flow.py", flow)
    result = subprocess.run([str(fresh_python), str(flow), json.dumps(config)], capture_output=True, text=True,
                            timeout=120, cwd=flow.parent)
    assert result.returncode == 0, result.stdout + result.stderr
    summary = json.loads(result.stdout.splitlines()[-1])
    for route in ("direct", "envoy"):
        assert summary[route]["api_key_total"] >= 1 and summary[route]["renewals"] == 4, summary
    assert summary["flaky"] == {"list_attempts": 3, "create_attempts": 1}, summary
