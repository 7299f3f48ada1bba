"""The audit trail: the event types auth_svc records and the shape of one entry."""
from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Optional

LOGIN_SUCCESS = "LOGIN_SUCCESS"
LOGIN_FAILED = "LOGIN_FAILED"
LOGIN_MFA_REQUIRED = "LOGIN_MFA_REQUIRED"
LOGIN_MFA_FAILED = "LOGIN_MFA_FAILED"
TOKEN_REFRESHED = "TOKEN_REFRESHED"  # nosec B105 # an audit event name
REFRESH_REUSE_DETECTED = "REFRESH_REUSE_DETECTED"
LOGOUT = "LOGOUT"
LOGOUT_ALL = "LOGOUT_ALL"
USER_CREATED = "USER_CREATED"
USER_UPDATED = "USER_UPDATED"
USER_DELETED = "USER_DELETED"
ROLE_CREATED = "ROLE_CREATED"
ROLE_UPDATED = "ROLE_UPDATED"
ROLE_DELETED = "ROLE_DELETED"
GROUP_PERMISSIONS_CHANGED = "GROUP_PERMISSIONS_CHANGED"
MFA_ENROLLMENT_STARTED = "MFA_ENROLLMENT_STARTED"
MFA_ENROLLED = "MFA_ENROLLED"
MFA_DISABLED = "MFA_DISABLED"
MFA_RESET = "MFA_RESET"
MFA_RECOVERY_CODE_USED = "MFA_RECOVERY_CODE_USED"
API_KEY_CREATED = "API_KEY_CREATED"
API_KEY_REVOKED = "API_KEY_REVOKED"
API_KEY_EXCHANGED = "API_KEY_EXCHANGED"
API_KEY_EXCHANGE_FAILED = "API_KEY_EXCHANGE_FAILED"
# A change refused because the caller may not make it (delegation rule, API-key token confinement).
AUTHORIZATION_DENIED = "AUTHORIZATION_DENIED"

# failure_reason values of LOGIN_FAILED and friends.
INVALID_CREDENTIALS = "INVALID_CREDENTIALS"
ACCOUNT_DISABLED = "ACCOUNT_DISABLED"
ACCOUNT_LOCKED = "ACCOUNT_LOCKED"
RATE_LIMITED = "RATE_LIMITED"


@dataclass(frozen=True)
class AuditRecord:
    id: int
    event_type: str
    user_id: Optional[int]
    username: str
    actor: str
    target_type: str
    target_id: str
    ip_address: str
    user_agent: str
    browser: str
    os: str
    failure_reason: str
    metadata: Optional[dict]
    before: Optional[dict]
    after: Optional[dict]
    created_at: datetime.datetime
