"""The tracker spreadsheet of a school year: the ILT's record of meetings, feedback, items and runs.

Key ``<school>/tracker/<year label>``, in the root folder. Rows people typed are never rewritten by the
bot except for the cells it owns (an action item's status when it closes, an agenda item's placement).
Every value goes in RAW (the gateway's appends are RAW), so a response starting with ``=`` stays text.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

from ilt_bot.jobs import DRY_RUN_ID, JobContext, feedback_style, member_emails, resolve
from ilt_bot.routine import school_key
from ilt_bot.workspace.api import Share, fit_cell

if TYPE_CHECKING:
    from ilt_bot.config import Config

MEETINGS = "Meetings"
FEEDBACK = "Feedback"
AGENDA_ITEMS = "Agenda items"
ACTION_ITEMS = "Action items"
RUNS = "Runs"
DASHBOARD = "Dashboard"

TABS: dict[str, list[str]] = {
    MEETINGS: ["Meeting", "Number", "Agenda key", "Agenda doc", "Agenda link", "Feedback form", "Feedback link",
               "Focus", "Roles", "Created"],
    FEEDBACK: ["Response ID", "Meeting", "Submitted", "Respondent", "Plus", "Delta", "Stop", "Start", "Continue"],
    AGENDA_ITEMS: ["Item ID", "Submitted", "Submitter", "Title", "Why it matters", "Time needed", "Source",
                   "Placed in", "Status"],
    ACTION_ITEMS: ["Item ID", "Meeting", "What", "Who", "By when", "Status", "Opened", "Closed", "Source"],
    RUNS: ["Run ID", "Time", "Action", "Key", "Result", "Detail"],
    DASHBOARD: ["Meeting", "Plus", "Delta", "Stop", "Start", "Continue", "Responses"],
}
"""The tracker's own tabs (title -> header row). Routines add theirs in their ``Routine.tabs``; a pass
knows them all in ``JobContext.tracker_tabs`` (``ilt_bot.registry.tracker_tabs``)."""

FEEDBACK_REFS = ("plus", "delta", "stop", "start", "continue")
"""The feedback columns of the Feedback tab, in order (after Response ID, Meeting, Submitted, Respondent)."""


def answer_cell(text: str, response_id: str) -> str:
    """A person's answer as a tracker cell: within Google's 50,000-character cell limit, a longer one cut with
    a visible marker naming the Form response that keeps the full text (never lost, never failing the sync)."""
    return fit_cell(text, f" … [truncated: full answer in the Form response {response_id}]")


def col(tab: str, name: str) -> int:
    """The index of column ``name`` in ``tab``."""
    return TABS[tab].index(name)


def cell(row: list[str], index: int) -> str:
    return row[index] if index < len(row) else ""


def padded(row: list[str], width: int) -> list[str]:
    return list(row) + [""] * (width - len(row))


class Tracker:
    """The tracker spreadsheet: rows read once per pass, writes buffered per tab (none in a dry run)."""

    def __init__(self, ctx: JobContext, spreadsheet_id: str, web_link: str | None = None) -> None:
        self.ctx = ctx
        self.id = spreadsheet_id
        self.web_link = web_link
        self.tabs = ctx.tracker_tabs or TABS
        self._rows: dict[str, list[list[str]]] = {}

    @property
    def exists(self) -> bool:
        return self.id != DRY_RUN_ID

    def rows(self, tab: str) -> list[list[str]]:
        """The tab's rows below the header (read once per pass, then kept in step with our writes)."""
        if tab not in self._rows:
            raw = self.ctx.workspace.read_rows(self.id, tab) if self.exists else []
            width = len(self.tabs[tab])
            self._rows[tab] = [padded([str(v) for v in row], width) for row in raw]
        return self._rows[tab]

    def by_id(self, tab: str, id_column: int = 0) -> dict[str, list[str]]:
        return {row[id_column]: row for row in self.rows(tab) if cell(row, id_column)}

    def append_once(self, tab: str, rows: list[list[str]], id_column: int = 0) -> int:
        """Append the rows whose id is new (RAW); returns how many are new."""
        known = {cell(r, id_column) for r in self.rows(tab)}
        fresh, seen = [], set()
        for row in rows:
            rid = row[id_column]
            if rid in known or rid in seen:
                continue
            seen.add(rid)
            fresh.append([str(v) for v in row])
        if not fresh:
            return 0
        if not self.ctx.dry_run and self.exists:
            self.ctx.workspace.append_rows_once(self.id, tab, fresh, id_column=id_column)
        self.rows(tab).extend(padded(r, len(self.tabs[tab])) for r in fresh)
        return len(fresh)

    def upsert(self, tab: str, rows: list[list[str]], id_column: int = 0) -> int:
        """Replace rows by id and append new ones, skipping rows that would not change."""
        current = self.by_id(tab, id_column)
        width = len(self.tabs[tab])
        changed = [padded([str(v) for v in row], width) for row in rows
                   if current.get(row[id_column]) != padded([str(v) for v in row], width)]
        if not changed:
            return 0
        if not self.ctx.dry_run and self.exists:
            self.ctx.workspace.upsert_rows(self.id, tab, changed, id_column=id_column)
        table = self.rows(tab)
        index = {cell(r, id_column): i for i, r in enumerate(table)}
        for row in changed:
            if row[id_column] in index:
                table[index[row[id_column]]] = row
            else:
                table.append(row)
        return len(changed)


def tracker_key(config: Config) -> str:
    """``<school>/tracker/<year>``."""
    return school_key(config, "tracker", config.year.label)


