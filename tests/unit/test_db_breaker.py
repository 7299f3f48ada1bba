"""The database circuit breaker's state machine, on an injected clock, and how erp_common.db sorts
errors and turns a refusal into UNAVAILABLE with a retry delay."""
from __future__ import annotations

import asyncio
import time

import grpc
import peewee
import pytest
from google.rpc import error_details_pb2

from erp_common import db as dbutil
from erp_common import errors
from erp_common.breaker import CLOSED, HALF_OPEN, OPEN, BreakerOpen, CircuitBreaker


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def breaker(clock) -> CircuitBreaker:
    return CircuitBreaker(failure_threshold=3, retry_seconds=1.0, clock=clock)


def fail(breaker: CircuitBreaker, times: int = 1) -> None:
    for _ in range(times):
        breaker.release(breaker.acquire(), False)


def test_closed_lets_calls_through_and_answers_reset_the_failure_count(breaker):
    fail(breaker, 2)
    breaker.release(breaker.acquire(), True)  # the database answered: the count starts again
    fail(breaker, 2)
    assert breaker.state == CLOSED
    assert not breaker.acquire().trial


def test_consecutive_connection_failures_open_it_and_calls_are_refused(breaker):
    fail(breaker, 3)
    assert breaker.state == OPEN
    assert "3 consecutive" in breaker.reason
    with pytest.raises(BreakerOpen) as refused:
        breaker.acquire()
    assert refused.value.retry_after == 1.0
    assert not breaker.admits()


def test_calls_that_never_reached_the_database_count_for_nothing(breaker):
    for _ in range(5):
        breaker.release(breaker.acquire(), None)
    assert breaker.state == CLOSED


def test_after_the_retry_delay_one_trial_call_goes_through(breaker, clock):
    fail(breaker, 3)
    clock.now += 0.99
    with pytest.raises(BreakerOpen):
        breaker.acquire()
    clock.now += 0.01
    trial = breaker.acquire()
    assert trial.trial and breaker.state == HALF_OPEN
    with pytest.raises(BreakerOpen):  # only one trial at a time
        breaker.acquire()
    breaker.release(trial, True)
    assert breaker.state == CLOSED
    assert not breaker.acquire().trial


def test_a_failed_trial_keeps_it_open_for_another_delay(breaker, clock):
    fail(breaker, 3)
    clock.now += 1.0
    breaker.release(breaker.acquire(), False)
    assert breaker.state == OPEN
    clock.now += 0.5
    with pytest.raises(BreakerOpen):
        breaker.acquire()
    clock.now += 0.5
    assert breaker.acquire().trial


def test_a_trial_that_never_ran_lets_the_next_caller_try(breaker, clock):
    fail(breaker, 3)
    clock.now += 1.0
    trial = breaker.acquire()
    breaker.release(trial, None)
    assert breaker.state == OPEN
    assert breaker.acquire().trial


def test_a_permit_settles_once(breaker, clock):
    fail(breaker, 3)
    clock.now += 1.0
    trial = breaker.acquire()
    breaker.release(trial, None)
    breaker.release(trial, True)  # late report of the same call: ignored
    assert breaker.state == OPEN


def test_the_probe_opens_it_at_once_and_only_the_probe_closes_it(breaker, clock):
    breaker.probe(False, "probe: no answer in 2.0s")
    assert breaker.state == OPEN and breaker.reason == "probe: no answer in 2.0s"
    clock.now += 60  # no trial call while the probe says the database is down
    with pytest.raises(BreakerOpen):
        breaker.acquire()
    breaker.probe(True)
    assert breaker.state == CLOSED
    assert not breaker.acquire().trial


def test_the_probe_closes_a_breaker_opened_by_calls(breaker):
    fail(breaker, 3)
    breaker.probe(True)
    assert breaker.state == CLOSED


def test_failures_of_calls_admitted_before_it_opened_change_nothing(breaker, clock):
    held = [breaker.acquire() for _ in range(6)]  # in flight on a hung server
    breaker.probe(False)
    for permit in held:
        breaker.release(permit, False)
    breaker.probe(True)
    assert breaker.state == CLOSED
    assert not breaker.acquire().trial


def test_state_changes_are_reported(clock):
    seen = []
    breaker = CircuitBreaker(failure_threshold=1, retry_seconds=1.0, clock=clock,
                             on_change=lambda state, reason: seen.append(state))
    fail(breaker)
    clock.now += 1
    breaker.release(breaker.acquire(), True)
    assert seen == [OPEN, HALF_OPEN, CLOSED]


