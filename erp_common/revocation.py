"""Revoked sessions and changed rights as every service sees them, kept current from auth_svc.

A logout (or a disabled user, a changed password, a reused refresh token, a revoked API key) adds
the session's `sid` to auth_svc's revocation feed. A change of rights (a role's permissions, a
user's roles, a role deactivated or deleted) adds, for each user it touches, the permissions the
user holds now: a token issued before the change keeps only the permissions of its claim that are
still among them, so a removed right stops working as soon as the service hears of it, while an
added one arrives with the next token (refresh or login). Each service runs a `RevocationList` in a
background thread: it subscribes to `AuthService.WatchRevocations`, falls back to polling
`ListRevocations` every `poll_seconds` while the stream is down, and answers `is_revoked(principal)`
from memory, so the check costs no network round trip per request. Entries are forgotten once every
token they could match has expired.

If auth_svc cannot be reached the list keeps what it has and tokens are still verified by signature
and expiry: revocation is best effort during an outage, not a reason to refuse all traffic.
The feed is not public: the calls carry the service credential (the edge shared secret).
"""
from __future__ import annotations

import collections
import dataclasses
import logging
import threading
import time
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator, Optional, Protocol

import grpc

from erp.auth.v1 import auth_service_pb2, auth_service_pb2_grpc
from erp_common.errors import token_failure
from erp_common.server import SERVICE_CREDENTIAL_HEADER
from erp_common.tokens import Principal

log = logging.getLogger(__name__)

PRUNE_INTERVAL_SECONDS = 60.0


@dataclass(frozen=True)
class RevokedSession:
    # Position in auth_svc's feed (the revocation row's id).
    cursor: int
    session_id: str
    # Tokens of the session issued at or before this time (epoch seconds) are refused.
    revoke_time: float
    # After this time no token of the session can still be valid, so the entry can go.
    expire_time: float
    # An authorization change instead of a session: the user (session_id is then empty) and the
    # permissions they hold since `revoke_time`.
    user_id: int = 0
    permissions: frozenset[str] = frozenset()


class RevocationSource(Protocol):
    def watch(self, cursor: int) -> Iterator[RevokedSession]: ...

    def list(self, cursor: int) -> list[RevokedSession]: ...

    def cancel(self) -> None: ...


class GrpcRevocationSource:
    """auth_svc's `WatchRevocations` stream and `ListRevocations` poll at `address`."""

    def __init__(self, address: str, credential: str, timeout_seconds: float = 3.0):
        # Keepalive pings notice a dead connection under an idle stream within ~25 s.
        self._channel = grpc.insecure_channel(address, options=[("grpc.keepalive_time_ms", 20000),
                                                                ("grpc.keepalive_timeout_ms", 5000)])
        self._stub = auth_service_pb2_grpc.AuthServiceStub(self._channel)
        self._metadata = ((SERVICE_CREDENTIAL_HEADER, credential),)
        self._timeout = timeout_seconds
        self._call = None
        self._lock = threading.Lock()

    def watch(self, cursor: int) -> Iterator[RevokedSession]:
        call = self._stub.WatchRevocations(auth_service_pb2.WatchRevocationsRequest(cursor=cursor),
                                           metadata=self._metadata)
        with self._lock:
            self._call = call
        try:
            for response in call:
                if response.HasField("revocation"):
                    yield from_proto(response.revocation)
        finally:
            with self._lock:
                self._call = None

    def list(self, cursor: int) -> list[RevokedSession]:
        response = self._stub.ListRevocations(auth_service_pb2.ListRevocationsRequest(cursor=cursor),
                                              metadata=self._metadata, timeout=self._timeout)
        return [from_proto(r) for r in response.revocations]

    def cancel(self) -> None:
        with self._lock:
            call = self._call
        if call is not None:
            call.cancel()


def from_proto(message) -> RevokedSession:
    return RevokedSession(cursor=message.cursor, session_id=message.session_id,
                          revoke_time=message.revoke_time.ToNanoseconds() / 1e9,
                          expire_time=message.expire_time.ToNanoseconds() / 1e9,
                          user_id=message.user_id, permissions=frozenset(message.permissions))


