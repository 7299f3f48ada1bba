"""AuthService: protobuf <-> use cases, nothing else."""
from __future__ import annotations

from google.api import httpbody_pb2

from auth_svc.api import convert, login_page
from auth_svc.api.calls import client
from auth_svc.revocation_feed import RevocationFeed
from auth_svc.usecases import UseCases
from auth_svc.usecases.authentication import TokenPair
from erp.auth.v1 import auth_service_pb2 as pb
from erp.auth.v1 import auth_service_pb2_grpc as pb_grpc
from erp_common.errors import InvalidArgument, ResourceExhausted, Unauthenticated
from erp_common.server import current_call, require_principal


def _login_response(pair: TokenPair) -> pb.LoginResponse:
    return pb.LoginResponse(access_token=pair.access_token, refresh_token=pair.refresh_token,
                            token_type="Bearer",  # nosec B106 # the OAuth 2 token type, not a password
                            expires_in=pair.expires_in, user=convert.token_user(pair.user))


def _host(context) -> str:
    """The address the browser used (both edges send it as x-forwarded-host), for the page's example."""
    return dict(context.invocation_metadata()).get("x-forwarded-host", "")


async def _page(context, body: bytes) -> httpbody_pb2.HttpBody:
    await context.send_initial_metadata(login_page.HEADERS)
    return httpbody_pb2.HttpBody(content_type=login_page.HTML_CONTENT_TYPE, data=body)


