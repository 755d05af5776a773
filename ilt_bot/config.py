"""The school's ``config.toml`` as pydantic models, with readable errors.

``load_config(path)`` returns a :class:`Config` or raises :class:`ConfigError` listing *every* problem at
once, each with its field path (``meetings.weekday``), what is wrong and how to fix it. Each top-level
section is validated on its own, so a mistake in one section does not hide the mistakes in another, and
the cross-field checks (emails in the school's domain, team leads are ILT members, dates inside the
school year, the scope and sequence covers every teaching month, no duplicate ids) run on every section
that is valid.
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from datetime import date, time, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal, get_args, get_origin
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    TypeAdapter,
    ValidationError,
    field_validator,
)

from ilt_bot.errors import ConfigError, Problem

__all__ = [
    "ConfigError",
    "Problem",
    "Config",
    "load_config",
    "parse_config",
    "config_path",
    "ROLES",
    "MEETING_ROLES",
    "STRANDS",
    "FOLDER_KINDS",
]

FIX_SEP = " || "
"""Custom validators raise ``ValueError("what is wrong || how to fix it")``."""

SLUG = r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$"
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

DateT = date  # aliases for classes that have fields named `date` / `time`
TimeT = time

DEFAULT_CONFIG = "config.toml"
CONFIG_ENV = "ILT_BOT_CONFIG"


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
    import zoneinfo

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


class CoachingAgreement(Section):
    """A school leader to Senior/Team Lead coaching agreement."""

    text: Text
    kind: Literal["non_negotiable", "adjustable"]


class School(Section):
    id: Slug
    name: Text
    timezone: Annotated[str, AfterValidator(_timezone)]
    domain: Annotated[str, Field(pattern=r"^[a-z0-9.-]+\.[a-z]{2,}$")]
    vision: Text
    ilt_vision: Text
    norms: Annotated[list[Text], Field(min_length=1)]
    uip_goals: list[UipGoal] = []
    coaching_agreements: list[CoachingAgreement] = []
    lead_qualities: list[Text] = []

    @field_validator("domain", mode="before")
    @classmethod
    def _lower_domain(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value

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


# --- routines -----------------------------------------------------------------------------------


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
    every_minutes: Annotated[int, Field(ge=1, le=1440)] = 30
    start: time = time(6, 0)
    end: time = time(20, 0)
    days: str = "mon-fri"


class Templates(Section):
    dir: str | None = None
    agenda_doc_id: str | None = None


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
    thinking_map: ThinkingMap = ThinkingMap()
    stakeholders: Stakeholders = Stakeholders()
    lead_times: LeadTimes = LeadTimes()
    drive: Drive = Drive()
    workspace: Workspace
    sharing: Sharing = Sharing()
    schedule: Schedule = Schedule()
    templates: Templates = Templates()

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


# --- loading ------------------------------------------------------------------------------------


def config_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The config file to use: ``explicit``, else ``./config.toml`` if it exists, else ``$ILT_BOT_CONFIG``."""
    if explicit:
        return Path(explicit)
    default = Path(DEFAULT_CONFIG)
    if default.exists():
        return default
    env = os.environ.get(CONFIG_ENV)
    return Path(env) if env else default


