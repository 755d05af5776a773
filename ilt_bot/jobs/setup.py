"""The year's standing artifacts: the tracker Sheet and the agenda-item intake Form (two routines).

Both are due at the set-up time (the first school day, or the first agenda if earlier) and are ensured
by the tick's standing step before anything is synced or made: :func:`ensure_standing` is their
``run`` too, so a due item finds them already ensured in the pass (memoized, no extra call).
On the first run (no tracker yet) the root folder and every bot folder are made as well.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ilt_bot.config import FOLDER_KINDS
from ilt_bot.jobs import JobContext
from ilt_bot.jobs.folders import ensure_folder, ensure_meeting_folders, root_folder
from ilt_bot.jobs.intake import ensure_intake_form, intake_key
from ilt_bot.jobs.tracker import TABS, ensure_tracker, tracker_key
from ilt_bot.routine import Routine, WorkItem, setup_due

if TYPE_CHECKING:
    from ilt_bot.calendar import SchoolYear
    from ilt_bot.config import Config


def ensure_standing(ctx: JobContext) -> None:
    """The tracker and the intake Form; on the first run (no tracker yet) the root and every bot folder too
    (the meeting folders first: the agenda may be made in the same pass)."""
    if ctx.standing_done:
        return
    ctx.standing_done = True
    if ctx.find(tracker_key(ctx.config)) is None:
        ctx.first_run = True
    if (ctx.find(intake_key(ctx.config)) is None or ctx.first_run) and root_folder(ctx) is None:
        return  # the bot's root folder is in the trash: reported, nothing made
    if ctx.first_run:
        ensure_meeting_folders(ctx)
    ensure_tracker(ctx, lambda: root_folder(ctx))
    ensure_intake_form(ctx, lambda: root_folder(ctx))
    if ctx.first_run:
        for kind in FOLDER_KINDS:
            ensure_folder(ctx, kind)


def _run(ctx: JobContext, item: WorkItem) -> None:
    ensure_standing(ctx)


def tracker_items(config: Config, year: SchoolYear) -> list[WorkItem]:
    label = config.year.label
    return [WorkItem("tracker", tracker_key(config), setup_due(config, year), f"tracker for {label}")]


def intake_items(config: Config, year: SchoolYear) -> list[WorkItem]:
    label = config.year.label
    return [WorkItem("intake_form", intake_key(config), setup_due(config, year), f"agenda-item intake for {label}")]


TRACKER = Routine("tracker", key=tracker_key, key_form="<school>/tracker/<year>", items=tracker_items, run=_run,
                  tabs=TABS)
INTAKE_FORM = Routine("intake_form", key=intake_key, key_form="<school>/intake/<year>", items=intake_items,
                      run=_run)
