"""Helpers of the auth integration tests: a gRPC client that calls as the edge would, and makers."""
from __future__ import annotations

import uuid

import grpc
import pytest
from grpc_status import rpc_status

from erp.auth.v1 import admin_service_pb2 as apb
from erp.auth.v1 import admin_service_pb2_grpc as apb_grpc
from erp.auth.v1 import auth_service_pb2 as pb
from erp.auth.v1 import auth_service_pb2_grpc as pb_grpc

PASSWORD = "Integration-Passw0rd!"


def unique(label: str) -> str:
    return f"{label}_{uuid.uuid4().hex[:10]}"


class Client:
    """Stubs of every auth service, calling as one user from one client IP (through the edge secret)."""

    def __init__(self, channel, secret: str, ip: str, token: str = ""):
        self.channel, self.secret, self.ip, self.token = channel, secret, ip, token
        self.auth = pb_grpc.AuthServiceStub(channel)
        self.users = apb_grpc.UserServiceStub(channel)
        self.roles = apb_grpc.RoleServiceStub(channel)
        self.permissions = apb_grpc.PermissionServiceStub(channel)
        self.groups = apb_grpc.GroupPermissionServiceStub(channel)
        self.audit = apb_grpc.AuditServiceStub(channel)

    @property
    def md(self) -> tuple:
        md = (("x-erp-edge-auth", self.secret), ("x-erp-client-ip", self.ip))
        return md + ((("authorization", f"Bearer {self.token}"),) if self.token else ())

    def login(self, username: str, password: str = PASSWORD) -> "Client":
        tokens = self.auth.Login(pb.LoginRequest(username=username, password=password), metadata=self.md)
        return Client(self.channel, self.secret, self.ip, tokens.access_token)


def fails(call, request, md) -> grpc.RpcError:
    with pytest.raises(grpc.RpcError) as exc:
        call(request, metadata=md)
    return exc.value


def detail(err: grpc.RpcError, kind):
    for packed in rpc_status.from_call(err).details:
        if packed.Is(kind.DESCRIPTOR):
            message = kind()
            packed.Unpack(message)
            return message
    raise AssertionError(f"no {kind.DESCRIPTOR.name} in {err}")


def make_user(admin: Client, **fields) -> apb.User:
    fields.setdefault("username", unique("user"))
    fields.setdefault("password", PASSWORD)
    return admin.users.CreateUser(apb.CreateUserRequest(user=apb.User(**fields)), metadata=admin.md)


def make_role(admin: Client, **fields) -> apb.Role:
    fields.setdefault("name", unique("Role"))
    return admin.roles.CreateRole(apb.CreateRoleRequest(role=apb.Role(**fields)), metadata=admin.md)


def codename_ids(admin: Client, *codenames: str) -> list[int]:
    listed = admin.permissions.ListPermissions(apb.ListPermissionsRequest(), metadata=admin.md).permissions
    by_codename = {p.codename: p.id for p in listed}
    return [by_codename[c] for c in codenames]
