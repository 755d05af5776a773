"""The tracker spreadsheet of a school year: the ILT's record of meetings, feedback, items and runs.

Key ``<school>/tracker/<year label>``, in the root folder. Rows people typed are never rewritten by the
bot except for the cells it owns (an action item's status when it closes, an agenda item's placement).
Every value goes in RAW (the gateway's appends are RAW), so a response starting with ``=`` stays text.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, timedelta
from typing import TYPE_CHECKING

from ilt_bot.jobs import DRY_RUN_ID, JobContext, feedback_style, member_emails, resolve
from ilt_bot.keys import school_key
from ilt_bot.workspace.api import Share, fit_cell
from ilt_bot.workspace.tracker_tabs import TabData

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


def in_header_order(data: TabData, header: list[str], raw: list[str]) -> list[str]:
    """A sheet row as the bot's fields in ``header`` order, wherever people moved the columns."""
    return [cell(raw, data.columns[name]) if name in data.columns else "" for name in header]


def header_rows(data: TabData | None, header: list[str]) -> list[list[str]]:
    """A tab's rows in ``header`` order, without people's own rows (no id)."""
    rows = [in_header_order(data, header, raw) for raw in data.rows] if data is not None else []
    return [r for r in rows if r and r[0].strip()]


class Tracker:
    """The tracker spreadsheet: every tab read once per pass (one request), found by identity; writes go
    into the bot's own columns wherever people moved them (none in a dry run). docs/tracker-identity.md.

    Jobs see each tab's rows in the order of its header (``col(tab, name)``), without people's columns,
    without rows whose id cell is empty (people's own rows), and each id once: when an overlapping run
    appended a row twice, the first copy is the row and the others wait in :attr:`duplicates` for
    :func:`remove_duplicates`.
    """

    def __init__(self, ctx: JobContext, spreadsheet_id: str, web_link: str | None = None) -> None:
        self.ctx = ctx
        self.id = spreadsheet_id
        self.web_link = web_link
        self.tabs = ctx.tracker_tabs or TABS
        self._found: dict[str, TabData] | None = None
        self._rows: dict[str, list[list[str]]] = {}
        self._where: dict[str, list[int | None]] = {}
        self.duplicates: dict[str, list[int]] = {}
        """tab -> rows (n below the header) repeating an id an earlier row has."""

    @property
    def exists(self) -> bool:
        return self.id != DRY_RUN_ID

    def found(self) -> dict[str, TabData]:
        """Every tab by identity: the pass's one read (again only after making a missing tab). A read that
        failed is not remembered as "no tabs": the next step that needs the tracker reads it again."""
        if self._found is None:
            self._found = self._read() if self.exists else {}
        return self._found

    def _read(self) -> dict[str, TabData]:
        ws, key = self.ctx.workspace, tracker_key(self.ctx.config)
        found = ws.read_tracker(self.id, self.tabs)
        for tab in found.values():
            for title in tab.copies:
                self.ctx.skipped(key, f"the tab {title!r} is a copy of the bot's {tab.title!r} tab: the bot reads "
                                      f"and writes {tab.title!r} only; delete the copy or keep it as your own")
        needs = [r for r in self.tabs if r not in found or found[r].unkeyed or not found[r].keyed
                 or any(n not in found[r].columns for n in self.tabs[r])]
        if not needs or self.ctx.dry_run:
            return found
        missing = [r for r in self.tabs if r not in found]
        for line in ws.repair_tracker(self.id, self.tabs, found):
            self.ctx.record("repair", key, "repaired", line)
        return ws.read_tracker(self.id, self.tabs) if missing else found

    def tab(self, tab: str) -> TabData | None:
        return self.found().get(tab)

    def rows(self, tab: str) -> list[list[str]]:
        """The tab's rows in header order (read once per pass, then kept in step with our writes)."""
        if tab not in self._rows:
            self._load(tab)
        return self._rows[tab]

    def _load(self, tab: str) -> None:
        header = self.tabs[tab]
        data = self.tab(tab)
        rows: list[list[str]] = []
        where: list[int | None] = []
        index_of: dict[str, int] = {}
        dups: list[int] = []
        for n, raw in enumerate(data.rows if data is not None else []):
            row = in_header_order(data, header, raw)
            rid = row[0]
            if not rid.strip():
                continue  # a person's row (or one whose id a person cleared): never the bot's
            if rid in index_of:
                first = index_of[rid]
                if _filled(raw) > _filled(data.rows[where[first] or 0]):  # keep the copy people wrote in
                    dups.append(where[first] or 0)
                    rows[first], where[first] = row, n
                else:
                    dups.append(n)
                continue
            index_of[rid] = len(rows)
            rows.append(row)
            where.append(n)
        self._rows[tab], self._where[tab] = rows, where
        if dups:
            self.duplicates[tab] = dups

    def by_id(self, tab: str, id_column: int = 0) -> dict[str, list[str]]:
        return {row[id_column]: row for row in self.rows(tab) if cell(row, id_column)}

    def append_once(self, tab: str, rows: list[list[str]], id_column: int = 0) -> int:
        """Append the rows whose id is new; returns how many are new."""
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
        self._write_new(tab, fresh)
        return len(fresh)

    def _write_new(self, tab: str, fresh: list[list[str]]) -> None:
        width = len(self.tabs[tab])
        data = self.tab(tab)
        if not self.ctx.dry_run and self.exists:
            if data is None:
                raise TabMissing(tab)
            self.ctx.workspace.append_tab_rows(self.id, data, self.tabs[tab], fresh)
        self.rows(tab).extend(padded(r, width) for r in fresh)
        self._where[tab].extend([None] * len(fresh))  # appended below the last row: position not known

    def upsert(self, tab: str, rows: list[list[str]], id_column: int = 0) -> int:
        """Write the bot's cells that changed in rows found by id, append the others; people's cells untouched."""
        table = self.rows(tab)
        width = len(self.tabs[tab])
        index = {cell(r, id_column): i for i, r in enumerate(table)}
        cells: list[tuple[int, int, str]] = []
        fresh: list[list[str]] = []
        changed = 0
        data = self.tab(tab)
        for row in rows:
            new = padded([str(v) for v in row], width)
            at = index.get(new[id_column])
            if at is None:
                fresh.append(new)
                continue
            if table[at] == new:
                continue
            if self._where[tab][at] is None and data is not None and not self.ctx.dry_run:
                self._refresh(tab)
                return self.upsert(tab, rows, id_column)
            changed += 1
            if data is not None:
                n = self._where[tab][at] or 0
                cells += [(n, data.columns[name], new[i]) for i, name in enumerate(self.tabs[tab])
                          if name in data.columns and new[i] != table[at][i]]
            table[at] = new
        if cells and not self.ctx.dry_run and self.exists and data is not None:
            self.ctx.workspace.update_tab_cells(self.id, data, cells)
        if fresh:
            self._write_new(tab, fresh)
        return changed + len(fresh)

    def _refresh(self, tab: str) -> None:
        """Read the tracker again: rows appended this pass are updated (their places are not known)."""
        self._found = self.ctx.workspace.read_tracker(self.id, self.tabs)
        self._rows.pop(tab, None)
        self._load(tab)


