"""Token issuing: RS256, `kid` header, the claims of DESIGN.md."""
from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Sequence

import jwt


@dataclass(frozen=True)
class IssuedToken:
    token: str
    jti: str
    expires_at: int


class TokenIssuer:
    def __init__(self, keystore, issuer: str, audience: str, access_ttl: int, refresh_ttl: int,
                 clock=time.time):
        self._keys = keystore
        self._issuer = issuer
        self._audience = audience
        self.access_ttl = access_ttl
        self.refresh_ttl = refresh_ttl
        self._clock = clock

    def _sign(self, claims: dict, ttl: int) -> IssuedToken:
        now = int(self._clock())
        jti = uuid.uuid4().hex
        claims = {**claims, "iat": now, "nbf": now, "exp": now + ttl, "iss": self._issuer,
                  "aud": self._audience, "jti": jti}
        kid, key = self._keys.signing_key()
        token = jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})
        return IssuedToken(token, jti, now + ttl)

    def access(self, user_id: int, username: str, groups: Sequence[str], permissions: Sequence[str],
               session_id: str, ttl: int | None = None) -> IssuedToken:
        return self._sign({"sub": str(user_id), "username": username, "groups": list(groups),
                           "permissions": sorted(permissions), "sid": session_id, "type": "access"},
                          ttl or self.access_ttl)

    def refresh(self, user_id: int, username: str, groups: Sequence[str], session_id: str) -> IssuedToken:
        """The seed's payload (sub, username, groups) is the same for both tokens; permissions are
        resolved again at each refresh, so only the access token carries them."""
        return self._sign({"sub": str(user_id), "username": username, "groups": list(groups),
                           "sid": session_id, "type": "refresh"}, self.refresh_ttl)
