"""What the hostile-input tests share between REST (tests/e2e/test_hostile_rest.py) and gRPC
(tests/integration/test_hostile_grpc.py): forged and garbled JWTs of every kind, and the strings
that must never leave a trace of the implementation in an error."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from pathlib import Path
from typing import Callable

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from jwt.algorithms import RSAAlgorithm

from auth_svc.keystore import KeyStore

ISSUER, AUDIENCE = "auth_service", "erp"
# Nothing of the implementation may show in an error body or status message.
INTERNAL_MARKERS = ("traceback", 'file "', "<html", "peewee", "pymysql", "sqlite", "integrityerror",
                    "operationalerror", "dataerror", "<class", "exception", "internal error", "mariadb")
_FOREIGN_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def b64(data) -> str:
    raw = data if isinstance(data, bytes) else json.dumps(data).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def claims(**overrides) -> dict:
    """An admin's access-token claims; an override of None removes the claim."""
    now = int(time.time())
    body = {"sub": "1", "username": "admin", "groups": ["administrators"],
            "permissions": ["master_continent_read", "master_continent_create"], "sid": uuid.uuid4().hex,
            "type": "access", "iat": now, "nbf": now, "exp": now + 600, "iss": ISSUER, "aud": AUDIENCE,
            "jti": uuid.uuid4().hex, **overrides}
    return {k: v for k, v in body.items() if v is not None}


def rs256(payload: dict, key, **header) -> str:
    """Signed by hand, so that any header (a number as kid, jku, an embedded jwk) can be sent."""
    head = {k: v for k, v in {"alg": "RS256", "typ": "JWT", **header}.items() if v is not None}
    signing_input = f"{b64(head)}.{b64(payload)}".encode()
    return signing_input.decode() + "." + b64(key.sign(signing_input, padding.PKCS1v15(), hashes.SHA256()))


class Forger:
    """Tokens made with the mesh's own signing key (what a bug in auth_svc could issue) or with a
    foreign key (what an attacker can make)."""

    def __init__(self, keys_dir: Path):
        self.kid, self.key = KeyStore(keys_dir).signing_key()

    def ours(self, payload: dict | None = None, **header) -> str:
        return rs256(payload or claims(), self.key, **{"kid": self.kid, **header})

    def foreign(self, payload: dict | None = None, **header) -> str:
        return rs256(payload or claims(), _FOREIGN_KEY, **{"kid": self.kid, **header})

    def hs256_with_public_key(self) -> str:
        """The algorithm-confusion attack: HMAC keyed with the RSA public key the JWKS publishes."""
        secret = self.key.public_key().public_bytes(serialization.Encoding.PEM,
                                                    serialization.PublicFormat.SubjectPublicKeyInfo)
        signing_input = f"{b64({'alg': 'HS256', 'typ': 'JWT', 'kid': self.kid})}.{b64(claims())}"
        return signing_input + "." + b64(hmac.new(secret, signing_input.encode(), hashlib.sha256).digest())


def _unsigned(alg: str) -> Callable[[Forger], str]:
    return lambda f: f"{b64({'alg': alg, 'typ': 'JWT', 'kid': f.kid})}.{b64(claims())}."


def _segments(f: Forger, change: Callable[[list[str]], list[str]]) -> str:
    return ".".join(change(f.ours().split(".")))


_FOREIGN_JWK = json.loads(RSAAlgorithm.to_jwk(_FOREIGN_KEY.public_key()))

# Every token here must be refused (401 / UNAUTHENTICATED) by both edges and by the services.
REFUSED_TOKENS: dict[str, Callable[[Forger], str]] = {
    "alg_none": _unsigned("none"),
    "alg_None_capitalised": _unsigned("None"),
    "hs256_signed_with_the_public_key": Forger.hs256_with_public_key,
    "kid_path_traversal": lambda f: f.foreign(kid="../../../../etc/passwd"),
    "kid_sql_injection": lambda f: f.foreign(kid="' OR '1'='1' --"),
    "kid_not_a_string": lambda f: f.ours(kid=7),
    "kid_missing": lambda f: f.ours(kid=None),
    "jku_pointing_elsewhere": lambda f: f.foreign(kid="attacker", jku="http://127.0.0.1:9/jwks.json"),
    "x5u_pointing_elsewhere": lambda f: f.foreign(kid="attacker", x5u="http://127.0.0.1:9/cert.pem"),
    "embedded_jwk_header": lambda f: f.foreign(jwk=_FOREIGN_JWK),
    "exp_missing": lambda f: f.ours(claims(exp=None)),
    "exp_not_a_number": lambda f: f.ours(claims(exp="tomorrow")),
    "nbf_in_the_future": lambda f: f.ours(claims(nbf=int(time.time()) + 3600)),
    "iat_in_the_future": lambda f: f.ours(claims(iat=int(time.time()) + 3600)),
    "refresh_type_claim": lambda f: f.ours(claims(type="refresh")),
    "type_claim_missing": lambda f: f.ours(claims(type=None)),
    "issuer_a_list": lambda f: f.ours(claims(iss=[ISSUER])),
    "subject_not_a_user_id": lambda f: f.ours(claims(sub="admin")),
    "signature_truncated": lambda f: f.ours()[:-12],
    "signature_of_another_payload": lambda f: _segments(f, lambda s: [s[0], b64(claims(sub="2")), s[2]]),
    "payload_not_base64": lambda f: _segments(f, lambda s: [s[0], "$$$not*base64$$$", s[2]]),
    "header_not_json": lambda f: _segments(f, lambda s: [b64(b"{alg: RS256"), s[1], s[2]]),
    "header_a_json_list": lambda f: _segments(f, lambda s: [b64(["RS256"]), s[1], s[2]]),
    "two_segments": lambda f: _segments(f, lambda s: s[:2]),
    "four_segments": lambda f: _segments(f, lambda s: s + [s[2]]),
    "empty_segments": lambda f: "..",
    "forged_40_kB": lambda f: f.foreign(claims(padding="x" * 30_000)),
}
