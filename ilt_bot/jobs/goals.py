"""The tracker's "Goals" tab: UIP goals and team SLOs with their checkpoints, read for progress monitoring.

The tab's columns are Goal, Baseline, Target, then one column per checkpoint that people add, headed
by its date or label ("Sep BOY", "2027-01-15"), with the value measured at it. The bot seeds one row
per ``school.uip_goals`` entry (baseline and target from the config when given) and per team SLO,
matched by the Goal cell; it never writes a cell people may have typed. The agenda shows each goal's
latest checkpoint against its target; the reflections show its trend (docs/architecture.md, tracker
tabs are declared in ``Routine.tabs``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ilt_bot.jobs.common import tracker_rows
from ilt_bot.jobs.semester_data import bar

if TYPE_CHECKING:
    from ilt_bot.calendar import SchoolYear
    from ilt_bot.config import Config
    from ilt_bot.jobs import JobContext

GOALS = "Goals"
HEADER = ["Goal", "Baseline", "Target"]
TABS = {GOALS: HEADER}
"""The tab as the tracker makes it (``Routine.tabs``); checkpoint columns are added by people."""

_NUMBER = re.compile(r"-?\d+(?:[.,]\d+)?")


@dataclass(frozen=True)
class Goal:
    """One row of the Goals tab: the goal, its baseline and target, and its filled checkpoints in order."""

    name: str
    baseline: str
    target: str
    checkpoints: tuple[tuple[str, str], ...]


def seed_rows(config: Config) -> list[list[str]]:
    """The Goals rows the config asks for: each UIP goal, then each team's SLOs."""
    rows = [[g.text, g.baseline, g.target] for g in config.school.uip_goals]
    rows += [[f"{team.name} SLO: {slo}", "", ""] for team in config.teams for slo in team.slos]
    return rows


def ensure_goal_rows(ctx: JobContext) -> None:
    """Add the configured goals missing from the tab (by Goal cell); nothing is rewritten."""
    tracker = ctx.tracker
    if tracker is None or ctx.dry_run or not tracker.exists:
        return
    tracker_rows(ctx, GOALS)  # adds the tab to a tracker made before it existed
    tracker.append_once(GOALS, seed_rows(ctx.config))


def read_goals(ctx: JobContext) -> list[Goal]:
    """Every goal row of the tab with the checkpoints people filled: their own columns, left to right,
    labelled by their headers (the bot's columns found by identity: docs/tracker-identity.md)."""
    tracker = ctx.tracker
    if tracker is None or not tracker.exists:
        return []
    tracker_rows(ctx, GOALS)  # adds the tab to a tracker made before it existed
    tab = tracker.tab(GOALS)
    if tab is None:
        return []
    ours = set(tab.columns.values())
    people_columns = [i for i in range(max(len(tab.header), *(len(r) for r in tab.rows), 0)) if i not in ours]
    goals = []
    for raw in tab.rows:
        goal, baseline, target = (_at(raw, tab.columns[name]) if name in tab.columns else "" for name in HEADER)
        if not goal:
            continue
        points = []
        for n, index in enumerate(people_columns, start=1):
            value = _at(raw, index)
            if value:
                points.append((_at(tab.header, index) or f"checkpoint {n}", value))
        goals.append(Goal(goal, baseline, target, tuple(points)))
    return goals


def _at(row: list[str], index: int) -> str:
    return row[index].strip() if index < len(row) else ""


def number(text: str) -> float | None:
    """The first number in a cell ("52%" -> 52.0, "1,2 grade levels" -> 1.2), None if there is none."""
    found = _NUMBER.search(text or "")
    return float(found.group().replace(",", ".")) if found else None


def year_elapsed(year: SchoolYear, now: datetime) -> float:
    """The share of the school year gone by at ``now`` (0 before it starts, 1 after it ends)."""
    start, end = year.year.start, year.year.end
    span = (end - start).days or 1
    return min(1.0, max(0.0, (now.date() - start).days / span))


def status(goal: Goal, elapsed: float) -> str:
    """``met``, ``on track``, ``not on track``, ``no checkpoint yet`` or ``not a number``.

    On track: the latest checkpoint has covered at least the share of the way from baseline to target
    that the share of the year gone by asks for (a straight line from baseline to target).
    """
    if not goal.checkpoints:
        return "no checkpoint yet"
    latest, base, target = number(goal.checkpoints[-1][1]), number(goal.baseline), number(goal.target)
    if latest is None or target is None:
        return "not a number"
    if base is None or base == target:
        return "met" if latest >= target else "not on track"
    progress = (latest - base) / (target - base)
    if progress >= 1:
        return "met"
    return "on track" if progress >= elapsed else "not on track"


def progress_view(goals: list[Goal], elapsed: float) -> list[dict[str, Any]]:
    """Per goal what the agenda shows: baseline, target, latest checkpoint (label, value), status."""
    out = []
    for goal in goals:
        label, value = goal.checkpoints[-1] if goal.checkpoints else ("", "")
        out.append({"goal": goal.name, "baseline": goal.baseline, "target": goal.target, "latest_label": label,
                    "latest": value, "status": status(goal, elapsed)})
    return out


def trend_view(goals: list[Goal], elapsed: float) -> list[dict[str, Any]]:
    """Per goal its baseline, every checkpoint and the target as rows with an inline bar (the reflections' chart)."""
    out = []
    for goal in goals:
        points = [("Baseline", goal.baseline)] if goal.baseline else []
        points += list(goal.checkpoints)
        values = [number(v) for _, v in points] + [number(goal.target)]
        top = max([v for v in values if v is not None] or [0])
        rows = [{"label": label, "value": value, "bar": bar(number(value) or 0, top)} for label, value in points]
        if goal.target:
            rows.append({"label": "Target", "value": goal.target, "bar": bar(number(goal.target) or 0, top)})
        out.append({"goal": goal.name, "rows": rows, "status": status(goal, elapsed)})
    return out


def goals_context(ctx: JobContext, *, trend: bool = False) -> list[dict[str, Any]]:
    """Seed missing goal rows, then the goals as the agenda (progress) or a reflection (trend) shows them."""
    ensure_goal_rows(ctx)
    goals = read_goals(ctx)
    elapsed = year_elapsed(ctx.year, ctx.now)
    return trend_view(goals, elapsed) if trend else progress_view(goals, elapsed)


__all__ = ["GOALS", "HEADER", "TABS", "Goal", "seed_rows", "ensure_goal_rows", "read_goals", "number", "status",
           "progress_view", "trend_view", "goals_context", "year_elapsed"]
