"""auth_svc's housekeeping job over one SQLite file: what it deletes (only what no longer matters) and
that it runs as soon as the server starts, through the unit of work."""
from __future__ import annotations

import asyncio
import dataclasses
import secrets
import time

import pytest

from auth_svc.config import AuthConfig
from auth_svc.domain.throttle import RateWindow
from auth_svc.housekeeping import THROTTLE_STALE_SECONDS, Housekeeping
from auth_svc.server import prepare
from auth_svc.storage import models
from auth_svc.storage.models import from_epoch
from auth_svc.usecases import Stores


@pytest.fixture(scope="module")
def stores(tmp_path_factory) -> Stores:
    state = tmp_path_factory.mktemp("housekeeping")
    config = dataclasses.replace(AuthConfig.from_env(), db_url=f"sqlite:///{state / 'auth.sqlite3'}",
                                 keys_dir=state / "keys", data_keys_file=None, bcrypt_rounds=4,
                                 admin_password="Housekeeping-Passw0rd-1")
    return prepare(config).usecases.stores


def rows(stores: Stores, now: float) -> dict[str, dict[str, bool]]:
    """An expired and a live row of each kind the job looks after, by kind: name -> row id."""
    tag = secrets.token_hex(4)
    sessions, admin = stores.sessions, stores.accounts.user_by_username("admin").id
    for name, expires in (("old", now - 1), ("live", now + 300)):
        sessions.create_challenge(f"{tag}-{name}", admin, "", "", from_epoch(expires))
        sessions.revoke([f"{tag}-{name}"], "LOGOUT", from_epoch(expires))
    window = RateWindow(0).window(now)
    sessions.count_hit(f"{tag}-old", window - 2)
    sessions.count_hit(f"{tag}-live", window - 1)
    stale = from_epoch(now - THROTTLE_STALE_SECONDS - 1)
    models.LoginThrottle.insert_many([
        {"login_key": f"{tag}-old", "updated_at": stale},
        {"login_key": f"{tag}-locked", "updated_at": stale, "locked_until": now + 60},
        {"login_key": f"{tag}-live", "updated_at": from_epoch(now)}]).execute()
    return {"challenge": {f"{tag}-old": False, f"{tag}-live": True},
            "revocation": {f"{tag}-old": False, f"{tag}-live": True},
            "rate": {f"{tag}-old": False, f"{tag}-live": True},
            "throttle": {f"{tag}-old": False, f"{tag}-locked": True, f"{tag}-live": True}}


def kept(expected: dict[str, dict[str, bool]]) -> dict[str, dict[str, bool]]:
    keys = {"challenge": (models.MfaChallenge, models.MfaChallenge.token_hash),
            "revocation": (models.Revocation, models.Revocation.sid),
            "rate": (models.RateCounter, models.RateCounter.bucket),
            "throttle": (models.LoginThrottle, models.LoginThrottle.login_key)}
    return {kind: {name: model.select().where(column == name).exists() for name in names}
            for kind, names in expected.items() for model, column in [keys[kind]]}


def test_prune_deletes_only_what_no_longer_matters(stores):
    now = time.time()
    expected = stores.call_now(rows, stores, now)
    stores.call_now(Housekeeping(stores, clock=lambda: now).prune)
    assert stores.call_now(kept, expected) == expected


def test_the_job_prunes_when_it_starts_and_stops_on_close(stores):
    expected = stores.call_now(rows, stores, time.time())

    async def serve() -> dict:
        job = Housekeeping(stores)
        job.start()
        deadline = time.monotonic() + 10
        while await stores.call(kept, expected) != expected and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        await asyncio.wait_for(job.close(), 5)
        return await stores.call(kept, expected)

    assert asyncio.run(serve()) == expected
