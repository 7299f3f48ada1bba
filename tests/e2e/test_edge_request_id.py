"""Request ids: generated at the edge or taken from the client, returned in the response, passed to the
services as x-request-id metadata and written in their log lines; Envoy's access log is JSON."""
from __future__ import annotations

import json
import re
import uuid

import pytest

from tests.support.edge import wait_for

pytestmark = pytest.mark.e2e


def log_lines_with(path, request_id: str) -> list[dict]:
    lines = []
    for line in path.read_text(errors="replace").splitlines():
        if request_id in line and line.startswith("{"):
            lines.append(json.loads(line))
    return lines


def test_request_id_is_generated_when_missing(edge):
    _, headers, _ = edge.get("/api/auth/.well-known/jwks.json")
    assert re.fullmatch(r"[0-9a-f-]{32,36}", headers["x-request-id"]), headers["x-request-id"]


def test_request_id_of_the_client_is_kept(edge, admin_token):
    request_id = f"client-{uuid.uuid4()}"
    _, headers, _ = edge.get("/api/master/continents/?page_size=1", token=admin_token,
                             headers={"X-Request-Id": request_id})
    assert headers["x-request-id"] == request_id


def test_errors_carry_the_request_id_too(edge):
    request_id = str(uuid.uuid4())
    status, headers, _ = edge.get("/api/master/continents/", headers={"X-Request-Id": request_id})
    assert status == 401 and headers["x-request-id"] == request_id


def test_request_id_is_in_the_auth_service_log(mesh, edge):
    request_id = str(uuid.uuid4())
    status, _, _ = edge.post("/api/auth/login/", {"username": f"nobody-{uuid.uuid4().hex[:6]}", "password": "x"},
                             headers={"X-Request-Id": request_id})
    assert status == 401
    lines = wait_for(lambda: log_lines_with(mesh.state_dir / "log" / "auth_svc.log", request_id))
    assert lines, f"no auth_svc log line with request_id {request_id}"
    assert all(line["request_id"] == request_id for line in lines)
    assert any(line.get("method", "").endswith("/Login") for line in lines), lines


def test_request_id_is_in_the_master_service_log(mesh, edge, admin_token):
    request_id = str(uuid.uuid4())
    edge.get("/api/master/countries/?page_size=1", token=admin_token, headers={"X-Request-Id": request_id})
    lines = wait_for(lambda: log_lines_with(mesh.state_dir / "log" / "master_svc.log", request_id))
    assert any(line.get("method", "").endswith("/ListCountries") for line in lines), lines


def test_envoy_access_log_is_json_with_request_id_route_and_user(mesh, envoy_http, admin_token):
    request_id = str(uuid.uuid4())
    envoy_http.get("/api/master/countries/?page_size=1", token=admin_token, headers={"X-Request-Id": request_id})
    lines = wait_for(lambda: log_lines_with(mesh.state_dir / "log" / "envoy.log", request_id))
    assert len(lines) == 1, lines
    entry = lines[0]
    assert entry["method"] == "GET" and entry["path"].startswith("/api/master/countries")
    assert entry["status"] == 200 and entry["grpc_status"] == "OK"
    assert entry["route"] == "master-reads" and entry["user"] == "admin"
    assert entry["upstream"] == mesh.master_addr
