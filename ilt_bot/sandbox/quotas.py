"""Google's per-minute request quotas, per user and per project, for each API (sliding window).

The limits are Google's published defaults: Sheets 300 reads and 300 writes a minute per project, 60
per user; Docs 3,000 / 300 reads and 600 / 60 writes; Forms 975 / 390 reads, 450 / 180
``responses.list``, 375 / 150 writes; Drive 12,000 queries a minute per project and per user (the
limit Google keeps for projects that used Drive before May 2026; newer projects count quota units,
1,000,000 a minute per project and 325,000 per user, at per-method costs not modelled here). The
minute runs on the clock given (the server passes the sandbox clock, so moving it forward also
refills the quotas); ``time_scale`` shrinks the minute for tests (60 s / scale).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

LIMITS: dict[str, tuple[int, int]] = {
    # bucket: (per project per minute, per user per minute)
    "drive": (12_000, 12_000),
    "calendar": (10_000, 600),  # Calendar's usage limits: one bucket for every request
    "docs.read": (3_000, 300),
    "docs.write": (600, 60),
    "forms.read": (975, 390),
    "forms.responses": (450, 180),
    "forms.write": (375, 150),
    "sheets.read": (300, 60),
    "sheets.write": (300, 60),
}

_READ_POSTS = {
    "sheets.spreadsheets.getByDataFilter",
    "sheets.spreadsheets.values.batchGetByDataFilter",
    "sheets.spreadsheets.developerMetadata.search",
}


def is_write(method_id: str, http_method: str) -> bool:
    """Whether a call counts as a write (anything but GET, except Sheets' read-only POSTs)."""
    return http_method.upper() != "GET" and method_id not in _READ_POSTS


def bucket(method_id: str, http_method: str) -> str:
    """The quota bucket of a call (``sheets.read``, ``forms.responses``, ``drive`` ...)."""
    api = method_id.split(".", 1)[0]
    if api in ("drive", "calendar"):
        return api
    if method_id.startswith("forms.forms.responses."):
        return "forms.responses"
    return f"{api}.{'write' if is_write(method_id, http_method) else 'read'}"


@dataclass(frozen=True)
class QuotaExceeded:
    """Which limit a call broke."""

    bucket: str
    per_user: bool


class Quotas:
    """Counts calls per (bucket, user) and per bucket in a sliding window of 60 s / ``time_scale``."""

    def __init__(self, time_scale: float = 1.0, clock: Callable[[], float] = time.monotonic,
                 limits: dict[str, tuple[int, int]] | None = None) -> None:
        self.window = 60.0 / time_scale
        self.clock = clock
        self.limits = dict(limits or LIMITS)
        self._calls: dict[tuple[str, str | None], deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: tuple[str, str | None], now: float) -> deque[float]:
        calls = self._calls.setdefault(key, deque())
        if calls and calls[-1] > now:  # the clock was set back: count anew
            calls.clear()
        while calls and calls[0] <= now - self.window:
            calls.popleft()
        return calls

    def charge(self, method_id: str, http_method: str, user: str) -> QuotaExceeded | None:
        """Count one call; returns the exceeded limit instead (and counts nothing) when over quota."""
        name = bucket(method_id, http_method)
        per_project, per_user = self.limits[name]
        now = self.clock()
        with self._lock:
            user_calls = self._recent((name, user), now)
            project_calls = self._recent((name, None), now)
            if len(user_calls) >= per_user:
                return QuotaExceeded(name, per_user=True)
            if len(project_calls) >= per_project:
                return QuotaExceeded(name, per_user=False)
            user_calls.append(now)
            project_calls.append(now)
        return None
