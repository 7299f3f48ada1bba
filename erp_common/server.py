"""gRPC server plumbing shared by the services: one interceptor for the cross-cutting work
(request id, caller identity, error mapping, access log), health, reflection, graceful stop."""
from __future__ import annotations

import asyncio
import contextvars
import hmac
import logging
import signal
import time
import uuid
from dataclasses import dataclass
from typing import Awaitable, Callable, Iterable, Mapping, Optional

import grpc
from google.protobuf.message import DecodeError
from grpc_health.v1 import health, health_pb2, health_pb2_grpc

from erp_common import contract, errors, reflection, workers
from erp_common.db import call_deadline
from erp_common.db_probe import DatabaseProbe
from erp_common.logs import log, request_id_var
from erp_common.tokens import Principal
from erp_common.tracing import TracingInterceptor

access_log = logging.getLogger("erp.access")
logger = logging.getLogger(__name__)


@dataclass
class CallContext:
    method: str
    request_id: str
    client_ip: str
    user_agent: str
    token: str
    # The call carries the service credential (the edge shared secret): it comes from an edge or a service.
    from_service: bool = False
    principal: Optional[Principal] = None
    # Checks the call's token again (signature, revocations, rights changes): what a long stream
    # calls now and then, so that a logout or a right taken away also ends it.
    reauthenticate: Optional[Callable[[], Awaitable[Principal]]] = None
    # How the call ended when its status code alone does not say (a Login that answers with an MFA
    # challenge is OK too); observers read it.
    outcome: str = ""


call_var: contextvars.ContextVar[CallContext] = contextvars.ContextVar("erp_call")


def current_call() -> CallContext:
    return call_var.get()


def require_principal() -> Principal:
    principal = current_call().principal
    if principal is None:
        raise errors.token_failure("TOKEN_MISSING")
    return principal


def require_permission(permission: str) -> Principal:
    principal = require_principal()
    if not principal.has(permission):
        raise errors.PermissionDenied(f"permission {permission} required", reason="PERMISSION_DENIED",
                                      permission=permission)
    return principal


async def reauthenticated_principal() -> Principal:
    """The call's principal as of now: raises Unauthenticated once its session is revoked, and has
    lost whatever rights were taken away since the call began."""
    call = current_call()
    if call.reauthenticate is None or call.principal is None:
        return require_principal()
    call.principal = await call.reauthenticate()
    return call.principal


def require_service() -> None:
    """Internal RPCs (the revocation feed) answer only callers that present the service credential."""
    if not current_call().from_service:
        raise errors.Unauthenticated("this RPC is internal: it needs the service credential",
                                     reason="SERVICE_CREDENTIAL_REQUIRED")


Authenticator = Callable[[str], Awaitable[Principal]]
# The metadata that carries the service credential, the edge shared secret (ERP_EDGE_SHARED_SECRET).
SERVICE_CREDENTIAL_HEADER = "x-erp-edge-auth"

ALWAYS_PUBLIC_PREFIXES = ("/grpc.health.v1.Health/", "/grpc.reflection.")


def _peer_ip(peer: str) -> str:
    # "ipv4:127.0.0.1:5555", "ipv6:[::1]:5555", "unix:..."
    kind, _, rest = peer.partition(":")
    if kind == "ipv6":
        return rest.rsplit("]", 1)[0].lstrip("[")
    if kind == "ipv4":
        return rest.rsplit(":", 1)[0]
    return rest


