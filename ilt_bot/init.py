"""``ilt-bot init``: a commented ``config.toml`` for a school, from a few answers or a CSV of its people.

What a school is asked (name, domain, time zone, first and last day, meeting day and time, members,
teams) becomes the config's sections; everything else is derived so that ``ilt-bot check`` passes
(two semesters split at winter break, a reflection meeting near each semester's end, six-week learning
cycles, a scope and sequence covering every teaching month) and each remaining choice is written as a
commented default, for the school to change. The people CSV has a header row: ``name,email,role,team``
(``role`` a member role such as ``principal`` or ``team_lead`` for ILT members, ``teacher`` otherwise;
``team`` the teacher team a person teaches on, or leads when they are an ILT member).
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from pathlib import Path

from ilt_bot.config.models import (
    MEETING_ROLES,
    ROLES,
    STRANDS,
    WEEKDAYS,
    Drive,
    Feedback,
    LeadTimes,
    Schedule,
    Sharing,
    Stakeholders,
    Templates,
    ThinkingMap,
)

TEACHER = "teacher"
CYCLE_WEEKS = 6
SCOPE = (
    ("Launching the ILT: vision, norms and our baseline data", "data",
     "Data protocol on last spring's results and the fall screeners."),
    ("Calibrating observation and feedback", "observation_feedback",
     "Pairs co-observe with a shared script, then norm our feedback."),
    ("Facilitating data-driven teacher team meetings", "professional_learning",
     "Fishbowl a team data meeting; practice the protocol with our own student work."),
    ("Mid-year data: are we on track?", "data", "Mid-year results by team; adjust the team action plans."),
    ("Feedback that moves checks for understanding", "observation_feedback",
     "Watch our own coaching on video; give each other bite-sized action steps."),
    ("Difficult conversations", "professional_learning", "Role-play upcoming conversations with teachers."),
    ("End-of-year reflection and next year's plan", "data", "Review the year's data against our goals."),
)
"""A starting scope and sequence, spread over the teaching months in order (the school edits it)."""


@dataclass
class PersonRow:
    """One person of the school: an ILT member (``role`` a member role) or a teacher."""

    name: str
    email: str
    role: str = TEACHER
    team: str = ""


@dataclass
class SchoolAnswers:
    """What ``init`` asks a school."""

    name: str
    domain: str
    timezone: str
    first_day: date
    last_day: date
    meeting_day: str
    meeting_time: time
    people: list[PersonRow] = field(default_factory=list)


def slug(text: str) -> str:
    """``Ana Ruiz`` -> ``ana-ruiz``."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "x"


def name_from_email(email: str) -> str:
    """``grace.patel@x.org`` -> ``Grace Patel`` (for people given by address only)."""
    return " ".join(part.capitalize() for part in re.split(r"[._-]+", email.split("@")[0]) if part)


def parse_person(text: str, role: str = TEACHER, team: str = "") -> PersonRow:
    """``"Ana Ruiz <ana.ruiz@x.org>"``, ``"Ana Ruiz, ana.ruiz@x.org"`` or ``"ana.ruiz@x.org"``."""
    match = re.match(r"^\s*(.*?)\s*[<,]\s*([^<>,\s]+@[^<>,\s]+)\s*>?\s*$", text)
    if match and match.group(1):
        return PersonRow(match.group(1), match.group(2).lower(), role, team)
    email = text.strip().strip("<>").lower()
    if "@" not in email:
        raise ValueError(f"{text!r}: give an e-mail address, like \"Ana Ruiz <ana.ruiz@school.org>\"")
    return PersonRow(name_from_email(email), email, role, team)


def parse_member(text: str) -> PersonRow:
    """``--member``: ``"Ana Ruiz <ana.ruiz@x.org>: principal"`` (role after the last colon; default other)."""
    head, sep, role = text.rpartition(":")
    if not sep or "@" in role:
        head, role = text, "other"
    role = role.strip().lower().replace(" ", "_")
    if role not in ROLES:
        raise ValueError(f"{text!r}: role {role!r} is not one of {', '.join(ROLES)}")
    return parse_person(head, role)


