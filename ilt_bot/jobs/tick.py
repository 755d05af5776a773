"""One reconcile pass (``ilt-bot tick``): sync first, then create what is due and missing, then log.

1. Ensure the standing artifacts (folders, the year's tracker, the intake Form).
2. Sync: new feedback and intake responses into the tracker (once each, by responseId); action items
   and item suggestions harvested from the recent agenda Docs; the Dashboard counts.
3. Create: each due WorkItem (``plan.due_items``) is one idempotent ``ensure`` keyed by ``iltbot_key``.
   What exists is left alone; what a person trashed is reported in ``skipped`` and not recreated.
4. Append one row per action to the tracker's Runs tab.

``dry_run`` reads but changes nothing and reports what it would do. Any machine, any number of times:
the same Drive converges to the same artifacts.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from ilt_bot.jobs import JobContext, TickReport
from ilt_bot.jobs.actions import harvest
from ilt_bot.jobs.agenda import ensure_agenda, ensure_folder, ensure_folders, root_folder
from ilt_bot.jobs.feedback import sync_feedback
from ilt_bot.jobs.intake import ensure_intake_form, sync_intake
from ilt_bot.jobs.tracker import append_runs, ensure_tracker, update_dashboard
from ilt_bot.workspace.api import WorkspaceAPI

if TYPE_CHECKING:
    from ilt_bot.calendar import Meeting, SchoolYear
    from ilt_bot.config import Config
    from ilt_bot.plan import WorkItem

log = logging.getLogger("ilt_bot.tick")

Handler = Callable[[JobContext, Any], None]
HANDLERS: dict[str, Handler] = {}
"""WorkItem kind -> the job that makes it (other routines register theirs with :func:`handles`)."""


def handles(*kinds: str) -> Callable[[Handler], Handler]:
    """Register ``handler`` for WorkItems of ``kinds``."""

    def register(handler: Handler) -> Handler:
        for kind in kinds:
            HANDLERS[kind] = handler
        return handler

    return register


def _meeting_for(ctx: JobContext, item: WorkItem) -> Meeting | None:
    """The calendar meeting a WorkItem is about (its ``meeting_date``, else the date ending its key)."""
    day = item.meeting_date
    if day is None:
        try:
            day = date.fromisoformat(item.key.rsplit("/", 1)[-1])
        except ValueError:
            return None
    return ctx.year.meeting_on(day)


@handles("agenda", "feedback_form")
def _agenda_item(ctx: JobContext, item: WorkItem) -> None:
    """The agenda Doc and its feedback Form (made together, so the Form's link is in the agenda)."""
    meeting = _meeting_for(ctx, item)
    if meeting is None:
        ctx.skipped(item.key, "no meeting on that date in the calendar")
        return
    ensure_agenda(ctx, meeting)


@handles("folder")
def _folder_item(ctx: JobContext, item: WorkItem) -> None:
    """The bot's folders are made on the first run; later their users (agenda, ...) ensure them lazily."""
    if not ctx.memo.get("first_run"):
        return
    kind = item.folder or item.key.rsplit("/", 1)[-1]
    target = item.target
    ensure_folder(ctx, kind, target.removesuffix(" folder") or None)


@handles("tracker", "intake_form", "sync_responses", "harvest_actions")
def _standing(ctx: JobContext, item: Any) -> None:
    """Done in every pass before the due items: see :func:`ensure_standing` and the sync steps."""


def ensure_standing(ctx: JobContext) -> None:
    """The tracker and the intake Form; on the first run (no tracker yet) the root and bot folders too."""
    from ilt_bot.jobs.intake import intake_key
    from ilt_bot.jobs.tracker import tracker_key

    if ctx.find(tracker_key(ctx.config)) is None:
        ctx.memo["first_run"] = True
    if ctx.find(intake_key(ctx.config)) is None or ctx.memo.get("first_run"):
        root = root_folder(ctx)
        if root is None:
            return  # the bot's root folder is in the trash: reported, nothing made
    if ctx.memo.get("first_run"):
        ensure_folders(ctx)
    ensure_tracker(ctx, lambda: root_folder(ctx))
    ensure_intake_form(ctx, lambda: root_folder(ctx))


def load_jobs() -> None:
    """Import every module of :mod:`ilt_bot.jobs`, so each routine's ``@handles`` registers its kinds."""
    import importlib
    import pkgutil

    import ilt_bot.jobs as package

    for module in pkgutil.iter_modules(package.__path__):
        if not module.name.startswith("_"):
            importlib.import_module(f"ilt_bot.jobs.{module.name}")


def _due_items(config: Config, year: SchoolYear, now: datetime) -> list[WorkItem]:
    from ilt_bot import plan

    return list(plan.due_items(config, year, now))


def _school_year(config: Config) -> SchoolYear:
    from ilt_bot.calendar import SchoolYear

    return SchoolYear(config)


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
    load_jobs()
    now = _aware(config, now)
    year = year if year is not None else _school_year(config)
    ctx = JobContext(config=config, year=year, workspace=workspace, now=now, dry_run=dry_run,
                     report=TickReport(dry_run=dry_run), stop=stop)

    def step(name: str, fn: Callable[[], Any]) -> None:
        if ctx.stopping:
            return
        try:
            fn()
        except Exception as exc:  # noqa: BLE001 - one failing step must not stop the others
            log.exception("tick step %s failed", name)
            ctx.error(name, f"{type(exc).__name__}: {exc}")

    items: list[Any] = []
    step("plan", lambda: items.extend(_due_items(config, year, now)))
    if not items:
        return ctx.report  # before the set-up day: nothing is due yet
    step("standing", lambda: ensure_standing(ctx))
    step("sync feedback", lambda: sync_feedback(ctx))
    step("sync intake", lambda: sync_intake(ctx, ctx.memo.get(_intake_memo_key(ctx), (None, None))[0]))
    step("harvest action items", lambda: harvest(ctx))
    step("dashboard", lambda: update_dashboard(ctx) if ctx.report.synced_responses else None)

    for item in sorted(items, key=lambda i: (str(i.due), i.key)):
        if ctx.stopping:
            break
        kind = item.kind
        handler = HANDLERS.get(kind)
        if handler is None:
            log.debug("no job for %s (%s) yet", kind, item.key)
            continue
        step(item.key, lambda h=handler, i=item: h(ctx, i))

    step("runs", lambda: append_runs(ctx, _run_id(config, now)))
    return ctx.report


def _intake_memo_key(ctx: JobContext) -> str:
    from ilt_bot.jobs.intake import intake_key

    return intake_key(ctx.config)


from ilt_bot.jobs import reflection, thinking_map  # noqa: E402, F401, I001  (register their handlers)
