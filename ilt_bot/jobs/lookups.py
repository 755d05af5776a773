"""What a pass looks up by key, asked of Drive at once; and which agenda Docs changed since the bot read them.

A new ``ilt-bot tick`` process knows nothing of the last one, so each pass finds its artifacts by key
(docs/architecture.md, "The idempotency contract"). :func:`prefetch` asks for every key the pass is
likely to need in one ``files.list`` (the gateway's ``find_many``; a workspace without it, such as the
tests' fake, finds each key on its own) and fills the pass's memo (``JobContext.files``); a key it did not
foresee is still found one by one. The polled Forms' responses are then read in one HTTP batch.

An agenda Doc's tables are read back (the harvest) only when it changed since the bot last read it: the
lookup by key already carries its ``modifiedTime``, and the Doc's ``iltbot_read`` appProperty keeps the
``modifiedTime`` it had when last read. The day's first pass reads every recent agenda anyway, so a row a
person deleted from the tracker comes back within a day.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import TYPE_CHECKING

from ilt_bot.jobs import DRY_RUN_ID, JobContext
from ilt_bot.jobs.agenda import agenda_key
from ilt_bot.jobs.common import first_pass_of_day
from ilt_bot.jobs.feedback import feedback_key, polled_meetings
from ilt_bot.jobs.folders import FOLDER_NAMES, folder_key
from ilt_bot.jobs.intake import intake_key
from ilt_bot.jobs.tm_responses import responses_key
from ilt_bot.jobs.tracker import tracker_key
from ilt_bot.workspace.api import FileRef

if TYPE_CHECKING:
    from ilt_bot.routine import WorkItem

READ_PROPERTY = "iltbot_read"
"""appProperty of an agenda Doc: the ``modifiedTime`` it had when the bot last read its tables."""

FORM_HORIZON = timedelta(days=31)
"""Future meetings' Forms are looked up this far ahead only (later ones are not made yet)."""

TEAM_ANSWERS = ("thinking_map", "tm_digest")
"""Item kinds that read the thinking maps' answers spreadsheet."""

RECENT_AGENDAS = 2
"""The harvest reads the agendas of the last two meetings held (``jobs/harvest.py``)."""


def pass_keys(ctx: JobContext, items: Iterable[WorkItem]) -> list[str]:
    """The keys a pass at ``ctx.now`` reads: the standing artifacts, the bot's folders (where anything new
    goes), the polled meetings' Forms, the recent agendas, and each due item still being worked on."""
    config, today = ctx.config, ctx.now.date()
    keys = [tracker_key(config), intake_key(config)]
    keys += [folder_key(config, kind) for kind in ("root", *FOLDER_NAMES) if not config.drive.folders.get(kind)]
    keys += [feedback_key(config, day) for day in polled_meetings(ctx) if day <= today + FORM_HORIZON]
    held = [m.date for m in ctx.year.meetings() if m.date <= today]
    keys += [agenda_key(config, day) for day in held[-RECENT_AGENDAS:]]
    for item in items:
        if item.meeting_date is not None and item.meeting_date < today:
            continue  # a past meeting's agenda or Form: its job makes no call
        if item.until is not None and ctx.now > item.until:
            continue  # no longer worked on
        keys.append(item.key)
        if item.kind in TEAM_ANSWERS:
            keys.append(responses_key(config))
    return list(dict.fromkeys(keys))


def prefetch(ctx: JobContext, keys: Iterable[str]) -> None:
    """Look the keys this pass does not know yet up at once (a workspace without ``find_many``: no-op)."""
    todo = [key for key in dict.fromkeys(keys) if key not in ctx.files]
    find_many = getattr(ctx.workspace, "find_many", None)
    if todo and find_many is not None:
        ctx.files.update(find_many(todo))


def polled_forms(ctx: JobContext) -> list[str]:
    """The Forms the pass's syncs will read, as the lookup by key found them: the meetings' feedback Forms
    it polls (``jobs/feedback.py``) and the intake Form; none without a tracker (nothing is synced)."""
    config, today = ctx.config, ctx.now.date()
    if ctx.files.get(tracker_key(config)) is None:
        return []
    keys = [feedback_key(config, day) for day in polled_meetings(ctx) if day <= today + FORM_HORIZON]
    keys.append(intake_key(config))
    refs = [ctx.files.get(key) for key in keys]
    return [ref.id for ref in refs if ref is not None and not ref.trashed and ref.id != DRY_RUN_ID]


def look_up(ctx: JobContext, items: Iterable[WorkItem]) -> None:
    """The pass's lookups at once: its keys (one ``files.list``), then its Forms' responses (one batch)."""
    prefetch(ctx, pass_keys(ctx, items))
    read_ahead = getattr(ctx.workspace, "read_responses_ahead", None)
    if read_ahead is not None:
        read_ahead(polled_forms(ctx))


def changed_since_read(ctx: JobContext, doc: FileRef | None) -> bool:
    """Whether the harvest must read ``doc``: unknown, never read, changed since, or the day's first pass."""
    if doc is None or doc.modified_time is None or doc.id == DRY_RUN_ID or first_pass_of_day(ctx):
        return True
    return doc.app_properties.get(READ_PROPERTY) != doc.modified_time


def mark_read(ctx: JobContext, doc: FileRef | None) -> None:
    """Remember that ``doc`` was read as of the ``modifiedTime`` its lookup showed (not in a dry run)."""
    mark = getattr(ctx.workspace, "set_app_properties", None)
    if ctx.dry_run or mark is None or doc is None or doc.modified_time is None or doc.id == DRY_RUN_ID:
        return
    if doc.app_properties.get(READ_PROPERTY) != doc.modified_time:
        mark(doc.id, {READ_PROPERTY: doc.modified_time})
