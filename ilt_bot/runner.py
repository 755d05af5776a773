"""One school's tick as every command runs it: hold the school's lock, connect, ``run_tick``, classify.

The outcome is a :class:`SchoolResult`: ``done``, ``failed``, ``retry`` (every error is retryable: a quota,
an outage) or ``busy`` (another run holds the school's lock). The exit codes of ``tick`` follow from it:
0 done, 1 failed, 75 try again later (:func:`exit_code`). Running many schools is
:mod:`ilt_bot.district`'s job.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from ilt_bot.config import Config
from ilt_bot.errors import RunError
from ilt_bot.jobs.tick import run_tick
from ilt_bot.locking import LockBusy, school_lock
from ilt_bot.logs import school_context
from ilt_bot.workspace import gateway as gateway_module
from ilt_bot.workspace.clock import workspace_now
from ilt_bot.workspace.errors import QuotaExceeded, RateLimited, Unavailable, WorkspaceError
from ilt_bot.workspace.gateway import Gateway
from ilt_bot.workspace.ratelimit import RateLimiter

log = logging.getLogger("ilt_bot.runner")

EXIT_OK, EXIT_FAILED, EXIT_CONFIG, EXIT_RETRY = 0, 1, 2, 75
"""``tick``'s exit codes: done, failed, config error, try again later (quota, outage, lock held)."""

EMPTY_REPORT: dict[str, Any] = {"created": [], "existing": 0, "synced_responses": 0, "skipped": [], "errors": []}
"""The ``--json`` fields of a tick that did not run (lock busy, sign-in failed)."""


@dataclass
class SchoolResult:
    """The outcome of one school's tick."""

    school: str
    status: str
    """``done``, ``failed``, ``retry`` (quota or outage) or ``busy`` (another run holds the lock)."""
    report: dict[str, Any] | None = None
    errors: list[RunError] = field(default_factory=list)
    """The tick report's errors, or the one error that stopped the tick before it ran."""
    api_calls: int = 0
    seconds: float = 0.0

    @property
    def exit_code(self) -> int:
        return {"done": EXIT_OK, "failed": EXIT_FAILED}.get(self.status, EXIT_RETRY)

    @property
    def dry_run(self) -> bool:
        return bool((self.report or {}).get("dry_run"))

    def counts(self) -> str:
        """``3 created, 12 existing, 4 responses synced, 0 skipped, 0 errors``."""
        report = self.report or EMPTY_REPORT
        return (f"{len(report['created'])} created, {report['existing']} existing, "
                f"{report['synced_responses']} responses synced, {len(report['skipped'])} skipped, "
                f"{len(self.errors)} errors")

    def to_json(self) -> dict[str, Any]:
        """The school's ``--json`` object: the TickReport fields plus status, errors and API calls."""
        base = dict(self.report) if self.report is not None else dict(EMPTY_REPORT)
        return {**base, "errors": [str(e) for e in self.errors], "status": self.status,
                "api_calls": self.api_calls, "seconds": round(self.seconds, 2)}


def classify_report(errors: Sequence[RunError]) -> str:
    """``done`` without errors; ``retry`` when every error is retryable; else ``failed``."""
    if not errors:
        return "done"
    return "retry" if all(e.retryable for e in errors) else "failed"


def exit_code(results: Iterable[SchoolResult]) -> int:
    """1 if any school failed, else 75 if any must be retried, else 0."""
    codes = {r.exit_code for r in results}
    if EXIT_FAILED in codes:
        return EXIT_FAILED
    return EXIT_RETRY if EXIT_RETRY in codes else EXIT_OK


Connect = Callable[..., Gateway]


def run_school(
    config: Config,
    now: datetime | None = None,
    *,
    dry_run: bool = False,
    wait_lock: float = 0.0,
    lock_dir: Path | None = None,
    limiter: RateLimiter | None = None,
    stop: threading.Event | None = None,
    connect: Connect | None = None,
) -> SchoolResult:
    """One school's tick: its lock, a gateway, ``run_tick``, the outcome classified (never raises for
    lock, quota, outage or Workspace errors)."""
    connect = connect or gateway_module.connect
    school = config.school.id
    started = time.monotonic()
    with school_context(school):
        gateway = None

        def stopped(status: str, exc: Exception) -> SchoolResult:
            return SchoolResult(school, status, errors=[RunError.from_exception(school, exc)],
                                api_calls=_calls(gateway), seconds=time.monotonic() - started)

        try:
            with school_lock(school, lock_dir, wait_seconds=wait_lock):
                gateway = connect(config, limiter=limiter) if limiter is not None else connect(config)
                report = run_tick(config, gateway, now or workspace_now(config, gateway), dry_run=dry_run,
                                  stop=stop)
        except LockBusy as exc:
            log.warning("%s", exc)
            return stopped("busy", exc)
        except (RateLimited, QuotaExceeded, Unavailable) as exc:
            log.warning("%s: %s", type(exc).__name__, exc)
            return stopped("retry", exc)
        except WorkspaceError as exc:
            log.error("%s: %s", type(exc).__name__, exc)
            return stopped("failed", exc)
        finally:
            if gateway is not None:
                gateway.close()
        result = SchoolResult(school, classify_report(report.errors), report=report.to_dict(),
                              errors=list(report.errors), api_calls=_calls(gateway),
                              seconds=time.monotonic() - started)
        log.info("tick %s: %s", result.status, result.counts(),
                 extra={"event": "tick", "status": result.status, "n_created": len(report.created),
                        "n_errors": len(report.errors), "api_calls": result.api_calls,
                        "seconds": round(result.seconds, 2), "dry_run": dry_run})
        return result


def stopped_before_turn(school: str) -> SchoolResult:
    """The result of a school a stop request reached before its tick began (retry: nothing was done)."""
    error = RunError(kind="Stopped", key=school, message="stopped before this school's turn", retryable=True)
    return SchoolResult(school, "retry", errors=[error])


def _calls(gateway: Gateway | None) -> int:
    return gateway.total_calls if gateway is not None else 0
