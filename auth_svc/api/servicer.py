"""AuthService: protobuf <-> use cases, nothing else."""
from __future__ import annotations

import asyncio
from importlib import resources

from google.api import httpbody_pb2

from auth_svc.api.convert import token_user
from auth_svc.usecases import AuthUseCases, ClientInfo
from erp.auth.v1 import auth_service_pb2 as pb
from erp.auth.v1 import auth_service_pb2_grpc as pb_grpc
from erp_common.server import current_call

LOGIN_PAGE = resources.files("auth_svc.api").joinpath("templates/login.html").read_bytes()


def client() -> ClientInfo:
    call = current_call()
    return ClientInfo(ip=call.client_ip, user_agent=call.user_agent)


class AuthServicer(pb_grpc.AuthServiceServicer):
    def __init__(self, usecases: AuthUseCases):
        self.uc = usecases

    async def Login(self, request: pb.LoginRequest, context) -> pb.LoginResponse:
        pair = await asyncio.to_thread(self.uc.login, request.username, request.password, client())
        return pb.LoginResponse(access_token=pair.access_token, refresh_token=pair.refresh_token,
                                token_type="Bearer", expires_in=pair.expires_in, user=token_user(pair))

    async def GetLoginPage(self, request, context) -> httpbody_pb2.HttpBody:
        return httpbody_pb2.HttpBody(content_type="text/html; charset=utf-8", data=LOGIN_PAGE)

    async def RefreshToken(self, request: pb.RefreshTokenRequest, context) -> pb.RefreshTokenResponse:
        pair = await asyncio.to_thread(self.uc.refresh, request.refresh_token, client())
        return pb.RefreshTokenResponse(access_token=pair.access_token, refresh_token=pair.refresh_token,
                                       token_type="Bearer", expires_in=pair.expires_in, user=token_user(pair))

    async def GetJwks(self, request, context) -> pb.GetJwksResponse:
        return pb.GetJwksResponse(keys=[pb.Jwk(**k) for k in self.uc.keys.jwks()])
