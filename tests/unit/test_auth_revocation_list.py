"""The services' revocation list: matching, expiry, merging, and the stream-then-poll background sync."""
import dataclasses
import threading
import time

import grpc
import pytest

from erp_common.errors import Unauthenticated
from erp_common.revocation import RevocationList, RevokedSession
from erp_common.tokens import Principal


def principal(sid: str, issued_at: int) -> Principal:
    return Principal(user_id=1, username="u", groups=(), permissions=frozenset(), session_id=sid, token_id="j",
                     issued_at=issued_at, expires_at=issued_at + 3600)


class Clock:
    def __init__(self, now: float):
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_tokens_of_a_revoked_session_issued_before_the_revocation_are_refused():
    clock = Clock(1000.0)
    revocations = RevocationList(clock=clock)
    revocations.apply([RevokedSession(1, "s1", revoke_time=990.0, expire_time=1100.0)])
    assert revocations.is_revoked(principal("s1", 980))
    assert not revocations.is_revoked(principal("s1", 995)), "issued after the revocation"
    assert not revocations.is_revoked(principal("s2", 980))
    with pytest.raises(Unauthenticated) as exc:
        revocations.check(principal("s1", 980))
    assert exc.value.reason == "SESSION_REVOKED"
    clock.now = 1100.0
    assert not revocations.is_revoked(principal("s1", 980)), "past expire_time no token can match"


def test_apply_is_idempotent_keeps_the_latest_and_reports_changes():
    revocations = RevocationList(clock=Clock(0.0))
    first = RevokedSession(5, "s", 10.0, 100.0)
    assert revocations.apply([first]) == [first]
    assert revocations.apply([first]) == []
    late = RevokedSession(3, "t", 20.0, 100.0)
    assert revocations.apply([late]) == [late], "a row that committed late still counts"
    assert revocations.cursor == 5
    newer = RevokedSession(6, "s", 50.0, 100.0)
    revocations.apply([newer])
    assert [e.cursor for e in revocations.in_force_after(4)] == [6]
    assert {e.session_id for e in revocations.in_force_after(10, overlap_seconds=100)} == {"s", "t"}
    assert revocations.apply([RevokedSession(7, "old", 0.0, -1.0)]) == [], "already expired"


def test_an_authorization_change_narrows_tokens_issued_before_it():
    clock = Clock(1000.0)
    revocations = RevocationList(clock=clock)
    holder = Principal(user_id=7, username="u", groups=(), permissions=frozenset({"a", "b"}), session_id="s",
                       token_id="j", issued_at=980, expires_at=4580)
    later = Principal(user_id=7, username="u", groups=(), permissions=frozenset({"a", "c"}), session_id="s",
                      token_id="k", issued_at=995, expires_at=4595)
    change = RevokedSession(3, "", 990.0, 1100.0, user_id=7, permissions=frozenset({"a", "c"}))
    assert revocations.apply([change]) == [change]
    assert revocations.check(holder).permissions == {"a"}, "b was taken away; c arrives with the next token"
    assert revocations.check(later) is later, "a token issued after the change is as issued"
    assert revocations.check(dataclasses.replace(holder, user_id=8)).permissions == {"a", "b"}, "another user"
    older = RevokedSession(2, "", 985.0, 1100.0, user_id=7, permissions=frozenset({"a", "b"}))
    assert revocations.apply([older]) == [], "the latest change of a user wins"
    assert revocations.apply([change]) == [], "idempotent"
    newest = RevokedSession(4, "", 996.0, 1100.0, user_id=7, permissions=frozenset())
    revocations.apply([newest])
    assert revocations.check(later).permissions == frozenset()
    assert [e.cursor for e in revocations.in_force_after(3)] == [4], "streamed to followers like revocations"
    assert not revocations.is_revoked(holder), "the session itself goes on"
    clock.now = 1200.0
    assert revocations.check(holder).permissions == {"a", "b"}, "past expire_time no such token is valid anyway"


class FlakySource:
    """A stream that fails until `stream_ok` is set, and a poll that always works."""

    def __init__(self):
        self.entries: list[RevokedSession] = []
        self.polls = 0
        self.stream_ok = threading.Event()
        self.pushed = threading.Condition()
        self.cancelled = threading.Event()

    def list(self, cursor):
        self.polls += 1
        return [e for e in self.entries if e.cursor > cursor]

    def watch(self, cursor):
        if not self.stream_ok.is_set():
            raise grpc.RpcError("stream down")
        sent = cursor
        while not self.cancelled.is_set():
            with self.pushed:
                self.pushed.wait(0.05)
            for e in [e for e in self.entries if e.cursor > sent]:
                sent = e.cursor
                yield e

    def cancel(self):
        self.cancelled.set()

    def push(self, entry):
        self.entries.append(entry)
        with self.pushed:
            self.pushed.notify_all()


def wait_until(condition, timeout=3.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return False


def test_background_sync_polls_while_the_stream_is_down_then_follows_the_stream():
    source = FlakySource()
    source.entries.append(RevokedSession(1, "early", time.time(), time.time() + 60))
    revocations = RevocationList(source, poll_seconds=0.05).start()
    try:
        assert revocations.synced.wait(2)
        assert revocations.is_revoked(principal("early", 0))
        source.push(RevokedSession(2, "polled", time.time(), time.time() + 60))
        assert wait_until(lambda: revocations.is_revoked(principal("polled", 0))), "picked up by polling"
        assert source.polls >= 2
        source.stream_ok.set()
        assert wait_until(lambda: source.polls and revocations.cursor == 2)
        polls = source.polls
        time.sleep(0.2)
        source.push(RevokedSession(3, "streamed", time.time(), time.time() + 60))
        assert wait_until(lambda: revocations.is_revoked(principal("streamed", 0)))
        assert source.polls <= polls + 1, "no polling while the stream is up"
    finally:
        revocations.stop()


def test_a_list_without_a_source_cannot_start():
    with pytest.raises(RuntimeError):
        RevocationList().start()
