"""The year's WorkItems: exact keys, due times, and what is due at a moment."""

from __future__ import annotations

import tomllib
from collections import Counter
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from ilt_bot.calendar import SchoolYear
from ilt_bot.config import load_config, parse_config
from ilt_bot.plan import KINDS, due_items, plan

EXAMPLE = Path(__file__).resolve().parents[1] / "config.example.toml"
DENVER = ZoneInfo("America/Denver")


@pytest.fixture(scope="module")
def example():
    config = load_config(EXAMPLE)
    year = SchoolYear(config)
    return config, year, plan(config, year)


def by_key(items):
    return {i.key: i for i in items}


def test_keys_follow_the_contract(example):
    _, _, items = example
    keys = by_key(items)
    for key in [
        "cedar/tracker/2026-27", "cedar/intake/2026-27",
        "cedar/agenda/2026-09-15", "cedar/feedback/2026-09-15",
        "cedar/thinking-map/k2-literacy/c2", "cedar/tm-digest/k2-literacy/c2",
        "cedar/stakeholder/fall-2026", "cedar/prework/fall-2026/ana-ruiz",
        "cedar/team-reflection/fall-2026/k2-literacy", "cedar/reflection/fall-2026", "cedar/summary/fall-2026",
    ]:
        assert key in keys, key
    assert keys["cedar/agenda/2026-09-15"].kind == "agenda"
    assert keys["cedar/thinking-map/k2-literacy/c2"].team == "k2-literacy"
    assert keys["cedar/thinking-map/k2-literacy/c2"].cycle == "c2"
    assert keys["cedar/prework/fall-2026/ana-ruiz"].member == "ana-ruiz"
    assert len(keys) == len(items)  # every key is unique
    assert {i.kind for i in items} == set(KINDS) - {"calendar_event"}  # the example leaves [calendar] off


def test_with_calendar_on_every_meeting_has_its_event_key():
    """``[calendar] enabled``: the plan has one ``calendar_event`` per meeting (docs/calendar.md)."""
    data = tomllib.loads(EXAMPLE.read_text())
    data["calendar"] = {"enabled": True}
    config = parse_config(data)
    year = SchoolYear(config)
    items = plan(config, year)
    events = {i.key for i in items if i.kind == "calendar_event"}
    assert events == {f"cedar/meeting/{m.date.isoformat()}" for m in year.meetings()}
    assert {i.kind for i in items} == set(KINDS)


def test_every_meeting_has_agenda_and_feedback(example):
    """Syncs and the action-item harvest are standing steps of every tick, not plan items
    (docs/architecture.md, "The plan is the schedule")."""
    _, year, items = example
    counts = Counter((i.kind, i.meeting_date) for i in items)
    for meeting in year.meetings():
        for kind in ("agenda", "feedback_form"):
            assert counts[(kind, meeting.date)] == 1, (kind, meeting.date)
        assert keys_at(items, meeting.date) == {f"cedar/agenda/{meeting.date}", f"cedar/feedback/{meeting.date}"}
    assert not {"folder", "sync_responses", "harvest_actions"} & {i.kind for i in items}


def keys_at(items, day):
    return {i.key for i in items if i.kind in ("agenda", "feedback_form") and i.meeting_date == day}


def test_agenda_is_ready_days_before_the_meeting_on_a_school_day(example):
    config, year, items = example
    keys = by_key(items)
    agenda = keys["cedar/agenda/2026-09-15"]
    assert agenda.due == datetime(2026, 9, 11, 6, 0, tzinfo=DENVER)  # Saturday the 12th moves to Friday
    assert keys["cedar/feedback/2026-09-15"].due == agenda.due
    for meeting in year.meetings():
        due = keys[f"cedar/agenda/{meeting.date.isoformat()}"].due
        assert due <= meeting.start - timedelta(days=config.lead_times.agenda_days) + timedelta(hours=18)
        assert due.weekday() < 5
        assert due.time() == time(6, 0)  # 06:00 local before and after DST changes
    assert agenda.meeting == year.meeting_on(date(2026, 9, 15))  # what the item was made from


def test_setup_comes_before_any_agenda(example):
    _, _, items = example
    setup = [i for i in items if i.kind in ("tracker", "intake_form")]
    first_agenda = min(i.due for i in items if i.kind == "agenda")
    assert len(setup) == 2 and all(i.due <= first_agenda for i in setup)
    assert items[0].kind == "tracker"


def test_thinking_maps_go_out_before_the_cycle_ends_and_digests_after_the_window(example):
    config, year, items = example
    keys = by_key(items)
    c1 = year.cycles()[0]  # ends Friday 2026-10-02
    sent = keys["cedar/thinking-map/k2-literacy/c1"].due
    digest = keys["cedar/tm-digest/k2-literacy/c1"].due
    assert sent.date() == date(2026, 9, 25)  # 5 days before is a Sunday: the Friday before
    assert sent.date() < c1.end
    assert digest.date() == date(2026, 10, 5)  # the window ends on Sunday the 4th: the Monday after
    per_cycle = Counter(i.cycle for i in items if i.kind == "thinking_map")
    assert per_cycle == {c.id: len(config.teams) for c in year.cycles()}
    assert keys["cedar/thinking-map/k2-literacy/c3"].semester == "spring-2027"


