"""Action items: harvested from the agenda Docs as people left them, tracked, carried forward.

After a meeting the bot reads its agenda's "Action items" table (rows added, blank rows, extra or
reordered columns, any status word) and upserts each item into the tracker under a stable id (meeting
date + a hash of the item's text). Open items appear in the next agenda's "Open action items" table
with their Ref; marking one Done there, or in the tracker, closes it. A closed item never reopens, and
cells a person edited in the tracker are kept (the bot only fills blanks and closes items).
Rows of an agenda's "Items for next meeting" table become agenda items (tracker tab Agenda items).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date

from ilt_bot.jobs import JobContext, date_label
from ilt_bot.jobs.intake import OPEN
from ilt_bot.jobs.tracker import ACTION_ITEMS, cell, col
from ilt_bot.workspace.api import DocTable

ACTION_COLUMNS = ["What", "Who", "By when", "Status"]
DONE_WORDS = {"done", "complete", "completed", "closed", "close", "finished", "resolved", "✓", "✔", "✅", "☑",
              "x", "yes", "y"}


def normalize(text: str) -> str:
    return " ".join(text.casefold().split())


def is_done(status: str) -> bool:
    """True for Done / Complete / ✓ / closed (any case, with punctuation or extra words)."""
    text = status.strip().casefold()
    if not text:
        return False
    if any(mark in text for mark in ("✓", "✔", "✅", "☑")):
        return True
    words = re.findall(r"[\w]+", text)
    if not words:
        return False
    return words[0] in DONE_WORDS


def action_id(day: date, what: str) -> str:
    """The stable id of an action item: meeting date + a hash of its normalized text."""
    digest = hashlib.sha256(normalize(what).encode("utf-8")).hexdigest()[:8]
    return f"{day.isoformat()}#{digest}"


def suggestion_id(day: date, title: str) -> str:
    digest = hashlib.sha256(normalize(title).encode("utf-8")).hexdigest()[:8]
    return f"doc:{day.isoformat()}#{digest}"


@dataclass
class DocAction:
    """One row of an agenda Doc's action table, as a person left it."""

    what: str
    who: str
    due: str
    status: str
    ref: str = ""
    """The item's id when the row is in a carried-over table."""


def _find_column(header: list[str], *names: str) -> int | None:
    for index, text in enumerate(header):
        value = normalize(text).rstrip(":")
        if any(value == n or value.startswith(n) for n in names):
            return index
    return None


def _table_kind(table: DocTable) -> str | None:
    header = [normalize(h) for h in table.header]
    if not header:
        return None
    if "ref" in header and _find_column(table.header, "what") is not None:
        return "carried"
    if _find_column(table.header, "what") is not None and _find_column(table.header, "status") is not None:
        return "actions"
    if header[0].startswith("suggested item"):
        return "suggestions"
    return None


def parse_tables(tables: list[DocTable]) -> tuple[list[DocAction], list[DocAction], list[dict[str, str]]]:
    """(new action rows, carried-over rows, item suggestions) from an agenda Doc's tables."""
    actions: list[DocAction] = []
    carried: list[DocAction] = []
    suggestions: list[dict[str, str]] = []
    for table in tables:
        kind = _table_kind(table)
        if kind is None:
            continue
        header = table.header
        if kind == "suggestions":
            why, who = _find_column(header, "why"), _find_column(header, "who", "from")
            for row in table.rows[1:]:
                title = row[0].strip() if row else ""
                if title:
                    suggestions.append({"title": title, "why": cell(row, why).strip() if why is not None else "",
                                        "who": cell(row, who).strip() if who is not None else ""})
            continue
        what = _find_column(header, "what")
        who = _find_column(header, "who", "owner")
        due = _find_column(header, "by when", "due", "when")
        status = _find_column(header, "status", "done")
        ref = _find_column(header, "ref")
        for row in table.rows[1:]:
            text = cell(row, what).strip() if what is not None else ""
            if not text:
                continue  # a blank row, or one with only a name or a date
            item = DocAction(
                what=text,
                who=cell(row, who).strip() if who is not None else "",
                due=cell(row, due).strip() if due is not None else "",
                status=cell(row, status).strip() if status is not None else "",
                ref=cell(row, ref).strip() if ref is not None else "",
            )
            (carried if kind == "carried" else actions).append(item)
    return actions, carried, suggestions


def _closed(row: list[str]) -> bool:
    return bool(cell(row, col(ACTION_ITEMS, "Closed")).strip()) or is_done(cell(row, col(ACTION_ITEMS, "Status")))


def merge(ctx: JobContext, day: date, actions: list[DocAction], carried: list[DocAction]) -> list[list[str]]:
    """The Action items rows to write after reading the agenda of ``day`` (new and changed only)."""
    tracker = ctx.tracker
    existing = tracker.by_id(ACTION_ITEMS)
    today = ctx.now.date().isoformat()
    out: dict[str, list[str]] = {}
    c_status, c_closed, c_who, c_due = (col(ACTION_ITEMS, n) for n in ("Status", "Closed", "Who", "By when"))

    def current(item_id: str) -> list[str] | None:
        return out.get(item_id) or existing.get(item_id)

    for action in actions:
        item_id = action_id(day, action.what)
        row = current(item_id)
        done = is_done(action.status)
        if row is None:
            out[item_id] = [item_id, day.isoformat(), action.what, action.who, action.due,
                            action.status or OPEN, day.isoformat(), today if done else "",
                            f"agenda {day.isoformat()}"]
            continue
        if _closed(row):
            continue
        new = list(row)
        if done:
            new[c_status], new[c_closed] = action.status, today
        elif action.status and normalize(action.status) != normalize(row[c_status]) and row[c_status] in ("", OPEN):
            new[c_status] = action.status
        if not new[c_who].strip() and action.who:
            new[c_who] = action.who
        if not new[c_due].strip() and action.due:
            new[c_due] = action.due
        if new != row:
            out[item_id] = new
    for action in carried:
        row = current(action.ref)
        if row is None or _closed(row) or not is_done(action.status):
            continue
        new = list(row)
        new[c_status], new[c_closed] = action.status, today
        out[action.ref] = new
    return list(out.values())


def open_actions(ctx: JobContext, day: date) -> list[dict[str, object]]:
    """The items still open when the agenda of ``day`` is built (from meetings before ``day``)."""
    tracker = ctx.tracker
    if tracker is None:
        return []
    out = []
    for row in tracker.rows(ACTION_ITEMS):
        item_id = cell(row, 0)
        opened_text = cell(row, col(ACTION_ITEMS, "Meeting"))
        if not item_id or _closed(row):
            continue
        try:
            opened = date.fromisoformat(opened_text[:10])
        except ValueError:
            continue
        if opened >= day:
            continue
        status = cell(row, col(ACTION_ITEMS, "Status"))
        out.append({
            "ref": item_id,
            "what": cell(row, col(ACTION_ITEMS, "What")),
            "who": cell(row, col(ACTION_ITEMS, "Who")),
            "due": cell(row, col(ACTION_ITEMS, "By when")),
            "status": "" if status == OPEN else status,
            "meeting_label": date_label(opened),
            "age_days": (day - opened).days,
        })
    out.sort(key=lambda a: (-int(a["age_days"]), str(a["ref"])))  # type: ignore[call-overload]
    return out
