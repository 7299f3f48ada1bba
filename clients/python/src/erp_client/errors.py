"""Typed exceptions for the mesh's gRPC statuses, with the `google.rpc` details decoded (DESIGN.md, Errors)."""
from __future__ import annotations

from dataclasses import dataclass, field

import grpc
from google.rpc import error_details_pb2
from grpc_status import rpc_status


@dataclass
class FieldViolation:
    field: str
    description: str


class ErpError(grpc.RpcError):
    """A refused call. Still a grpc.RpcError (`code()`, `details()`), so code that catches those keeps
    working; the subclass names the status, the attributes hold its details."""

    def __init__(self, code: grpc.StatusCode, message: str, details: "Details") -> None:
        super().__init__(f"{code.name}: {message}")
        self.status_code = code
        self.message = message
        self.reason = details.reason
        self.domain = details.domain
        self.metadata = details.metadata
        self.field_violations = details.field_violations
        self.precondition_violations = details.precondition_violations
        self.retry_after = details.retry_after
        self.resource_type = details.resource_type
        self.resource_name = details.resource_name

    def code(self) -> grpc.StatusCode:
        return self.status_code

    def details(self) -> str:
        return self.message


class InvalidArgument(ErpError):
    """400: a malformed or invalid field; `field_violations` says which."""


class FailedPrecondition(ErpError):
    """400: protected children, a role in use; `precondition_violations` says why."""


class Unauthenticated(ErpError):
    """401: no, an invalid, expired or revoked token, or bad credentials."""


class PermissionDenied(ErpError):
    """403: the token lacks the permission."""


class NotFound(ErpError):
    """404: an unknown id; `resource_type` and `resource_name` say which."""


class AlreadyExists(ErpError):
    """409: a duplicate name."""


class Aborted(ErpError):
    """409: a stale etag."""


class ResourceExhausted(ErpError):
    """429: a rate limit or lockout; `retry_after` (seconds) says when to try again."""


class Unavailable(ErpError):
    """503: a service or its database is down (idempotent calls were already retried)."""


class DeadlineExceeded(ErpError):
    """The call's deadline passed."""


_BY_CODE: dict[grpc.StatusCode, type[ErpError]] = {
    grpc.StatusCode.INVALID_ARGUMENT: InvalidArgument, grpc.StatusCode.FAILED_PRECONDITION: FailedPrecondition,
    grpc.StatusCode.UNAUTHENTICATED: Unauthenticated, grpc.StatusCode.PERMISSION_DENIED: PermissionDenied,
    grpc.StatusCode.NOT_FOUND: NotFound, grpc.StatusCode.ALREADY_EXISTS: AlreadyExists,
    grpc.StatusCode.ABORTED: Aborted, grpc.StatusCode.RESOURCE_EXHAUSTED: ResourceExhausted,
    grpc.StatusCode.UNAVAILABLE: Unavailable, grpc.StatusCode.DEADLINE_EXCEEDED: DeadlineExceeded,
}


@dataclass
class Details:
    """The google.rpc details the mesh sends: ErrorInfo, BadRequest, PreconditionFailure, RetryInfo,
    ResourceInfo."""

    reason: str = ""
    domain: str = ""
    metadata: dict[str, str] = field(default_factory=dict)
    field_violations: list[FieldViolation] = field(default_factory=list)
    precondition_violations: list[FieldViolation] = field(default_factory=list)
    retry_after: float | None = None
    resource_type: str = ""
    resource_name: str = ""


def from_rpc_error(error: grpc.RpcError) -> ErpError:
    """The typed exception for `error` (a failed call), its details decoded."""
    if isinstance(error, ErpError):
        return error
    code = error.code() if hasattr(error, "code") else grpc.StatusCode.UNKNOWN
    message = error.details() if hasattr(error, "details") else str(error)
    details = Details()
    status = rpc_status.from_call(error) if hasattr(error, "trailing_metadata") else None
    for packed in status.details if status is not None else ():
        if packed.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            info = error_details_pb2.ErrorInfo()
            packed.Unpack(info)
            details.reason, details.domain, details.metadata = info.reason, info.domain, dict(info.metadata)
        elif packed.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            bad = error_details_pb2.BadRequest()
            packed.Unpack(bad)
            details.field_violations += [FieldViolation(v.field, v.description) for v in bad.field_violations]
        elif packed.Is(error_details_pb2.PreconditionFailure.DESCRIPTOR):
            failure = error_details_pb2.PreconditionFailure()
            packed.Unpack(failure)
            details.precondition_violations += [FieldViolation(v.subject, v.description) for v in failure.violations]
        elif packed.Is(error_details_pb2.RetryInfo.DESCRIPTOR):
            retry = error_details_pb2.RetryInfo()
            packed.Unpack(retry)
            details.retry_after = retry.retry_delay.ToTimedelta().total_seconds()
        elif packed.Is(error_details_pb2.ResourceInfo.DESCRIPTOR):
            resource = error_details_pb2.ResourceInfo()
            packed.Unpack(resource)
            details.resource_type, details.resource_name = resource.resource_type, resource.resource_name
    return _BY_CODE.get(code, ErpError)(code, message or "", details)
