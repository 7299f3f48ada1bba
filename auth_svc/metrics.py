"""Login outcomes as a Prometheus counter, from the status codes of the login RPCs."""
from __future__ import annotations

import grpc
from prometheus_client import Counter

from erp_common.server import call_var

LOGIN_METHODS = frozenset({"/erp.auth.v1.AuthService/Login", "/erp.auth.v1.AuthService/VerifyMfaLogin"})
OUTCOME_BY_CODE = {
    grpc.StatusCode.OK: "success",
    grpc.StatusCode.UNAUTHENTICATED: "invalid_credentials",  # also a disabled account: one reply for both
    grpc.StatusCode.RESOURCE_EXHAUSTED: "locked",             # account lockout or the per-client limit
}
OUTCOMES = ("success", "invalid_credentials", "locked", "mfa_required")

LOGINS = Counter("erp_auth_login", "Login attempts by outcome (Login and VerifyMfaLogin).", ["outcome"])
for _outcome in OUTCOMES:
    LOGINS.labels(_outcome)  # every series exists from the start, so rate() sees the first attempt


def observe_login(method: str, code: grpc.StatusCode, seconds: float) -> None:
    """A ServiceInterceptor observer. An OK Login that only issued an MFA challenge says so by setting
    `current_call().outcome = "mfa_required"`; requests with an empty field count as no attempt."""
    if method not in LOGIN_METHODS:
        return
    call = call_var.get(None)
    outcome = call.outcome if code == grpc.StatusCode.OK and call and call.outcome else OUTCOME_BY_CODE.get(code)
    if outcome:
        LOGINS.labels(outcome).inc()
