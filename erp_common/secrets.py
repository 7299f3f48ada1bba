"""Small helpers for secrets that live in files (Kubernetes Secrets, compose secrets, var/keys)."""
from __future__ import annotations

import os
import secrets
from pathlib import Path


def value_or_file(value: str, path: str) -> str:
    """The literal value if set, else the stripped content of `path`, else ''."""
    if value or not path:
        return value
    try:
        return Path(path).read_text().strip()
    except OSError:
        return ""


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
