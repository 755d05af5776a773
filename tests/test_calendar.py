"""SchoolYear: meetings, roles, focus, learning cycles and semesters, including the awkward dates."""

from __future__ import annotations

import tomllib
from datetime import UTC, date, time, timedelta
from pathlib import Path
from typing import Any

from ilt_bot.calendar import SchoolYear
from ilt_bot.config import parse_config

EXAMPLE = Path(__file__).resolve().parents[1] / "config.example.toml"


def year_of(**changes: Any) -> SchoolYear:
    """The example school's year, with sections changed: ``meetings={"frequency": "biweekly"}``."""
    data = tomllib.loads(EXAMPLE.read_text())
    for section, values in changes.items():
        if isinstance(values, dict) and isinstance(data.get(section), dict):
            data[section].update(values)
        else:
            data[section] = values
    return SchoolYear(parse_config(data))


def test_example_year_meetings():
    year = year_of()
    meetings = year.meetings()
    dates = [m.date for m in meetings]
    assert len(meetings) == 36
    assert dates == sorted(dates)
    assert [m.index for m in meetings] == list(range(36))
    assert meetings[0].date == date(2026, 8, 20) and meetings[0].kind == "extra"  # the launch retreat, a Thursday
    assert all(m.date.weekday() == 1 for m in meetings[1:])
    assert date(2026, 10, 27) not in dates  # cancelled: conferences
    assert not [d for d in dates if year.no_school_reason(d)]


def test_meeting_on_a_holiday_is_skipped():
    year = year_of()
    dates = {m.date for m in year.meetings()}
    assert year.no_school_reason(date(2026, 11, 3)) == "Election Day (staff development)"
    assert date(2026, 11, 3) not in dates
    assert date(2026, 11, 24) not in dates  # Thanksgiving break
    assert date(2026, 11, 17) in dates and date(2026, 12, 1) in dates


def test_meeting_on_a_holiday_moves_to_the_next_school_day_of_that_week():
    year = year_of(meetings={"weekday": "monday", "first_date": date(2026, 8, 24), "on_holiday": "next_school_day",
                             "extra_dates": [], "cancelled_dates": []})  # the base cancels a Tuesday
    by_date = {m.date: m for m in year.meetings()}
    assert date(2026, 9, 7) not in by_date  # Labor Day
    moved = by_date[date(2026, 9, 8)]
    assert moved.moved_from == date(2026, 9, 7) and moved.start.time() == time(15, 45)
    assert date(2026, 10, 13) in by_date  # Indigenous Peoples' Day -> Tuesday
    # Thanksgiving week has no school at all: nothing to move to, the meeting is skipped.
    assert not [d for d in by_date if date(2026, 11, 23) <= d <= date(2026, 11, 29)]


def test_dst_keeps_the_local_wall_time():
    year = year_of()
    before = year.meeting_on(date(2026, 10, 20))
    after = year.meeting_on(date(2026, 11, 10))  # DST ended on Sunday 2026-11-01
    assert before.start.time() == after.start.time() == time(15, 45)
    assert before.start.utcoffset() == timedelta(hours=-6)
    assert after.start.utcoffset() == timedelta(hours=-7)
    assert before.start.astimezone(UTC).hour == 21 and after.start.astimezone(UTC).hour == 22
    assert before.duration == after.duration == timedelta(minutes=75)
    spring = year.meeting_on(date(2027, 3, 16))  # DST began on Sunday 2027-03-14
    assert spring.start.time() == time(15, 45) and spring.start.utcoffset() == timedelta(hours=-6)
    assert spring.end.time() == time(17, 0)


def test_a_wall_time_inside_the_spring_forward_gap_moves_forward():
    year = year_of()
    moment = year.at(date(2027, 3, 14), time(2, 30))
    assert (moment.hour, moment.minute) == (3, 30)
    assert moment.utcoffset() == timedelta(hours=-6)


def test_every_other_week_keeps_its_rhythm_across_winter_break():
    year = year_of(meetings={"frequency": "biweekly", "extra_dates": [], "cancelled_dates": []})
    regular = [m.date for m in year.meetings() if m.kind != "reflection"]
    first = date(2026, 8, 25)
    assert all((d - first).days % 14 == 0 for d in regular)
    assert date(2026, 12, 29) not in regular  # on the grid, but winter break
    after_break = [d for d in regular if d > date(2026, 12, 18)][0]
    assert after_break == date(2027, 1, 12)  # not shifted to the first Tuesday back (Jan 5)
    assert date(2026, 12, 15) in {m.date for m in year.meetings()}  # the fall reflection


