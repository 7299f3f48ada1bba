"""Creating, listing and revoking API keys (the exchange for tokens is in authentication)."""
from __future__ import annotations

import datetime
import time
from typing import Callable, Optional, Sequence

from auth_svc.domain import apikeys, audit
from auth_svc.domain import sessions as session_rules
from auth_svc.domain.apikeys import ApiKeyRecord
from auth_svc.storage.models import from_epoch
from auth_svc.usecases.common import (Auditor, ClientInfo, Delegation, Revoker, Stores, audits_refusals,
                                      require_user_session, transactional)
from erp_common import text
from erp_common.errors import InvalidArgument, NotFound, PermissionDenied
from erp_common.tokens import Principal

MAX_KEY_NAME = 150
# Many times the catalogue's size; the bound keeps one request from becoming a huge IN query.
MAX_SCOPES = 1000


def _not_found(key_id: int) -> NotFound:
    return NotFound(f"API key {key_id} not found", reason="API_KEY_NOT_FOUND",
                    resource_type="erp.auth.v1/ApiKey", resource_name=f"api-keys/{key_id}")


class ApiKeys:
    def __init__(self, stores: Stores, auditor: Auditor, revoker: Revoker, delegation: Delegation,
                 clock: Callable[[], float] = time.time):
        self.stores = stores
        self.auditor = auditor
        self.revoker = revoker
        self.delegation = delegation
        self.clock = clock

    @transactional
    def create(self, principal: Principal, name: str, scopes: Sequence[str],
               expire_time: Optional[datetime.datetime], client: ClientInfo) -> tuple[ApiKeyRecord, str]:
        """The scopes must be permissions the owner holds: a key never grants more than its owner."""
        require_user_session(principal, client, "API-key management")
        name = text.clean_name(name or "")
        scopes = sorted({s.strip() for s in scopes if s.strip()})
        problems = []
        if not name:
            problems.append(("api_key.name", "This field is required."))
        elif len(name) > MAX_KEY_NAME:
            problems.append(("api_key.name", f"Ensure this field has no more than {MAX_KEY_NAME} characters."))
        elif problem := text.line_problem(name):
            problems.append(("api_key.name", problem))
        if not scopes:
            problems.append(("api_key.scopes", "Give at least one permission codename."))
        elif len(scopes) > MAX_SCOPES:
            problems.append(("api_key.scopes", f"Give at most {MAX_SCOPES} permission codenames."))
        unknown = sorted(set(scopes) - set(self.stores.accounts.permissions_by_codename(scopes))) \
            if len(scopes) <= MAX_SCOPES else []
        if unknown:
            problems.append(("api_key.scopes", f"Unknown permissions: {', '.join(unknown)}."))
        if expire_time is not None and expire_time <= from_epoch(self.clock()):
            problems.append(("api_key.expire_time", "Must be in the future."))
        if problems:
            raise InvalidArgument("; ".join(f"{f}: {d}" for f, d in problems), reason="INVALID_API_KEY",
                                  violations=problems)
        self.delegation.require_held(principal, scopes, client, "API-key scopes", "api_key", name)
        new = apikeys.generate()
        record = self.stores.credentials.create_api_key(name, new.prefix, new.secret_hash, scopes,
                                                        principal.user_id, expire_time)
        self.auditor.change(audit.API_KEY_CREATED, client, principal, "api_key", record.id, None,
                            record.public_view())
        return record, new.secret

    @audits_refusals
    def list(self, principal: Principal, show_revoked: bool, client: ClientInfo) -> list[ApiKeyRecord]:
        """The caller's keys, or everyone's with `auth_apikey_read`."""
        require_user_session(principal, client, "API-key management")
        owner = None if principal.has("auth_apikey_read") else principal.user_id
        return self.stores.credentials.api_keys(owner, show_revoked)

    @transactional
    def revoke(self, principal: Principal, key_id: int, client: ClientInfo) -> ApiKeyRecord:
        """Refuses new tokens at once and revokes the tokens already issued like a logout does."""
        require_user_session(principal, client, "API-key management")
        key = self.stores.credentials.api_key(key_id)
        if key is None:
            raise _not_found(key_id)
        if key.owner_id != principal.user_id and not principal.has("auth_apikey_delete"):
            raise PermissionDenied("permission auth_apikey_delete required", reason="PERMISSION_DENIED",
                                   permission="auth_apikey_delete")
        if self.stores.credentials.revoke_api_key(key_id):
            self.revoker.revoke([apikeys.session_id(key_id)], session_rules.API_KEY_REVOKED)
            self.auditor.change(audit.API_KEY_REVOKED, client, principal, "api_key", key_id, key.public_view(), None)
        return self.stores.credentials.api_key(key_id)
