"""Server reflection, v1 and v1alpha, on every service: `grpcurl list`, `grpcurl describe <any symbol>`,
`buf curl` by reflection.

grpcio-reflection serves only `grpc.reflection.v1alpha`, and answers `file_containing_symbol` for
services, messages and enums but not for a method, a field or an enum value (`grpcurl describe
erp.master.v1.CountryService.GetCountry` said "Symbol not found"). `grpc.reflection.v1` is the same
protocol with the package renamed (field for field the same messages), so one servicer answers
both: v1 gets its descriptor from v1alpha's with the package renamed, so that it too can be
described, and its calls are (de)serialised with the v1alpha classes, which have the same wire form.
"""
from __future__ import annotations

import grpc
from google.protobuf import descriptor_pb2, descriptor_pool
from grpc_reflection.v1alpha import reflection, reflection_pb2

V1ALPHA = reflection.SERVICE_NAME
V1 = "grpc.reflection.v1.ServerReflection"
SERVICE_NAMES = (V1, V1ALPHA)
_V1_FILE = "grpc/reflection/v1/reflection.proto"


class ReflectionServicer(reflection.aio.ReflectionServicer):
    """grpcio-reflection's servicer, resolving any symbol: a method, field or enum value lives in the
    file of the service, message or enum that holds it."""

    def _file_containing_symbol(self, request, fully_qualified_name):
        name = fully_qualified_name
        while True:
            response = super()._file_containing_symbol(request, name)
            if not response.HasField("error_response") or "." not in name:
                return response
            name = name.rsplit(".", 1)[0]


def _add_v1_descriptor(pool: descriptor_pool.DescriptorPool) -> None:
    """grpc/reflection/v1/reflection.proto in `pool`: v1alpha's file with the package renamed."""
    try:
        pool.FindFileByName(_V1_FILE)
        return
    except KeyError:
        pass
    proto = descriptor_pb2.FileDescriptorProto()
    reflection_pb2.DESCRIPTOR.CopyToProto(proto)
    old, new = f".{proto.package}.", ".grpc.reflection.v1."
    proto.name, proto.package = _V1_FILE, "grpc.reflection.v1"
    for message in proto.message_type:
        for field in message.field:
            if field.type_name:
                field.type_name = field.type_name.replace(old, new)
    for service in proto.service:
        for method in service.method:
            method.input_type = method.input_type.replace(old, new)
            method.output_type = method.output_type.replace(old, new)
    pool.Add(proto)


def enable(service_names: list[str], server: grpc.aio.Server) -> None:
    """Reflection v1 and v1alpha on `server`, listing `service_names` and both reflection services."""
    _add_v1_descriptor(descriptor_pool.Default())
    servicer = ReflectionServicer([*service_names, *SERVICE_NAMES])
    handler = grpc.stream_stream_rpc_method_handler(
        servicer.ServerReflectionInfo,
        request_deserializer=reflection_pb2.ServerReflectionRequest.FromString,
        response_serializer=reflection_pb2.ServerReflectionResponse.SerializeToString)
    server.add_generic_rpc_handlers([
        grpc.method_handlers_generic_handler(service, {"ServerReflectionInfo": handler}) for service in SERVICE_NAMES])
