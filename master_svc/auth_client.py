"""How master_svc trusts tokens: the shared verifier with keys fetched from auth_svc's JWK set."""
from __future__ import annotations

import threading

import grpc
from google.protobuf.json_format import MessageToDict

from erp.auth.v1 import auth_service_pb2, auth_service_pb2_grpc
from erp_common.tokens import JwksCache, TokenVerifier
from master_svc.config import MasterConfig


def make_verifier(config: MasterConfig) -> TokenVerifier:
    channel = grpc.insecure_channel(config.auth_addr)
    stub = auth_service_pb2_grpc.AuthServiceStub(channel)

    def fetch():
        response = stub.GetJwks(auth_service_pb2.GetJwksRequest(), timeout=3)
        return [MessageToDict(k, preserving_proto_field_name=True) for k in response.keys]

    keys = JwksCache(fetch)
    threading.Thread(target=keys.prime, name="jwks-prime", daemon=True).start()
    return TokenVerifier(keys, config.jwt_issuer, config.jwt_audience)
