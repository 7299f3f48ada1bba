"""auth_svc gone (both replicas SIGKILLed): tokens issued before keep working at master_svc, through
Envoy and directly (both verify with the JWK set they cached), while login and refresh at the edge
fail cleanly with 503 JSON. When auth_svc is back, login works again and master_svc follows its
revocations again, without restarting anything else."""
from __future__ import annotations

import time
import urllib.request

import grpc

from erp.master.v1 import master_service_pb2 as master_pb
from tests.support.faults import ADMIN_PASSWORD, continent_stub, latency_figures, report, unique, wait_until
from tests.support.http import rest
from tools.mesh import wait_grpc_health

REST_DEADLINE = 15.0


def _envoy_stat(faults, name: str) -> int:
    with urllib.request.urlopen(f"http://{faults.mesh.admin_addr}/stats?filter=^{name}$", timeout=5) as resp:
        line = resp.read().decode().strip()
    return int(line.rsplit(":", 1)[1]) if line else 0


def _is_clean_503(status, body) -> bool:
    return status == 503 and isinstance(body, dict) and body.get("code") == 503 and body.get("status") == "UNAVAILABLE"


def _auth_hosts_marked_down(faults) -> int:
    with urllib.request.urlopen(f"http://{faults.mesh.admin_addr}/clusters", timeout=5) as resp:
        lines = resp.read().decode().splitlines()
    return sum(1 for line in lines if line.startswith("auth::") and "::health_flags::" in line
               and "failed_active_hc" in line)


def _master_serves(faults, masters: list[str], token: str) -> None:
    """Reads and writes with the token, directly at each master replica and through Envoy."""
    md = (("authorization", f"Bearer {token}"),)
    for addr in masters:
        stub = continent_stub(addr)
        stub.ListContinents(master_pb.ListContinentsRequest(page_size=1), metadata=md, timeout=5)
        stub.CreateContinent(master_pb.CreateContinentRequest(continent=master_pb.Continent(
            name=unique("auth-down-grpc"))), metadata=md, timeout=5)
    for _ in range(2):  # through Envoy, on either replica
        status, body = rest(faults.edge, "GET", "/api/master/continents/?page_size=1", token=token)
        assert status == 200, body
        status, body = rest(faults.edge, "POST", "/api/master/continents/", {"name": unique("auth-down-rest")},
                            token=token)
        assert status == 200, body


def _login_and_refresh_fail_cleanly(faults, refresh_token: str) -> list[float]:
    """REST login and refresh are 503 JSON, native gRPC login UNAVAILABLE; returns the REST latencies."""
    latencies = []
    for _ in range(3):
        for path, payload in (("/api/auth/login/", {"username": "admin", "password": ADMIN_PASSWORD}),
                              ("/api/auth/refresh/", {"refresh_token": refresh_token})):
            started = time.monotonic()
            status, body = rest(faults.edge, "POST", path, payload, timeout=REST_DEADLINE)
            latencies.append(time.monotonic() - started)
            assert _is_clean_503(status, body), (path, status, body)
    with grpc.insecure_channel(faults.edge) as channel:
        try:
            channel.unary_unary("/erp.auth.v1.AuthService/Login")(b"", timeout=5)
            raise AssertionError("login answered while auth_svc is down")
        except grpc.RpcError as exc:
            assert exc.code() == grpc.StatusCode.UNAVAILABLE, exc
    return latencies


def test_tokens_keep_working_while_auth_is_down_and_login_fails_cleanly(faults):
    warm = faults.login()["access_token"]
    issued = faults.login()  # shown to no service before auth_svc goes away
    token = issued["access_token"]
    masters = [faults.grpc_addr(p) for p in faults.replicas("master_svc")]
    for addr in masters:  # each replica has fetched the JWK set once, as any running replica has
        continent_stub(addr).ListContinents(master_pb.ListContinentsRequest(page_size=1),
                                            metadata=(("authorization", f"Bearer {warm}"),), timeout=5)
    # Envoy's first JWK-set fetch goes through its own listener before it listens, so it fails by
    # construction and the set arrives a second or two after start; a running edge has it.
    wait_until(lambda: _envoy_stat(faults, "http.edge.jwt_authn.jwks_fetch_success") >= 1, 15, "Envoy holds the JWK set")
    auth = faults.replicas("auth_svc")
    for p in auth:
        faults.kill(p)
    down_at = time.monotonic()
    try:
        failures: list[float] = []
        # Twice: at once (Envoy still routes to the dead replicas: connection refused), and once
        # Envoy's health checks have marked them down ("no healthy upstream").
        for phase in ("refused", "marked down"):
            if phase == "marked down":
                wait_until(lambda: _auth_hosts_marked_down(faults) == len(auth), 15, "Envoy marks auth_svc down")
            _master_serves(faults, masters, token)
            failures += _login_and_refresh_fail_cleanly(faults, issued["refresh_token"])
        served_for = time.monotonic() - down_at
    finally:
        for p in auth:
            if p.proc.poll() is not None:
                faults.start_again(p)
        for p in auth:
            wait_grpc_health(faults.grpc_addr(p), p, 60)
    up_at = time.monotonic()
    again = wait_until(lambda: rest(faults.edge, "POST", "/api/auth/login/",
                                    {"username": "admin", "password": ADMIN_PASSWORD})[0] == 200 and time.monotonic(),
                       15, "login through the edge again") - up_at
    # master_svc follows auth_svc's revocations again: a logout is refused there within seconds.
    assert rest(faults.edge, "POST", "/api/auth/logout/", {}, token=token)[0] == 200
    logged_out = time.monotonic()
    wait_until(lambda: all(rest(faults.edge, "GET", "/api/master/continents/?page_size=1", token=token)[0] == 401
                           for _ in masters), 10, "the logged-out token refused at master")
    report("auth_down", {
        "auth_down_for_s": round(up_at - down_at, 2), "master_served_with_earlier_token_for_s": round(served_for, 2),
        "login_refresh_503_latency": latency_figures(failures), "login_back_after_restart_s": round(again, 2),
        "logout_refused_at_master_after_s": round(time.monotonic() - logged_out, 2),
    })
