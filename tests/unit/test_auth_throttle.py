"""Lockout and rate-window rules as pure state transitions."""
from auth_svc.domain.throttle import AccountThrottle, LockoutPolicy, RateWindow, admit, settle_failure

POLICY = LockoutPolicy(threshold=3, base_seconds=60, max_seconds=900)


def fail_until_locked(state, now):
    for _ in range(POLICY.threshold):
        state, wait = admit(state, POLICY, now)
        assert wait == 0
        state = settle_failure(state, POLICY, now)
    return state


def test_lock_doubles_and_is_capped():
    assert [POLICY.lock_seconds(n) for n in range(6)] == [60, 120, 240, 480, 900, 900]
    assert POLICY.lock_seconds(10_000) == 900


def test_threshold_failures_lock_then_the_lock_expires_and_doubles_next_time():
    state = fail_until_locked(AccountThrottle(), now=1000.0)
    assert state.locked_until == 1060.0 and state.lockouts == 1 and state.failures == 0
    refused, wait = admit(state, POLICY, 1030.0)
    assert (refused, wait) == (state, 30.0)
    state = fail_until_locked(state, now=1061.0)
    assert state.locked_until == 1061.0 + 120


def test_fewer_failures_do_not_lock():
    state = AccountThrottle()
    for _ in range(POLICY.threshold - 1):
        state, _ = admit(state, POLICY, 0.0)
        state = settle_failure(state, POLICY, 0.0)
    assert state.locked_until == 0.0 and state.failures == POLICY.threshold - 1


def test_attempts_in_flight_count_before_they_fail():
    """Parallel guesses: the fourth is refused while the first three are still being checked."""
    state = AccountThrottle()
    for _ in range(POLICY.threshold):
        state, wait = admit(state, POLICY, 0.0)
        assert wait == 0
    _, wait = admit(state, POLICY, 0.0)
    assert wait == 60.0


def test_rate_window():
    window = RateWindow(limit=2)
    assert window.window(125.0) == 2 and window.retry_after(125.0, 3, 0) == 55.0
    assert [window.exceeded(125.0, n, 0) for n in (1, 2, 3)] == [False, False, True]
    assert not RateWindow(limit=0).exceeded(125.0, 10**6, 10**6)


def test_rate_window_slides_over_the_boundary():
    window = RateWindow(limit=10)
    # Ten requests just before a boundary: the first ones after it are still refused...
    assert window.exceeded(121.0, 1, 10)              # 10 * (59/60) + 1 > 10
    # ...until the previous window has faded enough: at 30 s in, half of it still counts.
    assert not window.exceeded(150.0, 1, 10)          # 10 * 0.5 + 1 <= 10
    assert window.exceeded(150.0, 6, 10)              # 5 + 6 > 10
    retry = window.retry_after(121.0, 1, 10)
    assert 1.0 <= retry <= 59.0 and not window.exceeded(121.0 + retry, 1, 10)
