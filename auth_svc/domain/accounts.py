"""Users, roles and permissions as plain values, and the rules their fields follow.

Usernames, e-mails and role names are unique without regard to case; the lower-cased `*_key`
forms computed here are what the database's unique indexes hold, so the rule holds under races.
"""
from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Optional

from erp_common import text
from erp_common.errors import InvalidArgument

MAX_NAME_LENGTH = 150
MAX_EMAIL_LENGTH = 254
# Role descriptions are TEXT: 65,535 bytes on MySQL, this many characters at 4 bytes each.
MAX_DESCRIPTION_LENGTH = 10000
# Far more roles than anyone holds; the bound keeps one request from becoming a 100k-row IN query.
MAX_ROLES_PER_USER = 100
# Django's UnicodeUsernameValidator, which the seed's users were created under.
USERNAME_PATTERN = re.compile(r"^[\w.@+-]+\Z")
# Deliberately loose (one @, a dotted domain, no spaces): the mail server is the real judge.
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+\Z")

USER_FIELDS = ("username", "email", "first_name", "last_name", "is_active", "password", "role_ids")
ROLE_FIELDS = ("name", "description", "is_active")


@dataclass(frozen=True)
class PermissionRecord:
    id: int
    codename: str
    name: str
    service: str
    entity: str
    action: str


@dataclass(frozen=True)
class UserRecord:
    id: int
    username: str
    email: str
    first_name: str
    last_name: str
    password_hash: str
    is_active: bool
    date_joined: datetime.datetime
    last_login: Optional[datetime.datetime]
    role_ids: tuple[int, ...] = ()
    groups: tuple[str, ...] = ()
    permissions: tuple[str, ...] = ()
    mfa_enabled: bool = False

    def public_view(self) -> dict:
        """The audited picture of a user: every field but the password hash."""
        return {"id": self.id, "username": self.username, "email": self.email,
                "first_name": self.first_name, "last_name": self.last_name, "is_active": self.is_active,
                "role_ids": list(self.role_ids)}


@dataclass(frozen=True)
class RoleRecord:
    id: int
    name: str
    description: str
    is_active: bool
    created_at: datetime.datetime
    updated_at: datetime.datetime
    permission_ids: tuple[int, ...] = ()
    user_count: int = 0

    def public_view(self) -> dict:
        return {"id": self.id, "name": self.name, "description": self.description, "is_active": self.is_active}


@dataclass(frozen=True)
class GroupPermissions:
    group_id: int
    group_name: str
    permissions: tuple[PermissionRecord, ...] = field(default_factory=tuple)


def clean_username(username: str) -> str:
    """The stored form of a username: NFKC, as Django normalises usernames, and trimmed."""
    return unicodedata.normalize("NFKC", username).strip()


def username_key(username: str) -> str:
    """The unique form of a username (and what a login is matched by): NFKC caseless."""
    return text.stored_key(text.caseless_key(clean_username(username)), MAX_NAME_LENGTH)


def email_key(email: str) -> Optional[str]:
    """The unique form of an e-mail, None when there is none (several users may have no e-mail)."""
    return text.stored_key(text.caseless_key(email), MAX_EMAIL_LENGTH) if email.strip() else None


def role_name_key(name: str) -> str:
    return text.stored_key(text.caseless_key(name), MAX_NAME_LENGTH)


def clean_user_values(values: dict, *, creating: bool) -> dict:
    """Trims the text fields and checks each one present; raises InvalidArgument with every problem.

    `values` holds only the fields being set. On create `username` and `password` are required.
    The password policy is checked separately (it needs the final username and e-mail).
    """
    cleaned = dict(values)
    problems: list[tuple[str, str]] = []
    for name in ("email", "first_name", "last_name"):
        if name in cleaned:
            cleaned[name] = unicodedata.normalize("NFC", cleaned[name] or "").strip()
            if problem := text.line_problem(cleaned[name]):
                problems.append((name, problem))
    if "username" in cleaned:
        cleaned["username"] = clean_username(cleaned["username"] or "")
    if creating:
        for name in ("username", "password"):
            if not cleaned.get(name):
                problems.append((name, "This field is required."))
    username = cleaned.get("username")
    if username is not None and username:
        if len(username) > MAX_NAME_LENGTH:
            problems.append(("username", f"Ensure this field has no more than {MAX_NAME_LENGTH} characters."))
        elif not USERNAME_PATTERN.match(username):
            problems.append(("username", "Enter a valid username. This value may contain only letters, "
                                         "numbers, and @/./+/-/_ characters."))
        elif scripts := text.mixed_scripts(username):
            # "аdmin" with a Cyrillic "а" would pass for "admin" in every list and log.
            problems.append(("username", f"Use letters of one script: this username mixes "
                                         f"{' and '.join(sorted(s.title() for s in scripts))} letters."))
    elif username is not None and not creating:
        problems.append(("username", "This field may not be blank."))
    email = cleaned.get("email")
    if email and not any(f == "email" for f, _ in problems):
        if len(email) > MAX_EMAIL_LENGTH or not EMAIL_PATTERN.match(email):
            problems.append(("email", "Enter a valid email address."))
    for name in ("first_name", "last_name"):
        if len(cleaned.get(name) or "") > MAX_NAME_LENGTH:
            problems.append((name, f"Ensure this field has no more than {MAX_NAME_LENGTH} characters."))
    if "password" in cleaned and not creating and not cleaned["password"]:
        problems.append(("password", "This field may not be blank."))
    if "role_ids" in cleaned:
        ids = list(dict.fromkeys(cleaned["role_ids"]))
        if any(i <= 0 for i in ids):
            problems.append(("role_ids", "Role ids are positive integers."))
        elif len(ids) > MAX_ROLES_PER_USER:
            problems.append(("role_ids", f"A user holds at most {MAX_ROLES_PER_USER} roles."))
        cleaned["role_ids"] = tuple(ids)
    if problems:
        raise InvalidArgument("; ".join(f"{f}: {d}" for f, d in problems), reason="INVALID_USER",
                              violations=problems)
    return cleaned


def clean_role_values(values: dict, *, creating: bool) -> dict:
    """Normalises the role name (single spaces) and checks the fields present."""
    cleaned = dict(values)
    problems: list[tuple[str, str]] = []
    if "name" in cleaned or creating:
        name = text.clean_name(cleaned.get("name") or "")
        cleaned["name"] = name
        if not name:
            problems.append(("name", "This field is required." if creating else "This field may not be blank."))
        elif len(name) > MAX_NAME_LENGTH:
            problems.append(("name", f"Ensure this field has no more than {MAX_NAME_LENGTH} characters."))
        elif problem := text.line_problem(name):
            problems.append(("name", problem))
    if "description" in cleaned:
        cleaned["description"] = (cleaned["description"] or "").strip()
        if len(cleaned["description"]) > MAX_DESCRIPTION_LENGTH:
            problems.append(("description", f"Ensure this field has no more than {MAX_DESCRIPTION_LENGTH} characters."))
        elif problem := text.text_problem(cleaned["description"]):
            problems.append(("description", problem))
    if problems:
        raise InvalidArgument("; ".join(f"{f}: {d}" for f, d in problems), reason="INVALID_ROLE",
                              violations=problems)
    return cleaned
