"""The harvest step of every tick: the recent agendas' tables read back into the tracker.

Action items (:mod:`ilt_bot.jobs.actions` parses and merges them) and the "Items for next meeting"
rows (new agenda items) of the last meetings held. A standing step, not a plan item. A Doc unchanged since
the bot last read it is not read again (:mod:`ilt_bot.jobs.lookups`).
"""

from __future__ import annotations

from datetime import date

from ilt_bot.jobs import DRY_RUN_ID, JobContext
from ilt_bot.jobs.actions import merge, parse_tables, suggestion_id
from ilt_bot.jobs.agenda import agenda_key
from ilt_bot.jobs.intake import OPEN
from ilt_bot.jobs.lookups import changed_since_read, mark_read
from ilt_bot.jobs.tracker import ACTION_ITEMS, AGENDA_ITEMS, MEETINGS, cell, col, recent_meetings

HARVEST_MEETINGS = 2
"""The agendas of the last two meetings held are read each pass (action items, Done marks)."""


def harvest(ctx: JobContext) -> int:
    """Read the recent agendas' tables into the tracker; returns how many tracker rows changed."""
    tracker = ctx.tracker
    if tracker is None or not tracker.exists:
        return 0
    changed = 0
    for meeting in recent_meetings(tracker, ctx.now.date(), held=HARVEST_MEETINGS, upcoming=False):
        day_text, doc_id = cell(meeting, col(MEETINGS, "Meeting")), cell(meeting, col(MEETINGS, "Agenda doc"))
        if not day_text or not doc_id or doc_id == DRY_RUN_ID or ctx.stopping:
            continue
        day = date.fromisoformat(day_text)
        a_key = agenda_key(ctx.config, day)
        doc = ctx.find(a_key)
        doc = doc if doc is not None and doc.id == doc_id else None
        if not changed_since_read(ctx, doc):
            continue  # unchanged since the bot last read it (jobs/lookups.py)
        try:
            tables = ctx.workspace.read_doc_tables(doc_id)
        except Exception as exc:  # noqa: BLE001 - a trashed or unshared agenda must not stop the tick
            ctx.skipped(a_key, f"action items not read: {exc}")
            continue
        actions, carried, suggestions = parse_tables(tables)
        rows = merge(ctx, day, actions, carried)
        written = tracker.upsert(ACTION_ITEMS, rows)
        new_items = tracker.append_once(AGENDA_ITEMS, [
            [suggestion_id(day, s["title"]), day_text, s["who"], s["title"], s["why"], "",
             f"agenda {day_text}", "", OPEN]
            for s in suggestions
        ])
        if written or new_items:
            ctx.record("would harvest" if ctx.dry_run else "harvest", a_key, "updated",
                       f"{written} action items, {new_items} suggested items")
        changed += written + new_items
        mark_read(ctx, doc)
    return changed