class AuthServicer(pb_grpc.AuthServiceServicer):
    def __init__(self, usecases: UseCases, feed: RevocationFeed):
        self.uc = usecases
        self.feed = feed

    async def Login(self, request: pb.LoginRequest, context) -> pb.LoginResponse:
        result = await self.uc.authentication.login(request.username, request.password, client())
        if result.mfa_token:
            current_call().outcome = "mfa_required"
            return pb.LoginResponse(mfa_required=True, mfa_token=result.mfa_token)
        return _login_response(result.tokens)

    async def GetLoginPage(self, request, context) -> httpbody_pb2.HttpBody:
        return await _page(context, login_page.form())

    async def SubmitLoginPage(self, request: pb.SubmitLoginPageRequest, context) -> httpbody_pb2.HttpBody:
        fields = login_page.parse_form(request.form.content_type, request.form.data)
        try:
            if "mfa_token" in fields:
                # One box takes either: six digits are a TOTP code, anything else a recovery code.
                code = fields.get("code", "").strip()
                totp, recovery = (code, "") if code.isdigit() else ("", code)
                pair = await self.uc.call(self.uc.authentication.verify_mfa_login, fields["mfa_token"],
                                 totp, recovery, client())
            else:
                result = await self.uc.authentication.login(fields.get("username", ""), fields.get("password", ""),
                                                            client())
                if result.mfa_token:
                    return await _page(context, login_page.mfa_form(result.mfa_token))
                pair = result.tokens
        except (Unauthenticated, ResourceExhausted, InvalidArgument) as error:
            if "mfa_token" in fields and isinstance(error, Unauthenticated):
                return await _page(context, login_page.form(login_page.failure_message(error)
                                                             + " Sign in again."))
            if "mfa_token" in fields:
                return await _page(context, login_page.mfa_form(fields["mfa_token"],
                                                                login_page.failure_message(error)))
            return await _page(context, login_page.form(login_page.failure_message(error), fields.get("username", "")))
        return await _page(context, login_page.signed_in(pair, self.uc.authentication.clock(), _host(context)))

    async def VerifyMfaLogin(self, request: pb.VerifyMfaLoginRequest, context) -> pb.LoginResponse:
        pair = await self.uc.call(self.uc.authentication.verify_mfa_login, request.mfa_token, request.code,
                         request.recovery_code, client())
        return _login_response(pair)

    async def RefreshToken(self, request: pb.RefreshTokenRequest, context) -> pb.RefreshTokenResponse:
        pair = await self.uc.call(self.uc.authentication.refresh, request.refresh_token, client())
        return pb.RefreshTokenResponse(access_token=pair.access_token, refresh_token=pair.refresh_token,
                                       token_type="Bearer",  # nosec B106 # the OAuth 2 token type
                                       expires_in=pair.expires_in,
                                       user=convert.token_user(pair.user))

    async def Logout(self, request, context) -> pb.LogoutResponse:
        sid = await self.uc.call(self.uc.sessions.logout, require_principal(), client())
        return pb.LogoutResponse(session_id=sid)

    async def LogoutAll(self, request: pb.LogoutAllRequest, context) -> pb.LogoutAllResponse:
        ended = await self.uc.call(self.uc.sessions.logout_all, require_principal(), request.user_id, client())
        return pb.LogoutAllResponse(ended_sessions=ended)

    async def ListSessions(self, request: pb.ListSessionsRequest, context) -> pb.ListSessionsResponse:
        principal = require_principal()
        records = await self.uc.call(self.uc.sessions.list_sessions, principal, request.user_id, client())
        return pb.ListSessionsResponse(sessions=[convert.session(s, principal.session_id) for s in records])

    async def GetJwks(self, request, context) -> pb.GetJwksResponse:
        return pb.GetJwksResponse(keys=[pb.Jwk(**k) for k in self.uc.keys.jwks()])

    async def ExchangeToken(self, request: pb.ExchangeTokenRequest, context) -> pb.ExchangeTokenResponse:
        token = await self.uc.call(self.uc.authentication.exchange_api_key, request.grant_type,
                          request.api_key, client())
        return pb.ExchangeTokenResponse(access_token=token.access_token,
                                        token_type="Bearer",  # nosec B106 # the OAuth 2 token type
                                        expires_in=token.expires_in, scope=" ".join(token.scopes))

    async def EnrollMfa(self, request, context) -> pb.EnrollMfaResponse:
        enrolment = await self.uc.call(self.uc.mfa.enroll, require_principal(), client())
        return pb.EnrollMfaResponse(otpauth_uri=enrolment.otpauth_uri, qr_svg=enrolment.qr_svg,
                                    secret=enrolment.secret)

    async def ConfirmMfa(self, request: pb.ConfirmMfaRequest, context) -> pb.ConfirmMfaResponse:
        codes = await self.uc.call(self.uc.mfa.confirm, require_principal(), request.code, client())
        return pb.ConfirmMfaResponse(recovery_codes=codes)

    async def DisableMfa(self, request: pb.DisableMfaRequest, context) -> pb.DisableMfaResponse:
        await self.uc.call(self.uc.mfa.disable, require_principal(), request.code, client())
        return pb.DisableMfaResponse()

    async def CreateApiKey(self, request: pb.CreateApiKeyRequest, context) -> pb.CreateApiKeyResponse:
        principal = require_principal()
        key = request.api_key
        record, secret = await self.uc.call(self.uc.api_keys.create, principal, key.name, list(key.scopes),
                                   convert.to_datetime(key, "expire_time"), client())
        return pb.CreateApiKeyResponse(api_key=convert.api_key(record), secret=secret)

    async def ListApiKeys(self, request: pb.ListApiKeysRequest, context) -> pb.ListApiKeysResponse:
        records = await self.uc.call(self.uc.api_keys.list, require_principal(), request.show_revoked,
                            client())
        return pb.ListApiKeysResponse(api_keys=[convert.api_key(k) for k in records])

    async def RevokeApiKey(self, request: pb.RevokeApiKeyRequest, context) -> pb.ApiKey:
        record = await self.uc.call(self.uc.api_keys.revoke, require_principal(), request.id, client())
        return convert.api_key(record)

    async def WatchRevocations(self, request: pb.WatchRevocationsRequest, context):
        async for entry in self.feed.subscribe(request.cursor):
            yield pb.WatchRevocationsResponse(revocation=convert.revocation(entry))

    async def ListRevocations(self, request: pb.ListRevocationsRequest, context) -> pb.ListRevocationsResponse:
        return pb.ListRevocationsResponse(
            revocations=[convert.revocation(e) for e in self.feed.in_force_after(request.cursor)])