def parse_team(text: str) -> list[PersonRow]:
    """``--team``: ``"K-2 Literacy: Grace Patel <grace@x.org>; luis.romero@x.org"`` -> its teachers."""
    name, sep, people = text.partition(":")
    if not sep or not people.strip():
        raise ValueError(f"{text!r}: write the team as \"Team name: teacher@school.org; other@school.org\"")
    return [parse_person(p, TEACHER, name.strip()) for p in people.split(";") if p.strip()]


def read_people_csv(path: Path) -> list[PersonRow]:
    """The people of a CSV with the columns ``name,email,role,team`` (role and team may be blank)."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        columns = {c.strip().lower() for c in reader.fieldnames or []}
        if "email" not in columns:
            raise ValueError(f"{path}: the first row must name the columns, with at least email "
                             "(name,email,role,team)")
        out = []
        for n, raw in enumerate(reader, start=2):
            row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items()}
            if not row.get("email"):
                continue
            role = (row.get("role") or TEACHER).lower().replace(" ", "_")
            if role not in (*ROLES, TEACHER):
                raise ValueError(f"{path}, line {n}: role {role!r} is not {TEACHER} or one of {', '.join(ROLES)}")
            out.append(PersonRow(row.get("name") or name_from_email(row["email"]), row["email"].lower(), role,
                                 row.get("team", "")))
    return out


# --- the derived year -------------------------------------------------------------------------------


def _weekday_on_or_after(day: date, weekday: int) -> date:
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def _weekday_on_or_before(day: date, weekday: int) -> date:
    return day - timedelta(days=(day.weekday() - weekday) % 7)


@dataclass(frozen=True)
class Semesters:
    """Two semesters split at winter break (or at the middle of a year without one)."""

    fall_end: date
    spring_start: date

    @classmethod
    def of(cls, first: date, last: date) -> Semesters:
        winter = date(first.year, 12, 18)
        if first < winter and date(first.year + 1, 1, 4) < last:
            return cls(_weekday_on_or_before(winter, 4), _weekday_on_or_after(date(first.year + 1, 1, 4), 0))
        middle = first + (last - first) / 2
        return cls(_weekday_on_or_before(middle, 4), _weekday_on_or_after(middle + timedelta(days=1), 0))

    def breaks(self) -> list[tuple[date, date]]:
        """The weekdays between the semesters (winter break), if any."""
        start, end = self.fall_end + timedelta(days=3), self.spring_start - timedelta(days=3)
        return [(start, end)] if start <= end else []


def _reflection_day(start: date, end: date, weekday: int) -> date:
    """The last meeting day at least a week before the semester ends (a school day inside it)."""
    day = _weekday_on_or_before(end - timedelta(days=7), weekday)
    return day if day >= start else _weekday_on_or_before(end, 4)


def _team_reflection_day(reflection: date, start: date) -> date:
    day = reflection - timedelta(days=5)
    while day.weekday() > 4:
        day -= timedelta(days=1)
    return max(day, start)


def _months(first: date, last: date) -> list[str]:
    out, day = [], first.replace(day=1)
    while day <= last:
        out.append(f"{day:%Y-%m}")
        day = (day + timedelta(days=32)).replace(day=1)
    return out


def scope_entries(first: date, last: date) -> list[tuple[list[str], tuple[str, str, str]]]:
    """The starting scope and sequence: the months of the year dealt out over :data:`SCOPE`, in order."""
    months = _months(first, last)
    count = min(len(SCOPE), len(months))
    chosen = [SCOPE[round(i * (len(SCOPE) - 1) / max(count - 1, 1))] for i in range(count)]
    if {s for _, s, _ in chosen} != set(STRANDS):
        chosen = [SCOPE[i % 3] for i in range(count)] if count >= 3 else chosen
    out: list[tuple[list[str], tuple[str, str, str]]] = []
    for i, entry in enumerate(chosen):
        lo, hi = i * len(months) // count, (i + 1) * len(months) // count
        out.append((months[lo:hi], entry))
    return out


# --- TOML writing -------------------------------------------------------------------------------------


def toml_value(value: object) -> str:
    """A TOML literal for a str, bool, int, date, time, list or dict (as the config uses them)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return f'"{value:%H:%M}"'
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + "}"
    return json.dumps(str(value), ensure_ascii=False)


