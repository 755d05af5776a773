"""The one retry policy: backoff schedule, Retry-After, what is retried, and at-most-once writes."""

from __future__ import annotations

import http.client

import pytest

from ilt_bot.workspace.errors import InvalidRequest, NotFound, RateLimited, Unavailable
from ilt_bot.workspace.retry import RetryPolicy, is_retryable


def policy(**kw):
    slept: list[float] = []
    p = RetryPolicy(sleep=slept.append, rand=lambda: 0.5, **kw)
    return p, slept


def failing(errors, result="ok"):
    """A callable raising each error in turn, then returning ``result``; counts calls."""
    calls = {"n": 0}

    def fn():
        calls["n"] += 1
        if errors:
            raise errors.pop(0)
        return result

    return fn, calls


def test_backoff_doubles_from_one_second_with_jitter_and_caps_at_32():
    p, _ = policy(max_attempts=10)
    assert [p.delay(i) for i in range(8)] == [1.5, 2.5, 4.5, 8.5, 16.5, 32.5, 32.5, 32.5]


def test_jitter_stays_below_one_second():
    p = RetryPolicy(rand=lambda: 0.999)
    assert 1.0 <= p.delay(0) < 2.0
    p = RetryPolicy(rand=lambda: 0.0)
    assert p.delay(0) == 1.0


def test_retry_after_header_wins_over_backoff():
    p, slept = policy()
    fn, calls = failing([RateLimited("slow down", retry_after=7.0)])
    assert p.call(fn) == "ok"
    assert slept == [7.0] and calls["n"] == 2


@pytest.mark.parametrize(
    "error",
    [RateLimited("429"), Unavailable("503"), ConnectionResetError("reset"), http.client.RemoteDisconnected("gone"),
     TimeoutError("slow")],
)
def test_retryable_failures_are_retried_until_success(error):
    p, slept = policy()
    fn, calls = failing([error, error])
    assert p.call(fn) == "ok"
    assert calls["n"] == 3
    assert slept == [1.5, 2.5]


@pytest.mark.parametrize("error", [NotFound("gone"), InvalidRequest("bad"), ValueError("bug")])
def test_other_failures_are_raised_at_once(error):
    p, slept = policy()
    fn, calls = failing([error])
    with pytest.raises(type(error)):
        p.call(fn)
    assert calls["n"] == 1 and slept == []


def test_gives_up_after_max_attempts_and_reports_unavailable_for_connection_errors():
    p, slept = policy(max_attempts=4)
    fn, calls = failing([ConnectionResetError()] * 10)
    with pytest.raises(Unavailable, match="no answer from Google"):
        p.call(fn, what="Creating Doc")
    assert calls["n"] == 4 and len(slept) == 3


def test_once_does_not_resend_a_write_whose_answer_was_lost():
    p, _ = policy()
    fn, calls = failing([ConnectionResetError("answer lost")], result="second copy")
    looked = {"n": 0}

    def recover():
        looked["n"] += 1
        return "the first copy"

    assert p.once(fn, recover) == "the first copy"
    assert calls["n"] == 1 and looked["n"] == 1


def test_once_resends_when_the_write_did_not_happen():
    p, _ = policy()
    fn, calls = failing([Unavailable("500")], result="created")
    assert p.once(fn, lambda: None) == "created"
    assert calls["n"] == 2


def test_once_retries_its_own_lookup():
    p, _ = policy()
    fn, calls = failing([Unavailable("500")])
    lookup, lookups = failing([RateLimited("429")], result="found")
    assert p.once(fn, lookup) == "found"
    assert calls["n"] == 1 and lookups["n"] == 2


def test_is_retryable():
    assert is_retryable(RateLimited("x")) and is_retryable(Unavailable("x")) and is_retryable(OSError())
    assert not is_retryable(NotFound("x")) and not is_retryable(KeyError("x"))
