"""The plus/delta loop closed: every delta is answered in an agenda's "We heard / We will" table.

When the agenda after a meeting is built, each delta of that meeting's feedback (each distinct line of
the Delta answers; Stop and Start in the stop/start/continue style) gets a row in the tracker's Deltas
tab under a stable id (meeting date + a hash of its text) and a row in the agenda's table, with the
deltas still open from earlier meetings. After the meeting the harvest reads what the facilitator typed
into "We will" (and Owner, By when): the delta is answered, or closed as "no change, because…"; a
delta left blank stays open and comes back in the next agenda. The next agenda lists the answers.
"""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

from ilt_bot.jobs import DRY_RUN_ID, JobContext, date_label
from ilt_bot.jobs.actions import _find_column, normalize
from ilt_bot.jobs.tracker import MEETINGS, Tracker, cell, col, recent_meetings, rows_of
from ilt_bot.workspace.api import DocTable

DELTAS = "Deltas"
DELTA_COLUMNS = ["Delta ID", "Meeting", "We heard", "Count", "We will", "Owner", "By when", "Answered at",
                 "Status"]
"""The tracker tab of every delta and its answer (added by the agenda routine)."""
TABLE_COLUMNS = ["We heard", "We will", "Owner", "By when", "Ref"]
"""The agenda's table; "Ref" keeps each row's delta id, so edited text is still found."""
OPEN, ANSWERED, NO_CHANGE = "open", "answered", "no change"
DELTA_REFS = ("delta", "stop", "start")
"""The feedback questions whose answers ask for a change."""
HARVEST_MEETINGS = 2
"""The agendas of the last two meetings held are read each pass."""


def _col(name: str) -> int:
    return DELTA_COLUMNS.index(name)


def delta_id(day: date, text: str) -> str:
    """``<meeting date>#<hash of the normalized text>``: the same delta heard twice at a meeting is one."""
    return f"{day.isoformat()}#{hashlib.sha256(normalize(text).encode('utf-8')).hexdigest()[:8]}"


def record_deltas(tracker: Tracker | None, review: dict[str, Any] | None) -> int:
    """Add the reviewed meeting's deltas to the Deltas tab (once each); returns how many are new."""
    if tracker is None or not review:
        return 0
    day = date.fromisoformat(str(review["meeting_date"]))
    rows = [[delta_id(day, a["text"]), day.isoformat(), a["text"], str(a["count"]), "", "", "", "", OPEN]
            for group in review["groups"] if group["ref"] in DELTA_REFS for a in group["answers"]]
    return tracker.append_once(DELTAS, rows)


def delta_view(row: list[str]) -> dict[str, str]:
    heard = cell(row, _col("Meeting"))
    answered = cell(row, _col("Answered at"))
    return {"ref": cell(row, 0), "heard": cell(row, _col("We heard")), "count": cell(row, _col("Count")) or "1",
            "meeting_label": _label(heard), "we_will": cell(row, _col("We will")),
            "owner": cell(row, _col("Owner")), "due": cell(row, _col("By when")),
            "status": cell(row, _col("Status")), "answered_label": _label(answered)}


def _label(text: str) -> str:
    try:
        return date_label(date.fromisoformat(text[:10]))
    except ValueError:
        return text


def open_deltas(tracker: Tracker | None, day: date) -> list[dict[str, str]]:
    """The deltas heard before ``day`` with no answer yet, oldest first (the agenda's table)."""
    rows = [r for r in rows_of(tracker, DELTAS)
            if cell(r, _col("Status")) == OPEN and cell(r, _col("Meeting")) < day.isoformat()]
    return [delta_view(r) for r in sorted(rows, key=lambda r: (cell(r, _col("Meeting")), cell(r, 0)))]


def answered_at(tracker: Tracker | None, day: date | None) -> list[dict[str, str]]:
    """The deltas answered at the meeting of ``day`` (the next agenda tells the ILT what was decided)."""
    if day is None:
        return []
    return [delta_view(r) for r in rows_of(tracker, DELTAS)
            if cell(r, _col("Answered at")) == day.isoformat() and cell(r, _col("Status")) != OPEN]


def answer_table(tables: list[DocTable]) -> list[dict[str, str]]:
    """The rows of an agenda's "We heard / We will" table as people left them (``ref`` may be blank)."""
    out = []
    for table in tables:
        if not table.header or normalize(table.header[0]) != "we heard":
            continue
        found = {name: _find_column(table.header, normalize(name)) for name in TABLE_COLUMNS}
        found["By when"] = _find_column(table.header, "by when", "due", "when")
        for row in table.rows[1:]:
            values = {name: cell(row, i).strip() if i is not None else "" for name, i in found.items()}
            if values["We heard"] or values["Ref"]:
                out.append(values)
    return out


def is_no_change(answer: str) -> bool:
    """True for "No change, because…" (any case, with or without the comma)."""
    return normalize(answer).replace(",", " ").startswith("no change")


def answers(tracker: Tracker, day: date, table: list[dict[str, str]]) -> list[list[str]]:
    """The Deltas rows to write after reading the agenda of ``day`` (answered or re-answered deltas)."""
    known = tracker.by_id(DELTAS)
    by_text = {normalize(cell(r, _col("We heard"))): r for r in known.values() if cell(r, _col("Status")) == OPEN}
    out = []
    for entry in table:
        row = known.get(entry["Ref"]) or by_text.get(normalize(entry["We heard"]))
        we_will = entry["We will"]
        if row is None or not we_will:
            continue
        if cell(row, _col("Status")) != OPEN and cell(row, _col("Answered at")) != day.isoformat():
            continue  # answered at an earlier meeting: that answer stands
        new = list(row)
        new[_col("We will")], new[_col("Owner")], new[_col("By when")] = we_will, entry["Owner"], entry["By when"]
        new[_col("Answered at")] = day.isoformat()
        new[_col("Status")] = NO_CHANGE if is_no_change(we_will) else ANSWERED
        if new != row:
            out.append(new)
    return out


def _asked(tracker: Tracker, day_text: str) -> bool:
    """Whether the agenda of ``day_text`` had deltas to answer (else its Doc is not read for them)."""
    return any((cell(r, _col("Status")) == OPEN and cell(r, _col("Meeting")) < day_text)
               or cell(r, _col("Answered at")) == day_text for r in tracker.rows(DELTAS))


def harvest_answers(ctx: JobContext) -> int:
    """Read the recent agendas' "We will" answers into the Deltas tab; returns how many rows changed."""
    tracker = ctx.tracker
    if tracker is None or not tracker.exists or not rows_of(tracker, DELTAS):
        return 0
    changed = 0
    for meeting in recent_meetings(tracker, ctx.now.date(), held=HARVEST_MEETINGS, upcoming=False):
        day_text, doc_id = cell(meeting, col(MEETINGS, "Meeting")), cell(meeting, col(MEETINGS, "Agenda doc"))
        if not day_text or not doc_id or doc_id == DRY_RUN_ID or ctx.stopping or not _asked(tracker, day_text):
            continue
        a_key = cell(meeting, col(MEETINGS, "Agenda key"))
        try:
            tables = ctx.workspace.read_doc_tables(doc_id)
        except Exception as exc:  # noqa: BLE001 - a trashed or unshared agenda must not stop the tick
            ctx.skipped(a_key, f"delta answers not read: {exc}")
            continue
        written = tracker.upsert(DELTAS, answers(tracker, date.fromisoformat(day_text), answer_table(tables)))
        if written:
            ctx.record("would harvest" if ctx.dry_run else "harvest", a_key, "updated", f"{written} delta answers")
        changed += written
    return changed
