"""Client-side rate limiting at Google's per-minute limits, so a busy run waits instead of collecting 429s.

One token bucket per (API, call class, scope) where scope is the project or the acting user. A call
takes a token from its user bucket and from its project bucket (project buckets are shared by every
gateway in the process). A bucket of capacity ``C`` refilled at ``(L - C) / 60`` per second never lets
more than ``L`` calls through in any 60-second window, which is how Google counts.

Default limits come from Google's published quotas (see ``docs`` reference page); override them with
``workspace.quotas`` in config, e.g. ``{"sheets.write.user": 30}``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

DEFAULT_LIMITS: dict[str, int] = {
    # Drive v3 counts queries per minute per project and per user.
    "drive.all.project": 12_000,
    "drive.all.user": 12_000,
    "docs.read.project": 3_000,
    "docs.read.user": 300,
    "docs.write.project": 600,
    "docs.write.user": 60,
    "forms.read.project": 975,
    "forms.read.user": 390,
    "forms.responses.project": 450,
    "forms.responses.user": 180,
    "forms.write.project": 375,
    "forms.write.user": 150,
    "sheets.read.project": 300,
    "sheets.read.user": 60,
    "sheets.write.project": 300,
    "sheets.write.user": 60,
    # Calendar v3 counts requests per minute per project and per user, reads and writes alike.
    "calendar.all.project": 10_000,
    "calendar.all.user": 600,
}
"""Calls per minute, by ``<api>.<class>.<project|user>``."""

_READ_SUFFIXES = (".get", ".list", ".batchGet", ".export", ".batchGetByDataFilter")


def call_class(method_id: str) -> tuple[str, str]:
    """(api, class) of a discovery method id: ``sheets.spreadsheets.values.get`` -> ("sheets", "read")."""
    api = method_id.split(".", 1)[0]
    if api in ("drive", "calendar"):
        return api, "all"
    if api == "forms" and ".responses." in method_id:
        return api, "responses"
    if method_id.endswith(_READ_SUFFIXES):
        return api, "read"
    return api, "write"


class TokenBucket:
    """A thread-safe token bucket; ``clock`` and ``sleep`` are injectable for tests."""

    def __init__(
        self,
        per_minute: float,
        *,
        burst_fraction: float = 0.1,
        period: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if per_minute <= 0:
            raise ValueError("a rate limit must be positive")
        self.capacity = max(1.0, per_minute * burst_fraction)
        self.rate = max(per_minute - self.capacity, per_minute * 0.01) / period
        self._tokens = self.capacity
        self._clock = clock
        self._sleep = sleep
        self._stamp = clock()
        self._lock = threading.Lock()
        self.waited = 0.0

    def _refill(self) -> None:
        now = self._clock()
        self._tokens = min(self.capacity, self._tokens + (now - self._stamp) * self.rate)
        self._stamp = now

    def reserve(self, tokens: float = 1.0) -> float:
        """Take ``tokens`` now (possibly going into debt) and return how long the caller must wait."""
        with self._lock:
            self._refill()
            self._tokens -= tokens
            wait = 0.0 if self._tokens >= 0 else -self._tokens / self.rate
            self.waited += wait
            return wait

    def acquire(self, tokens: float = 1.0) -> float:
        """Block until ``tokens`` are available; returns the seconds waited."""
        wait = self.reserve(tokens)
        if wait > 0:
            self._sleep(wait)
        return wait


class RateLimiter:
    """Buckets per API, call class, project and user; :meth:`acquire` before each HTTP call."""

    def __init__(
        self,
        limits: Mapping[str, float] | None = None,
        *,
        period: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        enabled: bool = True,
    ) -> None:
        self.limits = dict(DEFAULT_LIMITS)
        self.limits.update(limits or {})
        self.period = period
        self._clock = clock
        self._sleep = sleep
        self.enabled = enabled
        self._buckets: dict[tuple[str, str, str], TokenBucket] = {}
        self._lock = threading.Lock()
        self.waited = 0.0

    def _bucket(self, name: str, who: str) -> TokenBucket | None:
        limit = self.limits.get(name)
        if not limit:
            return None
        key = (name, who, "")
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                bucket = TokenBucket(limit, period=self.period, clock=self._clock, sleep=self._sleep)
                self._buckets[key] = bucket
            return bucket

    def acquire(self, method_id: str, user: str, *, project: str = "default", tokens: float = 1.0) -> float:
        """Wait until ``user`` (and the project) may make ``tokens`` calls of ``method_id``; returns seconds."""
        if not self.enabled:
            return 0.0
        api, klass = call_class(method_id)
        waits = []
        for scope, who in (("project", project), ("user", user)):
            bucket = self._bucket(f"{api}.{klass}.{scope}", who)
            if bucket is not None:
                waits.append(bucket.reserve(tokens))
        wait = max(waits, default=0.0)
        if wait > 0:
            with self._lock:
                self.waited += wait
            self._sleep(wait)
        return wait


_SHARED: dict[tuple[tuple[tuple[str, float], ...], float], RateLimiter] = {}
_SHARED_LOCK = threading.Lock()


def shared_limiter(limits: Mapping[str, float] | None = None, period: float = 60.0) -> RateLimiter:
    """The process-wide limiter for these limits (so project buckets are shared by all gateways)."""
    key = (tuple(sorted((limits or {}).items())), period)
    with _SHARED_LOCK:
        limiter = _SHARED.get(key)
        if limiter is None:
            limiter = _SHARED[key] = RateLimiter(limits, period=period)
        return limiter


def limits_from_quotas(quotas: Mapping[str, Any]) -> dict[str, float]:
    """``workspace.quotas`` entries as limiter keys (``sheets.write.user``; ``drive.user`` means ``drive.all.user``)."""
    out: dict[str, float] = {}
    for name, value in quotas.items():
        parts = name.split(".")
        if len(parts) == 2 and parts[0] == "drive":
            name = f"drive.all.{parts[1]}"
        out[name] = float(value)
    return out
