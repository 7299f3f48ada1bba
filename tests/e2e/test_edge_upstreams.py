"""The edges against upstreams the session mesh cannot play: a stub master_svc that answers any gRPC
status (so every row of the gRPC -> HTTP table is checked), a dead master_svc (503), and an Envoy
with a tiny login rate limit (429). Each uses its own edge processes on free ports, in front of the
session mesh's auth_svc, so nothing shared is broken."""
from __future__ import annotations

import uuid

import grpc
import pytest

from erp.auth.v1 import auth_service_pb2, auth_service_pb2_grpc
from tests.support import EDGES
from tests.support.edge import EdgesOnly, addr, assert_error

pytestmark = pytest.mark.e2e

# google.rpc.Code -> HTTP, as in google/rpc/code.proto. The two gateway-failure codes go last: with
# retries, UNAVAILABLE makes three consecutive 503s, which may eject the stub (outlier detection).
GRPC_TO_HTTP = [
    ("CANCELLED", 499), ("UNKNOWN", 500), ("INVALID_ARGUMENT", 400), ("NOT_FOUND", 404),
    ("ALREADY_EXISTS", 409), ("PERMISSION_DENIED", 403), ("UNAUTHENTICATED", 401), ("RESOURCE_EXHAUSTED", 429),
    ("FAILED_PRECONDITION", 400), ("ABORTED", 409), ("OUT_OF_RANGE", 400), ("UNIMPLEMENTED", 501),
    ("INTERNAL", 500), ("DATA_LOSS", 500), ("DEADLINE_EXCEEDED", 504), ("UNAVAILABLE", 503),
]


@pytest.mark.parametrize("kind", EDGES)
@pytest.mark.parametrize("grpc_code,http", GRPC_TO_HTTP, ids=[c for c, _ in GRPC_TO_HTTP])
def test_every_grpc_status_maps_to_its_http_code(stubbed, admin_token, kind, grpc_code, http):
    edges, _ = stubbed
    body = assert_error(edges.http(kind).get(f"/api/master/continents/?search=status:{grpc_code}", token=admin_token),
                        http, grpc_code)
    assert body["message"] == f"stub says {grpc_code}"
    types = [d["@type"].rsplit("/", 1)[-1] for d in body["details"]]
    assert types[0] == "google.rpc.ErrorInfo" and body["details"][0]["reason"] == f"STUB_{grpc_code}", body
    if grpc_code == "INVALID_ARGUMENT":
        assert body["details"][1]["field_violations"][0]["field"] == "name", body
    if grpc_code == "FAILED_PRECONDITION":
        assert body["details"][1]["violations"][0]["type"] == "PROTECTED", body


@pytest.mark.parametrize("kind", EDGES)
def test_retry_info_becomes_retry_after(stubbed, admin_token, kind):
    edges, _ = stubbed
    status, headers, body = edges.http(kind).get("/api/master/continents/?search=status:RESOURCE_EXHAUSTED",
                                                 token=admin_token)
    assert status == 429 and headers["retry-after"] == "7", (dict(headers), body)
    assert {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retry_delay": "7s"} in body["details"]


@pytest.mark.parametrize("kind", EDGES)
def test_verified_identity_and_request_id_reach_the_service(stubbed, admin_token, kind):
    edges, servicer = stubbed
    request_id = f"req-{uuid.uuid4().hex}"
    status, headers, _ = edges.http(kind).get(
        "/api/master/continents/?search=identity", token=admin_token,
        headers={"X-Request-Id": request_id, "X-Erp-User-Id": "999", "X-Erp-Username": "mallory",
                 "X-Erp-Edge-Auth": "guessed", "X-Erp-Client-Ip": "10.6.6.6"})
    assert status == 200 and headers["x-request-id"] == request_id
    md = servicer.metadata[-1]
    assert md["x-request-id"] == request_id
    assert md["authorization"] == f"Bearer {admin_token}"  # services verify the token again
    assert (md.get("x-erp-user-id"), md.get("x-erp-username")) == ("1", "admin")
    assert md.get("x-erp-edge-auth") != "guessed" and md.get("x-erp-client-ip") == "127.0.0.1"


@pytest.mark.parametrize("kind", EDGES)
def test_public_route_forwards_no_client_identity(stubbed, kind):
    """Without a token nothing is verified, so a client's own x-erp-user-id must not pass either."""
    edges, servicer = stubbed
    before = len(servicer.metadata)
    status, _, _ = edges.http(kind).get("/api/auth/login_page/", headers={"X-Erp-User-Id": "999"})
    assert status == 200 and len(servicer.metadata) == before  # auth_svc's route, not the stub


@pytest.fixture(scope="module")
def dead_master(mesh):
    edges = EdgesOnly(mesh, addr()).start()  # nothing listens on that port
    try:
        yield edges
    finally:
        edges.stop()


@pytest.mark.parametrize("kind", EDGES)
def test_dead_upstream_is_503_json(dead_master, admin_token, kind):
    http = dead_master.http(kind)
    assert_error(http.get("/api/master/continents/", token=admin_token), 503, "UNAVAILABLE")
    assert_error(http.post("/api/master/continents/", {"name": "Nowhere"}, token=admin_token), 503, "UNAVAILABLE")


@pytest.mark.parametrize("kind", EDGES)
def test_health_is_503_while_an_upstream_is_down(dead_master, kind):
    status, _, body = dead_master.http(kind).get("/api/health")
    assert status == 503 and body["code"] == 503 and body["status"] == "UNAVAILABLE", body


def test_auth_still_works_while_master_is_down(dead_master):
    tokens = dead_master.http("envoy").login()
    assert tokens["access_token"]


@pytest.fixture(scope="module")
def rate_limited(mesh):
    edges = EdgesOnly(mesh, mesh.master_addr, edges=("envoy",), ERP_EDGE_LOGIN_RATE_PER_MINUTE="2",
                      ERP_EDGE_REFRESH_RATE_PER_MINUTE="2").start()
    try:
        yield edges.http("envoy")
    finally:
        edges.stop()


def test_login_rate_limit_is_429_with_retry_after(rate_limited):
    """Envoy's local rate limit on Login (ERP_EDGE_LOGIN_RATE_PER_MINUTE); the Go gateway has none."""
    wrong = {"username": f"nobody-{uuid.uuid4().hex[:6]}", "password": "wrong"}
    statuses = [rate_limited.post("/api/auth/login/", wrong)[0] for _ in range(2)]
    assert statuses == [401, 401]
    status, headers, body = rate_limited.post("/api/auth/login/", wrong)
    assert_error((status, headers, body), 429, "RESOURCE_EXHAUSTED")
    assert int(headers["retry-after"]) > 0


def test_refresh_rate_limit_is_429(rate_limited):
    statuses = [rate_limited.post("/api/auth/refresh/", {"refresh_token": "x"})[0] for _ in range(3)]
    assert statuses[-1] == 429 and statuses[:2] != [429, 429], statuses


def test_rate_limit_covers_native_grpc_login(rate_limited):
    with grpc.insecure_channel(rate_limited.base.removeprefix("http://")) as channel:
        stub = auth_service_pb2_grpc.AuthServiceStub(channel)
        codes = []
        for _ in range(3):
            try:
                stub.Login(auth_service_pb2.LoginRequest(username="nobody", password="wrong"), timeout=10)
            except grpc.RpcError as err:
                codes.append(err.code())
    assert codes[-1] == grpc.StatusCode.RESOURCE_EXHAUSTED, codes