class ServiceInterceptor(grpc.aio.ServerInterceptor):
    """Wraps every handler: request id, identity, domain errors -> status, access log."""

    # `access` is the contract's rule for each RPC this server serves (erp_common.contract.access_rules);
    # an RPC it does not name needs a token unless health or reflection. An empty edge secret means
    # none is configured: no edge header is trusted.
    def __init__(self, authenticate: Authenticator, access: Mapping[str, contract.Access],
                 edge_secret: str = "",  # nosec B107 # the empty default means "no edge secret", not a password
                 observers: Iterable[Callable[[str, grpc.StatusCode, float], None]] = ()):
        self._authenticate = authenticate
        self._access = dict(access)
        self._edge_secret = edge_secret
        self._observers = tuple(observers)

    def _is_public(self, method: str) -> bool:
        access = self._access.get(method)
        if access is None:
            return method.startswith(ALWAYS_PUBLIC_PREFIXES)
        return not access.needs_token

    def _authorize(self, method: str) -> None:
        """The contract's rule beyond a valid token: the RPC's permission, or the service credential."""
        access = self._access.get(method)
        if access is None:
            return
        if access.rule == contract.PERMISSION:
            require_permission(access.permission)
        elif access.rule == contract.INTERNAL:
            require_service()

    def _context_for(self, method: str, context: grpc.aio.ServicerContext) -> CallContext:
        md = {k: v for k, v in context.invocation_metadata() if isinstance(v, str)}
        from_edge = bool(self._edge_secret) and hmac.compare_digest(
            md.get(SERVICE_CREDENTIAL_HEADER, ""), self._edge_secret)
        client_ip = md.get("x-erp-client-ip", "") if from_edge else ""
        user_agent = (md.get("x-erp-user-agent") if from_edge else None) or md.get("user-agent", "")
        auth = md.get("authorization", "")
        token = auth[7:].strip() if auth[:7].lower() == "bearer " else ""
        return CallContext(method=method, request_id=md.get("x-request-id") or uuid.uuid4().hex,
                           client_ip=client_ip or _peer_ip(context.peer()), user_agent=user_agent,
                           token=token, from_service=from_edge)

    async def _begin(self, method: str, context, request) -> CallContext:
        """Sets up the call's context (request id, deadline, principal); refuses an undecodable
        request once the call is known, so that it is logged and counted like any other."""
        call = self._context_for(method, context)
        call_var.set(call)
        remaining = context.time_remaining()
        call_deadline.set(None if remaining is None else time.monotonic() + remaining)
        request_id_var.set(call.request_id)
        if call.token or not self._is_public(method):
            try:
                call.principal = await self._authenticate(call.token)
                call.reauthenticate = lambda: self._authenticate(call.token)
            except errors.Unauthenticated:
                if not self._is_public(method):
                    raise
        if isinstance(request, Undecodable):
            raise request.error()
        self._authorize(method)
        return call

    async def _fail(self, context, exc: BaseException) -> grpc.StatusCode:
        if isinstance(exc, errors.DomainError):
            status = errors.to_status_proto(exc)
            await context.abort(exc.code, status.message,
                                trailing_metadata=(("grpc-status-details-bin", status.SerializeToString()),))
        logger.exception("unhandled error")
        await context.abort(grpc.StatusCode.INTERNAL, "internal error")
        return grpc.StatusCode.INTERNAL  # unreachable: abort raises

    def _finish(self, call: Optional[CallContext], method: str, code: grpc.StatusCode, started: float) -> None:
        elapsed = time.perf_counter() - started
        for observe in self._observers:
            observe(method, code, elapsed)
        principal = call.principal if call else None
        log(access_log, logging.INFO, "rpc", method=method, code=code.name,
            duration_ms=round(elapsed * 1000, 2), user=principal.username if principal else "",
            client_ip=call.client_ip if call else "")

    async def intercept_service(self, continuation, handler_call_details):
        handler = await continuation(handler_call_details)
        if handler is None:
            return None
        method = handler_call_details.method
        if handler.request_deserializer is not None:
            handler = handler._replace(request_deserializer=_tolerant(handler.request_deserializer))
        if handler.unary_unary:
            inner = handler.unary_unary

            async def unary(request, context):
                started, call, code = time.perf_counter(), None, grpc.StatusCode.OK
                try:
                    call = await self._begin(method, context, request)
                    return await inner(request, context)
                except asyncio.CancelledError:
                    code = grpc.StatusCode.CANCELLED
                    raise
                except Exception as exc:  # noqa: BLE001 - mapped to a status, never leaked
                    code = _code_of(exc, context)
                    if _is_abort(exc):
                        raise
                    await self._fail(context, exc)
                finally:
                    self._finish(call, method, code, started)

            return handler._replace(unary_unary=unary)
        if handler.unary_stream:
            inner_stream = handler.unary_stream

            async def stream(request, context):
                started, call, code = time.perf_counter(), None, grpc.StatusCode.OK
                try:
                    call = await self._begin(method, context, request)
                    async for item in inner_stream(request, context):
                        yield item
                except asyncio.CancelledError:
                    code = grpc.StatusCode.CANCELLED
                    raise
                except Exception as exc:  # noqa: BLE001 - mapped to a status, never leaked
                    code = _code_of(exc, context)
                    if _is_abort(exc):
                        raise
                    await self._fail(context, exc)
                finally:
                    self._finish(call, method, code, started)

            return handler._replace(unary_stream=stream)
        return handler


def _code_of(exc: Exception, context) -> grpc.StatusCode:
    """The status a failed call ends with: the domain error's code, else the one the handler aborted
    with, else INTERNAL."""
    code = getattr(exc, "code", None)
    if isinstance(code, grpc.StatusCode):
        return code
    return context.code() or grpc.StatusCode.INTERNAL


