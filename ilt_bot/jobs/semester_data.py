"""The semester's figures, computed from the tracker's rows and the calendar (never typed by hand).

Pure functions over a snapshot of the tracker (tab title -> rows below the header) so tests can
recompute every number independently. Definitions (printed in the Docs next to the numbers):

- planned meetings: calendar meetings of the semester before its reflection meeting;
- held meetings: those with an agenda in the tracker's Meetings tab dated before the reflection and
  evidence that the ILT met (a feedback response or an action item from it; an agenda alone is not);
- action items: opened at a meeting of the semester; closed = a Closed date or a done status;
- focus areas: the scope-and-sequence entries whose months fall in the semester, with the held
  meetings whose Focus cell names them; strand balance = held meetings per strand;
- thinking maps: per team and cycle, distinct responses out of the team's teachers; themes are phrases
  that at least two responses share word for word (one teacher's words alone never show);
- stakeholder survey: responses, the average rating, answers grouped by question.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from ilt_bot.jobs.actions import is_done
from ilt_bot.jobs.themes import phrase_themes
from ilt_bot.jobs.tracker import ACTION_ITEMS, AGENDA_ITEMS, FEEDBACK, MEETINGS, cell, col

if TYPE_CHECKING:
    from ilt_bot.calendar import SchoolYear
    from ilt_bot.config import Config, Member, Semester

STRAND_LABELS = {"data": "Data", "observation_feedback": "Observation & feedback",
                 "professional_learning": "Professional learning"}
STAKEHOLDER = "Stakeholder feedback"
SH_COLUMNS = ["Row ID", "Response ID", "Semester", "Submitted", "Respondent", "Question", "Answer"]
RATING_QUESTION = "Overall, how well did the ILT support instructional improvement this semester? (1-5)"
BAR = "█"

Rows = dict[str, list[list[str]]]


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip()[:10])
    except ValueError:
        return None


def bar(value: float, top: float, width: int = 20) -> str:
    """An inline bar (``█`` blocks) of ``value`` out of ``top`` (Docs has no chart from HTML import)."""
    if top <= 0 or value <= 0:
        return ""
    return BAR * max(1, round(width * value / top))


def in_semester(day: date | None, semester: Semester, end: date | None = None) -> bool:
    return day is not None and semester.start <= day <= (end or semester.end)


# --- meetings -------------------------------------------------------------------------------------


def meetings(rows: Rows, year: SchoolYear, semester: Semester) -> dict[str, Any]:
    """Planned vs held meetings before the reflection, feedback responses per meeting."""
    reflection = semester.reflection_date
    planned = [m for m in year.meetings() if semester.start <= m.date < reflection]
    responses = Counter(_day(cell(r, col(FEEDBACK, "Meeting"))) for r in rows.get(FEEDBACK, []))
    evidence = held_evidence(rows)
    held_rows = {}
    for row in rows.get(MEETINGS, []):
        day = _day(cell(row, col(MEETINGS, "Meeting")))
        if day is not None and semester.start <= day < reflection and day in evidence:
            held_rows[day] = row
    table = []
    top = max([responses[d] for d in held_rows] or [0])
    for m in planned:
        held = m.date in held_rows
        table.append({"date": m.date.isoformat(), "held": held, "responses": responses[m.date] if held else 0,
                      "bar": bar(responses[m.date], top) if held else "",
                      "focus": cell(held_rows[m.date], col(MEETINGS, "Focus")) if held else ""})
    return {"planned": len(planned), "held": sum(1 for m in planned if m.date in held_rows), "table": table}


def held_evidence(rows: Rows) -> set[date]:
    """Meeting dates with evidence the meeting took place: a feedback response or an action item opened at it.

    An agenda alone is not evidence (it is made days before the meeting, whether or not the ILT meets).
    """
    days = {_day(cell(r, col(FEEDBACK, "Meeting"))) for r in rows.get(FEEDBACK, [])}
    days |= {_day(cell(r, col(ACTION_ITEMS, "Meeting"))) for r in rows.get(ACTION_ITEMS, []) if cell(r, 0)}
    return {d for d in days if d is not None}


def feedback_over_time(rows: Rows, semester: Semester) -> list[dict[str, Any]]:
    """Per month: responses and the plus/delta (or stop/start/continue) themes repeated in it."""
    months: dict[str, list[list[str]]] = {}
    for row in rows.get(FEEDBACK, []):
        day = _day(cell(row, col(FEEDBACK, "Meeting")))
        if in_semester(day, semester):
            months.setdefault(f"{day:%Y-%m}", []).append(row)  # type: ignore[str-format]
    out = []
    for month in sorted(months):
        entries = months[month]
        groups = []
        for name in ("Plus", "Delta", "Stop", "Start", "Continue"):
            texts = [cell(r, col(FEEDBACK, name)) for r in entries if cell(r, col(FEEDBACK, name)).strip()]
            if texts:
                groups.append({"name": name, "themes": phrase_themes(texts, limit=4), "answers": texts})
        out.append({"month": date.fromisoformat(month + "-01").strftime("%B %Y"), "responses": len(entries),
                    "groups": groups})
    return out


# --- action items ---------------------------------------------------------------------------------


def action_closed(row: list[str]) -> bool:
    return bool(cell(row, col(ACTION_ITEMS, "Closed")).strip()) or is_done(cell(row, col(ACTION_ITEMS, "Status")))


def semester_actions(rows: Rows, semester: Semester) -> list[list[str]]:
    return [r for r in rows.get(ACTION_ITEMS, []) if cell(r, 0)
            and in_semester(_day(cell(r, col(ACTION_ITEMS, "Meeting"))), semester)]


def actions(rows: Rows, semester: Semester) -> dict[str, Any]:
    """Opened, closed and still open action items of the semester, and the open ones listed."""
    mine = semester_actions(rows, semester)
    closed = [r for r in mine if action_closed(r)]
    still = [r for r in mine if not action_closed(r)]
    return {
        "opened": len(mine), "closed": len(closed), "open": len(still),
        "open_items": [{"what": cell(r, col(ACTION_ITEMS, "What")), "who": cell(r, col(ACTION_ITEMS, "Who")),
                        "due": cell(r, col(ACTION_ITEMS, "By when")), "meeting": cell(r, col(ACTION_ITEMS, "Meeting"))}
                       for r in still],
    }


# --- focus areas ----------------------------------------------------------------------------------


def semester_months(semester: Semester) -> list[str]:
    out, day = [], semester.start.replace(day=1)
    while day <= semester.end:
        out.append(f"{day:%Y-%m}")
        day = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return out


def focus(rows: Rows, config: Config, semester: Semester) -> dict[str, Any]:
    """Scope-and-sequence entries of the semester against the held meetings that worked on them."""
    months = semester_months(semester)
    evidence = held_evidence(rows)
    held = [r for r in rows.get(MEETINGS, [])
            if (d := _day(cell(r, 0))) is not None and semester.start <= d < semester.reflection_date
            and d in evidence]
    worked = Counter(cell(r, col(MEETINGS, "Focus")).strip() for r in held)
    entries = []
    for entry in config.scope_sequence:
        in_sem = [m for m in entry.months if m in months]
        if not in_sem:
            continue
        entries.append({"focus_area": entry.focus_area, "strand": STRAND_LABELS.get(entry.strand, entry.strand),
                        "months": ", ".join(date.fromisoformat(m + "-01").strftime("%b") for m in in_sem),
                        "meetings": worked.get(entry.focus_area, 0),
                        "covered": worked.get(entry.focus_area, 0) > 0})
    by_strand: Counter[str] = Counter()
    strand_of = {e.focus_area: e.strand for e in config.scope_sequence}
    for area, n in worked.items():
        if area in strand_of:
            by_strand[strand_of[area]] += n
    top = max(by_strand.values(), default=0)
    balance = [{"strand": STRAND_LABELS[s], "meetings": by_strand.get(s, 0), "bar": bar(by_strand.get(s, 0), top)}
               for s in STRAND_LABELS]
    return {"entries": entries, "covered": sum(1 for e in entries if e["covered"]), "total": len(entries),
            "balance": balance}


# --- thinking maps --------------------------------------------------------------------------------


def thinking_maps(rows: Rows, config: Config, year: SchoolYear, semester: Semester, tab: str,
                  closed: set[str] | None = None) -> list[dict[str, Any]]:
    """Per team: responses out of the team per thinking-map cycle of the semester, and repeated themes.

    Aggregates only (the group reflection is the whole ILT's): a theme is counted once per response
    (all of its answers together), so it shows only when at least two responses share it; no answer
    text and no respondent is returned. ``closed``: the cycles whose response window is over (a map
    still open is left out), None for all.
    """
    every = config.meetings.thinking_map_every
    cycles = [c for c in year.cycles() if c.semester == semester.id and (c.index + 1) % every == 0
              and (closed is None or c.id in closed)]
    data = rows.get(tab, [])
    out = []
    for team in config.teams:
        mine = [r for r in data if cell(r, 2) == team.id]
        per_cycle = []
        for c in cycles:
            answered = len({cell(r, 1) for r in mine if cell(r, 3) == c.id})
            size = len(team.teachers)
            per_cycle.append({"cycle": c.id.lstrip("c"), "answered": answered, "size": size,
                              "rate": round(100 * answered / size) if size else 0, "bar": bar(answered, size, 10)})
        per_response: dict[str, list[str]] = {}
        for r in mine:
            if cell(r, 3) in {c.id for c in cycles} and cell(r, 7).strip():
                per_response.setdefault(cell(r, 1), []).append(cell(r, 7))
        texts = ["\n".join(answers) for answers in per_response.values()]
        themes = [{"theme": t["theme"], "count": t["count"]} for t in phrase_themes(texts, limit=6)]
        out.append({"team": team.name, "id": team.id, "cycles": per_cycle,
                    "answered": sum(p["answered"] for p in per_cycle),
                    "possible": len(team.teachers) * len(cycles),
                    "themes": themes})
    return out


# --- stakeholders ---------------------------------------------------------------------------------


def stakeholders(rows: Rows, semester_id: str) -> dict[str, Any]:
    """Survey responses of the semester: count, average rating, answers grouped by question."""
    mine = [r for r in rows.get(STAKEHOLDER, []) if cell(r, 2) == semester_id]
    responses = {cell(r, 1) for r in mine}
    ratings = []
    for r in mine:
        if cell(r, 5) == RATING_QUESTION and re.fullmatch(r"\s*\d+\s*", cell(r, 6)):
            ratings.append(int(cell(r, 6)))
    groups: dict[str, list[str]] = {}
    for r in mine:
        if cell(r, 5) and cell(r, 5) != RATING_QUESTION and cell(r, 6).strip():
            groups.setdefault(cell(r, 5), []).append(cell(r, 6))
    distribution = [{"rating": n, "count": ratings.count(n), "bar": bar(ratings.count(n), max(
        [ratings.count(k) for k in range(1, 6)] or [0]))} for n in range(1, 6)]
    return {"responses": len(responses), "ratings": len(ratings),
            "average": round(sum(ratings) / len(ratings), 1) if ratings else None,
            "distribution": distribution,
            "groups": [{"question": q, "answers": a, "themes": phrase_themes(a)} for q, a in groups.items()]}


# --- one member -----------------------------------------------------------------------------------


def name_matches(text: str, member: Member, members: list[Member]) -> bool:
    """Whether a Who/Submitter cell names ``member``: full name, id, e-mail, or a first name only they have."""
    value = " ".join(text.casefold().split())
    if not value:
        return False
    if value in (member.name.casefold(), member.id.casefold(), str(member.email).casefold()):
        return True
    first = member.name.split()[0].casefold()
    others = [m for m in members if m.id != member.id and m.name.split()[0].casefold() == first]
    return not others and value == first


def member_data(rows: Rows, config: Config, semester: Semester, member: Member) -> dict[str, Any]:
    """A member's own semester: meetings where they held a role, action items they owned, items raised."""
    roles = []
    for row in rows.get(MEETINGS, []):
        day = _day(cell(row, 0))
        if day is None or not semester.start <= day < semester.reflection_date:
            continue
        for part in cell(row, col(MEETINGS, "Roles")).split(";"):
            role, _, who = part.partition(":")
            if who.strip() and name_matches(who, member, config.members):
                roles.append({"date": day.isoformat(), "role": role.strip()})
    owned = [r for r in semester_actions(rows, semester)
             if name_matches(cell(r, col(ACTION_ITEMS, "Who")), member, config.members)]
    items = []
    for row in rows.get(AGENDA_ITEMS, []):
        day = _day(cell(row, col(AGENDA_ITEMS, "Submitted")))
        if in_semester(day, semester) and name_matches(cell(row, col(AGENDA_ITEMS, "Submitter")), member,
                                                      config.members):
            items.append({"title": cell(row, col(AGENDA_ITEMS, "Title")),
                          "placed": cell(row, col(AGENDA_ITEMS, "Placed in")) or "not placed yet"})
    return {
        "roles": roles,
        "role_meetings": len({r["date"] for r in roles}),
        "actions": [{"what": cell(r, col(ACTION_ITEMS, "What")), "meeting": cell(r, col(ACTION_ITEMS, "Meeting")),
                     "status": "closed" if action_closed(r) else "open",
                     "detail": cell(r, col(ACTION_ITEMS, "Status"))} for r in owned],
        "actions_closed": sum(1 for r in owned if action_closed(r)),
        "raised": items,
    }


__all__ = ["meetings", "feedback_over_time", "actions", "focus", "thinking_maps", "stakeholders", "member_data",
           "bar", "STAKEHOLDER", "SH_COLUMNS", "RATING_QUESTION"]