class TabMissing(LookupError):
    """A tracker tab the bot needs is gone and could not be made again (a dry run, or no access)."""

    def __init__(self, tab: str) -> None:
        super().__init__(f"the tracker has no {tab!r} tab: a person deleted it; the next run makes it again")


def _filled(row: list[str]) -> int:
    return sum(1 for v in row if v.strip())


def remove_duplicates(ctx: JobContext) -> int:
    """Remove the rows an overlapping run duplicated (same id), under the tracker's lease.

    The rule every machine applies: per id, the copy with the most filled cells stays (people may have
    written in one), the first one on a tie. The lease (a hidden tab only one run can add,
    docs/tracker-identity.md) makes the removal single-writer: the positions come from a read taken
    under it. Another run holding the lease is left to do it. Returns the rows removed.
    """
    tracker: Tracker | None = ctx.tracker
    if tracker is None or not tracker.exists or ctx.dry_run or not tracker.duplicates:
        return 0
    ws = ctx.workspace
    now = ctx.now.astimezone(UTC)
    lease = ws.take_lease(tracker.id, f"{ctx.config.school.id}@{now:%H%M%S}",
                          (now + LEASE_TIME).isoformat(timespec="seconds"), now.isoformat(timespec="seconds"))
    if lease is None:
        return 0
    removed = 0
    try:
        fresh = Tracker(ctx, tracker.id, tracker.web_link)
        for tab in list(tracker.duplicates):
            fresh.rows(tab)
            data = fresh.tab(tab)
            if data is not None and fresh.duplicates.get(tab):
                removed += ws.delete_tab_rows(tracker.id, data, fresh.duplicates[tab])
    finally:
        ws.drop_lease(tracker.id, lease)
    if removed:
        ctx.record("deduplicate", tracker_key(ctx.config), "repaired",
                   f"removed {removed} rows that overlapping runs had written twice")
    return removed


LEASE_TIME = timedelta(minutes=2)
"""How long a run holds the tracker's lease at most (a killed run's lease is taken over after it)."""


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
    tab = tracker.tab(DASHBOARD)
    title, columns = DASHBOARD_CHARTS[feedback_style(ctx.config)]
    if written and tracker.exists and not ctx.dry_run and tab is not None and title not in tab.charts:
        ctx.workspace.ensure_column_chart(tracker.id, tab.title, title, tab.columns["Meeting"],
                                          [tab.columns[c] for c in columns], anchor_column=tab.width + 1)
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
    return tracker.append_once(RUNS, rows)


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
