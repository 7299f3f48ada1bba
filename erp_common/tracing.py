"""OpenTelemetry tracing for the services: a SERVER span per unary RPC that continues the caller's W3C
`traceparent` (Envoy sends one), a CLIENT span per SQL statement inside it (erp_common/db_connect.py), and
OTLP/gRPC export when an endpoint is configured.

Without an endpoint no SDK is installed: the API's no-op tracer still carries an incoming trace id
into the logs, exports nothing and logs nothing. The SDK reads its own `OTEL_*` tuning variables
(`OTEL_BSP_SCHEDULE_DELAY`, `OTEL_TRACES_SAMPLER`, ...); the endpoint comes from each config.py."""
from __future__ import annotations

import asyncio
import logging

import grpc
from opentelemetry import propagate, trace
from opentelemetry.trace import SpanKind, Status, StatusCode

logger = logging.getLogger(__name__)

tracer = trace.get_tracer("erp_common")

# OpenTelemetry's gRPC conventions: a server span is an error only for codes that blame the server.
SERVER_FAULTS = frozenset({grpc.StatusCode.UNKNOWN, grpc.StatusCode.DEADLINE_EXCEEDED,
                           grpc.StatusCode.UNIMPLEMENTED, grpc.StatusCode.INTERNAL,
                           grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DATA_LOSS})
# The edge health-checks every replica every few seconds: one trace each would drown the real ones.
UNTRACED_PREFIXES = ("/grpc.health.v1.Health/", "/grpc.reflection.")


def setup(service_name: str, otlp_endpoint: str):
    """Installs the SDK with a batching OTLP/gRPC exporter (`http://` plaintext, `https://` TLS).
    Returns the provider, to `shutdown()` (flush) on exit, or None when tracing is off."""
    if not otlp_endpoint:
        return None
    from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import SERVICE_NAME, Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    provider = TracerProvider(resource=Resource.create({SERVICE_NAME: service_name}))
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=otlp_endpoint)))
    trace.set_tracer_provider(provider)
    logger.info("tracing: exporting spans to %s", otlp_endpoint)
    return provider


def current_ids() -> tuple[str, str]:
    """(trace_id, span_id) of the current span as lowercase hex, or empty strings."""
    ctx = trace.get_current_span().get_span_context()
    if not ctx.is_valid:
        return "", ""
    return format(ctx.trace_id, "032x"), format(ctx.span_id, "016x")


class TracingInterceptor(grpc.aio.ServerInterceptor):
    """Outermost interceptor: the span is current while the ServiceInterceptor and the handler run,
    and `asyncio.to_thread` copies it into the worker thread that queries the database."""

    async def intercept_service(self, continuation, handler_call_details):
        handler = await continuation(handler_call_details)
        method = handler_call_details.method
        if handler is None or not handler.unary_unary or method.startswith(UNTRACED_PREFIXES):
            # Streams (revocation and change feeds) live for minutes: a span would say nothing useful.
            return handler
        service, _, name = method.lstrip("/").rpartition("/")
        carrier = {k: v for k, v in handler_call_details.invocation_metadata or () if isinstance(v, str)}
        inner = handler.unary_unary

        async def unary(request, context):
            with tracer.start_as_current_span(
                    method.lstrip("/"), context=propagate.extract(carrier), kind=SpanKind.SERVER,
                    attributes={"rpc.system": "grpc", "rpc.service": service, "rpc.method": name},
                    record_exception=False, set_status_on_exception=False) as span:
                code = grpc.StatusCode.UNKNOWN
                try:
                    response = await inner(request, context)
                    code = context.code() or grpc.StatusCode.OK
                    return response
                except asyncio.CancelledError:
                    code = grpc.StatusCode.CANCELLED
                    raise
                except BaseException:
                    code = context.code() or grpc.StatusCode.UNKNOWN
                    raise
                finally:
                    span.set_attribute("rpc.grpc.status_code", code.value[0])
                    if code in SERVER_FAULTS:
                        span.set_status(Status(StatusCode.ERROR, code.name))

        return handler._replace(unary_unary=unary)
