"""Issue 5: every Nth meeting (``meetings.thinking_map_protocol_every``) adds the thinking-map reflection
protocol to the agenda as the ILT's long-term feedback; the other agendas do not carry it."""

from __future__ import annotations

import tomllib
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest

from ilt_bot import render
from ilt_bot.calendar import SchoolYear
from ilt_bot.config import ConfigError, parse_config
from ilt_bot.jobs.agenda import agenda_context
from ilt_bot.jobs.tick import run_tick
from tests.jobs.conftest import visible_text

HERE = Path(__file__).parent
HEADING = "Long-term feedback: thinking map reflection"


def school(**meetings):
    data = tomllib.loads((HERE / "school.toml").read_text(encoding="utf-8"))
    data["meetings"].update(meetings)
    return parse_config(data)


def agenda_text(config, meeting, total: int) -> str:
    context = agenda_context(config, meeting, total_meetings=total, focus=None, feedback=None, items=[], actions=[],
                             feedback_form_url=None, intake_form_url=None, tracker_url=None)
    return visible_text(render.render(render.AGENDA_TEMPLATE, context))


@pytest.mark.parametrize(("every", "carried"), [(None, (4, 8, 12)), (3, (3, 6, 9, 12)), (0, ())])
def test_every_nth_meeting_of_the_real_calendar_carries_the_protocol(every, carried):
    config = school() if every is None else school(thinking_map_protocol_every=every)
    meetings = SchoolYear(config).meetings()
    assert len(meetings) >= 12
    with_protocol = [m.number for m in meetings if HEADING in agenda_text(config, m, len(meetings))]
    n = every if every is not None else 4
    assert with_protocol == [m.number for m in meetings if n and m.number % n == 0]
    assert set(carried) <= set(with_protocol)
    if n:
        assert f"Every {n} meetings we step back" in agenda_text(config, meetings[n - 1], len(meetings))


def test_a_negative_cadence_is_refused_with_the_field_named():
    with pytest.raises(ConfigError) as refused:
        school(thinking_map_protocol_every=-1)
    assert "meetings.thinking_map_protocol_every" in str(refused.value)


@pytest.mark.parametrize("kind", ["fake", "sandbox"])
def test_the_fourth_agenda_made_by_a_tick_has_the_protocol_and_the_third_has_not(request, kind, config, year):
    assert config.meetings.thinking_map_protocol_every == 4  # the default (school.toml does not set it)
    world = request.getfixturevalue(f"{kind}_world")
    third, fourth = year.meetings()[2], year.meetings()[3]
    for meeting in (third, fourth):
        day = meeting.date - timedelta(days=config.lead_times.agenda_days)
        report = run_tick(config, world.ws, datetime.combine(day, time(12), tzinfo=config.tz), year=year)
        assert report.errors == []
    assert HEADING not in world.doc_text(f"cedar/agenda/{third.date.isoformat()}")
    assert HEADING in world.doc_text(f"cedar/agenda/{fourth.date.isoformat()}")


def test_agenda_context_reads_the_typed_config_and_calendar(config, year):
    """School texts, goals with their measure, the rotation's role holders, time and place of each meeting."""
    meetings = year.meetings()
    second = meetings[1]
    context = agenda_context(config, second, total_meetings=len(meetings), focus=None, feedback=None, items=[],
                             actions=[], feedback_form_url=None, intake_form_url=None, tracker_url=None)
    assert context["school"]["norms"] == ["Start and end on time", "Assume positive intent",
                                          "Decisions are grounded in student data"]
    assert context["uip_goals"][0] == "Grow K-3 students at benchmark in reading from 48% to 60% — Acadience MOY/EOY"
    assert context["school"]["coaching_agreements"] == [a.text for a in config.school.coaching_agreements]
    assert context["meeting"]["roles"] == [{"role": "Facilitator", "name": "Ben Okafor"},
                                           {"role": "Timekeeper", "name": "Chloe Park"},
                                           {"role": "Note taker", "name": "Dev Patel"}]  # one rotation step on
    assert context["meeting"]["time"] == "3:45 PM–5:00 PM" and context["meeting"]["location"] == "Library"
    assert (context["meeting"]["number"], context["meeting"]["total"]) == (2, len(meetings))
