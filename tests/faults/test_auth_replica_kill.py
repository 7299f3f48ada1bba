"""One of two auth_svc replicas SIGKILLed under load behind Envoy: logins, authenticated auth lists and
clients that refresh their session again and again (each answer's refresh token replaces the one
presented). The other replica serves. Only calls in flight at the kill may fail (503 JSON); every call
made once Envoy has seen the connection go succeeds. Rotation stays consistent: a refresh that failed
is presented again, and the session survives even when the dead replica had committed its rotation
before dying (the answer with the new token was lost): the retry falls inside the default
ERP_REFRESH_REUSE_GRACE, so no session is lost (with 0, one per kill was), and every session's stored
refresh jti is the one its client holds. The killed replica serves again once restarted."""
from __future__ import annotations

import time

from erp_testing.prometheus import scrape
from tests.support.faults import (ADMIN_PASSWORD, Call, Load, jwt_claims, kill_replica_under_load, latency_figures,
                                  report, wait_until)
from tests.support.http import RestClient

REST_DEADLINE = 15.0
AFTER_KILL_SECONDS = 2.5
SESSIONS = 4
CLIENT_THREADS = SESSIONS + 3
CREDENTIALS = {"username": "admin", "password": ADMIN_PASSWORD}


class RotatingSession:
    """One client's login session, refreshed in a loop. A 200 replaces the refresh token; a 503 keeps
    it, to be presented again; a 401 means the session ended, and the client logs in again."""

    def __init__(self, edge: RestClient):
        self.edge = edge
        self.token = ""
        self.sids: list[str] = []  # every session this client has had, the current one last
        self._log_in()

    def _log_in(self) -> None:
        for _ in range(20):
            outcome, body = self.edge("POST", "/api/auth/login/", CREDENTIALS)
            if outcome == "200":
                self.token = body["refresh_token"]
                self.sids.append(jwt_claims(self.token)["sid"])
                return
            time.sleep(0.1)
        raise AssertionError(f"no login within 20 tries: {outcome} {body}")

    def presented(self) -> str:
        return self.token

    def __call__(self, token: str) -> tuple[str, object]:
        outcome, body = self.edge("POST", "/api/auth/refresh/", {"refresh_token": token})
        if outcome == "200":
            self.token = body["refresh_token"]
        elif outcome == "401":
            self._log_in()
        return outcome, body


def _served_user_lists(metrics_addr: str) -> float:
    return scrape(metrics_addr).value("erp_rpc_requests_total", service="erp.auth.v1.UserService",
                                      method="ListUsers", code="OK")


def _session_rows(faults, sids: list[str]) -> dict[str, tuple]:
    marks = ",".join(["%s"] * len(sids))
    rows = faults.sql(faults.auth_db, "SELECT sid, current_refresh_jti, previous_refresh_jti, revoked_at, revoke_reason "
                                      f"FROM auth_session WHERE sid IN ({marks})", sids)
    return {sid: rest for sid, *rest in rows}


