"""Operators' view: health and reflection are on for both services."""
import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc


def _services(channel) -> set[str]:
    stub = reflection_pb2_grpc.ServerReflectionStub(channel)
    responses = stub.ServerReflectionInfo(iter([reflection_pb2.ServerReflectionRequest(list_services="")]))
    return {s.name for r in responses for s in r.list_services_response.service}


def test_auth_health_and_reflection(auth_channel):
    status = health_pb2_grpc.HealthStub(auth_channel).Check(health_pb2.HealthCheckRequest(service="erp.auth.v1.AuthService"))
    assert status.status == health_pb2.HealthCheckResponse.SERVING
    assert {"erp.auth.v1.AuthService", "grpc.health.v1.Health"} <= _services(auth_channel)


def test_master_health_and_reflection(master_channel):
    status = health_pb2_grpc.HealthStub(master_channel).Check(health_pb2.HealthCheckRequest())
    assert status.status == health_pb2.HealthCheckResponse.SERVING
    assert {"erp.master.v1.ContinentService", "erp.master.v1.EquipmentTypeService"} <= _services(master_channel)
