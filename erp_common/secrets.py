"""Small helpers for secrets that live in files (Kubernetes Secrets, compose secrets, var/keys), and the
keyring that encrypts secrets kept in a database."""
from __future__ import annotations

import base64
import json
import os
import secrets
import time
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM


def value_or_file(value: str, path: str) -> str:
    """The literal value if set, else the stripped content of `path`, else ''."""
    if value or not path:
        return value
    try:
        return Path(path).read_text().strip()
    except OSError:
        return ""


def private_dir(path: Path) -> Path:
    """`path` as a directory only its owner may enter (0700), made if missing, narrowed if it exists."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    path.chmod(0o700)
    return path


def private_append(path: Path):
    """`path` opened for appending, readable by its owner only (0600) whether new or not (logs)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.fchmod(fd, 0o600)
    return os.fdopen(fd, "ab")


def ensure_secret_file(path: Path, nbytes: int = 32) -> str:
    """Reads a random secret from `path`, creating it (mode 0600, in a 0700 directory when that is
    new too) on first use."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        token = secrets.token_urlsafe(nbytes)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(token + "\n")
        return token


def write_secret_file(path: Path, value: str) -> None:
    """Writes `value` to `path` readable by this user only (0600, in a 0700 directory when that is new),
    replacing what was there."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(value + "\n")


class UnknownDataKey(Exception):
    """A value was encrypted with a key the keyring does not hold (even after reading it again)."""


class DataKeyring:
    """AES-256-GCM keys for secrets stored in a database, in one JSON file (mode 0600):
    `{"current": "<kid>", "keys": {"<kid>": "<base64 key>", ...}}`. New values are encrypted with the
    current key; every key in the file still decrypts, so `rotate()` can add a key and the rows be
    re-encrypted to it while other processes still write with the old one. A kid this process does
    not know makes it read the file again (another process rotated)."""

    NONCE_BYTES = 12

    def __init__(self, path: Path):
        self.path = path
        self._current, self._keys = self._read()

    @classmethod
    def open(cls, path: Path, create: bool) -> "DataKeyring":
        """The keyring in `path`; with `create`, a new one with one key when there is none yet."""
        if create and not path.exists():
            kid = _new_kid()
            try:
                _write_new(path, {"current": kid, "keys": {kid: _new_key()}})
            except FileExistsError:
                pass  # another replica made it first
        return cls(path)

    def _read(self) -> tuple[str, dict[str, bytes]]:
        doc = json.loads(self.path.read_text())
        keys = {kid: base64.b64decode(key) for kid, key in doc["keys"].items()}
        if doc["current"] not in keys or any(len(k) != 32 for k in keys.values()):
            raise ValueError(f"{self.path}: the current key must be listed and every key 32 bytes")
        return doc["current"], keys

    @property
    def current(self) -> str:
        return self._current

    def encrypt(self, plaintext: str, context: bytes) -> tuple[str, str]:
        """(kid, base64 of nonce + ciphertext); `context` (e.g. the table and row) must be given again
        to decrypt, so a value copied to another row does not decrypt there."""
        nonce = os.urandom(self.NONCE_BYTES)
        sealed = AESGCM(self._keys[self._current]).encrypt(nonce, plaintext.encode(), context)
        return self._current, base64.b64encode(nonce + sealed).decode()

    def decrypt(self, kid: str, value: str, context: bytes) -> str:
        if kid not in self._keys:
            self._current, self._keys = self._read()
            if kid not in self._keys:
                raise UnknownDataKey(f"data key {kid!r} is not in {self.path}")
        raw = base64.b64decode(value)
        return AESGCM(self._keys[kid]).decrypt(raw[:self.NONCE_BYTES], raw[self.NONCE_BYTES:], context).decode()

    def rotate(self) -> str:
        """Adds a key and makes it the current one (the file is replaced atomically); returns its kid."""
        _, keys = self._read()
        kid = _new_kid()
        doc = {"current": kid, "keys": {k: base64.b64encode(v).decode() for k, v in keys.items()}}
        doc["keys"][kid] = _new_key()
        staged = self.path.with_name(self.path.name + ".new")
        staged.unlink(missing_ok=True)
        _write_new(staged, doc)
        os.replace(staged, self.path)
        self._current, self._keys = self._read()
        return kid


def _new_kid() -> str:
    return time.strftime("dk-%Y%m%dT%H%M%SZ-", time.gmtime()) + secrets.token_hex(4)


def _new_key() -> str:
    return base64.b64encode(AESGCM.generate_key(bit_length=256)).decode()


def _write_new(path: Path, doc: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(doc, f)
        f.write("\n")
