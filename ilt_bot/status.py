"""``ilt-bot status``: per school, the last run, what it made lately, what is due next, what needs a person.

Read-only. The history comes from the tracker Sheet's **Runs** tab (one row per action, written by each
tick: ``Run ID, Time, Action, Key, Result, Detail``), so status works from any machine. A pass that had
nothing to do writes no row: "last run" is the last pass that did something.

Needs a person:
- an artifact a person trashed (the bot reports it and never recreates it), and anything else skipped;
- errors of the last run (a folder the bot cannot write, a Doc it may not read...);
- a grant Google refused (one person left out of an artifact shared with the others);
- a permission a person added to a bot file beyond its audience (the daily sharing audit);
- a meeting's feedback Form nobody answered (of the last few meetings held);
- an artifact **missed**: due while no tick ran and not made before its window closed (Runs result
  ``missed``, from any run of the last ``MISSED_DAYS`` days: ilt_bot.jobs.catchup);
- no tracker at all (the bot never ran for this school), or a trashed tracker.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from ilt_bot.config import Config

RUNS_COLUMNS = ("Run ID", "Time", "Action", "Key", "Result", "Detail")
RECENT_DAYS = 7
AHEAD_DAYS = 7
MISSED_DAYS = 30
"""How long an artifact reported missed stays in ``status`` (it is reported by every pass of its horizon)."""
UNANSWERED_MEETINGS = 3
"""How many of the last meetings held are checked for a feedback Form without any response."""


@dataclass
class Attention:
    """Something a person should look at."""

    what: str
    """``trashed``, ``skipped``, ``error``, ``no_permission``, ``refused_share``, ``extra_permission``,
    ``missed``, ``unanswered_form``, ``never_ran``, ``tab_missing``, ``repaired``."""
    key: str
    detail: str

    def text(self) -> str:
        return f"{self.what}: {self.key}" + (f" ({self.detail})" if self.detail else "")


@dataclass
class SchoolStatus:
    """What ``status`` shows for one school (``to_json`` is its ``--json`` object)."""

    school: str
    name: str
    tracker: str | None = None
    last_run: dict[str, Any] | None = None
    recent: list[dict[str, str]] = field(default_factory=list)
    due_next: list[dict[str, str]] = field(default_factory=list)
    attention: list[Attention] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["attention"] = [asdict(a) for a in self.attention]
        return data


def _cell(row: list[str], i: int) -> str:
    return str(row[i]) if i < len(row) and row[i] is not None else ""


def _run_of(run_row_id: str) -> str:
    """The pass a Runs row belongs to: ``20260915T060000-ab12cd-003`` -> ``20260915T060000-ab12cd``."""
    head, sep, tail = run_row_id.rpartition("-")
    return head if sep and tail.isdigit() else run_row_id


def _when(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def last_run(rows: list[list[str]]) -> tuple[dict[str, Any] | None, list[list[str]]]:
    """The latest pass in the Runs rows (by time) as a summary, and its rows."""
    passes: dict[str, list[list[str]]] = {}
    for row in rows:
        if _cell(row, 0):
            passes.setdefault(_run_of(_cell(row, 0)), []).append(row)
    if not passes:
        return None, []

    def stamp(item: tuple[str, list[list[str]]]) -> tuple[str, str]:
        return (max(_cell(r, 1) for r in item[1]), item[0])

    run_id, run_rows = max(passes.items(), key=stamp)
    results = [_cell(r, 4) for r in run_rows]
    errors = [f"{_cell(r, 3)}: {_cell(r, 5)}" for r in run_rows if _cell(r, 4) == "error"]
    summary = {
        "run": run_id,
        "time": max(_cell(r, 1) for r in run_rows),
        "result": "errors" if errors else "ok",
        "actions": len(run_rows),
        "created": results.count("created"),
        "skipped": results.count("skipped"),
        "errors": errors,
    }
    return summary, run_rows


def recent_created(rows: list[list[str]], now: datetime, days: int = RECENT_DAYS) -> list[dict[str, str]]:
    """Artifacts created in the last ``days`` days (newest first)."""
    since = now - timedelta(days=days)
    out = []
    for row in rows:
        when = _when(_cell(row, 1))
        if when is not None and when.tzinfo is None:
            when = when.replace(tzinfo=now.tzinfo)
        if _cell(row, 4) == "created" and when is not None and when >= since:
            out.append({"time": _cell(row, 1), "key": _cell(row, 3)})
    return sorted(out, key=lambda r: r["time"], reverse=True)


def due_next(config: Config, now: datetime, days: int = AHEAD_DAYS) -> list[dict[str, str]]:
    """What the plan makes in the next ``days`` days (every plan item is an artifact)."""
    from ilt_bot.calendar import SchoolYear
    from ilt_bot.plan import plan

    year = SchoolYear(config)
    items = plan(config, year, now, now + timedelta(days=days))
    return [{"due": i.due.isoformat(), "kind": i.kind, "key": i.key, "target": i.target}
            for i in items if i.due > now]


def missed(rows: list[list[str]], now: datetime, days: int = MISSED_DAYS) -> list[Attention]:
    """Artifacts reported missed by any run of the last ``days`` days, once per key (the latest report)."""
    from ilt_bot.jobs.catchup import MISSED

    since = now - timedelta(days=days)
    latest: dict[str, list[str]] = {}
    for row in sorted(rows, key=lambda r: _cell(r, 1)):
        when = _when(_cell(row, 1))
        if when is not None and when.tzinfo is None:
            when = when.replace(tzinfo=now.tzinfo)
        if _cell(row, 4) == MISSED and when is not None and when >= since:
            latest[_cell(row, 3)] = row
    return [Attention(MISSED, key, _cell(row, 5)) for key, row in sorted(latest.items())]


def _run_attention(run_rows: list[list[str]]) -> list[Attention]:
    out: list[Attention] = []
    for row in run_rows:
        result, key, detail = _cell(row, 4), _cell(row, 3), _cell(row, 5)
        if result == "skipped":
            out.append(Attention("trashed" if "trash" in detail.lower() else "skipped", key, detail))
        elif result == "repaired":  # the bot put back what a person removed from the tracker
            out.append(Attention("repaired", key, detail))
        elif result == "error":
            denied = any(w in detail for w in ("PermissionDenied", "NotFound", "cannot add files", "cannot change"))
            out.append(Attention("no_permission" if denied else "error", key, detail))
    return out


SHARING_FLAGS = {"refused": "refused_share", "extra": "extra_permission"}
"""Runs results of sharing problems: a grant Google refused, access beyond a file's audience (the daily audit)."""


