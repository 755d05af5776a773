"""The school's ``config.toml`` as pydantic models: one model a section, unknown fields forbidden.

Validation here is per field; checks across fields and sections live in :mod:`ilt_bot.config.checks`.
"""

from __future__ import annotations

import difflib
import re
import zoneinfo
from datetime import date, time, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PrivateAttr, field_validator

from ilt_bot.config.problems import FIX_SEP

SLUG = r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$"
DOMAIN = r"^[a-z0-9.-]+\.[a-z]{2,}$"
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")

ROLES = (
    "principal",
    "assistant_principal",
    "dean_of_instruction",
    "senior_lead",
    "team_lead",
    "coach",
    "specialist",
    "other",
)
MEETING_ROLES = ("facilitator", "timekeeper", "note_taker", "norms_monitor")
STRANDS = ("data", "observation_feedback", "professional_learning")
FOLDER_KINDS = ("agendas", "feedback", "reflections", "thinking-maps")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
"""In ``date.weekday()`` order."""
SCHOOL_WEEK = WEEKDAYS[:5]
"""Monday to Friday: the days of the week a school can be open (the one place this is written)."""

DateT = date  # aliases for classes that have fields named `date` / `time`
TimeT = time


def is_school_weekday(day: date) -> bool:
    """Whether ``day`` falls Monday to Friday (:data:`SCHOOL_WEEK`); holidays are the calendar's business."""
    return WEEKDAYS[day.weekday()] in SCHOOL_WEEK


def _email(value: str) -> str:
    value = value.strip().lower()
    if not EMAIL.match(value):
        raise ValueError(f"{value!r} is not an email address{FIX_SEP}write it like name@school.example.org")
    return value


def _timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        close = difflib.get_close_matches(value, _known_zones(), n=1)
        hint = f"did you mean {close[0]!r}?" if close else "use an IANA name like 'America/Denver'"
        raise ValueError(f"{value!r} is not a known time zone{FIX_SEP}{hint}") from None
    return value


def _known_zones() -> list[str]:
    return sorted(zoneinfo.available_timezones())


def _month(value: str) -> str:
    if not MONTH.match(value):
        raise ValueError(f"{value!r} is not a month{FIX_SEP}write months as \"YYYY-MM\", like \"2026-09\"")
    return value


Email = Annotated[str, AfterValidator(_email)]
Slug = Annotated[str, Field(pattern=SLUG, min_length=1, max_length=64)]
Text = Annotated[str, Field(min_length=1)]
Month = Annotated[str, AfterValidator(_month)]
Role = Literal[
    "principal", "assistant_principal", "dean_of_instruction", "senior_lead", "team_lead", "coach", "specialist",
    "other",
]
MeetingRole = Literal["facilitator", "timekeeper", "note_taker", "norms_monitor"]
Strand = Literal["data", "observation_feedback", "professional_learning"]
Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


class Section(BaseModel):
    """Base of every config model: unknown fields are mistakes (usually typos)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


# --- school -------------------------------------------------------------------------------------


class UipGoal(Section):
    """A goal of the school's Unified Improvement Plan, progress-monitored all year."""

    id: Slug
    text: Text
    measure: str = ""
    baseline: str = ""
    """Where the measure started (seeds the tracker's Goals tab; people may fill it there instead)."""
    target: str = ""
    """Where the goal wants the measure by the end of the year (seeds the Goals tab too)."""


class CoachingAgreement(Section):
    """A school leader to Senior/Team Lead coaching agreement."""

    text: Text
    kind: Literal["non_negotiable", "adjustable"]


