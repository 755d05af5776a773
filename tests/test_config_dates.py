"""``ilt-bot check``: cancelled and extra meeting dates must match the school's meetings and school days."""

from __future__ import annotations

from datetime import date
from typing import Any

from ilt_bot.config import ConfigError, parse_config
from tests.test_config import example_data, problems_of


def date_problems(data: dict[str, Any]) -> list[str]:
    """The paths of the meeting-date problems of ``data`` (none if it is valid)."""
    try:
        parse_config(data)
    except ConfigError as exc:
        return [p.path for p in exc.problems if p.path.startswith("meetings.") and "dates" in p.path]
    return []


def test_a_cancelled_wednesday_when_meetings_are_tuesdays_is_flagged_with_the_meeting_it_misses():
    """The example meets on Tuesdays: cancelling Wednesday 2026-10-28 cancels nothing, so the Tuesday
    2026-10-27 meeting would be held without warning; check names the field and the meeting meant."""
    data = example_data()
    data["meetings"]["cancelled_dates"] = [date(2026, 10, 28)]
    found = problems_of(data)
    problem = found["meetings.cancelled_dates[0]"]
    assert "2026-10-28" in problem.message and "Wednesday" in problem.message
    assert "2026-10-27" in problem.fix


def test_cancelling_a_real_meeting_an_extra_meeting_or_a_moved_meeting_is_accepted():
    """Cancelling a scheduled meeting (regular, extra, or moved to the next school day) is what the
    field is for: no problem."""
    data = example_data()
    data["meetings"]["on_holiday"] = "next_school_day"
    data["year"]["no_school"].append({"name": "Staff day", "date": date(2026, 9, 15)})  # a Tuesday
    data["meetings"]["cancelled_dates"] = [date(2026, 10, 27), date(2026, 8, 20), date(2026, 9, 16)]
    assert date_problems(data) == []


def test_an_extra_meeting_on_a_weekend_or_a_holiday_is_flagged():
    """An extra date that is no school day (a Saturday, Labor Day) would call the ILT in on a day off."""
    data = example_data()
    data["meetings"]["extra_dates"] = [date(2026, 9, 12), date(2026, 9, 7)]
    found = problems_of(data)
    assert "Saturday" in found["meetings.extra_dates[0]"].message
    assert "Labor Day" in found["meetings.extra_dates[1]"].message


def test_the_example_config_has_no_date_problem():
    """The shipped example cancels a real Tuesday meeting and adds a Thursday retreat: both valid."""
    assert date_problems(example_data()) == []
