"""What one routine is (:class:`Routine`), what it schedules (:class:`WorkItem`), and the due-time rules.

A routine is one kind of artifact the bot keeps (an agenda Doc, a thinking-map Form, ...). Its module
exports one frozen :class:`Routine` holding everything about that kind: the only function that builds
its key, its due rule (``items(config, year)``), its folder, the tracker tabs it adds, its template
and sample context, and ``run(ctx, item)``. ``ilt_bot.registry`` lists every routine once.
See docs/architecture.md ("The routine registry", "How to add a routine").

Pure: nothing here touches the Workspace.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from ilt_bot.config import is_school_weekday

if TYPE_CHECKING:
    from ilt_bot.calendar import Cycle, Meeting, SchoolYear
    from ilt_bot.config import Config, Member, Semester, Team
    from ilt_bot.jobs import JobContext

JSON_FIELDS = ("kind", "key", "due", "target", "meeting_date", "team", "member", "semester", "cycle", "folder")
"""The fields of ``plan --json`` items, in order (the CLI's contract)."""


@dataclass(frozen=True)
class WorkItem:
    """One dated step of the year: what (``kind``), its artifact key, when it is due, what it is about.

    Besides the ids shown by ``plan`` (``meeting_date``, ``team``, ``semester``...), an item carries
    what it was made from (the :class:`~ilt_bot.calendar.Meeting`, learning
    :class:`~ilt_bot.calendar.Cycle` or :class:`~ilt_bot.config.Semester`, the team and the member), and
    ``until``: when the routine stops working on it (another item takes over). No job parses a key back.
    """

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
    meeting: Meeting | None = field(default=None, compare=False, repr=False)
    learning_cycle: Cycle | None = field(default=None, compare=False, repr=False)
    term: Semester | None = field(default=None, compare=False, repr=False)
    team_config: Team | None = field(default=None, compare=False, repr=False)
    member_config: Member | None = field(default=None, compare=False, repr=False)
    until: datetime | None = field(default=None, compare=False, repr=False)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (ISO dates and times) of :data:`JSON_FIELDS`; ``None`` fields are left out."""
        out: dict[str, Any] = {}
        for name in JSON_FIELDS:
            value = getattr(self, name)
            if value is None:
                continue
            out[name] = value.isoformat() if isinstance(value, date | datetime) else value
        return out


KeyBuilder = Callable[..., str]
DueRule = Callable[["Config", "SchoolYear"], list[WorkItem]]
Run = Callable[["JobContext", WorkItem], None]
SampleContext = Callable[["Config"], dict[str, Any]]


@dataclass(frozen=True)
class Routine:
    """Everything about one kind of artifact, in one place (docs/architecture.md, "How to add a routine").

    - ``key``: the only builder of this kind's ``iltbot_key``: ``key(config, *parts)``, one argument per
      placeholder of ``key_form`` after ``<school>`` (a ``date`` for ``<date>``), ``<year>`` being the config's
      and ``<nextyear>`` the one after it;
    - ``key_form``: that key as documented in the README (``<school>/agenda/<date>``);
    - ``items(config, year)``: the kind's WorkItems of the year (its due rule);
    - ``run(ctx, item)``: the idempotent job the tick runs for a due item;
    - ``folder``: the bot folder its files go in (``drive.folders`` kind), if any;
    - ``tabs``: tracker tabs (title -> header row) the routine adds to the year's tracker;
    - ``template`` and ``sample_context(config)``: what ``ilt-bot check`` renders.
    """

    kind: str
    key: KeyBuilder
    key_form: str
    items: DueRule
    run: Run
    folder: str | None = None
    tabs: Mapping[str, list[str]] = field(default_factory=dict)
    template: str | None = None
    sample_context: SampleContext | None = None


# --- due times ---------------------------------------------------------------------------------------


def morning(config: Config, year: SchoolYear, day: date, *, later: bool = False) -> datetime:
    """``schedule.start`` (the first tick of the day) on ``day``, school time.

    A day without school moves to the school day before it (after it when ``later``) if one is at most
    three days away, else to the nearest weekday (inside a long break), so work never lands on a Saturday.
    """
    step = timedelta(days=1 if later else -1)
    near = [day + step * n for n in range(4)]
    chosen = next((d for d in near if year.is_school_day(d)), None)
    chosen = chosen or next((d for d in near if is_school_weekday(d)), day)
    return year.at(chosen, config.schedule.start)


def prepared(config: Config, year: SchoolYear, meeting: Meeting, days: int) -> datetime:
    """``days`` school mornings before ``meeting`` (never after it starts)."""
    return min(morning(config, year, meeting.date - timedelta(days=days)), meeting.start)


def setup_due(config: Config, year: SchoolYear) -> datetime:
    """When the year's standing artifacts are due: the first school day, or the first agenda if earlier."""
    due = year.at(config.year.start, config.schedule.start)
    meetings = year.meetings()
    if meetings:
        due = min(due, min(prepared(config, year, m, config.lead_times.agenda_days) for m in meetings))
    return due


def thinking_map_cycles(config: Config, year: SchoolYear) -> list[Cycle]:
    """The learning cycles that end with a thinking map (every ``meetings.thinking_map_every``)."""
    every = config.meetings.thinking_map_every
    return [c for c in year.cycles() if (c.index + 1) % every == 0]
