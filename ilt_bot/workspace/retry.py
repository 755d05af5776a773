"""One retry policy for every Google call: truncated exponential backoff with jitter.

Retried: 429, 5xx, the rate-limit 403s (rateLimitExceeded, userRateLimitExceeded,
sharingRateLimitExceeded) and dropped connections; a ``Retry-After`` header is honoured. Waits are
1 s, 2 s, 4 s ... capped at 32 s, plus up to 1 s of jitter (Google's recommendation).

Writes that are not idempotent (creates, appends, adding tabs or questions) use :meth:`RetryPolicy.once`:
after a failure, ``recover`` looks for the write's effect (the artifact by ``iltbot_key``, the appended
ids) before anything is sent again, so a write whose answer was lost ("commit, then fail") is never
done twice. googleapiclient's own ``num_retries`` is never used: it re-sends POSTs blindly.
"""

from __future__ import annotations

import http.client
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

import httplib2

from ilt_bot.workspace.errors import Unavailable, WorkspaceError

log = logging.getLogger(__name__)

T = TypeVar("T")

TRANSPORT_ERRORS: tuple[type[BaseException], ...] = (
    ConnectionError,
    TimeoutError,
    http.client.HTTPException,
    httplib2.HttpLib2Error,
    OSError,
)
"""Exceptions meaning "no (complete) answer": the request may or may not have been applied."""


def is_retryable(error: BaseException) -> bool:
    """True for errors worth another attempt (rate limits, 5xx, dropped connections)."""
    if isinstance(error, WorkspaceError):
        return error.retryable
    return isinstance(error, TRANSPORT_ERRORS)


@dataclass
class RetryPolicy:
    """Truncated exponential backoff with jitter; ``sleep`` and ``rand`` are injectable for tests."""

    max_attempts: int = 8
    base: float = 1.0
    cap: float = 32.0
    jitter: float = 1.0
    sleep: Callable[[float], None] = time.sleep
    rand: Callable[[], float] = random.random
    retry_after_cap: float = 120.0
    waits: list[float] = field(default_factory=list)
    """Every wait this policy slept, in order (for tests and benchmarks)."""

    def delay(self, attempt: int, error: BaseException | None = None) -> float:
        """Seconds to wait before attempt ``attempt + 1`` (``attempt`` counts from 0)."""
        retry_after = getattr(error, "retry_after", None)
        backoff = min(self.cap, self.base * (2**attempt)) + self.rand() * self.jitter
        if retry_after is not None:
            return min(self.retry_after_cap, max(float(retry_after), 0.0))
        return backoff

    def wait(self, attempt: int, error: BaseException, what: str) -> None:
        """Sleep before the next attempt (and remember how long)."""
        seconds = self.delay(attempt, error)
        self.waits.append(seconds)
        log.info("%s: %s; retrying in %.1fs (attempt %d of %d)", what, type(error).__name__, seconds,
                 attempt + 2, self.max_attempts)
        self.sleep(seconds)

    def call(self, fn: Callable[[], T], *, what: str = "call") -> T:
        """Run an idempotent ``fn``, retrying retryable failures; the last failure is raised."""
        for attempt in range(self.max_attempts):
            try:
                return fn()
            except BaseException as error:  # noqa: BLE001 - filtered just below
                if not is_retryable(error) or attempt == self.max_attempts - 1:
                    _reraise(error, what)
                self.wait(attempt, error, what)
        raise AssertionError("unreachable")  # pragma: no cover

    def once(self, fn: Callable[[], T], recover: Callable[[], T | None], *, what: str = "write") -> T:
        """Run a non-idempotent ``fn`` at most once in effect.

        After a retryable failure, ``recover()`` checks whether the write happened anyway (its answer
        lost) and returns its result, or None to send ``fn`` again. ``recover`` itself is retried.
        """
        for attempt in range(self.max_attempts):
            try:
                return fn()
            except BaseException as error:  # noqa: BLE001 - filtered just below
                if not is_retryable(error) or attempt == self.max_attempts - 1:
                    _reraise(error, what)
                self.wait(attempt, error, what)
            found = self.call(recover, what=f"{what} (checking whether it was applied)")
            if found is not None:
                log.info("%s: the write had been applied before its answer was lost", what)
                return found
        raise AssertionError("unreachable")  # pragma: no cover


def _reraise(error: BaseException, what: str) -> None:
    """Raise ``error``, turning transport failures into :class:`Unavailable`."""
    if isinstance(error, TRANSPORT_ERRORS) and not isinstance(error, WorkspaceError):
        raise Unavailable(f"{what} failed: no answer from Google ({type(error).__name__}) after several attempts. "
                          "The next run resumes where this one stopped.") from error
    raise error
