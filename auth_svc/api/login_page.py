"""The HTML login page (the seed's `GET /api/auth/login_page/` then form `POST`): the form, the page
after signing in, and the headers both carry.

It works without JavaScript: a plain form-encoded POST, the answer a page saying who signed in and
how to use the token (a script only adds a copy button). A failure shows the form again with a
readable reason. The pages are answered with gRPC OK (google.api.HttpBody), so both edges serve
them as they are; the security headers travel as response metadata, which both edges pass on.
"""
from __future__ import annotations

import base64
import datetime
import hashlib
import html
import string
import urllib.parse
from importlib import resources

from auth_svc.usecases.authentication import TokenPair
from erp_common.errors import DomainError, InvalidArgument, ResourceExhausted

FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
HTML_CONTENT_TYPE = "text/html; charset=utf-8"
# A form post is small; anything bigger is not our form.
MAX_FORM_BYTES = 8192


def _template(name: str) -> str:
    return resources.files("auth_svc.api").joinpath(f"templates/{name}").read_text()


STYLE, SCRIPT = _template("login.css"), _template("copy.js")
FORM, SIGNED_IN = string.Template(_template("login.html")), string.Template(_template("signed_in.html"))


def _sha256(source: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(source.encode()).digest()).decode() + "'"


# Only our own inline style and script run (CSP hashes), nothing may frame the page (clickjacking),
# the form may post only here, and no page is kept by a cache or leaks its URL in a Referer.
HEADERS = (
    ("content-security-policy", f"default-src 'none'; style-src {_sha256(STYLE)}; script-src {_sha256(SCRIPT)}; "
                                "img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
    ("x-content-type-options", "nosniff"),
    ("cache-control", "no-store"),
    ("referrer-policy", "no-referrer"),
    ("x-frame-options", "DENY"),
)


def _input(name: str, label: str, kind: str = "text", value: str = "", autocomplete: str = "") -> str:
    return (f'<label for="{name}">{label}</label><input id="{name}" name="{name}" type="{kind}" '
            f'value="{html.escape(value)}" autocomplete="{autocomplete}" required>')


def form(message: str = "", username: str = "", kind: str = "error") -> bytes:
    """The username/password form, with `message` above it when a sign-in failed."""
    fields = (_input("username", "Username", value=username, autocomplete="username")
              + _input("password", "Password", "password", autocomplete="current-password"))
    return _render_form(message, kind, fields, "Sign in")


def mfa_form(mfa_token: str, message: str = "") -> bytes:
    """The second step for an account with MFA: a TOTP or recovery code."""
    fields = (f'<input type="hidden" name="mfa_token" value="{html.escape(mfa_token)}">'
              + _input("code", "Authenticator code or recovery code", autocomplete="one-time-code"))
    return _render_form(message or "This account uses two-factor authentication.", "error" if message else "notice",
                        fields, "Verify")


def _render_form(message: str, kind: str, fields: str, button: str) -> bytes:
    box = f'<p class="{kind}" role="alert">{html.escape(message)}</p>' if message else ""
    return FORM.substitute(style=STYLE, message=box, fields=fields, button=button).encode()


def signed_in(pair: TokenPair, now: float, host: str) -> bytes:
    expires = datetime.datetime.fromtimestamp(now + pair.expires_in, datetime.timezone.utc)
    groups = f" ({html.escape(', '.join(pair.user.groups))})" if pair.user.groups else ""
    return SIGNED_IN.substitute(style=STYLE, script=SCRIPT, username=html.escape(pair.user.username), groups=groups,
                                minutes=pair.expires_in // 60, expires=expires.strftime("%H:%M"),
                                token=html.escape(pair.access_token),
                                host=html.escape(host or "127.0.0.1:8000")).encode()


def parse_form(content_type: str, data: bytes) -> dict[str, str]:
    """The fields of a form-encoded body (the first value of each); INVALID_ARGUMENT for anything else."""
    if content_type.split(";")[0].strip().lower() != FORM_CONTENT_TYPE:
        raise InvalidArgument(f"the login form is sent as {FORM_CONTENT_TYPE}", reason="UNSUPPORTED_FORM",
                              violations=[("form", f"content type must be {FORM_CONTENT_TYPE}")])
    if len(data) > MAX_FORM_BYTES:
        raise InvalidArgument("the login form is too large", reason="UNSUPPORTED_FORM",
                              violations=[("form", f"at most {MAX_FORM_BYTES} bytes")])
    try:
        fields = urllib.parse.parse_qs(data.decode(), keep_blank_values=True, errors="strict")
    except UnicodeDecodeError:
        raise InvalidArgument("the login form is not UTF-8", reason="UNSUPPORTED_FORM",
                              violations=[("form", "not UTF-8")]) from None
    return {k: v[0] for k, v in fields.items()}


def failure_message(error: DomainError) -> str:
    """What a person reads when a sign-in failed: the service's own sentence, plus when to retry."""
    if isinstance(error, ResourceExhausted) and error.retry_after_seconds > 0:
        return f"{error.message.split('. ')[0].rstrip('.')}. Try again in {_duration(error.retry_after_seconds)}."
    if isinstance(error, InvalidArgument) and error.violations:
        return "Please fill in " + " and ".join(f for f, _ in error.violations) + "."
    return error.message


def _duration(seconds: float) -> str:
    seconds = max(1, round(seconds))
    if seconds < 90:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    return f"{round(seconds / 60)} minutes"
