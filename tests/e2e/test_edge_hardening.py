"""What the edges let a client choose (issue 14): no x-erp-* header of its own, no client address of its
own unless trusted proxies vouch for it, and no request that takes longer than the request timeout to
arrive. Each fixture runs its own edge processes in front of the session mesh (or a stub master_svc
that records the metadata it was sent), both edges alike."""
from __future__ import annotations

import http.client
import json
import socket
import time
import uuid

import pytest

from tests.support import EDGES
from tests.support.edge import EdgesOnly

pytestmark = pytest.mark.e2e

REQUEST_TIMEOUT = 1.0
# Every header of the edge's own namespace a service reads or an edge sets, and one nobody uses yet.
FORGED = {"x-erp-user-id": "999", "x-erp-username": "mallory", "x-erp-token-type": "access",
          "x-erp-edge-auth": "guessed", "x-erp-client-ip": "10.6.6.6", "x-erp-user-agent": "forged-agent/6.6",
          "x-erp-anything": "forged"}


@pytest.fixture(scope="module")
def proxied(mesh):
    """Both edges behind one trusted proxy, with a short request timeout, in front of the session mesh."""
    edges = EdgesOnly(mesh, mesh.master_addr, ERP_EDGE_TRUSTED_HOPS="1",
                      ERP_EDGE_REQUEST_TIMEOUT=str(REQUEST_TIMEOUT)).start()
    try:
        yield edges
    finally:
        edges.stop()


def _raw(addr: str, method: str, path: str, headers: dict, body: bytes | None = None) -> tuple[int, dict]:
    """http.client sends no User-Agent of its own (urllib would)."""
    host, port = addr.removeprefix("http://").rsplit(":", 1)
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers)
        resp = conn.getresponse()
        payload = resp.read()
        return resp.status, json.loads(payload) if payload else {}
    finally:
        conn.close()


@pytest.mark.parametrize("kind", EDGES)
def test_every_client_sent_x_erp_header_is_dropped(stubbed, admin_token, kind):
    """Each forged header, with and without a User-Agent: the service sees the edge's values only."""
    edges, servicer = stubbed
    for user_agent in ("", "erp-test/1.0"):
        for name, value in FORGED.items():
            headers = {"Authorization": f"Bearer {admin_token}", name: value, **({"User-Agent": user_agent}
                                                                              if user_agent else {})}
            status, body = _raw(edges.http(kind).base, "GET", "/api/master/continents/?search=headers", headers)
            assert status == 200, (name, body)
            md = servicer.metadata[-1]
            assert md.get("x-erp-anything") is None, name
            assert (md.get("x-erp-user-id"), md.get("x-erp-username")) == ("1", "admin"), name
            assert md.get("x-erp-token-type") is None, name  # jwt_authn's, dropped before the upstream
            assert md.get("x-erp-client-ip") == "127.0.0.1", name
            assert md.get("x-erp-edge-auth") not in (None, "guessed"), name
            assert md.get("x-erp-user-agent") == (user_agent or None), (name, md.get("x-erp-user-agent"))


@pytest.mark.parametrize("kind", EDGES)
def test_without_trusted_proxies_forwarded_for_cannot_choose_the_client(stubbed, admin_token, kind):
    edges, servicer = stubbed
    status, _ = _raw(edges.http(kind).base, "GET", "/api/master/continents/?search=xff",
                     {"Authorization": f"Bearer {admin_token}", "X-Forwarded-For": "198.51.100.7",
                      "X-Real-IP": "198.51.100.8"})
    assert status == 200
    assert servicer.metadata[-1].get("x-erp-client-ip") == "127.0.0.1"


