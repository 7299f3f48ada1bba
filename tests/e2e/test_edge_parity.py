"""The registry of the contract (erp_common/contract.py) at work: both edges, the real Envoy and the real
Go gateway, route the same paths with the same auth, and the services enforce each RPC's rule."""
from __future__ import annotations

import re

import grpc
import pytest
from google.protobuf import empty_pb2
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from erp_common import contract
from tests.support import EDGES
from tests.support.edge import mint
from tests.support.http import Http

pytestmark = [pytest.mark.e2e,
              pytest.mark.skipif(EDGES != ("envoy", "gateway"), reason="needs the Go gateway (make gateway)")]

ROUTES = [(rpc, route) for rpc in contract.rpcs() for route in rpc.routes]
# Paths no RPC binds: a route unknown to one edge must be unknown to the other.
UNKNOWN = [("GET", "/api/master/planets"), ("POST", "/api/auth/users/u1/unknown"), ("GET", "/api/nowhere"),
           ("DELETE", "/api/master/continents"), ("PUT", "/api/auth/sessions")]


def concrete(path: str) -> str:
    """A path for a template: each variable becomes `1` (an id of any type), with the seed's trailing slash."""
    return re.sub(r"{[^}]+}", "1", path) + ("" if "." in path.rsplit("/", 1)[1] else "/")


@pytest.fixture(scope="module")
def edges(mesh) -> dict[str, Http]:
    return {"envoy": Http(f"http://{mesh.edge_addr}"), "gateway": Http(f"http://{mesh.gateway_addr}")}


@pytest.fixture(scope="module")
def no_rights(keys_dir) -> str:
    """A valid access token of a user that holds no permission (and has no session to end)."""
    return mint(keys_dir, sub="999999", username="nobody", groups=[], permissions=[])


def call(edge: Http, verb: str, path: str, token: str | None = None) -> tuple[int, str]:
    body = {} if verb in ("POST", "PUT", "PATCH") else None
    status, _, payload = edge.request(verb, path, body, token=token)
    return status, payload.get("status", "") if isinstance(payload, dict) else ""


def test_every_route_needs_a_token_at_both_edges_unless_its_rpc_is_public(edges):
    assert len(ROUTES) > 100
    for rpc, route in ROUTES:
        path = concrete(route.path)
        got = {name: call(edge, route.verb, path) for name, edge in edges.items()}
        if rpc.access.rule == contract.PUBLIC:
            assert got["envoy"][0] != 401 and got["envoy"][0] == got["gateway"][0], (route, got)
        else:
            assert got["envoy"] == got["gateway"] == (401, "UNAUTHENTICATED"), (route, got)


def test_both_edges_route_each_permission_rpc_to_its_check(edges, no_rights):
    """With a valid token that lacks the right, every route of a permission RPC reaches the service and
    is refused there: the same 403 at both edges (a missing route would be a 404)."""
    checked = 0
    for rpc, route in ROUTES:
        if rpc.access.rule != contract.PERMISSION:
            continue
        got = {name: call(edge, route.verb, concrete(route.path), no_rights) for name, edge in edges.items()}
        assert got["envoy"] == got["gateway"] == (403, "PERMISSION_DENIED"), (route, got)
        checked += 1
    assert checked >= 100


def test_a_route_unknown_to_the_contract_is_404_at_both_edges(edges, no_rights):
    for verb, path in UNKNOWN:
        got = {name: call(edge, verb, path, no_rights) for name, edge in edges.items()}
        assert got["envoy"] == got["gateway"] == (404, "NOT_FOUND"), (verb, path, got)


def _grpc_call(channel, rpc: contract.Rpc, metadata):
    serialize = lambda m: m.SerializeToString()  # noqa: E731
    if rpc.path.endswith(("/WatchChanges", "/WatchRevocations")):
        stream = channel.unary_stream(rpc.path, request_serializer=serialize,
                                      response_deserializer=empty_pb2.Empty.FromString)(
            empty_pb2.Empty(), metadata=metadata, timeout=5)
        next(stream, None)
        stream.cancel()
        return
    channel.unary_unary(rpc.path, request_serializer=serialize, response_deserializer=empty_pb2.Empty.FromString)(
        empty_pb2.Empty(), metadata=metadata, timeout=10)


def test_the_services_enforce_each_rpcs_rule(auth_channel, master_channel, no_rights):
    """Directly over gRPC, no edge in between: no token is UNAUTHENTICATED unless the RPC is public, a
    token without the right is PERMISSION_DENIED naming the contract's permission, and an internal RPC
    wants the service credential, which no token replaces."""
    channels = {"auth": auth_channel, "master": master_channel}
    for rpc in contract.rpcs():
        channel = channels[rpc.upstream]
        if rpc.access.rule == contract.PUBLIC:
            continue
        with pytest.raises(grpc.RpcError) as anonymous:
            _grpc_call(channel, rpc, ())
        assert anonymous.value.code() == grpc.StatusCode.UNAUTHENTICATED, rpc.path
        if rpc.access.rule == contract.PERMISSION:
            with pytest.raises(grpc.RpcError) as refused:
                _grpc_call(channel, rpc, (("authorization", f"Bearer {no_rights}"),))
            assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED, rpc.path
            status = rpc_status.from_call(refused.value)
            info = error_details_pb2.ErrorInfo()
            assert status.details[0].Unpack(info) and info.metadata["permission"] == rpc.access.permission
        if rpc.access.rule == contract.INTERNAL:
            with pytest.raises(grpc.RpcError) as refused:
                _grpc_call(channel, rpc, (("authorization", f"Bearer {no_rights}"),))
            assert refused.value.code() == grpc.StatusCode.UNAUTHENTICATED, rpc.path
            info = error_details_pb2.ErrorInfo()
            assert rpc_status.from_call(refused.value).details[0].Unpack(info)
            assert info.reason == "SERVICE_CREDENTIAL_REQUIRED", rpc.path
