"""API keys for service-to-service calls: `erp_<prefix>_<secret>`, stored as a SHA-256 digest.

The prefix (12 hex digits) is public and finds the row; the secret is 256 random bits. A slow
password hash (bcrypt) protects low-entropy human passwords against offline guessing; a 256-bit
random secret cannot be guessed, so a single SHA-256 is as safe and keeps the token exchange cheap.
"""
from __future__ import annotations

import datetime
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Optional

SCHEME = "erp"
GRANT_TYPE = "client_credentials"
# What the `sid` of an API key's tokens starts with (no login session id does: those are hex).
SESSION_PREFIX = "apikey-"


@dataclass(frozen=True)
class ApiKeyRecord:
    id: int
    name: str
    prefix: str
    scopes: tuple[str, ...]
    owner_id: int
    expire_time: Optional[datetime.datetime]
    created_at: datetime.datetime
    revoked_at: Optional[datetime.datetime]
    last_used_at: Optional[datetime.datetime]
    secret_hash: str = ""

    def usable(self, now: datetime.datetime) -> bool:
        return self.revoked_at is None and (self.expire_time is None or self.expire_time > now)

    def public_view(self) -> dict:
        return {"id": self.id, "name": self.name, "prefix": self.prefix, "scopes": list(self.scopes),
                "owner_id": self.owner_id,
                "expire_time": self.expire_time.isoformat() if self.expire_time else None}


@dataclass(frozen=True)
class NewApiKey:
    prefix: str
    secret: str
    secret_hash: str


def generate() -> NewApiKey:
    prefix = secrets.token_hex(6)
    secret = f"{SCHEME}_{prefix}_{secrets.token_urlsafe(32)}"
    return NewApiKey(prefix, secret, secret_hash(secret))


def prefix_of(presented: str) -> Optional[str]:
    """The lookup prefix of a well-formed key, else None."""
    scheme, _, rest = presented.strip().partition("_")
    prefix, _, body = rest.partition("_")
    if scheme != SCHEME or len(prefix) != 12 or not body:
        return None
    try:
        int(prefix, 16)
    except ValueError:
        return None
    return prefix


def secret_hash(presented: str) -> str:
    return hashlib.sha256(presented.strip().encode()).hexdigest()


def matches(presented: str, stored_hash: str) -> bool:
    return hmac.compare_digest(secret_hash(presented), stored_hash)


def session_id(key_id: int) -> str:
    """The `sid` of tokens issued for a key: revoking the key revokes them like a logout would."""
    return f"{SESSION_PREFIX}{key_id}"
