"""Go consumers: the stubs module gen/go (its own go.mod, no grpc-gateway) and the example client in
clients/go, compiled and run against each service directly and through the Envoy edge."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess

import pytest

from tests.support import ADMIN_PASSWORD
from tests.support import ROOT

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(shutil.which("go") is None, reason="go is not installed")]


def go(*args: str, cwd) -> str:
    result = subprocess.run(["go", *args], cwd=cwd, capture_output=True, text=True, timeout=300,
                            env={**os.environ, "GOFLAGS": "-mod=readonly"})
    assert result.returncode == 0, f"go {' '.join(args)}\n{result.stdout}\n{result.stderr}"
    return result.stdout


def test_every_go_package_is_in_the_stubs_module():
    for proto in sorted((ROOT / "protos").rglob("*.proto")):
        relative = proto.parent.relative_to(ROOT / "protos").as_posix()
        declared = re.search(r'option go_package = "([^";]+)', proto.read_text()).group(1)
        assert declared == f"github.com/erp-mesh/erp/gen/go/{relative}", proto


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    binary = tmp_path_factory.mktemp("go-client") / "erp-example"
    go("build", "-o", str(binary), ".", cwd=ROOT / "clients" / "go")
    return binary


def test_the_stubs_and_the_example_need_no_grpc_gateway(example):
    assert "module github.com/erp-mesh/erp/gen/go" in (ROOT / "gen" / "go" / "go.mod").read_text()
    for module_dir in (ROOT / "gen" / "go", ROOT / "clients" / "go"):
        modules = set(go("list", "-deps", "-f", "{{with .Module}}{{.Path}}{{end}}", "./...", cwd=module_dir).split())
        assert "google.golang.org/grpc" in modules and not [m for m in modules if "grpc-gateway" in m], modules


@pytest.mark.parametrize("route", ["direct", "envoy"])
def test_the_example_client_runs(mesh, example, route):
    auth, master = (mesh.auth_addr.split(",")[0], mesh.master_addr.split(",")[0]) if route == "direct" \
        else (mesh.edge_addr, mesh.edge_addr)
    result = subprocess.run([str(example), "-auth", auth, "-master", master, "-username", "admin",
                             "-password", ADMIN_PASSWORD], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["user"] == "admin" and summary["refused"] == "InvalidArgument", summary
    assert any(v.endswith("name") for v in summary["violations"]), summary
