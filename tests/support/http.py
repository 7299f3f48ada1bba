"""The tests' one HTTP client: `Http`, one request per connection (urllib), for every suite; and its
keep-alive form for the fault tests' load (`rest` over one http.client connection, `RestClient` one
connection per thread). Both send JSON with an optional bearer token and parse a JSON answer."""
from __future__ import annotations

import http.client
import json
import threading
import urllib.error
import urllib.request
from typing import Optional

from tests.support import ADMIN_PASSWORD


def decoded(content_type: str, payload: bytes):
    """A JSON answer parsed, anything else as text."""
    if "json" in content_type and payload:
        return json.loads(payload)
    return payload.decode(errors="replace")


class Http:
    """A plain HTTP client for one base URL; returns (status, headers, parsed JSON or text). urllib: it
    follows redirects, and an error status is returned like any other."""

    def __init__(self, base: str, timeout: float = 30.0):
        self.base = base
        self.timeout = timeout

    def request(self, method: str, path: str, body=None, token: str | None = None, headers: dict | None = None,
                raw: bytes | None = None):
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        req = urllib.request.Request(self.base + path, data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        if token:
            req.add_header("Authorization", f"Bearer {token}")
        for k, v in (headers or {}).items():
            req.add_header(k, v)
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                status, hdrs, payload = resp.status, resp.headers, resp.read()
        except urllib.error.HTTPError as err:
            status, hdrs, payload = err.code, err.headers, err.read()
        return status, hdrs, decoded(hdrs.get("content-type", ""), payload)

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, body, **kw)

    def put(self, path, body=None, **kw):
        return self.request("PUT", path, body, **kw)

    def patch(self, path, body=None, **kw):
        return self.request("PATCH", path, body, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)

    def login(self, username: str = "admin", password: str = ADMIN_PASSWORD) -> dict:
        status, _, body = self.post("/api/auth/login/", {"username": username, "password": password})
        assert status == 200, body
        return body


def rest(addr: str, method: str, path: str, body=None, token: str = "", timeout: float = 10.0,
         conn: Optional[http.client.HTTPConnection] = None, headers_out: Optional[dict] = None):
    """One REST call; (status, parsed JSON or text). Raises OSError on a timeout or a dead socket.
    `headers_out`, when given, receives the response headers (lower-case names)."""
    own = conn is None
    conn = conn or http.client.HTTPConnection(addr, timeout=timeout)
    headers = {"Content-Type": "application/json"} if body is not None else {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
        response = conn.getresponse()
        payload = response.read()
    finally:
        if own:
            conn.close()
    if headers_out is not None:
        headers_out.update((k.lower(), v) for k, v in response.getheaders())
    return response.status, decoded(response.getheader("content-type", ""), payload)


class RestClient:
    """One keep-alive connection per thread to the edge; reconnects after any failure. With
    `keep_headers` a call returns the response headers as a third item."""

    def __init__(self, addr: str, timeout: float, keep_headers: bool = False):
        self.addr = addr
        self.timeout = timeout
        self.keep_headers = keep_headers
        self._local = threading.local()

    def __call__(self, method: str, path: str, body=None, token: str = "") -> tuple:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = http.client.HTTPConnection(self.addr, timeout=self.timeout)
        headers: dict = {}
        try:
            status, payload = rest(self.addr, method, path, body, token, conn=conn, headers_out=headers)
        except (OSError, http.client.HTTPException) as exc:
            conn.close()
            self._local.conn = None
            if isinstance(exc, http.client.HTTPException):
                raise OSError(f"{type(exc).__name__}: {exc}") from None
            raise
        return (str(status), payload, headers) if self.keep_headers else (str(status), payload)