def test_reflection_meeting_has_its_own_time_and_place_and_is_added_when_off_pattern():
    year = year_of()
    fall = year.reflection_meeting("fall-2026")
    assert fall.date == date(2026, 12, 15) and fall.kind == "reflection"
    assert fall.start.time() == time(13, 0) and fall.duration == timedelta(hours=3)
    assert fall.location == "Public library community room"
    semesters = tomllib.loads(EXAMPLE.read_text())["year"]["semesters"]
    semesters[0]["reflection_date"] = date(2026, 12, 17)  # a Thursday
    moved = year_of(year={"semesters": semesters})
    assert moved.meeting_on(date(2026, 12, 17)).kind == "reflection"
    assert moved.meeting_on(date(2026, 12, 15)).kind == "regular"
    assert len(moved.meetings()) == 37


def test_extra_and_cancelled_dates():
    year = year_of(meetings={"extra_dates": [date(2026, 9, 10)], "cancelled_dates": [date(2026, 9, 15)]})
    kinds = {m.date: m.kind for m in year.meetings()}
    assert kinds[date(2026, 9, 10)] == "extra"
    assert date(2026, 9, 15) not in kinds


def test_roles_rotate_one_step_per_meeting_and_fixed_roles_stay():
    year = year_of()
    first, second = year.meetings()[:2]
    assert first.roles == {"facilitator": "ben-okafor", "timekeeper": "carmen-lee", "note_taker": "david-nguyen",
                           "norms_monitor": "erin-walsh"}
    assert second.roles["facilitator"] == "carmen-lee"
    assert all(len(set(m.roles.values())) == 4 for m in year.meetings())
    held = [m.roles["facilitator"] for m in year.meetings()]
    assert set(held) == set(year.config.meetings.rotation)  # everyone facilitates
    fixed = year_of(meetings={"fixed_roles": {"facilitator": "ana-ruiz"}})
    assert {m.roles["facilitator"] for m in fixed.meetings()} == {"ana-ruiz"}
    assert fixed.meetings()[0].roles["timekeeper"] == "ben-okafor"


def test_previous_meeting():
    year = year_of()
    meetings = year.meetings()
    assert year.previous_meeting(meetings[0]) is None
    after_break = year.meeting_on(date(2027, 1, 5))
    assert year.previous_meeting(after_break).date == date(2026, 12, 15)
    assert year.previous_meeting(year.meeting_on(date(2026, 11, 10))).date == date(2026, 10, 20)


def test_focus_on_a_date():
    year = year_of()
    october = year.focus_on(date(2026, 10, 13))
    assert october.strand == "observation_feedback"
    assert october.focus_area == "Calibrating observation and feedback"
    assert year.focus_on(date(2026, 8, 20)).strand == "data"
    assert year.meeting_on(date(2026, 12, 8)).focus.strand == "professional_learning"
    assert year.focus_on(date(2027, 7, 1)) is None


def test_learning_cycles_skip_break_weeks():
    year = year_of()
    cycles = year.cycles()
    assert [c.id for c in cycles] == ["c1", "c2", "c3", "c4", "c5", "c6"]
    assert (cycles[0].start, cycles[0].end) == (date(2026, 8, 24), date(2026, 10, 2))
    # c3 holds Thanksgiving and winter break, so six school weeks take nine calendar weeks.
    assert (cycles[2].start, cycles[2].end) == (date(2026, 11, 16), date(2027, 1, 15))
    assert cycles[-1].end == date(2027, 6, 3)  # the short tail joins the last cycle
    assert all(year.is_school_day(c.end) for c in cycles)
    counted = year_of(learning_cycles={"skip_break_weeks": False}).cycles()
    assert counted[2].end == date(2026, 12, 18)


def test_semester_boundary_inside_a_learning_cycle():
    year = year_of()
    c3 = year.cycles()[2]
    assert c3.semesters == ("fall-2026", "spring-2027")
    assert c3.semester == "spring-2027"  # its thinking map goes out in the spring
    assert year.meeting_on(date(2026, 12, 8)).cycle == "c3"
    assert year.meeting_on(date(2026, 12, 8)).semester == "fall-2026"
    assert year.meeting_on(date(2027, 1, 12)).cycle == "c3"
    assert year.meeting_on(date(2027, 1, 12)).semester == "spring-2027"


def test_explicit_cycles():
    data = tomllib.loads(EXAMPLE.read_text())
    data["learning_cycles"] = {"cycles": [
        {"id": "c1", "start": date(2026, 8, 24), "end": date(2026, 10, 30)},
        {"id": "c2", "start": date(2026, 11, 2), "end": date(2027, 2, 26)},
    ]}
    explicit = SchoolYear(parse_config(data))
    assert [(c.id, c.semesters) for c in explicit.cycles()] == [
        ("c1", ("fall-2026",)), ("c2", ("fall-2026", "spring-2027"))]
    assert explicit.cycle_of(date(2027, 3, 1)) is None


def test_semesters():
    year = year_of()
    assert [s.id for s in year.semesters()] == ["fall-2026", "spring-2027"]
    assert year.semester_of(date(2026, 12, 18)).id == "fall-2026"
    assert year.semester_of(date(2026, 12, 28)) is None  # between semesters
    assert year.semester_of(date(2027, 1, 4)).id == "spring-2027"
    assert year.semester_of(date(2027, 6, 10)) is None
