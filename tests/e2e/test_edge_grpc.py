"""Native gRPC through the Envoy edge: same port as REST (h2c), same JWT check, same routes to the
services. The Go gateway is REST only, so these run against Envoy."""
from __future__ import annotations

import uuid

import grpc
import pytest

from erp.auth.v1 import auth_service_pb2, auth_service_pb2_grpc
from erp.master.v1 import master_service_pb2 as pb
from erp.master.v1 import master_service_pb2_grpc as pb_grpc
from tests.support.edge import mint

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def channel(mesh):
    with grpc.insecure_channel(mesh.edge_addr) as ch:
        yield ch


def bearer(token: str):
    return (("authorization", f"Bearer {token}"),)


def test_list_without_token_is_unauthenticated(channel):
    with pytest.raises(grpc.RpcError) as err:
        pb_grpc.ContinentServiceStub(channel).ListContinents(pb.ListContinentsRequest(), timeout=10)
    assert err.value.code() == grpc.StatusCode.UNAUTHENTICATED
    assert err.value.details() == "authentication credentials were not provided"  # not the REST JSON body


def test_list_with_token_reaches_master(channel, admin_token, envoy_http):
    name = f"Grpc {uuid.uuid4().hex[:8]}"
    assert envoy_http.post("/api/master/continents/", {"name": name}, token=admin_token)[0] == 200
    stub = pb_grpc.ContinentServiceStub(channel)
    response, call = stub.ListContinents.with_call(pb.ListContinentsRequest(search=name.split()[1]),
                                                   metadata=bearer(admin_token), timeout=10)
    assert [c.name for c in response.continents] == [name]
    assert dict(call.initial_metadata()).get("x-request-id")


def test_service_errors_keep_their_status_and_details(channel, admin_token):
    with pytest.raises(grpc.RpcError) as err:
        pb_grpc.ContinentServiceStub(channel).GetContinent(pb.GetContinentRequest(id=uuid.uuid4().hex),
                                                           metadata=bearer(admin_token), timeout=10)
    assert err.value.code() == grpc.StatusCode.NOT_FOUND
    assert any(k == "grpc-status-details-bin" for k, _ in err.value.trailing_metadata())


@pytest.mark.parametrize("token_kind", ["expired", "refresh", "audience", "garbage"])
def test_invalid_tokens_are_unauthenticated(channel, keys_dir, token_kind):
    token = {"expired": lambda: mint(keys_dir, ttl=60, age=660, permissions=["master_continent_read"]),
             "refresh": lambda: mint(keys_dir, type="refresh"),
             "audience": lambda: mint(keys_dir, aud="another-api", permissions=["master_continent_read"]),
             "garbage": lambda: "not.a.jwt"}[token_kind]()
    with pytest.raises(grpc.RpcError) as err:
        pb_grpc.ContinentServiceStub(channel).ListContinents(pb.ListContinentsRequest(), metadata=bearer(token),
                                                             timeout=10)
    assert err.value.code() == grpc.StatusCode.UNAUTHENTICATED


def test_public_methods_need_no_token(channel):
    jwks = auth_service_pb2_grpc.AuthServiceStub(channel).GetJwks(auth_service_pb2.GetJwksRequest(), timeout=10)
    assert jwks.keys
    with pytest.raises(grpc.RpcError) as err:
        auth_service_pb2_grpc.AuthServiceStub(channel).Login(
            auth_service_pb2.LoginRequest(username=f"nobody-{uuid.uuid4().hex[:6]}", password="x"), timeout=10)
    assert err.value.code() == grpc.StatusCode.UNAUTHENTICATED  # bad credentials, from auth_svc itself


def test_internal_only_methods_are_not_routed(channel, admin_token):
    with pytest.raises(grpc.RpcError) as err:
        auth_service_pb2_grpc.AuthServiceStub(channel).ListRevocations(
            auth_service_pb2.ListRevocationsRequest(), metadata=bearer(admin_token), timeout=10)
    assert err.value.code() == grpc.StatusCode.UNIMPLEMENTED  # Envoy's 404 for a gRPC caller


def test_unknown_service_is_unimplemented(channel, admin_token):
    call = channel.unary_unary("/erp.master.v1.NoSuchService/Nothing", request_serializer=lambda b: b,
                               response_deserializer=lambda b: b)
    with pytest.raises(grpc.RpcError) as err:
        call(b"", metadata=bearer(admin_token), timeout=10)
    assert err.value.code() == grpc.StatusCode.UNIMPLEMENTED
