"""What the bot does when: the year's dated :class:`WorkItem` list (pure; used by ``plan`` and ``tick``).

Each WorkItem is one idempotent ``ensure_*`` (or sync) step, named by its ``iltbot_key``
(``cedar/agenda/2026-09-15``). ``tick`` runs every item whose ``due`` time has passed and whose
artifact is missing, so a late or missed run loses nothing.

When items fall due (``lead_times`` in the config; times of day are ``schedule.start``, school time):
- setup (folders, tracker, agenda-item intake Form): before the first agenda and the first school day;
- agenda Doc and feedback Form: ``agenda_days`` before each meeting (never after it starts);
  a due day without school moves to the school day before it (a digest: after it), see ``_morning``;
- response sync and action-item harvest: when the meeting ends;
- thinking-map Form per team: ``thinking_map_days`` before its learning cycle ends (every
  ``meetings.thinking_map_every`` cycles); the lead's digest ``thinking_map.response_window_days`` later;
- stakeholder survey: ``stakeholder_survey_days`` before the semester's reflection meeting;
- reflection-for-growth pre-work per ILT member: ``reflection_prework_days`` before it;
- team reflection Doc per team: ``team_reflection_days`` before the team reflection date;
- group reflection Doc and communication summary: ``agenda_days`` before the reflection meeting.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from typing import Any, Literal

from ilt_bot.calendar import Cycle, Meeting, SchoolYear
from ilt_bot.config import FOLDER_KINDS, Config, Semester

Kind = Literal[
    "folder", "tracker", "intake_form", "agenda", "feedback_form", "sync_responses", "harvest_actions",
    "thinking_map", "tm_digest", "stakeholder_survey", "prework", "team_reflection", "group_reflection", "summary",
]
KINDS: tuple[str, ...] = (
    "folder", "tracker", "intake_form", "agenda", "feedback_form", "sync_responses", "harvest_actions",
    "thinking_map", "tm_digest", "stakeholder_survey", "prework", "team_reflection", "group_reflection", "summary",
)
_ORDER = {kind: i for i, kind in enumerate(KINDS)}

FOLDER_NAMES = {"agendas": "Agendas", "feedback": "Feedback", "reflections": "Reflections",
                "thinking-maps": "Thinking maps"}
"""Folder kind (as in keys and ``drive.folders``) -> the folder's name in Drive."""


@dataclass(frozen=True)
class WorkItem:
    """One dated step of the year: what (``kind``), its artifact key, when it is due, what it is about."""

    kind: str
    key: str
    due: datetime
    target: str
    meeting_date: date | None = None
    team: str | None = None
    member: str | None = None
    semester: str | None = None
    cycle: str | None = None
    folder: str | None = None

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (ISO dates and times); ``None`` fields are left out."""
        out: dict[str, Any] = {}
        for name, value in asdict(self).items():
            if value is None:
                continue
            out[name] = value.isoformat() if isinstance(value, date | datetime) else value
        return out


# --- keys (the contract in design.md) ------------------------------------------------------------


def folder_key(school: str, folder: str) -> str:
    return f"{school}/folder/{folder}"


def tracker_key(school: str, year_label: str) -> str:
    return f"{school}/tracker/{year_label}"


def intake_key(school: str, year_label: str) -> str:
    return f"{school}/intake/{year_label}"


def agenda_key(school: str, day: date) -> str:
    return f"{school}/agenda/{day.isoformat()}"


def feedback_key(school: str, day: date) -> str:
    return f"{school}/feedback/{day.isoformat()}"


def sync_key(school: str, day: date) -> str:
    return f"{school}/sync/{day.isoformat()}"


def harvest_key(school: str, day: date) -> str:
    return f"{school}/harvest/{day.isoformat()}"


def thinking_map_key(school: str, team: str, cycle: str) -> str:
    return f"{school}/thinking-map/{team}/{cycle}"


def tm_digest_key(school: str, team: str, cycle: str) -> str:
    return f"{school}/tm-digest/{team}/{cycle}"


def stakeholder_key(school: str, semester: str) -> str:
    return f"{school}/stakeholder/{semester}"


def prework_key(school: str, semester: str, member: str) -> str:
    return f"{school}/prework/{semester}/{member}"


def team_reflection_key(school: str, semester: str, team: str) -> str:
    return f"{school}/team-reflection/{semester}/{team}"


def group_reflection_key(school: str, semester: str) -> str:
    return f"{school}/reflection/{semester}"


def summary_key(school: str, semester: str) -> str:
    return f"{school}/summary/{semester}"


# --- the plan ------------------------------------------------------------------------------------


def plan(config: Config, year: SchoolYear | None = None, start: date | datetime | None = None,
         end: date | datetime | None = None) -> list[WorkItem]:
    """Every WorkItem of the year due between ``start`` and ``end`` (inclusive; dates are school-local days)."""
    year = year or SchoolYear(config)
    items = _all_items(config, year)
    low = _bound(year, start, low=True)
    high = _bound(year, end, low=False)
    chosen = [i for i in items if (low is None or i.due >= low) and (high is None or i.due <= high)]
    return sorted(chosen, key=lambda i: (i.due, _ORDER[i.kind], i.key))


def due_items(config: Config, year: SchoolYear | None, now: datetime) -> list[WorkItem]:
    """The WorkItems due at ``now`` (``due <= now``); a naive ``now`` is read in the school's time zone."""
    year = year or SchoolYear(config)
    if now.tzinfo is None:
        now = now.replace(tzinfo=year.tz)
    return plan(config, year, end=now)


