"""Domain errors and the one table that maps them to gRPC statuses with google.rpc details.

Domain code raises these; the server interceptor turns them into a status, once. Nothing here
knows about HTTP: the edges map gRPC codes to HTTP with the standard table.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import grpc
from google.protobuf import any_pb2, duration_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2

ERROR_DOMAIN = "erp.local"

# A status travels in trailers (HTTP/2 headers), and Envoy, grpc-gateway and gRPC clients refuse a
# header block past 8-64 KiB: an error that echoes a huge input (an id, a list of unknown ids)
# would reach the client as a 502 instead of its 400. The wire form is clipped to these sizes
# (UTF-8 bytes), which keeps the whole status under 8 KiB (the message is percent-encoded, the
# details base64) while a message still quotes a whole 200-character name; the domain error
# itself is untouched.
MAX_MESSAGE_BYTES = 1024
MAX_DETAIL_TEXT_BYTES = 160
MAX_VIOLATIONS = 10


def clip(text: str, limit: int = MAX_DETAIL_TEXT_BYTES) -> str:
    """`text` cut to at most `limit` UTF-8 bytes on a character boundary, "…" marking a cut."""
    data = text.encode()
    if len(data) <= limit:
        return text
    return data[:limit - 3].decode(errors="ignore") + "…"


@dataclass
class DomainError(Exception):
    message: str
    reason: str = ""

    code = grpc.StatusCode.INTERNAL

    def __post_init__(self) -> None:
        super().__init__(self.message)

    def details(self) -> list:
        return []

    def error_metadata(self) -> dict[str, str]:
        """The ErrorInfo's metadata: machine-readable facts about this error (none by default)."""
        return {}


@dataclass
class InvalidArgument(DomainError):
    """Field violations as (field, description) pairs."""

    violations: list[tuple[str, str]] = field(default_factory=list)
    code = grpc.StatusCode.INVALID_ARGUMENT

    def details(self) -> list:
        return [error_details_pb2.BadRequest(field_violations=[
            error_details_pb2.BadRequest.FieldViolation(field=clip(f), description=clip(d))
            for f, d in self.violations[:MAX_VIOLATIONS]])]


def invalid(field_name: str, description: str) -> InvalidArgument:
    return InvalidArgument(f"{field_name}: {description}", violations=[(field_name, description)])


@dataclass
class ResourceError(DomainError):
    """An error about one named resource, described by a google.rpc.ResourceInfo."""

    resource_type: str = ""
    resource_name: str = ""

    def details(self) -> list:
        return [error_details_pb2.ResourceInfo(resource_type=self.resource_type,
                                               resource_name=clip(self.resource_name),
                                               description=clip(self.message))]


@dataclass
class NotFound(ResourceError):
    code = grpc.StatusCode.NOT_FOUND


@dataclass
class AlreadyExists(ResourceError):
    code = grpc.StatusCode.ALREADY_EXISTS


@dataclass
class Aborted(DomainError):
    """Optimistic-concurrency conflict: the caller's etag is stale."""

    code = grpc.StatusCode.ABORTED


@dataclass
class FailedPrecondition(DomainError):
    """Violations as (type, subject, description) triples."""

    violations: list[tuple[str, str, str]] = field(default_factory=list)
    code = grpc.StatusCode.FAILED_PRECONDITION

    def details(self) -> list:
        return [error_details_pb2.PreconditionFailure(violations=[
            error_details_pb2.PreconditionFailure.Violation(type=clip(t), subject=clip(s), description=clip(d))
            for t, s, d in self.violations[:MAX_VIOLATIONS]])]


@dataclass
class Unauthenticated(DomainError):
    code = grpc.StatusCode.UNAUTHENTICATED


# One message per token failure, whichever part refuses the token: a service (erp_common.tokens,
# .revocation, .server), Envoy (edge/errors.lua rewrites jwt_authn's replies) or the Go gateway
# (edge/gateway/errors.go). The key is the google.rpc.ErrorInfo reason every path sends with it;
# tests/unit/test_token_failure_copies.py holds the Lua and Go copies to this table.
TOKEN_FAILURES = {
    "TOKEN_MISSING": "authentication credentials were not provided",  # nosec B105 # a message, not a secret
    "TOKEN_INVALID": "invalid token",  # nosec B105 # a message, not a secret
    "TOKEN_EXPIRED": "token expired",  # nosec B105 # a message, not a secret
    "TOKEN_WRONG_TYPE": "token has the wrong type",  # nosec B105 # a message, not a secret
    "SESSION_REVOKED": "session revoked",
}


def token_failure(reason: str) -> Unauthenticated:
    return Unauthenticated(TOKEN_FAILURES[reason], reason=reason)


@dataclass
class PermissionDenied(DomainError):
    """`permission`: the one the call needed; `missing`: what the caller would have had to hold."""

    permission: str = ""
    missing: tuple[str, ...] = ()
    code = grpc.StatusCode.PERMISSION_DENIED

    def error_metadata(self) -> dict[str, str]:
        metadata = {"permission": self.permission} if self.permission else {}
        if self.missing:
            metadata["missing"] = clip(",".join(self.missing), MAX_MESSAGE_BYTES)
        return metadata


@dataclass
class ResourceExhausted(DomainError):
    retry_after_seconds: float = 0.0
    code = grpc.StatusCode.RESOURCE_EXHAUSTED

    def details(self) -> list:
        seconds = max(1, math.ceil(self.retry_after_seconds))
        return [error_details_pb2.RetryInfo(retry_delay=duration_pb2.Duration(seconds=seconds))]


@dataclass
class Unavailable(DomainError):
    """A dependency is away; with `retry_after_seconds`, RetryInfo says when to try again."""

    retry_after_seconds: float = 0.0
    code = grpc.StatusCode.UNAVAILABLE

    def details(self) -> list:
        if self.retry_after_seconds <= 0:
            return []
        delay = duration_pb2.Duration()
        delay.FromNanoseconds(round(self.retry_after_seconds * 1e9))
        return [error_details_pb2.RetryInfo(retry_delay=delay)]


@dataclass
class DeadlineExceeded(DomainError):
    """The caller's own deadline passed before the work could be done."""

    code = grpc.StatusCode.DEADLINE_EXCEEDED


def to_status_proto(err: DomainError) -> status_pb2.Status:
    details = list(err.details())
    if err.reason:
        details.insert(0, error_details_pb2.ErrorInfo(reason=err.reason, domain=ERROR_DOMAIN,
                                                      metadata=err.error_metadata()))
    packed = []
    for d in details:
        a = any_pb2.Any()
        a.Pack(d)
        packed.append(a)
    return status_pb2.Status(code=getattr(code_pb2, err.code.name), message=clip(err.message, MAX_MESSAGE_BYTES),
                             details=packed)
