"""Delegated administration: a caller grants only what it holds and touches only users who hold no
more than it does, so one narrow administrative right is never worth every right.

- Giving a user a role, or a role a permission, or an API key a scope: the caller holds every
  permission given (roles: every permission of each role added).
- Taking a role from a user or a permission from a role: the caller holds what is taken.
- Changing another user's password, active flag or roles, or ending their sessions: the caller holds
  every permission the user holds (only an administrator touches an administrator).
- Nobody raises their own rights: the same rules hold when the target is the caller.
- API-key tokens act only within their scopes: account self-service (sessions, MFA, API keys,
  logout, the own password) needs a user's session from a login.
"""
from __future__ import annotations

from typing import Iterable

from auth_svc.domain import apikeys

# ErrorInfo reasons of the refusals.
DELEGATION_EXCEEDS_CALLER = "DELEGATION_EXCEEDS_CALLER"
USER_SESSION_REQUIRED = "USER_SESSION_REQUIRED"

LOGOUT_WITH_API_KEY = ("An API-key token cannot log out: revoke the key instead "
                       "(DELETE /api/auth/api-keys/{id}/, erp.auth.v1.AuthService/RevokeApiKey).")


def missing(held: Iterable[str], needed: Iterable[str]) -> tuple[str, ...]:
    """What of `needed` the caller does not hold, sorted."""
    return tuple(sorted(set(needed) - set(held)))


def is_api_key_session(session_id: str) -> bool:
    return session_id.startswith(apikeys.SESSION_PREFIX)
