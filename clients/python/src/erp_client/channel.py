"""The channel factory: what every internal caller of the mesh does, once.

    client = erp_client.connect("127.0.0.1:8000", username="svc-reports", password=...)
    continents = client.stub(ContinentServiceStub)
    continents.ListContinents(ListContinentsRequest(page_size=50))

- logs in (username and password) or exchanges an API key, and keeps the access token fresh: it is
  renewed `refresh_margin` seconds before it expires (with the refresh token, or by logging in or
  exchanging again), never sent stale;
- sends `authorization: Bearer <token>` on every call and sets a default deadline;
- retries idempotent calls (Get*, List*, Export*) on UNAVAILABLE with exponential backoff, within
  the call's deadline; writes are never retried;
- raises erp_client.errors types (NotFound, InvalidArgument with field_violations, ...) instead of a
  bare grpc.RpcError from a unary call (a stream's error stays the grpc.RpcError; errors.from_rpc_error
  converts it).

One target for everything (the Envoy edge routes both services), or `auth_target` for auth_svc and
`target` for master_svc when calling the services directly.
"""
from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

import grpc

from erp.auth.v1 import auth_service_pb2, auth_service_pb2_grpc
from erp_client.errors import Unauthenticated, from_rpc_error

DEFAULT_DEADLINE = 10.0
DEFAULT_REFRESH_MARGIN = 60.0
IDEMPOTENT_PREFIXES = ("Get", "List", "Export")
StubT = TypeVar("StubT")


class TokenSource:
    """An access token, renewed before it expires. Thread-safe."""

    def __init__(self, channel: grpc.Channel, *, username: str | None = None, password: str | None = None,
                 api_key: str | None = None, refresh_margin: float = DEFAULT_REFRESH_MARGIN,
                 deadline: float = DEFAULT_DEADLINE, clock: Callable[[], float] = time.monotonic) -> None:
        if (api_key is None) == (username is None or password is None):
            raise ValueError("give either username and password, or api_key")
        self._auth = auth_service_pb2_grpc.AuthServiceStub(channel)
        self._username, self._password, self._api_key = username, password, api_key
        self._margin, self._deadline, self._clock = refresh_margin, deadline, clock
        self._lock = threading.Lock()
        self._access = ""
        self._refresh = ""
        self._expires_at = 0.0
        self.renewals = 0  # tokens obtained so far: for tests and metrics

    def token(self) -> str:
        with self._lock:
            if not self._access or self._clock() >= self._expires_at - self._margin:
                self._renew()
            return self._access

    def _renew(self) -> None:
        try:
            if self._api_key is not None:
                response = self._auth.ExchangeToken(auth_service_pb2.ExchangeTokenRequest(
                    grant_type="client_credentials", api_key=self._api_key), timeout=self._deadline)
                self._access, self._refresh = response.access_token, ""
            else:
                response = self._refreshed() or self._auth.Login(auth_service_pb2.LoginRequest(
                    username=self._username, password=self._password), timeout=self._deadline)
                self._access, self._refresh = response.access_token, response.refresh_token
        except grpc.RpcError as error:
            raise from_rpc_error(error) from None
        self._expires_at = self._clock() + response.expires_in
        self.renewals += 1

    def _refreshed(self):
        """The refreshed tokens, or None when there is no refresh token or it is no longer good."""
        if not self._refresh:
            return None
        try:
            return self._auth.RefreshToken(auth_service_pb2.RefreshTokenRequest(refresh_token=self._refresh),
                                           timeout=self._deadline)
        except grpc.RpcError as error:
            if error.code() == grpc.StatusCode.UNAUTHENTICATED:
                return None
            raise


class _ClientCallDetails(grpc.ClientCallDetails):
    def __init__(self, base: grpc.ClientCallDetails, metadata: list[tuple[str, str]], timeout: float | None) -> None:
        self.method = base.method
        self.timeout = timeout
        self.metadata = metadata
        self.credentials = base.credentials
        self.wait_for_ready = getattr(base, "wait_for_ready", None)
        self.compression = getattr(base, "compression", None)


