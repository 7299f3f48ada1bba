"""Every master RPC in the contract is served: no method answers UNIMPLEMENTED."""
import grpc
from google.protobuf import empty_pb2

from erp.master.v1 import master_service_pb2 as pb


def test_every_master_rpc_is_implemented(master_channel, admin_token):
    """Each method, called with an empty request and an admin token, answers something other than
    UNIMPLEMENTED (most answer INVALID_ARGUMENT or NOT_FOUND for the empty request)."""
    metadata = (("authorization", f"Bearer {admin_token}"),)
    serialize = lambda m: m.SerializeToString()  # noqa: E731
    for service in pb.DESCRIPTOR.services_by_name.values():
        for method in service.methods:
            path = f"/{service.full_name}/{method.name}"
            if method.server_streaming:
                stream = master_channel.unary_stream(path, request_serializer=serialize,
                                                     response_deserializer=empty_pb2.Empty.FromString)(
                    empty_pb2.Empty(), metadata=metadata, timeout=1)
                try:
                    next(stream, None)
                except grpc.RpcError as err:
                    assert err.code() != grpc.StatusCode.UNIMPLEMENTED, path
                continue
            call = master_channel.unary_unary(path, request_serializer=serialize,
                                              response_deserializer=empty_pb2.Empty.FromString)
            try:
                call(empty_pb2.Empty(), metadata=metadata, timeout=10)
            except grpc.RpcError as err:
                assert err.code() != grpc.StatusCode.UNIMPLEMENTED, path
    assert sum(len(s.methods) for s in pb.DESCRIPTOR.services_by_name.values()) == 81
