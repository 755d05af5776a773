"""The school year as the ILT lives it: meetings, role holders, focus areas, learning cycles, semesters.

Pure and deterministic: everything is computed from the config, nothing is stored. Times are aware
datetimes in the school's time zone (``zoneinfo``), so a 15:45 meeting stays at 15:45 local across DST.

Rules:
- Regular meetings fall every week (or every other week) from ``meetings.first_date``, on a fixed grid:
  a break does not shift the biweekly rhythm. A regular date on a no-school day is skipped
  (``on_holiday = "skip"``) or moved to the next school day of the same week (``"next_school_day"``;
  skipped when the rest of the week has no school).
- ``cancelled_dates`` remove meetings, ``extra_dates`` add them, and each semester's ``reflection_date``
  is always an ILT meeting (``kind = "reflection"``, with the semester's reflection time and place).
- Rotating roles move one step along ``meetings.rotation`` per meeting, so the role holders of one
  meeting are different people whenever the rotation is at least as long as the roles.
- Learning cycles are ``length_weeks`` long from ``first_start``; with ``skip_break_weeks`` a week
  without any school day (winter break) does not count. The last cycle ends with the school year; a
  tail shorter than half a cycle joins the cycle before it.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property
from typing import Any, Literal
from zoneinfo import ZoneInfo

from ilt_bot.config import Config, Semester, is_school_weekday

MeetingKind = Literal["regular", "extra", "reflection"]


@dataclass(frozen=True)
class Focus:
    """The scope-and-sequence entry in force in a month."""

    month: str
    focus_area: str
    strand: str
    activity: str


@dataclass(frozen=True)
class Meeting:
    """One ILT meeting. ``index`` counts meetings from 0 in date order; ``number`` from 1."""

    date: date
    start: datetime
    end: datetime
    index: int
    location: str
    kind: MeetingKind = "regular"
    roles: dict[str, str] = field(default_factory=dict, compare=False)
    focus: Focus | None = None
    semester: str | None = None
    cycle: str | None = None
    moved_from: date | None = None

    @property
    def number(self) -> int:
        return self.index + 1

    @property
    def duration(self) -> timedelta:
        return self.end - self.start

    def to_json(self) -> dict[str, Any]:
        """The meeting as ``plan --json`` prints it."""
        return {
            "date": self.date.isoformat(),
            "number": self.number,
            "kind": self.kind,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "location": self.location,
            "roles": self.roles,
            "semester": self.semester,
            "cycle": self.cycle,
            "focus_area": self.focus.focus_area if self.focus else None,
            "strand": self.focus.strand if self.focus else None,
            "moved_from": self.moved_from.isoformat() if self.moved_from else None,
        }


@dataclass(frozen=True)
class Cycle:
    """A learning cycle. ``semester`` is the semester its end falls in (where its thinking map lands)."""

    id: str
    index: int
    start: date
    end: date
    semester: str | None = None
    semesters: tuple[str, ...] = ()

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


class SchoolYear:
    """The calendar computed from a :class:`Config`."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.year = config.year
        self.tz: ZoneInfo = config.tz
        self._no_school = self.year.no_school_days()

    # --- days -----------------------------------------------------------------------------------

    def at(self, day: date, clock: time) -> datetime:
        """The aware datetime of a local wall-clock time on ``day`` (a skipped DST hour moves forward)."""
        naive = datetime.combine(day, clock)
        aware = naive.replace(tzinfo=self.tz)
        # A wall time inside a spring-forward gap does not exist: normalise through UTC.
        return aware.astimezone(UTC).astimezone(self.tz)

    def is_school_day(self, day: date) -> bool:
        """A weekday inside the school year that is not a no-school day."""
        return self.year.start <= day <= self.year.end and is_school_weekday(day) and day not in self._no_school

    def no_school_reason(self, day: date) -> str | None:
        """The name of the no-school day (``"Labor Day"``) or None."""
        return self._no_school.get(day)

    def school_days(self) -> list[date]:
        days, day = [], self.year.start
        while day <= self.year.end:
            if self.is_school_day(day):
                days.append(day)
            day += timedelta(days=1)
        return days

    def next_school_day(self, day: date) -> date | None:
        """The first school day on or after ``day`` (None after the year ends)."""
        while day <= self.year.end:
            if self.is_school_day(day):
                return day
            day += timedelta(days=1)
        return None

    # --- semesters ------------------------------------------------------------------------------

    def semesters(self) -> list[Semester]:
        return list(self.year.semesters)

    def semester_of(self, day: date) -> Semester | None:
        """The semester ``day`` falls in (None between semesters or outside the year)."""
        for sem in self.year.semesters:
            if sem.start <= day <= sem.end:
                return sem
        return None

    def reflection_meeting(self, semester: Semester | str) -> Meeting:
        """The ILT reflection meeting that closes ``semester``."""
        sem_id = semester if isinstance(semester, str) else semester.id
        day = self.config.semester(sem_id).reflection_date
        found = self.meeting_on(day)
        if found is None:  # pragma: no cover - reflection dates are always meetings (config forbids cancelling)
            raise LookupError(f"no meeting on the reflection date {day}")
        return found

    # --- focus ----------------------------------------------------------------------------------

    def focus_on(self, day: date) -> Focus | None:
        """The scope-and-sequence focus area, strand and activity in force on ``day``."""
        month = f"{day.year:04d}-{day.month:02d}"
        for entry in self.config.scope_sequence:
            if month in entry.months:
                return Focus(month=month, focus_area=entry.focus_area, strand=entry.strand, activity=entry.activity)
        return None

    # --- learning cycles ------------------------------------------------------------------------

    def cycles(self) -> list[Cycle]:
        return list(self._cycles)

    def cycle_of(self, day: date) -> Cycle | None:
        for cycle in self._cycles:
            if cycle.contains(day):
                return cycle
        return None

    @cached_property
    def _cycles(self) -> list[Cycle]:
        spec = self.config.learning_cycles
        if spec.cycles:
            spans = [(c.start, c.end) for c in spec.cycles]
        else:
            assert spec.length_weeks is not None and spec.first_start is not None  # config checked
            spans = self._generated_cycles(spec.first_start, spec.length_weeks, spec.skip_break_weeks)
        return [self._cycle(i, start, end) for i, (start, end) in enumerate(spans)]

    def _generated_cycles(self, first: date, weeks: int, skip_breaks: bool) -> list[tuple[date, date]]:
        def has_school(week_start: date) -> bool:
            return any(self.is_school_day(week_start + timedelta(days=i)) for i in range(7))

        spans: list[tuple[date, date]] = []
        start = first
        while start <= self.year.end:
            if skip_breaks:
                while start <= self.year.end and not has_school(start):
                    start += timedelta(days=7)
                if start > self.year.end:
                    break
            counted, week = 0, start
            while counted < weeks and week <= self.year.end:
                if has_school(week) or not skip_breaks:
                    counted += 1
                week += timedelta(days=7)
            end = min(week - timedelta(days=1), self.year.end)
            last_school = max((d for d in _days(start, end) if self.is_school_day(d)), default=None)
            if last_school is None:
                break
            if counted < weeks and spans and counted * 2 < weeks:
                spans[-1] = (spans[-1][0], last_school)  # a short tail joins the previous cycle
            else:
                spans.append((start, last_school))
            start = week
        return spans

    def _cycle(self, index: int, start: date, end: date) -> Cycle:
        touched = tuple(s.id for s in self.year.semesters if s.start <= end and start <= s.end)
        home = self.semester_of(end) or self.semester_of(start)
        return Cycle(id=f"c{index + 1}", index=index, start=start, end=end,
                     semester=home.id if home else (touched[-1] if touched else None), semesters=touched)

    # --- meetings -------------------------------------------------------------------------------

    def meetings(self) -> list[Meeting]:
        """Every ILT meeting of the year, in date order."""
        return list(self._meetings)

    def meeting_on(self, day: date) -> Meeting | None:
        return self._by_date.get(day)

    def previous_meeting(self, meeting: Meeting | date) -> Meeting | None:
        """The meeting before ``meeting`` (None for the first one)."""
        day = meeting if isinstance(meeting, date) else meeting.date
        dates = [m.date for m in self._meetings]
        i = bisect.bisect_left(dates, day)
        return self._meetings[i - 1] if i > 0 else None

    def next_meeting(self, after: datetime | date) -> Meeting | None:
        """The first meeting starting at or after ``after`` (a datetime) or on/after ``after`` (a date)."""
        for m in self._meetings:
            if (m.date >= after) if not isinstance(after, datetime) else (m.start >= after):
                return m
        return None

    @cached_property
    def _by_date(self) -> dict[date, Meeting]:
        return {m.date: m for m in self._meetings}

    @cached_property
    def _meetings(self) -> list[Meeting]:
        days = self._meeting_days()
        out = []
        for index, (day, (kind, moved_from)) in enumerate(sorted(days.items())):
            out.append(self._meeting(index, day, kind, moved_from))
        return out

    def _meeting_days(self) -> dict[date, tuple[MeetingKind, date | None]]:
        pattern = self.config.meetings
        cancelled = set(pattern.cancelled_dates)
        step = timedelta(days=7 if pattern.frequency == "weekly" else 14)
        days: dict[date, tuple[MeetingKind, date | None]] = {}
        regular = pattern.first_regular()
        while regular <= self.year.end:
            day: date | None = regular
            moved_from = None
            if regular in self._no_school:
                if pattern.on_holiday == "next_school_day":
                    day = self.next_school_day(regular + timedelta(days=1))
                    moved_from = regular
                    same_week = day is not None and day.isocalendar()[:2] == regular.isocalendar()[:2]
                    if day is not None and (day in cancelled or not same_week):
                        day = None
                else:
                    day = None
            if day is not None and day not in cancelled and regular >= self.year.start:
                days.setdefault(day, ("regular", moved_from))
            regular += step
        for extra in pattern.extra_dates:
            if extra not in cancelled and extra not in days:
                days[extra] = ("extra", None)
        for sem in self.year.semesters:
            previous = days.get(sem.reflection_date, ("regular", None))
            days[sem.reflection_date] = ("reflection", previous[1])
        return days

    def _meeting(self, index: int, day: date, kind: MeetingKind, moved_from: date | None) -> Meeting:
        pattern = self.config.meetings
        clock, minutes, location = pattern.time, pattern.duration_minutes, pattern.location
        semester = self.semester_of(day)
        if kind == "reflection" and semester is not None:
            clock = semester.reflection_time or clock
            minutes = semester.reflection_duration_minutes or minutes
            location = semester.reflection_location or location
        start = self.at(day, clock)
        end = (start.astimezone(UTC) + timedelta(minutes=minutes)).astimezone(self.tz)
        cycle = self.cycle_of(day)
        return Meeting(
            date=day, start=start, end=end, index=index, location=location, kind=kind,
            roles=self.roles_for(index), focus=self.focus_on(day),
            semester=semester.id if semester else None, cycle=cycle.id if cycle else None, moved_from=moved_from,
        )

    def roles_for(self, index: int) -> dict[str, str]:
        """Role -> member id for the meeting at ``index``: fixed roles, then one rotation step per meeting."""
        pattern = self.config.meetings
        rotation = list(pattern.rotation)
        holders: dict[str, str] = {}
        rotating = [r for r in pattern.roles if r not in pattern.fixed_roles]
        for offset, role in enumerate(rotating):
            if rotation:
                holders[role] = rotation[(index + offset) % len(rotation)]
        for role in pattern.roles:
            if role in pattern.fixed_roles:
                holders[role] = pattern.fixed_roles[role]
        return {role: holders[role] for role in pattern.roles if role in holders}


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


__all__ = ["SchoolYear", "Meeting", "Cycle", "Focus"]