def _commented_section(name: str, defaults: dict[str, object]) -> list[str]:
    lines = [f"# [{name}]"]
    for key, value in defaults.items():
        if value is None:
            lines.append(f'# {key} = ""   # not set')
        else:
            lines.append(f"# {key} = {toml_value(value)}")
    return lines + [""]


def remaining_choices() -> list[str]:
    """Every section ``init`` does not ask about, as commented defaults (taken from the config models)."""
    lines = ["# --- Remaining choices: the defaults below apply; uncomment a line to change it.",
             "# What each one does: config.example.toml in the ILT Bot repository.", ""]
    for name, model in (("feedback", Feedback), ("thinking_map", ThinkingMap), ("stakeholders", Stakeholders),
                        ("lead_times", LeadTimes), ("drive", Drive), ("sharing", Sharing),
                        ("schedule", Schedule), ("templates", Templates)):
        lines += _commented_section(name, model().model_dump(mode="python"))
    return lines


# --- the config -----------------------------------------------------------------------------------


def _members(answers: SchoolAnswers) -> list[PersonRow]:
    return [p for p in answers.people if p.role != TEACHER]


def _teams(answers: SchoolAnswers) -> dict[str, list[PersonRow]]:
    teams: dict[str, list[PersonRow]] = {}
    for person in answers.people:
        if person.role == TEACHER and person.team:
            teams.setdefault(person.team, []).append(person)
    return teams


def _team_lead(team: str, members: list[PersonRow], taken: set[str]) -> PersonRow:
    """The member who names this team, else a team lead not leading yet, else the first member."""
    named = [m for m in members if m.team and slug(m.team) == slug(team)]
    free = [m for m in members if m.role in ("team_lead", "senior_lead", "coach") and m.email not in taken]
    return (named or free or members)[0]


def _school_lines(answers: SchoolAnswers) -> list[str]:
    school_id = slug(answers.name.split()[0])[:20] or "school"
    return [
        "# --- The school --------------------------------------------------------------------------",
        "[school]",
        "# Short id in every key the bot writes into Drive. Do not change it after the first run.",
        f"id = {toml_value(school_id)}",
        f"name = {toml_value(answers.name)}",
        f"timezone = {toml_value(answers.timezone)}   # IANA name: meeting times and DST follow it",
        f"domain = {toml_value(answers.domain)}   # the bot shares only inside it (see [sharing])",
        "# Write these with your ILT: the agenda opens with the vision, and prints the norms.",
        f"vision = {toml_value(f'Every teacher at {answers.name} belongs to a team that studies student work.')}",
        'ilt_vision = "We use data to decide where to focus, and we speak with one voice."',
        'norms = ["Start and end on time.", "Assume positive intent.", "Bring the data and student work."]',
        "# uip_goals, coaching_agreements, lead_qualities: see config.example.toml", "",
    ]


def _member_lines(members: list[PersonRow]) -> list[str]:
    lines = ["# --- The ILT: one [[members]] block per member (role: " + ", ".join(ROLES) + ")"]
    for m in members:
        lines += ["[[members]]", f"id = {toml_value(slug(m.name))}", f"name = {toml_value(m.name)}",
                  f"email = {toml_value(m.email)}", f"role = {toml_value(m.role)}", ""]
    return lines