def _login_ip(mesh_http, admin_token: str, edge_base: str, forwarded_for: str) -> str:
    """The client address auth_svc recorded (the audit log's, which the per-IP limits use too) for a
    failed login sent through an edge with this X-Forwarded-For."""
    username = f"proxied-{uuid.uuid4().hex[:12]}"
    status, _ = _raw(edge_base, "POST", "/api/auth/login/",
                     {"Content-Type": "application/json", "X-Forwarded-For": forwarded_for},
                     json.dumps({"username": username, "password": "Wrong-Passw0rd!"}).encode())
    assert status == 401
    status, _, body = mesh_http.get(f"/api/auth/audit-logs/?username={username}", token=admin_token)
    assert status == 200 and body["audit_logs"], body
    return body["audit_logs"][0]["ip_address"]


@pytest.mark.parametrize("kind", EDGES)
def test_behind_one_trusted_proxy_the_client_is_the_address_it_appended(proxied, envoy_http, admin_token, kind):
    base = proxied.http(kind).base
    assert _login_ip(envoy_http, admin_token, base, "198.51.100.7") == "198.51.100.7"
    # What the client wrote itself stays to the left of what the proxy appended.
    assert _login_ip(envoy_http, admin_token, base, "6.6.6.6, 198.51.100.9") == "198.51.100.9"


@pytest.mark.parametrize("kind", EDGES)
def test_at_zero_hops_the_audit_ip_is_the_peer(edge, envoy_http, admin_token, kind):
    """The session mesh's edges (the defaults): a spoofed X-Forwarded-For reaches no audit entry."""
    assert _login_ip(envoy_http, admin_token, edge.base, "198.51.100.7") == "127.0.0.1"


def _slow_body(addr: str, token: str) -> tuple[float, bytes]:
    """A POST that announces 100 bytes and sends one a second; returns when the edge answered and
    closed, and what it said."""
    host, port = addr.removeprefix("http://").rsplit(":", 1)
    started = time.monotonic()
    with socket.create_connection((host, int(port)), timeout=REQUEST_TIMEOUT + 10) as sock:
        sock.sendall((f"POST /api/master/continents/ HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n"
                      "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{").encode())
        sock.settimeout(1.0)
        answer = b""
        while time.monotonic() - started < REQUEST_TIMEOUT + 10:
            try:
                chunk = sock.recv(65536)
            except socket.timeout:
                try:
                    sock.sendall(b" ")
                except OSError:
                    break
                continue
            except OSError:
                break
            if not chunk:
                break
            answer += chunk
        return time.monotonic() - started, answer


@pytest.mark.parametrize("kind", EDGES)
def test_a_slow_body_is_cut_at_the_request_timeout(proxied, admin_token, kind):
    seconds, answer = _slow_body(proxied.http(kind).base, admin_token)
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 408"), answer[:300]
    assert json.loads(body[body.index(b"{"):body.rindex(b"}") + 1]) == {
        "code": 408, "status": "DEADLINE_EXCEEDED", "message": "request timeout", "details": []}, body
    assert REQUEST_TIMEOUT - 0.5 <= seconds <= REQUEST_TIMEOUT + 3, seconds


@pytest.mark.parametrize("kind", EDGES)
def test_the_change_feed_outlives_the_request_timeout(proxied, envoy_http, admin_token, kind):
    """The streaming route's request is complete at once: its response may last longer than the limit."""
    host, port = proxied.http(kind).base.removeprefix("http://").rsplit(":", 1)
    conn = http.client.HTTPConnection(host, int(port), timeout=REQUEST_TIMEOUT * 5)
    try:
        conn.request("GET", "/api/master/changes?cursor=-1&max_changes=1&entities=equipment_type",
                     headers={"Authorization": f"Bearer {admin_token}"})
        # The services send the response headers with the first change, so wait for it after the limit.
        time.sleep(REQUEST_TIMEOUT * 2)
        status, _, created = envoy_http.post("/api/master/equipment-types/", {"name": f"Feed {uuid.uuid4().hex[:8]}"},
                                             token=admin_token)
        assert status == 200, created
        resp = conn.getresponse()
        assert resp.status == 200
        streamed = resp.read().decode()
    finally:
        conn.close()
    assert created["id"] in streamed, streamed