@pytest.mark.parametrize("exc, connection", [
    (peewee.OperationalError(2003, "Can't connect to MySQL server on '127.0.0.1' (timed out)"), True),
    (peewee.OperationalError(2013, "Lost connection to MySQL server during query (timed out)"), True),
    (peewee.OperationalError(2006, "MySQL server has gone away"), True),
    (peewee.InterfaceError(0, ""), True),
    (peewee.OperationalError(1213, "Deadlock found when trying to get lock"), False),
    (peewee.OperationalError(1205, "Lock wait timeout exceeded"), False),
    (peewee.IntegrityError(1062, "Duplicate entry"), False),
    (peewee.OperationalError("database is locked"), False),  # SQLite
    (errors.NotFound("no such row"), False),
])
def test_connection_failures_are_told_from_answers(exc, connection):
    assert dbutil.is_connection_failure(exc) is connection


def test_an_open_breaker_refuses_at_once_with_unavailable_and_a_retry_delay():
    database = peewee.SqliteDatabase(":memory:")
    breaker = dbutil.breaker_for(database)
    assert dbutil.breaker_for(database) is breaker
    ran = []
    breaker.probe(False, "probe: down")
    with pytest.raises(errors.Unavailable) as refused:
        asyncio.run(dbutil.run_in_worker(database, ran.append, 1))
    assert not ran
    status = errors.to_status_proto(refused.value)
    assert status.code == grpc.StatusCode.UNAVAILABLE.value[0] and status.message.startswith("database unavailable")
    retry = error_details_pb2.RetryInfo()
    assert any(d.Unpack(retry) for d in status.details)
    assert retry.retry_delay.seconds == 1
    breaker.probe(True)
    asyncio.run(dbutil.run_in_worker(database, ran.append, 1))
    assert ran == [1]


def test_a_call_whose_deadline_has_passed_is_not_run():
    database = peewee.SqliteDatabase(":memory:")
    ran = []

    async def call(deadline_in: float):
        dbutil.call_deadline.set(time.monotonic() + deadline_in)
        return await dbutil.run_in_worker(database, ran.append, deadline_in)

    with pytest.raises(errors.DeadlineExceeded):
        asyncio.run(call(-0.001))
    assert not ran
    asyncio.run(call(5.0))
    assert ran == [5.0]
    assert dbutil.breaker_for(database).state == CLOSED


def test_a_call_that_waited_for_a_thread_is_not_run_past_its_deadline_or_once_the_breaker_opened():
    """What the worker thread checks first, for a call queued behind threads held by a hung server."""
    database = peewee.SqliteDatabase(":memory:")
    breaker = dbutil.breaker_for(database)
    ran = []
    with pytest.raises(errors.DeadlineExceeded):
        dbutil._guarded_call(database, breaker, breaker.acquire(), time.monotonic() - 0.001, ran.append, (1,))
    permit = breaker.acquire()
    breaker.probe(False)
    with pytest.raises(errors.Unavailable):
        dbutil._guarded_call(database, breaker, permit, None, ran.append, (2,))
    assert not ran


@pytest.mark.parametrize("raised, expected, reason", [
    (peewee.OperationalError(2003, "Can't connect to MySQL server"), errors.Unavailable, "DATABASE_UNAVAILABLE"),
    (peewee.InterfaceError(0, ""), errors.Unavailable, "DATABASE_UNAVAILABLE"),
    (peewee.OperationalError(1213, "Deadlock found when trying to get lock"), errors.Aborted, "TRANSACTION_CONFLICT"),
    (peewee.OperationalError(1205, "Lock wait timeout exceeded"), errors.Aborted, "TRANSACTION_CONFLICT"),
])
def test_database_errors_leave_the_storage_call_as_domain_errors(raised, expected, reason):
    """What no layer above storage imports the driver for: the gRPC status comes from the domain error."""
    def fail():
        raise raised

    with pytest.raises(expected) as mapped:
        asyncio.run(dbutil.run_in_worker(peewee.SqliteDatabase(":memory:"), fail))
    assert mapped.value.reason == reason and mapped.value.__cause__ is raised
    with pytest.raises(expected):
        dbutil.run_guarded(peewee.SqliteDatabase(":memory:"), fail)


def test_any_other_database_error_stays_a_bug():
    """A constraint nobody translated is a defect (INTERNAL), not an outage to retry."""
    def fail():
        raise peewee.IntegrityError(1062, "Duplicate entry")

    with pytest.raises(peewee.IntegrityError):
        asyncio.run(dbutil.run_in_worker(peewee.SqliteDatabase(":memory:"), fail))