def test_killing_an_auth_replica_under_load(faults):
    token = faults.login()["access_token"]
    edge = RestClient(faults.edge, REST_DEADLINE)
    sessions = [RotatingSession(edge) for _ in range(SESSIONS)]
    load = Load(max_seconds=30)
    for session in sessions:
        load.add("rest-refresh", session, REST_DEADLINE, key=session.presented)
    load.add("rest-login", lambda _: edge("POST", "/api/auth/login/", CREDENTIALS), REST_DEADLINE)
    load.add("rest-users", lambda _: edge("GET", "/api/auth/users/?page_size=5", token=token), REST_DEADLINE)
    load.add("rest-roles", lambda _: edge("GET", "/api/auth/roles/?page_size=5", token=token), REST_DEADLINE)
    victim, survivor = faults.replicas("auth_svc")
    victim_metrics = victim.env["ERP_AUTH_METRICS_ADDR"]
    load.start()
    try:
        wait_until(lambda: all(sum(c.ok for c in load.of(k)) >= 10 for k in ("rest-refresh", "rest-login",
                                                                            "rest-users", "rest-roles")),
                   15, "load running on both replicas")
        assert _served_user_lists(victim_metrics) > 0, "the victim served no list before the kill"
        kill = kill_replica_under_load(faults, load, victim, lambda: _served_user_lists(victim_metrics),
                                       AFTER_KILL_SECONDS, timeout=15)
    finally:
        load.stop()

    calls = load.all()
    refreshes = load.of("rest-refresh")
    # A 401 to a refresh is reuse detection: the client presented again the token of a refresh that
    # failed at the kill, whose rotation the dead replica had committed.
    reuse = [c for c in refreshes if c.outcome == "401"]
    failed = [c for c in calls if not c.ok and c not in reuse]
    at_kill, after_kill = kill.split(failed)
    assert len(at_kill) <= CLIENT_THREADS, (len(at_kill), kill.in_flight)
    assert not after_kill, after_kill[:5]
    assert all(c.outcome == "503" and isinstance(c.body, dict) and c.body.get("code") == 503
               and c.body.get("status") == "UNAVAILABLE" for c in failed), failed[:5]
    assert kill.served_after >= 20 and survivor.proc.poll() is None

    rotations_in_flight = [c for c in at_kill if c.kind == "rest-refresh"]
    lost = _lost_sessions(faults, reuse, rotations_in_flight)
    assert not lost, f"sessions ended by a retried refresh despite the default reuse grace: {sorted(lost)}"
    _assert_current_tokens_stored(faults, sessions, lost)
    report("auth_replica_kill", {
        "calls": len(calls), "client_calls_in_flight_at_kill": kill.in_flight,
        "failed_at_kill": len(at_kill), "failed_after_kill_noticed": len(after_kill), "calls_after_kill": kill.served_after,
        "failed_kinds": sorted({c.kind for c in failed}),
        "refreshes": len(refreshes), "refreshes_ok": sum(c.ok for c in refreshes),
        "rotations_in_flight_at_kill": len(rotations_in_flight), "sessions_lost": len(lost),
        "success_latency": latency_figures([c.seconds for c in calls if c.ok]),
        "restarted_replica_serving_after_s": round(kill.back_after, 2),
    })


def _lost_sessions(faults, reuse: list[Call], rotations_in_flight: list[Call]) -> set[str]:
    """Every ended session had a refresh in flight at the kill, with the token presented again, and
    the database shows why: the rotation of that token was committed, and the retry was reuse."""
    failed_tokens = {c.key for c in rotations_in_flight}
    assert all(c.key in failed_tokens for c in reuse), [jwt_claims(c.key) for c in reuse]
    lost = {jwt_claims(c.key)["sid"] for c in reuse}
    assert len(lost) <= len(rotations_in_flight)
    rows = _session_rows(faults, sorted(lost)) if lost else {}
    for c in reuse:
        claims = jwt_claims(c.key)
        current, previous, revoked_at, reason = rows[claims["sid"]]
        assert previous == claims["jti"] and current != claims["jti"], (claims, rows[claims["sid"]])
        assert revoked_at is not None and reason == "REFRESH_REUSE_DETECTED", rows[claims["sid"]]
    return lost


def _assert_current_tokens_stored(faults, sessions: list[RotatingSession], lost: set[str]) -> None:
    """Each client's session is live with the refresh jti it holds; its earlier sessions are the lost ones."""
    current = {s.sids[-1]: jwt_claims(s.token)["jti"] for s in sessions}
    rows = _session_rows(faults, sorted(current))
    for sid, jti in current.items():
        stored_jti, _, revoked_at, reason = rows[sid]
        assert stored_jti == jti and revoked_at is None, (sid, jti, rows[sid])
    assert {sid for s in sessions for sid in s.sids[:-1]} == lost
    for s in sessions:
        outcome, body = s(s.token)
        assert outcome == "200", body