@dataclass(frozen=True)
class Undecodable:
    """What a request that is not a valid message of its type deserialises to, so that the
    interceptor answers INVALID_ARGUMENT instead of gRPC's own UNKNOWN (a 500 at the edges)."""

    message_type: str
    problem: str

    def error(self) -> errors.InvalidArgument:
        return errors.InvalidArgument(f"the request is not a valid {self.message_type}: {self.problem}",
                                      reason="MALFORMED_REQUEST")


def _tolerant(deserialize: Callable[[bytes], object]) -> Callable[[bytes], object]:
    message_type = getattr(getattr(deserialize, "__self__", None), "DESCRIPTOR", None)
    type_name = message_type.full_name if message_type is not None else "message"

    def parse(data: bytes):
        try:
            return deserialize(data)
        except DecodeError as exc:
            # "Error parsing message with type 'X': String field had bad UTF-8" -> the reason only.
            return Undecodable(type_name, str(exc).rpartition(": ")[2] or "cannot be parsed")
    return parse


def _is_abort(exc: BaseException) -> bool:
    return type(exc).__name__ == "AbortError"


class ServingServer:
    """A grpc.aio server with health and reflection, stopped gracefully on SIGTERM/SIGINT.

    Health: the overall status ("") says the process serves, from start until a graceful stop; it is
    what liveness probes and the edge's health checks ask, so a database outage neither restarts the
    replicas nor fails those checks (the replicas answer UNAVAILABLE at once and serve again as soon
    as the database is back). Each service's own name also follows the database when
    `follow_database` was called: NOT_SERVING while it does not answer."""

    def __init__(self, server: grpc.aio.Server, port: int, health_servicer: health.aio.HealthServicer,
                 service_names: list[str]):
        self.server = server
        self.port = port
        self.health = health_servicer
        self.service_names = service_names
        self._database_probe: Optional[DatabaseProbe] = None
        self._probe_task: Optional[asyncio.Task] = None

    def follow_database(self, db, interval: float = 1.0) -> None:
        self._database_probe = DatabaseProbe(db, self._set_services_serving, interval)

    async def _set_services_serving(self, serving: bool) -> None:
        status = health_pb2.HealthCheckResponse.SERVING if serving else health_pb2.HealthCheckResponse.NOT_SERVING
        for name in self.service_names:
            await self.health.set(name, status)

    async def start(self) -> None:
        await self.server.start()
        for name in self.service_names + [""]:
            await self.health.set(name, health_pb2.HealthCheckResponse.SERVING)
        if self._database_probe is not None:
            probe = self._database_probe
            self._probe_task = asyncio.create_task(probe.run(), name="database-probe")
            workers.on_sibling_signal(lambda: asyncio.ensure_future(probe.sibling_found_it_down()),
                                      workers.DATABASE_DOWN)

    async def stop(self, grace: float = 10.0) -> None:
        if self._probe_task is not None:
            self._probe_task.cancel()
        for name in self.service_names + [""]:
            await self.health.set(name, health_pb2.HealthCheckResponse.NOT_SERVING)
        await self.server.stop(grace)

    async def serve_until_signal(self, grace: float = 10.0) -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()
        logger.info("stopping: finishing in-flight RPCs (grace %ss)", grace)
        await self.stop(grace)


def build_server(address: str, register: Callable[[grpc.aio.Server], list[str]],
                 interceptor: ServiceInterceptor, max_workers_hint: int = 0) -> ServingServer:
    """`register` adds the servicers and returns their full service names."""
    server = grpc.aio.server(interceptors=[TracingInterceptor(), interceptor], options=[
        # Worker processes of one service share its port (erp_common/workers.py); a single process
        # keeps it to itself, so that a second copy fails to start instead of sharing it.
        ("grpc.so_reuseport", 1 if workers.is_worker() else 0),
        ("grpc.max_receive_message_length", 4 * 1024 * 1024),
        ("grpc.keepalive_permit_without_calls", 1),
        # Envoy accepts request headers up to 60 KiB and passes the REST path on (x-envoy-original-path):
        # with gRPC's default 8-16 KiB limit a long URL or token was refused as RESOURCE_EXHAUSTED (a
        # 429) before any handler could answer. Past this size the edges refuse first (431).
        ("grpc.max_metadata_size", 128 * 1024),
        ("grpc.absolute_max_metadata_size", 128 * 1024),
        ("grpc.http2.min_ping_interval_without_data_ms", 10000),
    ])
    names = register(server)
    health_servicer = health.aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    reflection.enable(names + [health_pb2.DESCRIPTOR.services_by_name["Health"].full_name], server)
    port = server.add_insecure_port(address)
    if port == 0:
        raise RuntimeError(f"cannot listen on {address}")
    return ServingServer(server, port, health_servicer, names)
