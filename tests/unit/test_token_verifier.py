"""The shared verifier refuses every classic JWT attack and accepts only RS256 access tokens."""
import base64
import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from erp_common.errors import TOKEN_FAILURES, Unauthenticated
from erp_common.tokens import JwksCache, TokenVerifier

ISSUER, AUDIENCE = "auth_service", "erp"


class Keys:
    def __init__(self):
        self.private = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def public_key(self, kid):
        return self.private.public_key() if kid == "k1" else None

    def knows(self, kid):
        return kid == "k1"


@pytest.fixture(scope="module")
def keys():
    return Keys()


@pytest.fixture
def verifier(keys):
    return TokenVerifier(keys, ISSUER, AUDIENCE, leeway_seconds=0)


def claims(**overrides):
    now = int(time.time())
    base = {"sub": "7", "username": "alice", "groups": ["g"], "permissions": ["master_country_read"],
            "iat": now, "nbf": now, "exp": now + 60, "iss": ISSUER, "aud": AUDIENCE, "jti": "j1", "sid": "s1",
            "type": "access"}
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def sign(keys, payload, kid="k1", alg="RS256", key=None):
    return jwt.encode(payload, key or keys.private, algorithm=alg, headers={"kid": kid})


def test_valid_access_token_gives_principal(keys, verifier):
    principal = verifier.principal(sign(keys, claims()))
    assert (principal.user_id, principal.username, principal.session_id) == (7, "alice", "s1")
    assert principal.has("master_country_read") and not principal.has("master_country_delete")


def _b64(obj) -> str:
    return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()


def test_alg_none_is_refused(verifier):
    token = f"{_b64({'alg': 'none', 'kid': 'k1'})}.{_b64(claims())}."
    with pytest.raises(Unauthenticated, match="invalid token"):
        verifier.verify(token)


def test_hs256_signed_with_the_public_key_is_refused(keys, verifier):
    public_pem = keys.private.public_key().public_bytes(serialization.Encoding.PEM,
                                                        serialization.PublicFormat.SubjectPublicKeyInfo)
    header = _b64({"alg": "HS256", "typ": "JWT", "kid": "k1"})
    body = _b64(claims())
    import hashlib
    import hmac
    sig = base64.urlsafe_b64encode(hmac.new(public_pem, f"{header}.{body}".encode(), hashlib.sha256).digest()).rstrip(b"=").decode()
    with pytest.raises(Unauthenticated) as err:
        verifier.verify(f"{header}.{body}.{sig}")
    assert err.value.reason == "TOKEN_INVALID"


# Times are offsets from the moment the test runs, not from collection: a long suite runs this file
# minutes after it was collected.
@pytest.mark.parametrize("overrides, reason", [
    ({"exp": -10}, "TOKEN_EXPIRED"),
    ({"nbf": 600}, "TOKEN_INVALID"),
    ({"iss": "someone-else"}, "TOKEN_INVALID"),
    ({"aud": "other-audience"}, "TOKEN_INVALID"),
    ({"type": "refresh"}, "TOKEN_WRONG_TYPE"),
    ({"jti": None}, "TOKEN_INVALID"),
])
def test_bad_claims_are_refused(keys, verifier, overrides, reason):
    now = int(time.time())
    overrides = {name: now + value if name in ("exp", "nbf") else value for name, value in overrides.items()}
    with pytest.raises(Unauthenticated) as err:
        verifier.verify(sign(keys, claims(**overrides)))
    assert (err.value.reason, err.value.message) == (reason, TOKEN_FAILURES[reason])


def test_unknown_kid_is_refused(keys, verifier):
    with pytest.raises(Unauthenticated) as err:
        verifier.verify(sign(keys, claims(), kid="k2"))
    assert (err.value.reason, err.value.message) == ("TOKEN_INVALID", "invalid token")


def test_tampered_payload_is_refused(keys, verifier):
    header, _, signature = sign(keys, claims()).split(".")
    forged = _b64(claims(permissions=["auth_user_delete"]))
    with pytest.raises(Unauthenticated):
        verifier.verify(f"{header}.{forged}.{signature}")


def test_token_signed_by_another_key_with_known_kid_is_refused(verifier, keys):
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with pytest.raises(Unauthenticated):
        verifier.verify(sign(keys, claims(), key=other))