def _bound(year: SchoolYear, value: date | datetime | None, *, low: bool) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=year.tz)
    if low:
        return year.at(value, datetime.min.time())
    return year.at(value + timedelta(days=1), datetime.min.time()) - timedelta(microseconds=1)


def _all_items(config: Config, year: SchoolYear) -> list[WorkItem]:
    school = config.school.id
    meetings = year.meetings()
    items: list[WorkItem] = []
    for meeting in meetings:
        items += _meeting_items(config, year, meeting)
    first_agenda = min((i.due for i in items), default=None)
    setup_due = year.at(config.year.start, config.schedule.start)
    if first_agenda is not None:
        setup_due = min(setup_due, first_agenda)
    for folder in FOLDER_KINDS:
        items.append(WorkItem("folder", folder_key(school, folder), setup_due, f"{FOLDER_NAMES[folder]} folder",
                              folder=folder))
    label = config.year.label
    items.append(WorkItem("tracker", tracker_key(school, label), setup_due, f"tracker for {label}"))
    items.append(WorkItem("intake_form", intake_key(school, label), setup_due, f"agenda-item intake for {label}"))
    every = config.meetings.thinking_map_every
    for cycle in year.cycles():
        if (cycle.index + 1) % every == 0:
            items += _cycle_items(config, year, cycle)
    for semester in year.semesters():
        items += _semester_items(config, year, semester)
    return items


def _morning(config: Config, year: SchoolYear, day: date, *, later: bool = False) -> datetime:
    """``schedule.start`` (the first tick of the day) on ``day``, school time.

    A day without school moves to the school day before it (after it when ``later``) if one is at most
    three days away, else to the nearest weekday (inside a long break), so work never lands on a Saturday.
    """
    step = timedelta(days=1 if later else -1)
    near = [day + step * n for n in range(4)]
    chosen = next((d for d in near if year.is_school_day(d)), None) or next((d for d in near if d.weekday() < 5), day)
    return year.at(chosen, config.schedule.start)


def _meeting_items(config: Config, year: SchoolYear, meeting: Meeting) -> list[WorkItem]:
    school, day = config.school.id, meeting.date
    prepared = min(_morning(config, year, day - timedelta(days=config.lead_times.agenda_days)), meeting.start)
    about = f"{meeting.kind} meeting {day.isoformat()}" if meeting.kind != "regular" else f"meeting {day.isoformat()}"
    common = {"meeting_date": day, "semester": meeting.semester, "cycle": meeting.cycle}
    return [
        WorkItem("agenda", agenda_key(school, day), prepared, about, **common),
        WorkItem("feedback_form", feedback_key(school, day), prepared, about, **common),
        WorkItem("sync_responses", sync_key(school, day), meeting.end, about, **common),
        WorkItem("harvest_actions", harvest_key(school, day), meeting.end, about, **common),
    ]


def _cycle_items(config: Config, year: SchoolYear, cycle: Cycle) -> list[WorkItem]:
    school = config.school.id
    send_day = max(cycle.end - timedelta(days=config.lead_times.thinking_map_days), cycle.start)
    sent = _morning(config, year, send_day)
    digest = _morning(config, year, send_day + timedelta(days=config.thinking_map.response_window_days), later=True)
    items = []
    for team in config.teams:
        about = f"team {team.id}, cycle {cycle.id}"
        common = {"team": team.id, "cycle": cycle.id, "semester": cycle.semester}
        items.append(WorkItem("thinking_map", thinking_map_key(school, team.id, cycle.id), sent, about, **common))
        items.append(WorkItem("tm_digest", tm_digest_key(school, team.id, cycle.id), digest, about, **common))
    return items


def _semester_items(config: Config, year: SchoolYear, semester: Semester) -> list[WorkItem]:
    school, lead = config.school.id, config.lead_times
    reflection = year.reflection_meeting(semester)
    day, sem = reflection.date, semester.id

    def before(days: int, of: date = day) -> datetime:
        return min(_morning(config, year, of - timedelta(days=days)), reflection.start)

    items = [WorkItem("stakeholder_survey", stakeholder_key(school, sem), before(lead.stakeholder_survey_days),
                      f"stakeholders, {sem}", semester=sem, meeting_date=day)]
    for member in config.members:
        items.append(WorkItem("prework", prework_key(school, sem, member.id), before(lead.reflection_prework_days),
                              f"{member.name}, {sem}", semester=sem, member=member.id, meeting_date=day))
    team_day = semester.team_reflection_date or day
    for team in config.teams:
        due = _morning(config, year, team_day - timedelta(days=lead.team_reflection_days))
        items.append(WorkItem("team_reflection", team_reflection_key(school, sem, team.id), due,
                              f"team {team.id}, {sem}", semester=sem, team=team.id, meeting_date=team_day))
    items.append(WorkItem("group_reflection", group_reflection_key(school, sem), before(lead.agenda_days),
                          f"ILT reflection {day.isoformat()}", semester=sem, meeting_date=day))
    items.append(WorkItem("summary", summary_key(school, sem), before(lead.agenda_days),
                          f"communication summary, {sem}", semester=sem, meeting_date=day))
    return items


__all__ = ["WorkItem", "KINDS", "plan", "due_items", "FOLDER_NAMES"]
