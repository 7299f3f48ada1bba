"""Staged key rotation: a new key is published at once and signs only after the activation delay."""
import datetime

from auth_svc.keystore import KeyStore, created_at


class Clock:
    def __init__(self, now: float):
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_kid_encodes_its_creation_time():
    assert created_at("20260102T030405123456-abcd") == datetime.datetime(
        2026, 1, 2, 3, 4, 5, 123456, tzinfo=datetime.timezone.utc).timestamp()
    assert created_at("20260102T030405-abcd") == datetime.datetime(
        2026, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc).timestamp()
    assert created_at("hand-made") == 0.0


def test_rotation_publishes_first_and_signs_after_the_delay(tmp_path):
    clock = Clock(1_800_000_000.0)
    keys = KeyStore(tmp_path, check_interval=0, activation_seconds=360, clock=clock)
    first = keys.ensure_key()
    assert keys.signing_kid() == first, "the first key signs at once: there is no other"
    clock.now += 10
    second = keys.add_key()
    assert {j["kid"] for j in keys.jwks()} == {first, second}
    assert keys.signing_kid() == first
    clock.now += 359
    assert keys.signing_kid() == first
    clock.now += 1
    assert keys.signing_kid() == second
    assert keys.public_key(first) is not None, "the old key keeps verifying until it is retired"
    keys.retire_key(first)
    assert keys.public_key(first) is None and [j["kid"] for j in keys.jwks()] == [second]


def test_two_keys_made_together_sign_oldest_first(tmp_path):
    clock = Clock(1_800_000_000.0)
    keys = KeyStore(tmp_path, check_interval=0, activation_seconds=60, clock=clock)
    first = keys.ensure_key()
    clock.now += 0.001
    second = keys.add_key()
    assert keys.signing_kid() == first
    clock.now += 60
    assert keys.signing_kid() == second