def test_jwks_cache_refetches_unknown_kid_at_most_once_per_interval(keys):
    from erp_common.tokens import public_key_from_jwk  # noqa: F401  (the cache converts JWKs itself)
    numbers = keys.private.public_key().public_numbers()
    n = base64.urlsafe_b64encode(numbers.n.to_bytes(256, "big")).rstrip(b"=").decode()
    e = base64.urlsafe_b64encode(numbers.e.to_bytes(3, "big")).rstrip(b"=").decode()
    published = [{"kty": "RSA", "kid": "old", "alg": "RS256", "n": n, "e": e}]
    fetches = []
    now = [100.0]

    def fetch():
        fetches.append(now[0])
        return list(published)

    cache = JwksCache(fetch, ttl_seconds=300, min_refetch_seconds=5, clock=lambda: now[0])
    assert cache.public_key("old") is not None
    assert cache.public_key("new") is None and len(fetches) == 1  # within the interval: no refetch
    published.append({**published[0], "kid": "new"})
    now[0] += 6
    assert cache.public_key("new") is not None and len(fetches) == 2  # rotated key found on miss


def test_a_primed_jwks_cache_answers_without_fetching_and_a_failed_prime_does_not_delay_the_first_fetch(keys):
    numbers = keys.private.public_key().public_numbers()
    n = base64.urlsafe_b64encode(numbers.n.to_bytes(256, "big")).rstrip(b"=").decode()
    e = base64.urlsafe_b64encode(numbers.e.to_bytes(3, "big")).rstrip(b"=").decode()
    fetches, reachable = [], [False]

    def fetch():
        fetches.append(reachable[0])
        if not reachable[0]:
            raise ConnectionError("issuer not up yet")
        return [{"kty": "RSA", "kid": "k1", "alg": "RS256", "n": n, "e": e}]

    cache = JwksCache(fetch, min_refetch_seconds=5, clock=lambda: 100.0)
    cache.prime()
    assert not cache.knows("k1")
    reachable[0] = True
    assert cache.public_key("k1") is not None and fetches == [False, True]  # fetched at once, same instant
    primed = JwksCache(fetch, clock=lambda: 100.0)
    primed.prime()
    assert primed.knows("k1") and len(fetches) == 3
    assert primed.public_key("k1") is not None and len(fetches) == 3



def test_verified_principals_are_cached_within_the_window_and_never_past_exp(keys):
    real = time.time()
    offset = [0.0]
    verifier = TokenVerifier(keys, ISSUER, AUDIENCE, leeway_seconds=0, cache_seconds=60,
                             clock=lambda: real + offset[0])
    token = sign(keys, claims(exp=int(real) + 30))
    assert verifier.cached_principal(token) is None
    first = verifier.principal(token)
    assert verifier.cached_principal(token) is first
    offset[0] = 31  # past exp, inside the cache window: not served from the cache
    assert verifier.cached_principal(token) is None
    long_lived = sign(keys, claims(exp=int(real) + 3600, jti="j2"))
    offset[0] = 0
    verifier.principal(long_lived)
    offset[0] = 61  # past the cache window: verified again (so a retired key stops working)
    assert verifier.cached_principal(long_lived) is None


def test_expired_principals_leave_the_cache_without_waiting_for_the_size_bound(keys):
    """Every refresh brings a new access token; the dead ones must not pile up to `cache_size`."""
    real = time.time()
    offset = [0.0]
    verifier = TokenVerifier(keys, ISSUER, AUDIENCE, leeway_seconds=0, cache_seconds=60, cache_size=10000,
                             clock=lambda: real + offset[0])
    for i in range(50):
        verifier.principal(sign(keys, claims(jti=f"old{i}", exp=int(real) + 3600)))
    assert len(verifier._cache) == 50
    offset[0] = 61
    fresh = sign(keys, claims(jti="fresh", exp=int(real) + 3600))
    verifier.principal(fresh)
    assert len(verifier._cache) == 1 and verifier.cached_principal(fresh) is not None


def test_a_cached_principal_is_dropped_once_its_key_is_retired(keys):
    class Retirable(Keys):
        retired = False

        def __init__(self, private):
            self.private = private

        def knows(self, kid):
            return not self.retired and kid == "k1"

    source = Retirable(keys.private)
    verifier = TokenVerifier(source, ISSUER, AUDIENCE, leeway_seconds=0)
    token = sign(keys, claims(jti="j3"))
    verifier.principal(token)
    assert verifier.cached_principal(token) is not None
    source.retired = True
    assert verifier.cached_principal(token) is None
