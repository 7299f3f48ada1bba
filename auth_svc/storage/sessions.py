"""Sessions, the revocation feed, login throttling and MFA login challenges.

Every check-and-set here is a single conditional UPDATE or runs under a row lock, so the rules hold
when several replicas serve the same user at once.
"""
from __future__ import annotations

import datetime
from typing import Callable, Optional, Sequence, TypeVar

import peewee

from auth_svc.domain.sessions import SessionRecord
from auth_svc.domain.throttle import AccountThrottle
from auth_svc.storage import models
from auth_svc.storage.models import from_epoch, to_epoch, utcnow
from erp_common.db_connect import is_mysql
from erp_common.revocation import RevokedSession

T = TypeVar("T")


def _session(row: models.Session) -> SessionRecord:
    return SessionRecord(row.sid, row.user_id, row.ip_address, row.user_agent, row.created_at, row.last_refresh_at,
                         row.expires_at, row.revoked_at)


class SessionRepository:
    def __init__(self, db: peewee.Database):
        self.db = db
        self._mysql = is_mysql(db)

    def _locked(self):
        """A transaction that holds the write lock from its start (SQLite has no SELECT ... FOR UPDATE)."""
        return self.db.atomic() if self._mysql else self.db.atomic("IMMEDIATE")

    # --- sessions --------------------------------------------------------------------------
    def create_session(self, sid: str, user_id: int, ip: str, user_agent: str, refresh_jti: str,
                       expires_at: datetime.datetime) -> None:
        models.Session.create(sid=sid, user=user_id, ip_address=ip[:64], user_agent=user_agent[:512],
                              current_refresh_jti=refresh_jti, expires_at=expires_at)

    def session(self, sid: str) -> Optional[SessionRecord]:
        row = models.Session.get_or_none(models.Session.sid == sid)
        return _session(row) if row else None

    def rotate_refresh(self, sid: str, presented_jti: str, new_jti: str, expires_at: datetime.datetime) -> bool:
        """Atomically swaps the session's refresh jti; False when `presented_jti` is not current."""
        now = utcnow()
        updated = (models.Session.update(current_refresh_jti=new_jti, previous_refresh_jti=presented_jti,
                                         rotated_at=now, last_refresh_at=now, expires_at=expires_at)
                   .where((models.Session.sid == sid) & (models.Session.current_refresh_jti == presented_jti)
                          & models.Session.revoked_at.is_null())
                   .execute())
        return updated == 1

    def retry_within_grace(self, sid: str, presented_jti: str, new_jti: str, expires_at: datetime.datetime,
                           grace_seconds: int) -> bool:
        """Accepts the token retired by the last rotation again if that rotation is less than
        `grace_seconds` old (a client retrying a refresh whose answer it lost); the rotation time
        is kept, so retries cannot stretch the window. Whole seconds on MariaDB."""
        if grace_seconds <= 0 or not presented_jti:
            return False
        now = utcnow()
        updated = (models.Session.update(current_refresh_jti=new_jti, last_refresh_at=now, expires_at=expires_at)
                   .where((models.Session.sid == sid) & (models.Session.previous_refresh_jti == presented_jti)
                          & (models.Session.rotated_at >= now - datetime.timedelta(seconds=grace_seconds))
                          & models.Session.revoked_at.is_null())
                   .execute())
        return updated == 1

    def active_sessions(self, user_id: int) -> list[SessionRecord]:
        rows = (models.Session.select()
                .where((models.Session.user == user_id) & models.Session.revoked_at.is_null()
                       & (models.Session.expires_at > utcnow()))
                .order_by(models.Session.created_at.desc(), models.Session.id.desc()))
        return [_session(r) for r in rows]

    def revoke(self, sids: Sequence[str], reason: str, expire_time: datetime.datetime) -> int:
        """Ends the sessions (those not ended yet) and publishes every sid on the revocation feed.
        Returns the number of sessions that were still active."""
        if not sids:
            return 0
        now = utcnow()
        with self.db.atomic():
            ended = (models.Session.update(revoked_at=now, revoke_reason=reason)
                     .where(models.Session.sid.in_(list(sids)) & models.Session.revoked_at.is_null()).execute())
            models.Revocation.insert_many([{"sid": sid, "revoke_time": now, "expire_time": expire_time,
                                            "reason": reason} for sid in sids]).execute()
        return ended

    def publish_rights(self, rights: Sequence[tuple[int, Sequence[str]]], reason: str,
                       expire_time: datetime.datetime) -> None:
        """Publishes on the feed, for each (user id, permissions), that the user holds these now."""
        if rights:
            now = utcnow()
            models.Revocation.insert_many([{"sid": "", "user_id": user_id, "permissions": sorted(permissions),
                                            "revoke_time": now, "expire_time": expire_time, "reason": reason}
                                           for user_id, permissions in rights]).execute()

    # --- the revocation feed ---------------------------------------------------------------
    def revocations_since(self, cursor: int, revoked_since: datetime.datetime) -> list[RevokedSession]:
        """Revocations in force with an id above `cursor` or revoked at or after `revoked_since`."""
        rows = (models.Revocation.select()
                .where(((models.Revocation.id > cursor) | (models.Revocation.revoke_time >= revoked_since))
                       & (models.Revocation.expire_time > utcnow()))
                .order_by(models.Revocation.id))
        return [RevokedSession(r.id, r.sid, to_epoch(r.revoke_time), to_epoch(r.expire_time), user_id=r.user_id or 0,
                               permissions=frozenset(r.permissions or ())) for r in rows]

    def prune(self, now: float, stale_before: float, oldest_rate_window: int) -> None:
        """Deletes what no longer matters: expired revocations and challenges, finished rate windows
        and throttle rows that have been quiet since `stale_before` and hold no lock."""
        moment = from_epoch(now)
        models.Revocation.delete().where(models.Revocation.expire_time <= moment).execute()
        models.MfaChallenge.delete().where(models.MfaChallenge.expires_at <= moment).execute()
        models.RateCounter.delete().where(models.RateCounter.window_index < oldest_rate_window).execute()
        (models.LoginThrottle.delete()
         .where((models.LoginThrottle.updated_at < from_epoch(stale_before)) & (models.LoginThrottle.locked_until < now))
         .execute())

    # --- login throttling ------------------------------------------------------------------
    def update_throttle(self, login_key: str,
                        step: Callable[[AccountThrottle], tuple[AccountThrottle, T]]) -> T:
        """Runs `step` on the key's state under a row lock and stores the state it returns."""
        table = models.LoginThrottle
        query = table.select().where(table.login_key == login_key)
        if not query.exists():
            # Created outside the locking transaction: two transactions locking the same missing
            # row would take gap locks on InnoDB and deadlock on their inserts.
            table.insert(login_key=login_key).on_conflict_ignore().execute()
        with self._locked():
            row = (query.for_update() if self._mysql else query).get()
            state = AccountThrottle(row.failures, row.lockouts, row.locked_until)
            new_state, result = step(state)
            if new_state != state:
                (table.update(failures=new_state.failures, lockouts=new_state.lockouts,
                              locked_until=new_state.locked_until, updated_at=utcnow())
                 .where(table.id == row.id).execute())
        return result

    def reset_throttle(self, login_key: str) -> None:
        table = models.LoginThrottle
        (table.update(failures=0, lockouts=0, locked_until=0.0, updated_at=utcnow())
         .where((table.login_key == login_key) & ((table.failures > 0) | (table.lockouts > 0))).execute())

    def count_hit(self, bucket: str, window_index: int) -> int:
        """Adds one request to the bucket's window and returns the window's count."""
        table = models.RateCounter
        insert = table.insert(bucket=bucket, window_index=window_index, hits=1)
        if self._mysql:
            insert.on_conflict(update={table.hits: table.hits + 1}).execute()
        else:
            insert.on_conflict(conflict_target=[table.bucket, table.window_index],
                               update={table.hits: table.hits + 1}).execute()
        return (table.select(table.hits)
                .where((table.bucket == bucket) & (table.window_index == window_index)).scalar())

    def hits_in(self, bucket: str, window_index: int) -> int:
        """The count of one finished window (0 when there was none)."""
        table = models.RateCounter
        return (table.select(table.hits)
                .where((table.bucket == bucket) & (table.window_index == window_index)).scalar()) or 0

    # --- MFA login challenges --------------------------------------------------------------
    def create_challenge(self, token_hash: str, user_id: int, ip: str, user_agent: str,
                         expires_at: datetime.datetime) -> None:
        models.MfaChallenge.create(token_hash=token_hash, user=user_id, ip_address=ip[:64],
                                   user_agent=user_agent[:512], expires_at=expires_at)

    def challenge_user(self, token_hash: str) -> Optional[int]:
        """The user of an unused, unexpired challenge, else None."""
        row = models.MfaChallenge.get_or_none((models.MfaChallenge.token_hash == token_hash)
                                              & models.MfaChallenge.used_at.is_null()
                                              & (models.MfaChallenge.expires_at > utcnow()))
        return row.user_id if row else None

    def consume_challenge(self, token_hash: str) -> bool:
        """Marks the challenge used; False when it was used (or expired) meanwhile."""
        return (models.MfaChallenge.update(used_at=utcnow())
                .where((models.MfaChallenge.token_hash == token_hash) & models.MfaChallenge.used_at.is_null()
                       & (models.MfaChallenge.expires_at > utcnow()))
                .execute()) == 1