def test_thinking_map_every_other_cycle():
    data = tomllib.loads(EXAMPLE.read_text())
    data["meetings"]["thinking_map_every"] = 2
    config = parse_config(data)
    cycles = {i.cycle for i in plan(config) if i.kind == "thinking_map"}
    assert cycles == {"c2", "c4", "c6"}


def test_reflection_package_before_each_semester_reflection(example):
    config, _, items = example
    keys = by_key(items)
    assert keys["cedar/prework/fall-2026/ana-ruiz"].due == datetime(2026, 12, 8, 6, 0, tzinfo=DENVER)
    assert keys["cedar/stakeholder/fall-2026"].due == datetime(2026, 12, 1, 6, 0, tzinfo=DENVER)
    assert keys["cedar/team-reflection/fall-2026/k2-literacy"].due == datetime(2026, 12, 3, 6, 0, tzinfo=DENVER)
    assert keys["cedar/reflection/fall-2026"].due == keys["cedar/summary/fall-2026"].due
    assert keys["cedar/reflection/fall-2026"].meeting_date == date(2026, 12, 15)
    prework = [i for i in items if i.kind == "prework"]
    assert len(prework) == len(config.members) * 2
    assert len([i for i in items if i.kind == "team_reflection"]) == len(config.teams) * 2


def test_items_are_sorted_by_due_time(example):
    _, _, items = example
    assert [i.due for i in items] == sorted(i.due for i in items)


def test_from_and_to_are_inclusive_school_days(example):
    config, year, items = example
    window = plan(config, year, date(2026, 9, 11), date(2026, 9, 15))
    keys = {i.key for i in window}
    assert "cedar/agenda/2026-09-15" in keys  # due 2026-09-11 06:00
    same_day = plan(config, year, date(2026, 9, 11), date(2026, 9, 11))
    assert "cedar/agenda/2026-09-15" in {i.key for i in same_day}  # from and to on one day: that whole day
    assert all(date(2026, 9, 11) <= i.due.date() <= date(2026, 9, 15) for i in window)
    assert "cedar/agenda/2026-09-22" not in keys


def test_due_items_at_a_moment(example):
    config, year, _ = example
    now = datetime(2026, 9, 11, 7, 0, tzinfo=DENVER)
    due = by_key(due_items(config, year, now))
    assert "cedar/agenda/2026-09-15" in due
    assert "cedar/tracker/2026-27" in due
    assert "cedar/agenda/2026-09-22" not in due
    assert all(i.due <= now for i in due.values())
    # A naive time is school time; one minute before the agenda is due, it is not.
    earlier = due_items(config, year, datetime(2026, 9, 11, 5, 59))
    assert "cedar/agenda/2026-09-15" not in by_key(earlier)


def test_workitem_json_is_iso(example):
    _, _, items = example
    agenda = by_key(items)["cedar/agenda/2026-09-15"]
    assert agenda.to_json() == {
        "kind": "agenda",
        "key": "cedar/agenda/2026-09-15",
        "due": "2026-09-11T06:00:00-06:00",
        "target": "meeting 2026-09-15",
        "meeting_date": "2026-09-15",
        "semester": "fall-2026",
        "cycle": "c1",
    }


def _variant(**meetings: Any):
    data = tomllib.loads(EXAMPLE.read_text())
    data["meetings"].update(meetings)
    return parse_config(data)


def test_agenda_never_due_after_the_meeting_starts():
    config = _variant(time="05:30")
    config = config.model_copy(update={"lead_times": config.lead_times.model_copy(update={"agenda_days": 0})})
    year = SchoolYear(config)
    for item in plan(config, year):
        if item.kind == "agenda":
            assert item.due <= year.meeting_on(item.meeting_date).start


def test_every_thinking_map_has_its_digest_in_time_for_its_reflection_and_the_year(example):
    """Each team's thinking map of each learning cycle has a digest for its lead, due after the Form and
    before the reflection meeting of the semester the cycle counts for and the last school day (a cycle running past
    its reflection sends its map early enough: docs/architecture.md)."""
    config, year, items = example
    maps = {(i.team, i.cycle): i for i in items if i.kind == "thinking_map"}
    digests = {(i.team, i.cycle): i for i in items if i.kind == "tm_digest"}
    assert len(maps) == len(config.teams) * len(year.cycles()) == 30
    assert digests.keys() == maps.keys()
    for pair, digest in digests.items():
        reflection = config.semester(str(digest.semester)).reflection_date  # the semester the cycle counts for
        assert maps[pair].due < digest.due, pair
        assert digest.due.date() < reflection <= config.year.end, (pair, digest.due, reflection)
