"""The Envoy config of `make bench`: production's (edge/render.py, unchanged) plus one route,
GET /api/bench/ceiling, answered by Envoy itself behind the same filters (JWT included) with the JSON
of the measured page: the edge's own ceiling. Production config has no bench knob."""
from __future__ import annotations

import os
from pathlib import Path

import yaml

from edge.config import EdgeConfig
from edge.render import render

CEILING_PATH = "/api/bench/ceiling"


def ceiling_route(body_file: Path) -> dict:
    return {
        "name": "bench-ceiling",
        "match": {"path": CEILING_PATH},
        "direct_response": {"status": 200, "body": {"filename": str(body_file.resolve())}},
        "response_headers_to_add": [{"header": {"key": "content-type", "value": "application/json"},
                                     "append_action": "OVERWRITE_IF_EXISTS_OR_ADD"}],
    }


def render_with_ceiling(config: EdgeConfig, body_file: Path) -> str:
    """The production config with the ceiling route just before the catch-all (which must stay last)."""
    doc = yaml.safe_load(render(config))
    manager = doc["static_resources"]["listeners"][0]["filter_chains"][0]["filters"][0]["typed_config"]
    routes = manager["route_config"]["virtual_hosts"][0]["routes"]
    catch_all = next(i for i, r in enumerate(routes) if r["match"] == {"prefix": "/"})
    routes.insert(catch_all, ceiling_route(body_file))
    return yaml.safe_dump(doc, sort_keys=False)


def write_config(env: dict, body_file: Path, out: Path) -> None:
    """Renders for the edge settings in `env` into `out` (0600: it holds the edge secret)."""
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(render_with_ceiling(EdgeConfig.from_env(env), body_file))