def _team_lines(answers: SchoolAnswers, members: list[PersonRow]) -> list[str]:
    lines = ["# --- Teacher teams, each led by an ILT member (`lead` = a member id)"]
    taken: set[str] = set()
    for name, teachers in _teams(answers).items():
        lead = _team_lead(name, members, taken)
        taken.add(lead.email)
        people = ", ".join(toml_value({"name": t.name, "email": t.email}) for t in teachers)
        lines += ["[[teams]]", f"id = {toml_value(slug(name))}", f"name = {toml_value(name)}",
                  f"lead = {toml_value(slug(lead.name))}", "slos = []   # the team's student learning objectives",
                  f"teachers = [{people}]", ""]
    return lines


def _year_lines(answers: SchoolAnswers) -> list[str]:
    first, last = answers.first_day, answers.last_day
    sem = Semesters.of(first, last)
    weekday = WEEKDAYS.index(answers.meeting_day)
    no_school = ", ".join(toml_value({"name": "Winter break", "start": a, "end": b}) for a, b in sem.breaks())
    lines = ["# --- The school year ------------------------------------------------------------------",
             "[year]", f'label = "{first.year}-{(first.year + 1) % 100:02d}"',
             f"start = {first}   # first day with students", f"end = {last}   # last day with students",
             "# Days without school: { name, date } or { name, start, end }; add your holidays.",
             f"no_school = [{no_school}]", ""]
    for sid, name, start, end in (("fall", "Fall", first, sem.fall_end), ("spring", "Spring", sem.spring_start, last)):
        reflection = _reflection_day(start, end, weekday)
        lines += ["[[year.semesters]]", f'id = "{sid}-{start.year}"', f'name = "{name} {start.year}"',
                  f"start = {start}", f"end = {end}",
                  f"reflection_date = {reflection}   # the group reflection ILT meeting",
                  f"team_reflection_date = {_team_reflection_day(reflection, start)}", ""]
    return lines


def _meeting_lines(answers: SchoolAnswers, members: list[PersonRow]) -> list[str]:
    roles = list(MEETING_ROLES[:max(1, min(len(MEETING_ROLES), len(members)))])
    first = _weekday_on_or_after(answers.first_day, WEEKDAYS.index(answers.meeting_day))
    return [
        "# --- ILT meetings ---------------------------------------------------------------------",
        "[meetings]", f"weekday = {toml_value(answers.meeting_day)}",
        f"time = {toml_value(answers.meeting_time)}   # local time, school.timezone",
        "duration_minutes = 60", 'location = "Library"', 'frequency = "weekly"   # or "biweekly"',
        f"first_date = {first}   # must be a `weekday`", 'on_holiday = "skip"   # or "next_school_day"',
        "extra_dates = []       # school days with an extra meeting",
        "cancelled_dates = []   # meeting dates called off",
        f"roles = {toml_value(roles)}",
        f"rotation = {toml_value([slug(m.name) for m in members])}   # who takes the roles in turn",
        "fixed_roles = {}   # e.g. { facilitator = \"<member id>\" }", "",
        "[learning_cycles]", f"length_weeks = {CYCLE_WEEKS}",
        f"first_start = {_weekday_on_or_after(answers.first_day, 0)}   # the first cycle's first day",
        "skip_break_weeks = true", "",
    ]


def _scope_lines(answers: SchoolAnswers) -> list[str]:
    lines = ["# --- Scope and sequence: one focus per teaching month; edit with your ILT"]
    for months, (focus, strand, activity) in scope_entries(answers.first_day, answers.last_day):
        lines += ["[[scope_sequence]]", f"months = {toml_value(months)}", f"focus_area = {toml_value(focus)}",
                  f"strand = {toml_value(strand)}", f"activity = {toml_value(activity)}", ""]
    return lines


