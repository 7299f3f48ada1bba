"""erp_client: the ERP mesh's gRPC client (see channel.py); the generated stubs are the `erp` package."""
from erp_client.channel import Client, TokenSource, connect
from erp_client.errors import (
    Aborted,
    AlreadyExists,
    DeadlineExceeded,
    ErpError,
    FailedPrecondition,
    FieldViolation,
    InvalidArgument,
    NotFound,
    PermissionDenied,
    ResourceExhausted,
    Unauthenticated,
    Unavailable,
)

__all__ = [
    "Aborted", "AlreadyExists", "Client", "DeadlineExceeded", "ErpError", "FailedPrecondition", "FieldViolation",
    "InvalidArgument", "NotFound", "PermissionDenied", "ResourceExhausted", "TokenSource", "Unauthenticated",
    "Unavailable", "connect",
]