def ensure_tracker(ctx: JobContext, root_folder_id: str | Callable[[], str | None]) -> Tracker | None:
    """The year's tracker (created with every tab; missing tabs are added); None if a person trashed it.

    The ILT may edit it (closing action items, placing agenda items): it is shared with them as
    editors as part of making it (a crash before that is finished by the next pass), and again by
    :func:`share_tracker` when an agenda is built (members the config adds later).
    """
    if ctx.tracker is not None:
        return ctx.tracker
    t_key = tracker_key(ctx.config)
    tabs = ctx.tracker_tabs or TABS
    name = f"ILT Tracker {ctx.config.year.label} — {ctx.config.school.name}"
    before = len(ctx.report.created)
    ref = ctx.ensure(t_key, lambda: ctx.workspace.ensure_spreadsheet(t_key, name, resolve(root_folder_id), tabs,
                                                                     share=tracker_shares(ctx)),
                     what=name)
    if ref is None:
        return None
    ctx.tracker = Tracker(ctx, ref.id, ref.web_link)
    if len(ctx.report.created) > before:
        ctx.tracker_shared = True  # shared by ensure_spreadsheet
    return ctx.tracker


def tracker_shares(ctx: JobContext) -> list[Share]:
    """Who gets the tracker: the ILT members, as editors, no e-mail."""
    return [Share(member_emails(ctx.config), "writer")]


def share_tracker(ctx: JobContext) -> None:
    """Give the ILT edit access to the tracker (idempotent; no e-mail)."""
    tracker: Tracker | None = ctx.tracker
    if tracker is None or not tracker.exists or ctx.dry_run or ctx.tracker_shared:
        return
    ctx.workspace.share(tracker.id, member_emails(ctx.config), "writer")
    ctx.tracker_shared = True


def feedback_counts(tracker: Tracker) -> list[list[str]]:
    """The Dashboard rows: per meeting, how many responses gave a plus, delta, stop, start, continue."""
    per_meeting: dict[str, Counter[str]] = {}
    responses: Counter[str] = Counter()
    meeting_col = col(FEEDBACK, "Meeting")
    first = col(FEEDBACK, "Plus")
    for row in tracker.rows(FEEDBACK):
        meeting = cell(row, meeting_col)
        if not meeting:
            continue
        counts = per_meeting.setdefault(meeting, Counter())
        responses[meeting] += 1
        for offset, ref in enumerate(FEEDBACK_REFS):
            if cell(row, first + offset).strip():
                counts[ref] += 1
    return [[meeting, *(str(per_meeting[meeting][ref]) for ref in FEEDBACK_REFS), str(responses[meeting])]
            for meeting in sorted(per_meeting)]


DASHBOARD_CHARTS = {
    "plus_delta": ("Plus and delta per meeting", ("Plus", "Delta")),
    "stop_start_continue": ("Stop, start and continue per meeting", ("Stop", "Start", "Continue")),
}
"""Feedback style -> title of the Dashboard's column chart and the columns it draws (found by title)."""


def update_dashboard(ctx: JobContext) -> int:
    """Write the per-meeting feedback counts to the Dashboard tab (only the rows that changed).

    When rows changed, the chart over them (plus and delta counts per meeting, or stop/start/continue) is
    ensured: added once right of the table, found by its title afterwards. It reads whole columns, so
    later meetings appear in it without another write.
    """
    tracker: Tracker | None = ctx.tracker
    if tracker is None:
        return 0
    written = tracker.upsert(DASHBOARD, feedback_counts(tracker))
    if written and tracker.exists and not ctx.dry_run:
        title, columns = DASHBOARD_CHARTS[feedback_style(ctx.config)]
        ctx.workspace.ensure_column_chart(tracker.id, DASHBOARD, title, col(DASHBOARD, "Meeting"),
                                          [col(DASHBOARD, c) for c in columns], anchor_column=len(TABS[DASHBOARD]) + 1)
    return written


def append_runs(ctx: JobContext, run_id_prefix: str) -> int:
    """One Runs row per action of this pass (nothing in a dry run)."""
    tracker: Tracker | None = ctx.tracker
    if tracker is None or ctx.dry_run or not ctx.report.actions:
        return 0
    stamp = ctx.now.isoformat(timespec="seconds")
    rows: list[list[str]] = []
    for n, action in enumerate(ctx.report.actions, start=1):
        rows.append([f"{run_id_prefix}-{n:03d}", stamp, action["action"], action["key"], action["result"],
                     action.get("detail", "")])
    if not tracker.exists:
        return 0
    # Run ids are unique per pass: no need to read the (ever growing) Runs tab first.
    return ctx.workspace.append_rows_once(tracker.id, RUNS, rows)


def recent_meetings(tracker: Tracker, today: date, *, held: int, upcoming: bool) -> list[list[str]]:
    """Meetings tab rows of the last ``held`` meetings on or before ``today`` (and the later ones).

    Keeps each pass's reads bounded: a meeting's Form is polled until the next agenda is built (which
    syncs it a last time, then closes it), its agenda Doc is read for action items for two meetings.
    """
    dated = []
    for row in tracker.rows(MEETINGS):
        try:
            dated.append((date.fromisoformat(cell(row, 0)[:10]), row))
        except ValueError:
            continue
    dated.sort(key=lambda pair: pair[0])
    past = [row for day, row in dated if day <= today]
    later = [row for day, row in dated if day > today] if upcoming else []
    return past[-held:] + later if held else later


def rows_of(tracker: Tracker | None, tab: str) -> list[list[str]]:
    """The tab's rows, or none when there is no tracker (a dry run on an empty Drive)."""
    return tracker.rows(tab) if tracker is not None else []
