"""RSA signing keys in a directory (a mounted Secret in Kubernetes, var/keys locally).

`active/<kid>.pem` holds every published key; a kid starts with its creation time. Rotation adds a
key, which is published in the JWK set at once but signs only once it is `activation_seconds` old:
verifiers that cache the JWK set (the Envoy edge for 300 s, without refetching on an unknown kid)
have it before the first token that needs it. The signing key is the newest activated key (the
oldest key while none is). Retiring moves a key to `retired/`, after which its tokens stop verifying.
Replicas notice changes by the directory's mtime, so rotation needs no restart.
"""
from __future__ import annotations

import base64
import datetime
import os
import secrets
import threading
import time
from pathlib import Path
from typing import Callable

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa


def _b64(n: int) -> str:
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


# The first form is written; the second is how kids were made before sub-second precision.
KID_TIME_FORMATS = {21: "%Y%m%dT%H%M%S%f", 15: "%Y%m%dT%H%M%S"}


def created_at(kid: str) -> float:
    """The creation time encoded in a kid; 0 for a kid of another shape (always activated)."""
    stamp = kid.split("-", 1)[0]
    fmt = KID_TIME_FORMATS.get(len(stamp))
    try:
        return datetime.datetime.strptime(stamp, fmt).replace(tzinfo=datetime.timezone.utc).timestamp() if fmt else 0.0
    except ValueError:
        return 0.0


class KeyStore:
    def __init__(self, directory: Path, check_interval: float = 1.0, activation_seconds: float = 0.0,
                 clock: Callable[[], float] = time.time):
        self._active = directory / "active"
        self._retired = directory / "retired"
        self._check_interval = check_interval
        self._activation_seconds = activation_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._private: dict[str, rsa.RSAPrivateKey] = {}
        self._mtime = -1.0
        self._checked = 0.0

    def _make_dirs(self) -> None:
        # 0700 for the keys directory too, not only active/: `mkdir(parents=True)` would create a
        # missing keys directory with the umask's mode (0755). Existing directories are left as they
        # are (a mounted Secret may be read-only).
        self._active.parent.parent.mkdir(parents=True, exist_ok=True)
        for directory in (self._active.parent, self._active):
            directory.mkdir(exist_ok=True, mode=0o700)

    def ensure_key(self) -> str:
        """Creates the first key when there is none; returns the signing kid."""
        self._make_dirs()
        if not any(self._active.glob("*.pem")):
            return self.add_key()
        return self.signing_kid()

    def add_key(self) -> str:
        self._make_dirs()
        now = datetime.datetime.fromtimestamp(self._clock(), datetime.timezone.utc)
        kid = now.strftime(KID_TIME_FORMATS[21]) + "-" + secrets.token_hex(4)
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
        tmp = self._active / f".{kid}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(pem)
        tmp.rename(self._active / f"{kid}.pem")
        self._checked = 0.0
        return kid

    def retire_key(self, kid: str) -> None:
        if kid == self.signing_kid() and len(self._keys()) == 1:
            raise ValueError("cannot retire the only signing key; rotate first")
        self._retired.mkdir(parents=True, exist_ok=True, mode=0o700)
        (self._active / f"{kid}.pem").rename(self._retired / f"{kid}.pem")
        self._checked = 0.0

    def _keys(self) -> dict[str, rsa.RSAPrivateKey]:
        now = time.monotonic()
        if now - self._checked < self._check_interval and self._private:
            return self._private
        with self._lock:
            self._checked = now
            mtime = self._active.stat().st_mtime if self._active.exists() else -1.0
            if mtime != self._mtime or not self._private:
                keys = {}
                for path in sorted(self._active.glob("*.pem")):
                    keys[path.stem] = serialization.load_pem_private_key(path.read_bytes(), password=None)
                self._private, self._mtime = keys, mtime
        return self._private

    def signing_kid(self) -> str:
        keys = self._keys()
        if not keys:
            raise RuntimeError("no signing key; run `python -m auth_svc rotate-keys`")
        now = self._clock()
        ordered = sorted(keys, key=lambda kid: (created_at(kid), kid))
        activated = [kid for kid in ordered if now - created_at(kid) >= self._activation_seconds]
        return activated[-1] if activated else ordered[0]

    def activates_at(self, kid: str) -> float:
        return created_at(kid) + self._activation_seconds

    def signing_key(self) -> tuple[str, rsa.RSAPrivateKey]:
        kid = self.signing_kid()
        return kid, self._private[kid]

    def public_key(self, kid: str):
        key = self._keys().get(kid)
        return key.public_key() if key else None

    def knows(self, kid: str) -> bool:
        return kid in self._keys()

    def jwks(self) -> list[dict]:
        out = []
        for kid, key in sorted(self._keys().items()):
            numbers = key.public_key().public_numbers()
            out.append({"kty": "RSA", "kid": kid, "use": "sig", "alg": "RS256",
                        "n": _b64(numbers.n), "e": _b64(numbers.e)})
        return out
