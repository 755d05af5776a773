"""Fault injection: a seeded rate of rate-limit answers, 500s, 503s, dropped connections, and
"commit, then fail" (the write happens, the answer is lost).

The bodies are Google's: Drive answers rate limits Drive-style (403 ``userRateLimitExceeded`` or 429
``rateLimitExceeded``), Docs/Forms/Sheets answer 429 ``RESOURCE_EXHAUSTED`` "Quota exceeded for quota
metric ..." as recorded in ``tests/fidelity/data/gspread-pandas``.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

KINDS = ("429", "500", "503", "reset", "commit")
"""Fault kinds: rate limit, internal error, unavailable, connection reset, commit-then-fail."""

PROJECT_NUMBER = "1074179254152"


@dataclass(frozen=True)
class Fault:
    """One injected fault. ``after_commit``: the handler runs and commits first."""

    kind: str
    """``429``, ``500``, ``503`` or ``reset`` (what the client sees)."""
    after_commit: bool = False

    @property
    def label(self) -> str:
        return f"commit+{self.kind}" if self.after_commit else self.kind


class FaultInjector:
    """Decides, per request, whether to inject a fault (thread-safe, reproducible with a seed)."""

    def __init__(self, rate: float = 0.0, kinds: Iterable[str] | None = None, seed: int | None = None) -> None:
        self.configure(rate, kinds, seed)

    def configure(self, rate: float, kinds: Iterable[str] | None = None, seed: int | None = None) -> None:
        """Change the fault rate (0..1), the kinds drawn from (default: all) and the seed."""
        chosen = tuple(kinds) if kinds is not None else KINDS
        unknown = [k for k in chosen if k not in KINDS]
        if unknown or not chosen:
            raise ValueError(f"unknown fault kinds {unknown}; choose from {KINDS}")
        if not 0.0 <= rate <= 1.0:
            raise ValueError("fault rate must be between 0 and 1")
        self.rate = rate
        self.kinds = chosen
        self._random = random.Random(seed)  # reproducible test faults, not security
        self._lock = threading.Lock()

    def draw(self, is_write: bool) -> Fault | None:
        """The fault for the next request, or None."""
        with self._lock:
            if self.rate <= 0 or self._random.random() >= self.rate:
                return None
            kind = self._random.choice(self.kinds)
            if kind != "commit":
                return Fault(kind)
            failure = self._random.choice(("500", "503", "reset"))
            return Fault(failure, after_commit=is_write)

    def pick(self, options: tuple[Any, ...]) -> Any:
        """A seeded choice among ``options`` (e.g. Drive's 403 or 429 rate-limit answer)."""
        with self._lock:
            return self._random.choice(options)


def rate_limit_error(api: str, *, per_user: bool = True, write: bool = False,
                     drive_status: int | None = None) -> tuple[int, dict[str, Any]]:
    """The ``(status, body)`` Google answers when a per-minute quota is exceeded.

    Drive: 403 ``userRateLimitExceeded`` for a user's limit, 429 ``rateLimitExceeded`` for the
    project's (``drive_status`` forces one). Others: 429 ``RESOURCE_EXHAUSTED``.
    """
    if api == "drive":
        status = drive_status or (403 if per_user else 429)
        if status == 403:
            item = {"domain": "usageLimits", "reason": "userRateLimitExceeded", "message": "User Rate Limit Exceeded"}
            return 403, {"error": {"code": 403, "message": "User Rate Limit Exceeded", "errors": [item]}}
        item = {"domain": "usageLimits", "reason": "rateLimitExceeded", "message": "Rate Limit Exceeded"}
        return 429, {"error": {"code": 429, "message": "Rate Limit Exceeded", "errors": [item]}}
    what = "Write" if write else "Read"
    scope = "per user" if per_user else ""
    limit = f"{what} requests per minute {scope}".strip()
    service = f"{api}.googleapis.com"
    message = (
        f"Quota exceeded for quota metric '{what} requests' and limit '{limit}' of service '{service}' "
        f"for consumer 'project_number:{PROJECT_NUMBER}'."
    )
    quota_limit = f"{what}RequestsPerMinute" + ("PerUser" if per_user else "PerProject")
    return 429, {
        "error": {
            "code": 429,
            "message": message,
            "status": "RESOURCE_EXHAUSTED",
            "details": [
                {
                    "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                    "reason": "RATE_LIMIT_EXCEEDED",
                    "domain": "googleapis.com",
                    "metadata": {
                        "service": service,
                        "consumer": f"projects/{PROJECT_NUMBER}",
                        "quota_limit": quota_limit,
                        "quota_metric": f"{service}/{what.lower()}_requests",
                    },
                }
            ],
        }
    }


def server_error(api: str, code: int) -> dict[str, Any]:
    """Google's 500 / 503 body for ``api``."""
    if api == "drive":
        if code == 503:
            item = {"domain": "global", "reason": "backendError", "message": "Backend Error"}
            return {"error": {"code": 503, "message": "Backend Error", "errors": [item]}}
        item = {"domain": "global", "reason": "internalError", "message": "Internal Error"}
        return {"error": {"code": 500, "message": "Internal Error", "errors": [item]}}
    if code == 503:
        return {"error": {"code": 503, "message": "The service is currently unavailable.", "status": "UNAVAILABLE"}}
    return {"error": {"code": 500, "message": "Internal error encountered.", "status": "INTERNAL"}}