def _workspace_lines(answers: SchoolAnswers) -> list[str]:
    return [
        "# --- The Workspace the bot talks to ------------------------------------------------------",
        "[workspace]",
        '# "sandbox" plays it locally (`ilt-bot demo -c config.toml`); "google" once set up (docs/google-setup.md).',
        'backend = "sandbox"', 'sandbox_db = ".ilt-bot/sandbox.db"   # relative to this file',
        f"bot_user = {toml_value(f'ilt-bot@{answers.domain}')}", "",
    ]


def render_config(answers: SchoolAnswers) -> str:
    """The commented ``config.toml`` for ``answers`` (it passes ``ilt-bot check`` for valid answers)."""
    members = _members(answers)
    if not members:
        raise ValueError("no ILT member: give at least one person with a member role (e.g. principal)")
    if not _teams(answers):
        raise ValueError("no teacher team: give teachers with a team (--team, or the team column of the CSV)")
    lines = [f"# ILT Bot configuration for {answers.name}, written by `ilt-bot init`.",
             "# Check it with `ilt-bot check -c config.toml`; play its year with `ilt-bot demo -c config.toml`.", ""]
    lines += _school_lines(answers) + _member_lines(members) + _team_lines(answers, members)
    lines += _year_lines(answers) + _meeting_lines(answers, members) + _scope_lines(answers)
    lines += _workspace_lines(answers) + remaining_choices()
    return "\n".join(lines).rstrip() + "\n"


# --- asking ---------------------------------------------------------------------------------------

Ask = Callable[[str, str | None], str]
"""``ask(question, default)`` -> the answer (``typer.prompt`` interactively)."""

QUESTIONS = (
    ("name", "School name", None),
    ("domain", "Google Workspace domain (e.g. school.org)", None),
    ("timezone", "Time zone (IANA, e.g. America/Denver)", "America/Denver"),
    ("first_day", "First day with students (YYYY-MM-DD)", None),
    ("last_day", "Last day with students (YYYY-MM-DD)", None),
    ("meeting_day", "ILT meeting day (monday ... friday)", "tuesday"),
    ("meeting_time", "ILT meeting time (HH:MM, local)", "15:45"),
)


def _convert(key: str, text: str) -> object:
    """One answer as its type; ValueError names the question and the fix."""
    text = text.strip()
    if key in ("first_day", "last_day"):
        return date.fromisoformat(text)
    if key == "meeting_time":
        return time.fromisoformat(text)
    if key == "meeting_day":
        day = text.lower()
        if day not in WEEKDAYS[:5]:
            raise ValueError(f"{text!r} is not a school weekday: write monday, tuesday ... friday")
        return day
    if key == "domain":
        return text.lower().lstrip("@")
    if not text:
        raise ValueError("an answer is needed")
    return text


def collect(given: dict[str, str | None], people: list[PersonRow], ask: Ask | None) -> SchoolAnswers:
    """The answers from ``given`` (option values), asking ``ask`` for each one missing (None: not
    interactive, a missing answer is an error naming its option)."""
    values: dict[str, object] = {}
    for key, question, default in QUESTIONS:
        text = given.get(key)
        while True:
            if text is None:
                if ask is None:
                    raise ValueError(f"--{key.replace('_', '-')} is missing ({question})")
                text = ask(question, default)
            try:
                values[key] = _convert(key, text)
                break
            except ValueError as exc:
                if ask is None:
                    raise ValueError(f"--{key.replace('_', '-')}: {exc}") from None
                text = None
    if ask is not None and not people:
        people = ask_people(ask)
    return SchoolAnswers(people=people, **values)  # type: ignore[arg-type]


def ask_people(ask: Ask) -> list[PersonRow]:
    """Members (name <email>: role), then teams (name: teacher e-mails), until a blank answer."""
    people: list[PersonRow] = []
    while True:
        text = ask("ILT member as 'Name <email>: role' (blank when done)", "")
        if not text.strip():
            break
        people.append(parse_member(text))
    while True:
        text = ask("Teacher team as 'Team name: teacher@school.org; ...' (blank when done)", "")
        if not text.strip():
            break
        people += parse_team(text)
    return people
