"""The one token verifier every service uses.

RS256 only; the key is chosen by the header's `kid` from a key source (the auth service's own key
store, or the JWK set fetched from it); `iss`, `aud`, `exp`, `nbf` and `type` are always checked.
"""
from __future__ import annotations

import json
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Callable, Iterable, Optional, Protocol

import jwt
from jwt.algorithms import RSAAlgorithm

from erp_common.errors import token_failure

ALLOWED_ALGORITHMS = ("RS256",)
REQUIRED_CLAIMS = ("sub", "iat", "nbf", "exp", "iss", "aud", "jti", "type")


@dataclass(frozen=True)
class Principal:
    """A verified caller."""

    user_id: int
    username: str
    groups: tuple[str, ...]
    permissions: frozenset[str]
    session_id: str
    token_id: str
    issued_at: int
    expires_at: int
    claims: dict = field(compare=False, repr=False, default_factory=dict)

    def has(self, permission: str) -> bool:
        return permission in self.permissions


class KeySource(Protocol):
    def public_key(self, kid: str): ...

    def knows(self, kid: str) -> bool:
        """Whether `kid` is (still) a verifying key, without fetching anything."""


class TokenVerifier:
    """Verifies tokens; remembers recently verified access tokens.

    A client sends the same access token with every request, and the RSA check plus claim parsing
    cost ~150 us each time. Verified principals are cached (bounded, LRU) for at most
    `cache_seconds`, never past their `exp`, and only while the key source still knows their key,
    so a retired key stops working as soon as the verifier learns of it. Revocation is checked by
    the caller on every request, cached or not."""

    def __init__(self, keys: KeySource, issuer: str, audience: str, leeway_seconds: int = 5,
                 cache_size: int = 10000, cache_seconds: float = 60.0, clock: Callable[[], float] = time.time):
        self._keys = keys
        self._issuer = issuer
        self._audience = audience
        self._leeway = leeway_seconds
        self._cache: OrderedDict[str, tuple[Principal, float, str]] = OrderedDict()
        self._cache_size = cache_size
        self._cache_seconds = cache_seconds
        self._clock = clock
        self._cache_lock = threading.Lock()

    def verify(self, token: str, expected_type: str = "access") -> dict:
        """Returns the claims of a valid token of `expected_type`; raises Unauthenticated otherwise,
        with one of the messages of errors.TOKEN_FAILURES (the same whichever edge or service refuses)."""
        if not token:
            raise token_failure("TOKEN_MISSING")
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise token_failure("TOKEN_INVALID") from None
        if header.get("alg") not in ALLOWED_ALGORITHMS:
            raise token_failure("TOKEN_INVALID")
        key = self._keys.public_key(str(header.get("kid", "")))
        if key is None:
            raise token_failure("TOKEN_INVALID")
        try:
            claims = jwt.decode(
                token, key=key, algorithms=list(ALLOWED_ALGORITHMS), audience=self._audience,
                issuer=self._issuer, leeway=self._leeway,
                options={"require": list(REQUIRED_CLAIMS)})
        except jwt.ExpiredSignatureError:
            raise token_failure("TOKEN_EXPIRED") from None
        except jwt.ImmatureSignatureError:
            raise token_failure("TOKEN_INVALID") from None
        except jwt.PyJWTError:
            raise token_failure("TOKEN_INVALID") from None
        if claims.get("type") != expected_type:
            raise token_failure("TOKEN_WRONG_TYPE")
        return claims

    def cached_principal(self, token: str) -> Optional[Principal]:
        """The principal of an access token verified recently and still valid, else None."""
        with self._cache_lock:
            hit = self._cache.get(token)
            if hit is None:
                return None
            principal, valid_until, kid = hit
            if self._clock() >= valid_until or not self._keys.knows(kid):
                del self._cache[token]
                return None
            self._cache.move_to_end(token)
            return principal

    def principal(self, token: str) -> Principal:
        cached = self.cached_principal(token)
        if cached is not None:
            return cached
        principal = self._verified_principal(token)
        now = self._clock()
        valid_until = min(now + self._cache_seconds, principal.expires_at)
        kid = str(jwt.get_unverified_header(token).get("kid", ""))
        with self._cache_lock:
            self._cache[token] = (principal, valid_until, kid)
            # Expired entries go now, not when the size bound pushes them out: every refresh brings a
            # new token (~10 kB with its claims), and a full cache of dead ones would be ~100 MB. An
            # entry unused for `cache_seconds` has expired, and the least recently used come first.
            while self._cache and (len(self._cache) > self._cache_size
                                   or next(iter(self._cache.values()))[1] <= now):
                self._cache.popitem(last=False)
        return principal

    def _verified_principal(self, token: str) -> Principal:
        claims = self.verify(token, "access")
        try:
            user_id = int(claims["sub"])
        except (TypeError, ValueError):
            raise token_failure("TOKEN_INVALID") from None
        return Principal(
            user_id=user_id, username=str(claims.get("username", "")),
            groups=tuple(claims.get("groups") or ()),
            permissions=frozenset(claims.get("permissions") or ()),
            session_id=str(claims.get("sid", "")), token_id=str(claims["jti"]),
            issued_at=int(claims["iat"]), expires_at=int(claims["exp"]), claims=claims)


def public_key_from_jwk(jwk: dict):
    return RSAAlgorithm.from_jwk(json.dumps(jwk))


class JwksCache:
    """Public keys by `kid`, fetched with `fetch()` (returns JWK dicts) and cached.

    An unknown `kid` triggers a refetch, at most once per `min_refetch_seconds`, so a forged header
    cannot make the service hammer the auth service; keys are refreshed every `ttl_seconds`.
    """

    def __init__(self, fetch: Callable[[], Iterable[dict]], ttl_seconds: float = 300.0,
                 min_refetch_seconds: float = 5.0, clock: Callable[[], float] = time.monotonic):
        self._fetch = fetch
        self._ttl = ttl_seconds
        self._min_refetch = min_refetch_seconds
        self._clock = clock
        self._keys: dict[str, object] = {}
        self._fetched_at = float("-inf")
        self._lock = threading.Lock()

    def public_key(self, kid: str):
        now = self._clock()
        key = self._keys.get(kid)
        stale = now - self._fetched_at > self._ttl
        if key is not None and not stale:
            return key
        if now - self._fetched_at >= self._min_refetch or stale:
            self._refresh(now)
        return self._keys.get(kid)

    def knows(self, kid: str) -> bool:
        return kid in self._keys

    def prime(self) -> None:
        """Fetches the key set now, not at the first request: each worker process of a service then
        holds the keys from its start, and keeps verifying if the issuer goes away. A failure counts
        as no attempt, so the first request still fetches at once."""
        with self._lock:
            try:
                jwks = list(self._fetch())
            except Exception:  # noqa: BLE001 - best effort; requests fetch as before
                return
            self._store(jwks, self._clock())

    def _refresh(self, now: float) -> None:
        with self._lock:
            if self._clock() - self._fetched_at < self._min_refetch and self._keys:
                return
            try:
                jwks = list(self._fetch())
            except Exception:  # noqa: BLE001 - keep serving with the keys we have
                self._fetched_at = now
                return
            self._store(jwks, now)

    def _store(self, jwks: list[dict], now: float) -> None:
        self._keys = {j["kid"]: public_key_from_jwk(j) for j in jwks
                      if j.get("kty") == "RSA" and j.get("alg", "RS256") == "RS256"}
        self._fetched_at = now
