"""TOTP second factor (RFC 6238 via pyotp) and single-use recovery codes.

A code is accepted for its own 30-second step and one step either side (clock drift), and only
when its step is newer than the last one used, so a code cannot be replayed inside its window.
"""
from __future__ import annotations

import hashlib
import hmac
import io
import secrets
from dataclasses import dataclass
from typing import Optional

import pyotp
import segno

ISSUER = "ERP"
DRIFT_STEPS = 1
RECOVERY_CODE_COUNT = 10
_RECOVERY_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"  # no 0/o, 1/l: read back from paper


@dataclass(frozen=True)
class TotpDevice:
    secret: str
    confirmed: bool
    last_used_step: int


@dataclass(frozen=True)
class CodeCheck:
    """Outcome of checking a TOTP code: `step` is set when the code is accepted."""

    step: Optional[int] = None
    replayed: bool = False

    @property
    def accepted(self) -> bool:
        return self.step is not None


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, username: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    out = io.BytesIO()
    segno.make(uri, error="m").save(out, kind="svg", scale=4, xmldecl=False)
    return out.getvalue().decode()


def check_code(secret: str, code: str, now: float, last_used_step: int) -> CodeCheck:
    code = "".join(code.split())
    if len(code) != 6 or not code.isdigit():
        return CodeCheck()
    totp = pyotp.TOTP(secret)
    current = int(now // totp.interval)
    replayed = False
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            if step > last_used_step:
                return CodeCheck(step=step)
            replayed = True
    return CodeCheck(replayed=replayed)


def code_at(secret: str, when: float) -> str:
    """The code an authenticator shows at `when`; for tests and tools."""
    return pyotp.TOTP(secret).at(when)


def new_recovery_codes() -> list[str]:
    """Ten codes of 16 characters from a 32-letter alphabet: 80 bits each, shown as xxxx-xxxx-xxxx-xxxx."""
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(16))
        codes.append("-".join(raw[i:i + 4] for i in range(0, 16, 4)))
    return codes


def recovery_code_hash(code: str) -> str:
    """SHA-256 of the normalised code. A fast hash suffices: 80 random bits cannot be guessed offline."""
    normalised = "".join(ch for ch in code.lower() if ch.isalnum())
    return hashlib.sha256(normalised.encode()).hexdigest()
