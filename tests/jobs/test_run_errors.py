"""A tick's errors are typed (``ilt_bot.errors.RunError``): what failed, why, the fix, and whether a later
run may succeed unchanged (the district's exit 75 comes from ``retryable``)."""

from __future__ import annotations

from pathlib import Path

from ilt_bot import registry
from ilt_bot.errors import RunError
from ilt_bot.jobs import TickReport
from ilt_bot.jobs.tick import run_tick
from ilt_bot.locking import LockBusy
from ilt_bot.plan import plan
from ilt_bot.routine import Routine
from ilt_bot.workspace.errors import PermissionDenied, QuotaExceeded, RateLimited, Unavailable


def test_retryable_for_quota_rate_limit_outage_and_a_busy_lock():
    for exc in (RateLimited("slow down"), QuotaExceeded("daily limit"), Unavailable("503"),
                LockBusy("cedar", Path("/tmp/x.lock"), "pid 1")):
        error = RunError.from_exception("cedar/agenda/2026-09-15", exc)
        assert error.retryable, exc
        assert error.kind == type(exc).__name__
    denied = RunError.from_exception("cedar/agenda/2026-09-15", PermissionDenied("cannot add files"))
    assert not denied.retryable
    assert str(denied) == "cedar/agenda/2026-09-15: PermissionDenied: cannot add files"


def test_fix_comes_from_the_exception_where_it_has_one():
    exc = PermissionDenied("the folder is not shared with the bot")
    exc.fix = "share the folder with the bot as editor"  # type: ignore[attr-defined]
    assert RunError.from_exception("k", exc).fix == "share the folder with the bot as editor"


def test_report_json_keeps_errors_as_text_and_adds_details():
    report = TickReport(errors=[RunError("Unavailable", "cedar/agenda/2026-09-15", "503", retryable=True)])
    data = report.to_dict()
    assert data["errors"] == ["cedar/agenda/2026-09-15: Unavailable: 503"]
    assert data["error_details"] == [{"kind": "Unavailable", "key": "cedar/agenda/2026-09-15", "message": "503",
                                      "fix": "", "retryable": True}]


def test_a_failing_routine_is_one_typed_error_and_the_others_still_run(sandbox_world, config, monkeypatch):
    """An outage while making one item is reported as retryable for that item's key only; the tracker and
    every other due artifact are still made (read back from the sandbox)."""
    agenda = registry.by_kind("agenda")

    def outage(ctx, item):
        if item.key == "cedar/agenda/2026-09-08":
            raise Unavailable("Google answered 503")
        agenda.run(ctx, item)

    broken = Routine(**{**agenda.__dict__, "run": outage})
    monkeypatch.setattr(registry, "ROUTINES", tuple(broken if r is agenda else r for r in registry.ROUTINES))
    item = next(i for i in plan(config) if i.key == "cedar/agenda/2026-09-08")
    sandbox_world.server.set_now(item.due)
    report = run_tick(config, sandbox_world.ws, item.due)
    assert [(e.key, e.kind, e.retryable) for e in report.errors] == [("cedar/agenda/2026-09-08", "Unavailable", True)]
    assert report.to_dict()["errors"] == ["cedar/agenda/2026-09-08: Unavailable: Google answered 503"]
    assert sandbox_world.ws.find(f"cedar/tracker/{config.year.label}") is not None
    assert sandbox_world.ws.find("cedar/feedback/2026-09-08") is not None  # its own item still ran
