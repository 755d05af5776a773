"""One reconcile pass (``ilt-bot tick``): sync first, then create what is due and missing, then log.

1. Standing step: ensure the year's tracker and intake Form (on the first run the bot's folders too).
2. Sync: new feedback and intake responses into the tracker (once each, by responseId); action items,
   delta answers and item suggestions harvested from the recent agenda Docs; the Dashboard counts. These run in every
   pass once the year has begun (they are not plan items: docs/architecture.md, "A tick").
3. Create: each due WorkItem (``plan.due_items``) is run by its routine (``registry.by_kind``): one
   idempotent ``ensure`` keyed by ``iltbot_key``, independent chains side by side (``jobs/chains.py``).
   What exists is left alone; what a person trashed is reported in ``skipped`` and not recreated.
4. Report: in the day's first pass, access beyond a bot file's audience (``jobs/sharing_audit.py``); any
   grant Google refused (one person, the artifact shared with the others); then one row per action to
   the tracker's Runs tab.

``dry_run`` reads but changes nothing and reports what it would do. Any machine, any number of times:
the same Drive converges to the same artifacts.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ilt_bot import registry
from ilt_bot.calendar import SchoolYear
from ilt_bot.jobs import JobContext, TickReport
from ilt_bot.jobs.agenda import restore_meeting_rows
from ilt_bot.jobs.chains import run_items
from ilt_bot.jobs.deltas import harvest_answers
from ilt_bot.jobs.feedback import polled_meetings, sync_feedback
from ilt_bot.jobs.harvest import harvest
from ilt_bot.jobs.intake import sync_intake
from ilt_bot.jobs.lookups import look_up
from ilt_bot.jobs.setup import ensure_standing
from ilt_bot.jobs.sharing_audit import audit_sharing
from ilt_bot.jobs.tracker import append_runs, remove_duplicates, update_dashboard
from ilt_bot.plan import due_items
from ilt_bot.workspace.api import WorkspaceAPI

if TYPE_CHECKING:
    from ilt_bot.config import Config

log = logging.getLogger("ilt_bot.tick")


def new_context(config: Config, year: SchoolYear, workspace: WorkspaceAPI, now: datetime, *,
                dry_run: bool = False, stop: threading.Event | None = None) -> JobContext:
    """A pass's context, with every tracker tab the registered routines declare."""
    return JobContext(config=config, year=year, workspace=workspace, now=now, dry_run=dry_run,
                      report=TickReport(dry_run=dry_run), stop=stop, tracker_tabs=registry.tracker_tabs())


def report_refused_grants(ctx: JobContext) -> None:
    """One Runs row (result ``refused``) per grant Google refused in this pass: the artifact was made and
    shared with the others; the person named needs an admin's look (docs/privacy.md)."""
    take = getattr(ctx.workspace, "take_refused_grants", None)
    if take is None:
        return
    keys = {ref.id: key for key, ref in ctx.files.items() if ref is not None}
    for grant in take():
        ctx.record("share", grant.key or keys.get(grant.file_id, grant.file_id), "refused", grant.text())


def run_item(ctx: JobContext, item: Any) -> None:
    """One due item by its routine; an error is recorded and the next item still runs."""
    if ctx.stopping:
        return
    try:
        registry.by_kind(item.kind).run(ctx, item)
    except Exception as exc:  # one failing item must not stop the others
        log.exception("tick step %s failed", item.key)
        ctx.error(item.key, exc)


def _aware(config: Config, now: datetime) -> datetime:
    if now.tzinfo is not None:
        return now
    return now.replace(tzinfo=config.tz)


def _run_id(config: Config, now: datetime) -> str:
    digest = hashlib.sha256(f"{config.school.id}{now.isoformat()}".encode()).hexdigest()[:6]
    return f"{now:%Y%m%dT%H%M%S}-{digest}"


def run_tick(
    config: Config,
    workspace: WorkspaceAPI,
    now: datetime,
    dry_run: bool = False,
    *,
    year: SchoolYear | None = None,
    stop: threading.Event | None = None,
) -> TickReport:
    """One reconcile pass at ``now``; returns what it did (or would do, with ``dry_run``)."""
    now = _aware(config, now)
    year = year if year is not None else SchoolYear(config)
    ctx = new_context(config, year, workspace, now, dry_run=dry_run, stop=stop)

    def step(name: str, fn: Callable[[], Any]) -> None:
        if ctx.stopping:
            return
        try:
            fn()
        except Exception as exc:  # one failing step must not stop the others
            log.exception("tick step %s failed", name)
            ctx.error(name, exc)

    items: list[Any] = []
    step("plan", lambda: items.extend(due_items(config, year, now)))
    if not items:
        return ctx.report  # before the set-up day: nothing is due yet
    step("lookups", lambda: look_up(ctx, items))
    step("standing", lambda: ensure_standing(ctx))
    step("meetings rows", lambda: restore_meeting_rows(ctx, polled_meetings(ctx)))
    step("sync feedback", lambda: sync_feedback(ctx))
    step("sync intake", lambda: sync_intake(ctx, ctx.intake_form))
    step("harvest action items", lambda: harvest(ctx))
    step("harvest delta answers", lambda: harvest_answers(ctx))
    step("dashboard", lambda: update_dashboard(ctx) if ctx.report.synced_responses else None)

    run_items(ctx, sorted(items, key=lambda i: (str(i.due), i.key)), run_item)

    step("tracker duplicates", lambda: remove_duplicates(ctx))
    step("sharing audit", lambda: audit_sharing(ctx))
    step("refused shares", lambda: report_refused_grants(ctx))
    step("runs", lambda: append_runs(ctx, _run_id(config, now)))
    return ctx.report