class _Interceptor(grpc.UnaryUnaryClientInterceptor, grpc.UnaryStreamClientInterceptor):
    def __init__(self, tokens: TokenSource, deadline: float, max_attempts: int, backoff: float) -> None:
        self._tokens, self._deadline = tokens, deadline
        self._max_attempts, self._backoff = max_attempts, backoff

    def _details(self, details: grpc.ClientCallDetails, timeout: float | None) -> _ClientCallDetails:
        metadata = [(k, v) for k, v in (details.metadata or ()) if k != "authorization"]
        metadata.append(("authorization", f"Bearer {self._tokens.token()}"))
        return _ClientCallDetails(details, metadata, timeout)

    def intercept_unary_unary(self, continuation, client_call_details, request):
        timeout = client_call_details.timeout if client_call_details.timeout is not None else self._deadline
        give_up_at = time.monotonic() + timeout
        method = client_call_details.method
        name = (method.decode() if isinstance(method, bytes) else method).rsplit("/", 1)[-1]
        attempts = self._max_attempts if name.startswith(IDEMPOTENT_PREFIXES) else 1
        for attempt in range(1, attempts + 1):
            remaining = give_up_at - time.monotonic()
            call = continuation(self._details(client_call_details, max(remaining, 0.001)), request)
            try:
                call.result()
                return call
            except grpc.RpcError as error:
                pause = self._backoff * 2 ** (attempt - 1) * (0.5 + random.random() / 2)  # noqa: S311 (jitter)
                if error.code() != grpc.StatusCode.UNAVAILABLE or attempt == attempts \
                        or time.monotonic() + pause >= give_up_at:
                    raise from_rpc_error(error) from None
                time.sleep(pause)
        raise AssertionError("unreachable: the last attempt returns or raises")

    def intercept_unary_stream(self, continuation, client_call_details, request):
        timeout = client_call_details.timeout  # a stream runs as long as the caller wants by default
        return continuation(self._details(client_call_details, timeout), request)


class Client:
    """Stubs on authenticated channels; use as a context manager or call close()."""

    def __init__(self, auth_channel: grpc.Channel, master_channel: grpc.Channel, tokens: TokenSource,
                 interceptor: _Interceptor, raw_channels: list[grpc.Channel]) -> None:
        self.tokens = tokens
        self._auth = grpc.intercept_channel(auth_channel, interceptor)
        self._master = grpc.intercept_channel(master_channel, interceptor)
        self._raw = raw_channels

    def stub(self, stub_class: Callable[[grpc.Channel], StubT]) -> StubT:
        """A stub of `stub_class` (e.g. ContinentServiceStub) on the channel of the service that owns it."""
        owner = getattr(stub_class, "__module__", "")
        return stub_class(self._auth if owner.startswith("erp.auth.") else self._master)

    def close(self) -> None:
        for channel in self._raw:
            channel.close()

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def connect(target: str, *, auth_target: str | None = None, username: str | None = None,
            password: str | None = None, api_key: str | None = None, deadline: float = DEFAULT_DEADLINE,
            refresh_margin: float = DEFAULT_REFRESH_MARGIN, max_attempts: int = 4, backoff: float = 0.1,
            credentials: grpc.ChannelCredentials | None = None) -> Client:
    """A Client for the mesh at `target` (the Envoy edge, or master_svc with `auth_target` = auth_svc).
    Plaintext unless `credentials` are given."""
    def channel(address: str) -> grpc.Channel:
        return grpc.secure_channel(address, credentials) if credentials else grpc.insecure_channel(address)

    master = channel(target)
    auth = channel(auth_target) if auth_target else master
    tokens = TokenSource(auth, username=username, password=password, api_key=api_key,
                         refresh_margin=refresh_margin, deadline=deadline)
    interceptor = _Interceptor(tokens, deadline, max_attempts, backoff)
    try:
        tokens.token()
    except Unauthenticated:
        master.close()
        if auth is not master:
            auth.close()
        raise
    return Client(auth, master, tokens, interceptor, [master] if auth is master else [master, auth])
