"""Login sessions: the family of tokens issued from one login, and why a session ends."""
from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Optional

# revoke_reason values.
LOGOUT = "LOGOUT"
LOGOUT_ALL = "LOGOUT_ALL"
REFRESH_REUSED = "REFRESH_REUSE_DETECTED"
USER_DISABLED = "USER_DISABLED"
USER_DELETED = "USER_DELETED"
PASSWORD_CHANGED = "PASSWORD_CHANGED"  # nosec B105 # a revocation reason
API_KEY_REVOKED = "API_KEY_REVOKED"
# Reasons of authorization changes on the feed (a user's rights changed; the session goes on).
ROLES_CHANGED = "ROLES_CHANGED"
ROLE_PERMISSIONS_CHANGED = "ROLE_PERMISSIONS_CHANGED"
ROLE_ACTIVE_CHANGED = "ROLE_ACTIVE_CHANGED"
ROLE_DELETED = "ROLE_DELETED"


@dataclass(frozen=True)
class SessionRecord:
    sid: str
    user_id: int
    ip_address: str
    user_agent: str
    created_at: datetime.datetime
    last_refresh_at: Optional[datetime.datetime]
    expires_at: datetime.datetime
    revoked_at: Optional[datetime.datetime]


class RefreshOutcome:
    """What presenting a refresh token did to its session."""

    ROTATED = "ROTATED"
    # The previous token, presented again inside ERP_REFRESH_REUSE_GRACE: a fresh pair is issued.
    GRACE_RETRY = "GRACE_RETRY"
    # Neither the current token nor a retry inside the grace window: the family is revoked.
    REUSED = "REUSED"