class RevocationList:
    """The revoked sessions in force, by session id, and the latest authorization change of each
    user, kept in the order they were learned."""

    def __init__(self, source: Optional[RevocationSource] = None, poll_seconds: float = 2.0,
                 clock: Callable[[], float] = time.time):
        self._source = source
        self._poll_seconds = poll_seconds
        self._clock = clock
        self._entries: collections.OrderedDict[str, RevokedSession] = collections.OrderedDict()
        self._rights: dict[int, RevokedSession] = {}
        self._cursor = 0
        self._lock = threading.Lock()
        self._pruned_at = clock()
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None
        # Set once the first poll succeeded: until then the list may miss revocations.
        self.synced = threading.Event()

    @classmethod
    def from_address(cls, address: str, credential: str, poll_seconds: float) -> "RevocationList":
        return cls(GrpcRevocationSource(address, credential), poll_seconds)

    @property
    def cursor(self) -> int:
        return self._cursor

    # --- reading ---------------------------------------------------------------------------
    def is_revoked(self, principal: Principal) -> bool:
        entry = self._entries.get(principal.session_id)
        if entry is None or entry.expire_time <= self._clock():
            return False
        return principal.issued_at <= entry.revoke_time

    def check(self, principal: Principal) -> Principal:
        """Returns the principal with the permissions it still holds, or raises Unauthenticated
        (SESSION_REVOKED) for a revoked session."""
        if self.is_revoked(principal):
            raise token_failure("SESSION_REVOKED")
        change = self._rights.get(principal.user_id)
        if change is None or change.expire_time <= self._clock() or principal.issued_at > change.revoke_time:
            return principal
        return dataclasses.replace(principal, permissions=principal.permissions & change.permissions)

    def in_force_after(self, cursor: int, overlap_seconds: float = 0.0) -> list[RevokedSession]:
        """Entries after `cursor`, plus those revoked within the last `overlap_seconds` whatever their
        cursor (a row can commit after a later-numbered one; resending it is harmless)."""
        now = self._clock()
        recent = now - overlap_seconds if overlap_seconds else float("inf")
        with self._lock:
            entries = [e for e in (*self._entries.values(), *self._rights.values())
                       if e.expire_time > now and (e.cursor > cursor or e.revoke_time >= recent)]
        return sorted(entries, key=lambda e: e.cursor)

    # --- writing ---------------------------------------------------------------------------
    def apply(self, revocations: Iterable[RevokedSession]) -> list[RevokedSession]:
        """Merges revocations (idempotent, any order); returns those that changed the list."""
        now = self._clock()
        changed = []
        with self._lock:
            for r in revocations:
                self._cursor = max(self._cursor, r.cursor)
                if r.expire_time <= now:
                    continue
                if r.user_id:
                    known = self._rights.get(r.user_id)
                    if known is not None and (known.revoke_time, known.cursor) >= (r.revoke_time, r.cursor):
                        continue
                    self._rights[r.user_id] = r
                    changed.append(r)
                    continue
                known = self._entries.get(r.session_id)
                if known is not None and known.revoke_time >= r.revoke_time:
                    continue
                self._entries.pop(r.session_id, None)
                self._entries[r.session_id] = r
                changed.append(r)
            if now - self._pruned_at >= PRUNE_INTERVAL_SECONDS:
                self._pruned_at = now
                for sid in [sid for sid, e in self._entries.items() if e.expire_time <= now]:
                    del self._entries[sid]
                for user_id in [u for u, e in self._rights.items() if e.expire_time <= now]:
                    del self._rights[user_id]
        return changed

    # --- background sync -------------------------------------------------------------------
    def start(self) -> "RevocationList":
        if self._source is None:
            raise RuntimeError("a RevocationList without a source is fed by apply()")
        self._thread = threading.Thread(target=self._run, name="revocation-list", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._source is not None:
            self._source.cancel()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _run(self) -> None:
        """Poll once, then follow the stream; whenever the stream ends or fails, poll again and
        retry it every `poll_seconds`, so a broken stream degrades to polling at that rate."""
        healthy = True
        while not self._stop.is_set():
            try:
                self.apply(self._source.list(self._cursor))
                self.synced.set()
                for revocation in self._source.watch(self._cursor):
                    self.apply([revocation])
                    if not healthy:
                        log.info("revocation stream restored")
                        healthy = True
            except Exception as exc:  # noqa: BLE001 - any failure means: poll and retry
                if self._stop.is_set():
                    break
                if healthy:
                    detail = exc.code() if isinstance(exc, grpc.Call) else exc
                    log.warning("revocation stream unavailable (%s); polling every %ss", detail, self._poll_seconds)
                    healthy = False
            self._stop.wait(self._poll_seconds)