def load_config(path: str | os.PathLike[str]) -> Config:
    """Read and validate a config file; raise :class:`ConfigError` listing every problem."""
    path = Path(path)
    source = str(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(
            [Problem("(file)", f"{source} does not exist",
                     "pass -c PATH, set ILT_BOT_CONFIG, or start from config.example.toml: "
                     "cp config.example.toml config.toml")],
            source,
        ) from None
    except OSError as exc:
        problem = Problem("(file)", f"cannot read {source}: {exc.strerror}", "check the path and its permissions")
        raise ConfigError([problem], source) from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError([Problem("(file)", f"not UTF-8 text (byte {exc.start})", "save the file as UTF-8")],
                          source) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([_toml_problem(exc)], source) from None
    config = parse_config(data, source=source)
    config._source = path.resolve()
    return config


def _toml_problem(exc: tomllib.TOMLDecodeError) -> Problem:
    text = str(exc)
    found = re.search(r"\(at line (\d+), column (\d+)\)", text)
    what = re.sub(r"\s*\(at line \d+, column \d+\)", "", text) or "invalid TOML"
    if found:
        line, col = found.groups()
        return Problem(f"line {line}, column {col}", f"TOML syntax error: {what}",
                       "fix the TOML at that position (strings need quotes, dates look like 2026-09-15, "
                       "each table [name] appears once)")
    return Problem("(file)", f"TOML syntax error: {what}", "fix the TOML syntax")


def parse_config(data: dict[str, Any], *, source: str | None = None) -> Config:
    """Validate a config already parsed from TOML; raise :class:`ConfigError` listing every problem."""
    problems: list[Problem] = []
    sections: dict[str, Any] = {}
    partial: dict[str, Any] = {}
    fields = Config.model_fields
    for key in data:
        if key not in fields:
            problems.append(_unknown_field(key, key, list(fields)))
    for name, field in fields.items():
        if name not in data:
            if field.is_required():
                problems.append(Problem(name, f"the [{name}] section is missing",
                                        f"add a [{name}] section (see config.example.toml)"))
            continue
        try:
            sections[name] = TypeAdapter(field.annotation).validate_python(data[name])
        except ValidationError as exc:
            problems.extend(_problems_from(exc, name, field.annotation))
            partial[name] = _partial(field.annotation, data[name])
    problems = _merge_typos(problems)
    problems.extend(cross_checks({**{k: v for k, v in partial.items() if v is not None}, **sections}))
    if problems:
        raise ConfigError(problems, source)
    return Config(**sections)


def _partial(annotation: Any, value: Any) -> BaseModel | None:
    """A section model holding only its valid fields (for cross-checks when the section has mistakes)."""
    model = _unwrap(annotation)
    if not (isinstance(model, type) and issubclass(model, BaseModel) and isinstance(value, dict)):
        return None
    good: dict[str, Any] = {}
    for name, field in model.model_fields.items():
        if name in value:
            try:
                good[name] = TypeAdapter(field.annotation).validate_python(value[name])
            except ValidationError:
                continue
    return model.model_construct(**good)


# --- translating pydantic errors ----------------------------------------------------------------


def _merge_typos(problems: list[Problem]) -> list[Problem]:
    """Drop "x is required" when a misspelt sibling ("unknown field 'xx', did you mean 'x'?") explains it."""
    explained = set()
    for p in problems:
        found = re.match(r"did you mean '([^']+)'\?", p.fix) if p.message.startswith("unknown field") else None
        if found:
            parent = p.path.rpartition(".")[0]
            explained.add(f"{parent}.{found.group(1)}" if parent else found.group(1))
    return [p for p in problems if not (p.message == "is required" and p.path in explained)]


def _path(prefix: str, loc: Iterable[int | str]) -> str:
    out = prefix
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def _model_at(annotation: Any, loc: tuple[int | str, ...]) -> type[BaseModel] | None:
    """The pydantic model found by following ``loc`` from ``annotation`` (for field-name hints)."""
    current = annotation
    for part in loc:
        current = _unwrap(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(str(part))
            if field is None:
                return None
            current = field.annotation
        elif get_origin(current) in (list, tuple) and isinstance(part, int):
            current = get_args(current)[0]
        elif get_origin(current) is dict:
            current = get_args(current)[1]
        else:
            return None
    current = _unwrap(current)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _unwrap(annotation: Any) -> Any:
    """Strip Annotated[...] and Optional[...] around a type."""
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
            continue
        args = [a for a in get_args(annotation) if a is not type(None)]
        if origin is not None and origin not in (list, tuple, dict, Literal) and len(args) == 1:
            annotation = args[0]
            continue
        return annotation


def _unknown_field(path: str, name: str, known: list[str]) -> Problem:
    close = difflib.get_close_matches(name, known, n=1)
    fix = f"did you mean {close[0]!r}?" if close else "remove it; known fields here: " + ", ".join(known)
    return Problem(path, f"unknown field {name!r}", fix)


_TYPE_FIXES = {
    "date": "write a TOML date without quotes, like 2026-09-15",
    "time": "write a time like \"15:30\" (or 15:30:00 without quotes)",
    "int": "write a whole number, like 60",
    "bool": "write true or false (no quotes)",
    "string": "write text in double quotes",
    "list": "write a list in square brackets, like [\"a\", \"b\"]",
    "dict": "write a table, like { key = \"value\" } or a [section]",
    "model": "write a table, like { key = \"value\" } or a [section]",
}


def _problems_from(exc: ValidationError, prefix: str, annotation: Any) -> Iterator[Problem]:
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        kind = err["type"]
        # Tagged unions and Optional add their own locations ("function-after[...]", "str"); drop them.
        loc = tuple(p for p in loc if isinstance(p, int) or not (("[" in p) or p in {"str", "int", "date"}))
        path = _path(prefix, loc)
        if kind == "missing":
            yield Problem(path, "is required", f"add `{loc[-1] if loc else prefix} = ...` (see config.example.toml)")
        elif kind == "extra_forbidden":
            model = _model_at(annotation, loc[:-1])
            known = list(model.model_fields) if model else []
            yield _unknown_field(path, str(loc[-1]), known)
        elif kind == "literal_error":
            expected = err.get("ctx", {}).get("expected", "")
            options = re.findall(r"'([^']*)'", expected)
            close = difflib.get_close_matches(str(err["input"]), options, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            yield Problem(path, f"{err['input']!r} is not allowed", f"{hint}use one of: {expected}")
        elif kind == "value_error":
            text = str(err.get("ctx", {}).get("error", err["msg"]))
            what, _, fix = text.partition(FIX_SEP)
            yield Problem(path, what, fix)
        elif kind == "string_pattern_mismatch":
            yield Problem(path, f"{err['input']!r} has the wrong form", _pattern_fix(loc))
        elif kind in ("too_short", "too_long"):
            yield Problem(path, err["msg"].lower(), "see config.example.toml for a complete example")
        elif kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
            yield Problem(path, f"{err['input']!r}: {err['msg'].lower()}", "choose a value in the allowed range")
        else:
            family = kind.split("_")[0]
            fix = _TYPE_FIXES.get(family) or _TYPE_FIXES.get(kind.replace("_type", ""), "see config.example.toml")
            shown = err.get("input")
            yield Problem(path, f"{shown!r}: {err['msg'][:1].lower()}{err['msg'][1:]}", fix)


def _pattern_fix(loc: tuple[int | str, ...]) -> str:
    name = str(next((p for p in reversed(loc) if isinstance(p, str)), ""))
    if name == "label":
        return 'write the school year like "2026-27"'
    if name == "domain":
        return 'write the Google Workspace domain, like "cedarheights.example.org"'
    if name == "sandbox_url":
        return 'write a URL like "http://127.0.0.1:8765"'
    if name == "id" and "cycles" in loc:
        return 'name cycles c1, c2, c3 ...'
    return 'use lowercase letters, digits and dashes, like "k2-literacy" or "ana-ruiz"'


# --- cross-field checks -------------------------------------------------------------------------


def cross_checks(s: dict[str, Any]) -> list[Problem]:
    """Checks across fields and sections.

    ``s`` maps section names to validated sections, or to partial ones (only their valid fields set)
    when a section has its own mistakes: a check that needs a missing field is skipped, the others run.
    """
    school, members, teams = s.get("school"), s.get("members"), s.get("teams")
    year, meetings = s.get("year"), s.get("meetings")
    sharing: Sharing = s.get("sharing") or Sharing()
    checks: list[Callable[[], list[Problem]]] = []
    if school:
        checks.append(lambda: _duplicates("school.uip_goals", [g.id for g in school.uip_goals], "id"))
        checks.append(lambda: _domain_checks(school.domain, s, sharing))
    if members is not None:
        checks.append(lambda: _duplicates("members", [m.id for m in members], "id"))
        checks.append(lambda: _duplicates("members", [m.email for m in members], "email"))
        checks.append(lambda: _membership_checks([m.id for m in members], teams or [], meetings))
    if teams is not None:
        checks.append(lambda: _duplicates("teams", [t.id for t in teams], "id"))
        checks += [
            (lambda i=i, team=team: _duplicates(f"teams[{i}].teachers", [p.email for p in team.teachers], "email"))
            for i, team in enumerate(teams)
        ]
    if meetings:
        checks.append(lambda: _rotation_checks(meetings))
    if year:
        checks.append(lambda: _duplicates("year.semesters", [x.id for x in year.semesters], "id"))
        checks.append(lambda: _year_checks(year))
        if meetings:
            checks.append(lambda: _meeting_date_checks(meetings, year))
            checks.append(lambda: _meeting_weekday_check(meetings))
            checks.append(lambda: _reflection_not_cancelled(meetings, year))
        if s.get("learning_cycles") is not None:
            checks.append(lambda: _cycle_checks(s["learning_cycles"], year))
        if s.get("scope_sequence") is not None:
            checks.append(lambda: _scope_checks(s["scope_sequence"], year))
    if s.get("workspace"):
        checks.append(lambda: _workspace_checks(s["workspace"]))
    if s.get("schedule"):
        checks.append(lambda: _schedule_checks(s["schedule"]))
    out: list[Problem] = []
    for check in checks:
        try:
            out += check()
        except AttributeError:  # a field this check needs has its own (already reported) mistake
            continue
    return out


def _membership_checks(member_ids: list[str], teams: list[Team], meetings: MeetingPattern | None) -> list[Problem]:
    out = [
        _not_member(f"teams[{i}].lead", team.lead, member_ids, "a team lead must be an ILT member")
        for i, team in enumerate(teams)
        if getattr(team, "lead", None) is not None and team.lead not in member_ids
    ]
    if meetings:
        out += [_not_member(f"meetings.rotation[{i}]", who, member_ids, "the rotation is of members")
                for i, who in enumerate(getattr(meetings, "rotation", [])) if who not in member_ids]
        out += [_not_member(f"meetings.fixed_roles.{role}", who, member_ids, "roles go to ILT members")
                for role, who in getattr(meetings, "fixed_roles", {}).items() if who not in member_ids]
    return out


def _duplicates(path: str, values: list[str], what: str) -> list[Problem]:
    counts = Counter(values)
    out = []
    for value, n in counts.items():
        if n > 1:
            index = [i for i, v in enumerate(values) if v == value][1]
            out.append(Problem(f"{path}[{index}].{what}", f"duplicate {what} {value!r} (used {n} times)",
                               f"give each entry its own {what}"))
    return out


def _not_member(path: str, who: str, member_ids: list[str], why: str) -> Problem:
    close = difflib.get_close_matches(who, member_ids, n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    return Problem(path, f"{who!r} is not an ILT member ({why})",
                   f"{hint}use a member id from [[members]]: {', '.join(member_ids)}")


def _in_domain(email: str, domain: str) -> bool:
    host, domain = email.rsplit("@", 1)[-1].lower(), domain.lower()
    return host == domain or host.endswith("." + domain)


def _domain_checks(domain: str, s: dict[str, Any], sharing: Sharing) -> list[Problem]:
    found: list[tuple[str, str]] = []
    for i, m in enumerate(s.get("members") or []):
        found.append((f"members[{i}].email", m.email))
    for i, t in enumerate(s.get("teams") or []):
        for j, p in enumerate(t.teachers):
            found.append((f"teams[{i}].teachers[{j}].email", p.email))
    if s.get("workspace"):
        found.append(("workspace.bot_user", s["workspace"].bot_user))
    for i, e in enumerate((s.get("stakeholders") or Stakeholders()).emails):
        found.append((f"stakeholders.emails[{i}]", e))
    return [
        Problem(path, f"{email!r} is outside the school's domain {domain!r}",
                f"use an address @{domain}, or list it in sharing.allow_external")
        for path, email in found
        if not _in_domain(email, domain) and not sharing.allows(email)
    ]


def _outside(path: str, day: date, year: Year) -> Problem | None:
    if year.start <= day <= year.end:
        return None
    return Problem(path, f"{day} is outside the school year ({year.start} to {year.end})",
                   "use a date inside year.start .. year.end, or fix the year's dates")


def _year_checks(year: Year) -> list[Problem]:
    out: list[Problem] = []
    if year.end <= year.start:
        out.append(Problem("year.end", f"{year.end} is not after year.start {year.start}", "swap or fix the dates"))
        return out
    first = int(year.label[:4])
    if year.start.year != first:
        out.append(Problem("year.label", f"{year.label!r} does not match year.start {year.start}",
                           f'write "{year.start.year}-{(year.start.year + 1) % 100:02d}"'))
    previous_end: date | None = None
    for i, sem in enumerate(year.semesters):
        p = f"year.semesters[{i}]"
        out += [x for x in (_outside(f"{p}.start", sem.start, year), _outside(f"{p}.end", sem.end, year)) if x]
        if sem.end <= sem.start:
            out.append(Problem(f"{p}.end", f"{sem.end} is not after start {sem.start}", "fix the semester's dates"))
        if previous_end and sem.start <= previous_end:
            out.append(Problem(f"{p}.start", f"{sem.start} overlaps the previous semester (ends {previous_end})",
                               "list semesters in order without overlap"))
        previous_end = sem.end
        for field in ("reflection_date", "team_reflection_date"):
            day = getattr(sem, field)
            if day is None:
                continue
            if not sem.start <= day <= sem.end:
                out.append(Problem(f"{p}.{field}", f"{day} is outside the semester ({sem.start} to {sem.end})",
                                   "hold the reflection at the close of the semester, inside its dates"))
            elif day in year.no_school_days():
                out.append(Problem(f"{p}.{field}", f"{day} is a no-school day ({year.no_school_days()[day]})",
                                   "pick a school day"))
    for i, entry in enumerate(year.no_school):
        p = f"year.no_school[{i}]"
        if (entry.date is None) == (entry.start is None and entry.end is None):
            out.append(Problem(p, "give either date, or start and end", 'write { name = "...", date = 2026-09-07 } '
                                  'or { name = "...", start = 2026-12-21, end = 2027-01-01 }'))
            continue
        if entry.date is None and (entry.start is None or entry.end is None):
            out.append(Problem(p, "a range needs both start and end", "add the missing end of the range"))
            continue
        if entry.start and entry.end and entry.end < entry.start:
            out.append(Problem(f"{p}.end", f"{entry.end} is before start {entry.start}", "fix the range"))
        for field in ("date", "start", "end"):
            day = getattr(entry, field)
            if day is not None and (problem := _outside(f"{p}.{field}", day, year)):
                out.append(problem)
    return out


WEEKDAY_INDEX = {name: i for i, name in enumerate(WEEKDAYS)}


def _meeting_date_checks(m: MeetingPattern, year: Year) -> list[Problem]:
    out: list[Problem] = []
    if getattr(m, "first_date", None) and (problem := _outside("meetings.first_date", m.first_date, year)):
        out.append(problem)
    for field in ("extra_dates", "cancelled_dates"):
        for i, day in enumerate(getattr(m, field, [])):
            if problem := _outside(f"meetings.{field}[{i}]", day, year):
                out.append(problem)
    return out


def _meeting_weekday_check(m: MeetingPattern) -> list[Problem]:
    if m.first_date.weekday() == WEEKDAY_INDEX[m.weekday]:
        return []
    actual = WEEKDAYS[m.first_date.weekday()]
    return [Problem("meetings.first_date", f"{m.first_date} is a {actual}, not a {m.weekday}",
                    f"use the first {m.weekday} meeting date, or set meetings.weekday = \"{actual}\"")]


def _reflection_not_cancelled(m: MeetingPattern, year: Year) -> list[Problem]:
    return [
        Problem(f"year.semesters[{i}].reflection_date", f"{sem.reflection_date} is in meetings.cancelled_dates",
                "move the reflection meeting or remove the cancellation")
        for i, sem in enumerate(year.semesters)
        if sem.reflection_date in m.cancelled_dates
    ]


def _rotation_checks(m: MeetingPattern) -> list[Problem]:
    out = [Problem(f"meetings.roles[{i}]", f"{role!r} is listed twice", "list each role once")
           for i, role in enumerate(m.roles) if role in m.roles[:i]]
    rotating = [r for r in m.roles if r not in m.fixed_roles]
    if rotating and not m.rotation:
        out.append(Problem("meetings.rotation", f"no one to rotate through the roles {', '.join(rotating)}",
                           'list member ids, like rotation = ["ana-ruiz", "ben-okafor", ...]'))
    elif rotating and len(set(m.rotation)) < len(rotating):
        out.append(Problem("meetings.rotation", f"{len(set(m.rotation))} people for {len(rotating)} rotating roles",
                           "list at least as many members as roles, or drop roles from meetings.roles"))
    for role in m.fixed_roles:
        if role not in m.roles:
            out.append(Problem(f"meetings.fixed_roles.{role}", f"{role!r} is not in meetings.roles",
                               f"add {role!r} to meetings.roles or remove it here"))
    return out


def _cycle_checks(c: LearningCycles, year: Year) -> list[Problem]:
    out: list[Problem] = []
    explicit = bool(c.cycles)
    generated = c.length_weeks is not None or c.first_start is not None
    if explicit and generated:
        return [Problem("learning_cycles", "both cycles and length_weeks/first_start are set",
                        "keep either the explicit [[learning_cycles.cycles]] list or length_weeks + first_start")]
    if not explicit and not generated:
        return [Problem("learning_cycles", "no learning cycles defined",
                        "set learning_cycles.length_weeks and first_start, or list learning_cycles.cycles")]
    if generated:
        if c.length_weeks is None:
            out.append(Problem("learning_cycles.length_weeks", "is required with first_start", "add length_weeks = 6"))
        if c.first_start is None:
            out.append(Problem("learning_cycles.first_start", "is required with length_weeks",
                               "add first_start = <first day of the first cycle>"))
        elif problem := _outside("learning_cycles.first_start", c.first_start, year):
            out.append(problem)
        return out
    out += _duplicates("learning_cycles.cycles", [x.id for x in c.cycles], "id")
    previous: date | None = None
    for i, cyc in enumerate(c.cycles):
        p = f"learning_cycles.cycles[{i}]"
        if cyc.id != f"c{i + 1}":
            out.append(Problem(f"{p}.id", f"{cyc.id!r} out of order", f"number cycles in date order: c{i + 1}"))
        for field in ("start", "end"):
            if problem := _outside(f"{p}.{field}", getattr(cyc, field), year):
                out.append(problem)
        if cyc.end < cyc.start:
            out.append(Problem(f"{p}.end", f"{cyc.end} is before start {cyc.start}", "fix the cycle's dates"))
        if previous and cyc.start <= previous:
            out.append(Problem(f"{p}.start", f"{cyc.start} overlaps the previous cycle (ends {previous})",
                               "list cycles in order without overlap"))
        previous = cyc.end
    return out


def teaching_months(year: Year) -> list[str]:
    """Months ("YYYY-MM") of the school year that contain at least one school day."""
    off = year.no_school_days()
    months: list[str] = []
    day = year.start
    while day <= year.end:
        if day.weekday() < 5 and day not in off:
            label = f"{day.year:04d}-{day.month:02d}"
            if label not in months:
                months.append(label)
        day += timedelta(days=1)
    return months


def _scope_checks(entries: list[ScopeEntry], year: Year) -> list[Problem]:
    out: list[Problem] = []
    teaching = teaching_months(year)
    first_month = f"{year.start.year:04d}-{year.start.month:02d}"
    last_month = f"{year.end.year:04d}-{year.end.month:02d}"
    seen: dict[str, int] = {}
    for i, entry in enumerate(entries):
        for j, month in enumerate(entry.months):
            p = f"scope_sequence[{i}].months[{j}]"
            if not first_month <= month <= last_month:
                out.append(Problem(p, f"{month} is outside the school year ({first_month} to {last_month})",
                                   "use months of the school year"))
            elif month in seen:
                out.append(Problem(p, f"{month} is already covered by scope_sequence[{seen[month]}]",
                                   "give each month one focus area"))
            else:
                seen[month] = i
    missing = [m for m in teaching if m not in seen]
    if missing:
        out.append(Problem("scope_sequence", f"no focus area for teaching month(s) {', '.join(missing)}",
                           "add these months to an entry's months list (every month with school needs a focus)"))
    strands = {e.strand for e in entries}
    absent = [s for s in STRANDS if s not in strands]
    if absent:
        out.append(Problem("scope_sequence", f"no entry for the strand(s) {', '.join(absent)}",
                           "balance the year across data, observation_feedback and professional_learning"))
    return out


def _workspace_checks(w: Workspace | None) -> list[Problem]:
    if w is None:
        return []
    out: list[Problem] = []
    if w.backend == "sandbox_url" and not w.sandbox_url:
        out.append(Problem("workspace.sandbox_url", 'is required with backend = "sandbox_url"',
                           'add sandbox_url = "http://127.0.0.1:8765" (start it with `ilt-bot sandbox serve`)'))
    if w.backend == "google":
        if w.auth is None:
            out.append(Problem("workspace.auth", 'is required with backend = "google"',
                               'add [workspace.auth] with method = "service_account" (see docs/google-setup.md)'))
        else:
            needs = {
                "service_account": ["key_file"],
                "impersonation": ["target_principal"],
                "oauth": ["client_secrets", "token_file"],
                "adc": [],
            }[w.auth.method]
            for field in needs:
                if not getattr(w.auth, field):
                    out.append(Problem(f"workspace.auth.{field}", f'is required with method = "{w.auth.method}"',
                                       f"add {field} = ... (see docs/google-setup.md)"))
    return out


def _schedule_checks(s: Schedule) -> list[Problem]:
    out: list[Problem] = []
    if 60 % s.every_minutes and s.every_minutes % 60:
        out.append(Problem("schedule.every_minutes", f"{s.every_minutes} does not divide the hour",
                           "use a divisor of 60 (5, 10, 15, 20, 30) or whole hours (60, 120, ...)"))
    if s.end <= s.start:
        out.append(Problem("schedule.end", f"{s.end} is not later than schedule.start {s.start}",
                           "the daily window must end after it starts"))
    return out
