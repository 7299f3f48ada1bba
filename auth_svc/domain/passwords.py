"""Password policy (the seed's Django validators) and hashing (bcrypt; Django PBKDF2 accepted)."""
from __future__ import annotations

import base64
import difflib
import hashlib
import hmac
import re
import unicodedata

import bcrypt

from erp_common.errors import InvalidArgument

MIN_LENGTH = 8
# bcrypt reads at most 72 bytes; longer input is refused rather than silently cut (bcrypt >= 5 raises).
MAX_BYTES = 72
# The most common passwords (Django ships 20k; these are the top of the same public lists).
COMMON_PASSWORDS = frozenset("""
123456 123456789 12345678 password qwerty123 qwerty 1234567890 1234567 password1 123123
000000 iloveyou 1q2w3e4r 111111 qwertyuiop 123321 abc123 password123 admin123 welcome
welcome1 letmein monkey dragon football baseball sunshine princess master shadow
passw0rd p@ssw0rd trustno1 superman michael charlie jennifer computer starwars whatever
admin administrator changeme secret12 qazwsx asdfghjkl zaq12wsx 1qaz2wsx
""".split())


def check_policy(password: str, *, username: str = "", email: str = "",
                 field: str = "password") -> None:
    """Raises InvalidArgument listing every rule the password breaks."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(f"This password is too short. It must contain at least {MIN_LENGTH} characters.")
    if not fits_bcrypt(password):
        problems.append(f"This password is too long. It must fit in {MAX_BYTES} bytes of UTF-8 "
                        f"({MAX_BYTES} plain letters or digits, fewer accented letters or symbols).")
    if any(unicodedata.category(ch) == "Cc" for ch in password):
        problems.append("This password contains control characters, which cannot be typed reliably.")
    if password.isdigit():
        problems.append("This password is entirely numeric.")
    if password.lower() in COMMON_PASSWORDS:
        problems.append("This password is too common.")
    lowered = password.lower()
    for attribute in (username, email.split("@")[0] if email else ""):
        attribute = attribute.lower()
        if not attribute:
            continue
        parts = [attribute] + re.split(r"\W+", attribute)
        if any(p and (p in lowered or difflib.SequenceMatcher(a=lowered, b=p).quick_ratio() >= 0.7)
               for p in parts if len(p) >= 3):
            problems.append("The password is too similar to the username.")
            break
    if problems:
        raise InvalidArgument(" ".join(problems), reason="PASSWORD_POLICY",
                              violations=[(field, p) for p in problems])


def fits_bcrypt(password: str) -> bool:
    return len(password.encode()) <= MAX_BYTES


def hash_password(password: str, rounds: int) -> str:
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds)).decode()


def verify_password(password: str, stored: str) -> bool:
    """bcrypt hashes and the seed's Django `pbkdf2_sha256$iterations$salt$hash` hashes."""
    if stored.startswith("pbkdf2_sha256$"):
        try:
            _, iterations, salt, expected = stored.split("$", 3)
            digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), int(iterations))
        except ValueError:
            return False
        return hmac.compare_digest(base64.b64encode(digest).decode().strip(), expected)
    try:
        return bcrypt.checkpw(password.encode(), stored.encode())
    except ValueError:
        return False


def needs_rehash(stored: str, rounds: int) -> bool:
    if not stored.startswith("$2"):
        return True
    try:
        return int(stored.split("$")[2]) != rounds
    except (IndexError, ValueError):
        return True


def django_pbkdf2(password: str, salt: str, iterations: int = 120000) -> str:
    """The seed's hash format, for migrating users and for tests."""
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), iterations)
    return f"pbkdf2_sha256${iterations}${salt}${base64.b64encode(digest).decode().strip()}"
