"""RSA signing keys in a directory (a mounted Secret in Kubernetes, var/keys locally).

`active/<kid>.pem` holds every published key; the newest (kids sort by creation time) signs.
Rotation adds a key; retiring moves one to `retired/`, after which its tokens stop verifying.
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

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa


def _b64(n: int) -> str:
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


class KeyStore:
    def __init__(self, directory: Path, check_interval: float = 1.0):
        self._active = directory / "active"
        self._retired = directory / "retired"
        self._check_interval = check_interval
        self._lock = threading.Lock()
        self._private: dict[str, rsa.RSAPrivateKey] = {}
        self._mtime = -1.0
        self._checked = 0.0

    def ensure_key(self) -> str:
        """Creates the first key when there is none; returns the signing kid."""
        self._active.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not any(self._active.glob("*.pem")):
            return self.add_key()
        return self.signing_kid()

    def add_key(self) -> str:
        self._active.mkdir(parents=True, exist_ok=True, mode=0o700)
        kid = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%S") + "-" + secrets.token_hex(4)
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
        return max(keys)

    def signing_key(self) -> tuple[str, rsa.RSAPrivateKey]:
        kid = self.signing_kid()
        return kid, self._private[kid]

    def public_key(self, kid: str):
        key = self._keys().get(kid)
        return key.public_key() if key else None

    def jwks(self) -> list[dict]:
        out = []
        for kid, key in sorted(self._keys().items()):
            numbers = key.public_key().public_numbers()
            out.append({"kty": "RSA", "kid": kid, "use": "sig", "alg": "RS256",
                        "n": _b64(numbers.n), "e": _b64(numbers.e)})
        return out