def sharing_flags(rows: list[list[str]], now: datetime, days: int = 1) -> list[Attention]:
    """Sharing problems reported in the last ``days`` days (the audit runs in the day's first pass, so
    the last pass alone may not show them), each once."""
    since = now - timedelta(days=days)
    seen: dict[tuple[str, str], Attention] = {}
    for row in rows:
        what = SHARING_FLAGS.get(_cell(row, 4))
        when = _when(_cell(row, 1))
        if when is not None and when.tzinfo is None:
            when = when.replace(tzinfo=now.tzinfo)
        if what and when is not None and when >= since:
            seen.setdefault((_cell(row, 3), _cell(row, 5)), Attention(what, _cell(row, 3), _cell(row, 5)))
    return list(seen.values())


def unanswered_forms(meetings: list[list[str]], feedback: list[list[str]], today: date,
                     last: int = UNANSWERED_MEETINGS) -> list[Attention]:
    """Feedback Forms of the last ``last`` meetings held before today that have no response at all."""
    from ilt_bot.jobs.tracker import FEEDBACK, MEETINGS, col

    answered = {_cell(r, col(FEEDBACK, "Meeting")) for r in feedback}
    held = []
    for row in meetings:
        day_text = _cell(row, col(MEETINGS, "Meeting"))[:10]
        try:
            day = date.fromisoformat(day_text)
        except ValueError:
            continue
        if day < today and _cell(row, col(MEETINGS, "Feedback form")):
            held.append((day, row))
    held.sort(key=lambda pair: pair[0])
    out = []
    for day, row in held[-last:]:
        if day.isoformat() not in answered:
            link = _cell(row, col(MEETINGS, "Feedback link"))
            out.append(Attention("unanswered_form", f"feedback form for the meeting of {day.isoformat()}",
                                 f"no responses yet; remind the ILT{': ' + link if link else ''}"))
    return out


def school_status(config: Config, workspace: Any, now: datetime) -> SchoolStatus:
    """The status of one school, read from its Drive through ``workspace`` (read-only)."""
    from ilt_bot.jobs.tracker import FEEDBACK, MEETINGS, RUNS, TABS, header_rows, tracker_key

    now = now if now.tzinfo else now.replace(tzinfo=config.tz)
    status = SchoolStatus(school=config.school.id, name=config.school.name, due_next=due_next(config, now))
    key = tracker_key(config)
    found = workspace.find(key)
    if found is None:
        status.attention.append(Attention("never_ran", key, "no tracker Sheet: the bot has not run for this "
                                          "school yet (run `ilt-bot tick`)"))
        return status
    from ilt_bot.sandbox.pages import browser_link

    status.tracker = browser_link(found.web_link, getattr(workspace, "base_url", None)) if found.web_link \
        else found.id
    if found.trashed:
        status.attention.append(Attention("trashed", key, "the tracker Sheet is in the trash: restore it, or the "
                                          "bot cannot record feedback and runs"))
        return status
    wanted = {tab: TABS[tab] for tab in (RUNS, MEETINGS, FEEDBACK)}
    tabs = workspace.read_tracker(found.id, wanted)  # one read; tabs by identity (docs/tracker-identity.md)
    for tab in wanted:
        if tab not in tabs:
            status.attention.append(Attention("tab_missing", key, f"the tracker's {tab!r} tab was deleted: the next "
                                              "`ilt-bot tick` makes it again (its rows come back from the Forms)"))
    runs = header_rows(tabs.get(RUNS), TABS[RUNS])
    status.last_run, run_rows = last_run(runs)
    status.recent = recent_created(runs, now)
    status.attention += _run_attention(run_rows)
    status.attention += sharing_flags(runs, now)
    status.attention += missed(runs, now)
    status.attention += unanswered_forms(header_rows(tabs.get(MEETINGS), TABS[MEETINGS]),
                                         header_rows(tabs.get(FEEDBACK), TABS[FEEDBACK]), now.date())
    return status