class School(Section):
    id: Slug
    name: Text
    timezone: Annotated[str, AfterValidator(_timezone)]
    domain: Annotated[str, Field(pattern=DOMAIN)]
    secondary_domains: list[Annotated[str, Field(pattern=DOMAIN)]] = []
    """The Workspace's other domains and subdomains (Admin console > Account > Domains): addresses there are
    the school's too. A subdomain not listed here is outside the school (Google refuses to share with it)."""
    vision: Text
    ilt_vision: Text
    norms: Annotated[list[Text], Field(min_length=1)]
    uip_goals: list[UipGoal] = []
    coaching_agreements: list[CoachingAgreement] = []
    lead_qualities: list[Text] = []
    """What the school looks for in its Senior/Team Leads: the starting point of the qualities Form
    (``ilt_bot/jobs/qualities.py``)."""

    @field_validator("domain", mode="before")
    @classmethod
    def _lower_domain(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("secondary_domains", mode="before")
    @classmethod
    def _lower_domains(cls, value: Any) -> Any:
        return [v.strip().lower() if isinstance(v, str) else v for v in value] if isinstance(value, list) else value

    @property
    def domains(self) -> tuple[str, ...]:
        """Every domain of the school's Workspace: the primary first, then ``secondary_domains``."""
        return (self.domain, *self.secondary_domains)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


# --- people -------------------------------------------------------------------------------------


class Member(Section):
    """An ILT member."""

    id: Slug
    name: Text
    email: Email
    role: Role


class Person(Section):
    """A teacher on a teacher team."""

    name: Text
    email: Email


class Team(Section):
    """A teacher team led by an ILT member."""

    id: Slug
    name: Text
    lead: Slug
    teachers: Annotated[list[Person], Field(min_length=1)]
    slos: list[Text] = []


# --- year ---------------------------------------------------------------------------------------


class Semester(Section):
    id: Slug
    name: Text
    start: date
    end: date
    reflection_date: date
    team_reflection_date: date | None = None
    reflection_time: time | None = None
    reflection_duration_minutes: Annotated[int, Field(ge=15, le=600)] | None = None
    reflection_location: str | None = None


class NoSchool(Section):
    """A day (``date``) or a range (``start`` .. ``end``, inclusive) without school."""

    name: Text
    date: DateT | None = None
    start: DateT | None = None
    end: DateT | None = None

    def days(self) -> list[DateT]:
        if self.date is not None:
            return [self.date]
        if self.start is None or self.end is None:
            return []
        return [self.start + timedelta(days=i) for i in range((self.end - self.start).days + 1)]


class Year(Section):
    label: Annotated[str, Field(pattern=r"^\d{4}-\d{2}$")]
    start: date
    end: date
    semesters: Annotated[list[Semester], Field(min_length=1)]
    no_school: list[NoSchool] = []

    def no_school_days(self) -> dict[date, str]:
        """Every day without school, with its name."""
        days: dict[date, str] = {}
        for entry in self.no_school:
            for day in entry.days():
                days.setdefault(day, entry.name)
        return days


# --- meetings and cycles ------------------------------------------------------------------------


class MeetingPattern(Section):
    weekday: Weekday
    """The day of the week of the regular meetings (see :meth:`first_regular`); ``first_date`` must be one."""
    time: TimeT
    duration_minutes: Annotated[int, Field(ge=15, le=600)]
    location: Text
    frequency: Literal["weekly", "biweekly"] = "weekly"
    first_date: DateT
    on_holiday: Literal["skip", "next_school_day"] = "skip"
    extra_dates: list[DateT] = []
    cancelled_dates: list[DateT] = []
    roles: list[MeetingRole] = list(MEETING_ROLES)
    rotation: list[Slug] = []
    fixed_roles: dict[MeetingRole, Slug] = {}
    thinking_map_every: Annotated[int, Field(ge=1, le=12)] = 1
    """Send the teacher-team thinking-map Forms every N learning cycles (1 = every cycle)."""
    thinking_map_protocol_every: Annotated[int, Field(ge=0, le=40)] = 4
    """Every Nth ILT meeting of the year (numbers 4, 8, 12 ... for N = 4) carries the thinking-map reflection
    protocol, the ILT's long-term feedback on its own work (0 = never)."""

    @field_validator("weekday", mode="before")
    @classmethod
    def _lower_weekday(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value

    def first_regular(self) -> DateT:
        """The first regular meeting: the first ``weekday`` on or after ``first_date``."""
        return self.first_date + timedelta(days=(WEEKDAYS.index(self.weekday) - self.first_date.weekday()) % 7)


class CycleDates(Section):
    id: Annotated[str, Field(pattern=r"^c[1-9][0-9]*$")]
    start: date
    end: date


class LearningCycles(Section):
    """Either ``length_weeks`` + ``first_start`` (cycles follow each other) or an explicit ``cycles`` list."""

    length_weeks: Annotated[int, Field(ge=1, le=20)] | None = None
    first_start: date | None = None
    skip_break_weeks: bool = True
    cycles: list[CycleDates] = []


class ScopeEntry(Section):
    """What the ILT focuses on during some months of the year."""

    months: Annotated[list[Month], Field(min_length=1)]
    focus_area: Text
    strand: Strand
    activity: Text
    guiding_questions: list[Text] = []
    """Questions the agenda's focus section asks the ILT during these months."""
    bring: list[Text] = []
    """Artifacts members bring to these months' meetings (data months add the data protocol's own)."""


# --- routines -----------------------------------------------------------------------------------


AGENDA_SECTIONS = ("purpose", "norms", "feedback", "focus", "data_protocol", "reflection", "uip_goals",
                   "member_items", "open_actions", "next_steps", "next_meeting", "thinking_map", "close")
"""The agenda's time-boxed sections, in the agenda's order (``ilt_bot.config.timebox`` sizes them)."""
AgendaSection = Literal["purpose", "norms", "feedback", "focus", "data_protocol", "reflection", "uip_goals",
                        "member_items", "open_actions", "next_steps", "next_meeting", "thinking_map", "close"]
Minutes = dict[AgendaSection, Annotated[int, Field(ge=1, le=600)]]


class Agenda(Section):
    """Minutes of the agenda's sections; a section not set shares the meeting's time left (see docs/agenda.md)."""

    minutes: Minutes = {}
    protocol_minutes: Minutes = {}
    """Over ``minutes`` on meetings with the data protocol or the thinking-map reflection protocol."""
    reflection_minutes: Minutes = {}
    """Over ``minutes`` at the semester reflection meetings (their ``reflection_duration_minutes``)."""
    data_protocol_bring: list[Text] = [
        "Your team's latest results on the month's assessment (printed or on a laptop)",
        "Three samples of student work behind those results",
    ]
    """What members bring to a data month's meeting for the data protocol."""


class Feedback(Section):
    style: Literal["plus_delta", "stop_start_continue"] = "plus_delta"
    collect_emails: bool = False


DEFAULT_TM_QUESTIONS = (
    "What went well during this cycle?",
    "What would you like your Senior/Team Lead to improve on?",
    "What other feedback do you have?",
)


class ThinkingMap(Section):
    questions: Annotated[list[Text], Field(min_length=1)] = list(DEFAULT_TM_QUESTIONS)
    anonymous: bool = True
    response_window_days: Annotated[int, Field(ge=1, le=60)] = 7


class Practice(Section):
    """The guides' ILT practice routines (docs/guides.md): vision input, next year's kick-off, office hours,
    difficult-conversation practice and peer observation."""

    vision_input_every_weeks: Annotated[int, Field(ge=1, le=18)] = 9
    """A short vision-input Form every N weeks of the year (at most 18, so at least twice a year)."""
    vision_input_days: Annotated[int, Field(ge=1, le=30)] = 7
    """Each vision-input Form opens this many days before the meeting whose agenda reads its answers."""
    qualities_days: Annotated[int, Field(ge=1, le=60)] = 14
    """The qualities Form's answers are synthesized in the first agenda this many days after it opens."""
    next_year_ilt: list[Email] = []
    """People joining next year's ILT, invited to the kick-off Doc with this year's ILT."""
    kickoff_days: Annotated[int, Field(ge=0, le=90)] = 14
    """The kick-off Doc is made this many days before the year's last ILT meeting."""
    office_hours: str = ""
    """When and where ILT members can get support from the school leader or each other (shown in agendas)."""
    difficult_conversation_every: Annotated[int, Field(ge=0, le=40)] = 0
    """Every Nth ILT meeting of the year has a difficult-conversation practice slot (0 = never)."""
    peer_observation: bool = True
    """Pair ILT members each learning cycle to observe each other (an observation note Doc per pair)."""
    look_fors: dict[Strand, list[Text]] = {}
    """What the observation pairs look for, per scope-and-sequence strand."""


class Stakeholders(Section):
    emails: list[Email] = []


class LeadTimes(Section):
    agenda_days: Annotated[int, Field(ge=0, le=60)] = 3
    reflection_prework_days: Annotated[int, Field(ge=0, le=90)] = 7
    thinking_map_days: Annotated[int, Field(ge=0, le=60)] = 5
    stakeholder_survey_days: Annotated[int, Field(ge=0, le=90)] = 14
    team_reflection_days: Annotated[int, Field(ge=0, le=90)] = 7


class Drive(Section):
    root_folder_id: str | None = None
    shared_drive_id: str | None = None
    folders: dict[Literal["agendas", "feedback", "reflections", "thinking-maps"], Text] = {}


class Auth(Section):
    method: Literal["service_account", "impersonation", "oauth", "adc"]
    key_file: str | None = None
    target_principal: str | None = None
    client_secrets: str | None = None
    token_file: str | None = None
    subject: Email | None = None


class Workspace(Section):
    backend: Literal["sandbox", "sandbox_url", "google"] = "sandbox"
    sandbox_url: Annotated[str, Field(pattern=r"^https?://")] | None = None
    sandbox_db: str = ":memory:"
    bot_user: Email
    auth: Auth | None = None
    quotas: dict[str, Annotated[int, Field(ge=1)]] = {}


class Sharing(Section):
    allow_external: list[str] = []
    link_sharing: bool = False
    remove_extra_permissions: bool = False
    """Remove what the daily sharing audit finds beyond a bot file's audience (anyone-with-link, a domain, an
    outsider); when false it is only reported (docs/privacy.md)."""

    def allows(self, email: str) -> bool:
        """Whether an address outside the school's domain is explicitly allowed."""
        email = email.lower()
        domain = email.rsplit("@", 1)[-1]
        for entry in self.allow_external:
            entry = entry.strip().lower()
            if entry == email or entry.lstrip("@") == domain:
                return True
        return False


class Schedule(Section):
    """When ``ilt-bot run`` ticks: every ``every_minutes`` from ``start`` to ``end`` on ``days`` (cron days)."""

    every_minutes: Annotated[int, Field(ge=1, le=1440)] = 30
    start: time = time(6, 0)
    end: time = time(20, 0)
    days: str = f"{SCHOOL_WEEK[0][:3]}-{SCHOOL_WEEK[-1][:3]}"


class Templates(Section):
    dir: str | None = None
    agenda_doc_id: str | None = None


class GoogleCalendar(Section):
    """``[calendar]``: one Google Calendar event per ILT meeting (off unless ``enabled``; docs/calendar.md).

    ``calendar_id``: ``"primary"`` (the bot user's calendar) or a shared ILT calendar's id, on which the
    bot user can make changes. ``series_event_id``: an existing recurring series whose instances are the
    meetings (adopted instead of one event per meeting).
    """

    enabled: bool = False
    calendar_id: Text = "primary"
    series_event_id: Annotated[str, Field(pattern=r"^[A-Za-z0-9_]{5,1024}$")] | None = None


class Config(Section):
    """The whole ``config.toml``."""

    school: School
    members: Annotated[list[Member], Field(min_length=1)]
    teams: list[Team] = []
    year: Year
    meetings: MeetingPattern
    learning_cycles: LearningCycles
    scope_sequence: Annotated[list[ScopeEntry], Field(min_length=1)]
    feedback: Feedback = Feedback()
    agenda: Agenda = Agenda()
    thinking_map: ThinkingMap = ThinkingMap()
    stakeholders: Stakeholders = Stakeholders()
    practice: Practice = Practice()
    lead_times: LeadTimes = LeadTimes()
    drive: Drive = Drive()
    workspace: Workspace
    sharing: Sharing = Sharing()
    schedule: Schedule = Schedule()
    templates: Templates = Templates()
    calendar: GoogleCalendar = GoogleCalendar()

    _source: Path | None = PrivateAttr(default=None)

    @property
    def tz(self) -> ZoneInfo:
        """The school's time zone."""
        return self.school.tz

    @property
    def source(self) -> Path | None:
        """The file this config was read from (None when parsed from a dict)."""
        return self._source

    @property
    def base_dir(self) -> Path:
        """Relative paths in the config (templates.dir, key files) are relative to this directory."""
        return self._source.parent if self._source else Path.cwd()

    def member(self, member_id: str) -> Member:
        """The ILT member with this id (KeyError if none)."""
        for member in self.members:
            if member.id == member_id:
                return member
        raise KeyError(member_id)

    def team(self, team_id: str) -> Team:
        """The teacher team with this id (KeyError if none)."""
        for team in self.teams:
            if team.id == team_id:
                return team
        raise KeyError(team_id)

    def semester(self, semester_id: str) -> Semester:
        for semester in self.year.semesters:
            if semester.id == semester_id:
                return semester
        raise KeyError(semester_id)

