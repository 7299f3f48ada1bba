"""One message and one ErrorInfo reason per token failure, whichever path the call takes: REST through
Envoy and through the Go gateway, native gRPC through Envoy, and gRPC straight to master_svc.
A missing, malformed, expired, refresh-type or revoked token must read the same everywhere."""
from __future__ import annotations

import grpc
import pytest
from google.rpc import error_details_pb2, status_pb2

from erp.master.v1 import master_service_pb2 as pb
from erp.master.v1 import master_service_pb2_grpc as pb_grpc
from erp_common.errors import TOKEN_FAILURES
from tests.support.http import Http
from tests.support.edge import foreign_key, mint, wait_for

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def revoked_token(mesh):
    """An access token whose session has ended (logout); the services have heard of it."""
    http = Http(f"http://{mesh.edge_addr}")
    token = http.login()["access_token"]
    assert http.post("/api/auth/logout/", {}, token=token)[0] == 200
    assert wait_for(lambda: http.get("/api/master/continents/", token=token)[0] == 401)
    return token


def _rest(base: str, token: str | None) -> tuple[str, str]:
    status, _, body = Http(base).get("/api/master/continents/", token=token)
    assert status == 401 and body["status"] == "UNAUTHENTICATED", body
    reasons = [d["reason"] for d in body["details"] if d["@type"].endswith("google.rpc.ErrorInfo")]
    assert len(reasons) == 1, body
    return body["message"], reasons[0]


def _grpc(addr: str, token: str | None) -> tuple[str, str]:
    metadata = (("authorization", f"Bearer {token}"),) if token is not None else ()
    with grpc.insecure_channel(addr) as channel, pytest.raises(grpc.RpcError) as err:
        pb_grpc.ContinentServiceStub(channel).ListContinents(pb.ListContinentsRequest(), metadata=metadata, timeout=10)
    assert err.value.code() == grpc.StatusCode.UNAUTHENTICATED
    raw = dict(err.value.trailing_metadata() or ()).get("grpc-status-details-bin")
    assert raw, f"no status details from {addr}: {err.value.details()}"
    reasons = []
    for detail in status_pb2.Status.FromString(raw).details:
        info = error_details_pb2.ErrorInfo()
        if detail.Unpack(info):
            reasons.append(info.reason)
    assert len(reasons) == 1
    return err.value.details(), reasons[0]


@pytest.mark.parametrize("case, reason", [
    ("missing", "TOKEN_MISSING"), ("malformed", "TOKEN_INVALID"), ("forged", "TOKEN_INVALID"),
    ("expired", "TOKEN_EXPIRED"), ("refresh", "TOKEN_WRONG_TYPE"), ("revoked", "SESSION_REVOKED"),
])
def test_every_path_refuses_a_token_with_one_message_and_reason(mesh, keys_dir, revoked_token, case, reason):
    token = {"missing": lambda: None, "malformed": lambda: "not-a-jwt",
             "forged": lambda: mint(keys_dir, key=foreign_key(), kid="unknown-kid"),
             "expired": lambda: mint(keys_dir, ttl=60, age=660, permissions=["master_continent_read"]),
             "refresh": lambda: mint(keys_dir, type="refresh"),
             "revoked": lambda: revoked_token}[case]()
    answers = {"envoy REST": _rest(f"http://{mesh.edge_addr}", token),
               "envoy gRPC": _grpc(mesh.edge_addr, token),
               "master_svc gRPC": _grpc(mesh.master_addr, token)}
    if "gateway" in mesh.edges:
        answers["gateway REST"] = _rest(f"http://{mesh.gateway_addr}", token)
    assert set(answers.values()) == {(TOKEN_FAILURES[reason], reason)}, answers
