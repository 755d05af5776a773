"""Time-boxed agendas (Meeting Wise: time allocations on each item): every section heading carries its
minutes, and they add up to the meeting's duration; ``check`` names the sections to shorten when the
configured minutes do not fit."""

from __future__ import annotations

import re
import tomllib
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest

from ilt_bot.calendar import SchoolYear
from ilt_bot.config import ConfigError, parse_config
from ilt_bot.jobs.tick import run_tick

HERE = Path(__file__).parent
MINUTES = re.compile(r"\((\d+) min\)$")
REFLECTION_MINUTES = 180


def school(agenda: dict[str, Any] | None = None, **meetings: Any):
    data = tomllib.loads((HERE / "school.toml").read_text(encoding="utf-8"))
    data["meetings"].update(meetings)
    data["year"]["semesters"][0]["reflection_duration_minutes"] = REFLECTION_MINUTES
    if agenda is not None:
        data["agenda"] = agenda
    return parse_config(data)


def headings(docs: Any, doc_id: str, style: str = "HEADING_2") -> list[str]:
    """The text of the Doc's headings of ``style``, read with the Docs API as a person's editor shows them."""
    doc = docs.documents().get(documentId=doc_id).execute()
    out = []
    for element in doc["body"]["content"]:
        paragraph = element.get("paragraph")
        if paragraph and paragraph.get("paragraphStyle", {}).get("namedStyleType") == style:
            out.append("".join(r.get("textRun", {}).get("content", "") for r in paragraph["elements"]).strip())
    return out


def test_every_agenda_of_the_year_on_the_sandbox_adds_up_to_its_meeting(sandbox, monkeypatch):
    """Each agenda Doc of the year, read back with ``documents.get``: every Heading 2 ends in "(N min)" and
    the minutes add up to the meeting's duration (``meetings.duration_minutes``; the fall reflection meeting
    its ``reflection_duration_minutes``); data months carry the ATLAS protocol, its steps adding up to it."""
    from ilt_bot.workspace.gateway import connect
    from ilt_bot.workspace.ratelimit import RateLimiter
    from tests.conftest import make_service

    config = school()
    year = SchoolYear(config)
    monkeypatch.setenv("ILT_BOT_SANDBOX_URL", sandbox.url)
    gateway = connect(config, limiter=RateLimiter(enabled=False))
    try:
        for meeting in year.meetings():
            day = meeting.date - timedelta(days=config.lead_times.agenda_days)
            report = run_tick(config, gateway, datetime.combine(day, time(12), tzinfo=config.tz), year=year)
            assert report.errors == []
        docs = make_service(sandbox, "docs", "v1", config.workspace.bot_user)
        kinds = set()
        for meeting in year.meetings():
            found = gateway.find(f"cedar/agenda/{meeting.date.isoformat()}")
            assert found is not None, meeting.date
            titles = headings(docs, found.id)
            assert titles and all(MINUTES.search(t) for t in titles), titles
            expected = (REFLECTION_MINUTES if meeting.date == config.year.semesters[0].reflection_date
                        else config.meetings.duration_minutes)
            assert sum(int(MINUTES.search(t).group(1)) for t in titles) == expected, (meeting.date, titles)
            protocol = [t for t in titles if t.startswith("Data protocol: ATLAS Looking at Data")]
            data_month = meeting.kind != "reflection" and f"{meeting.date:%Y-%m}" in config.scope_sequence[0].months
            assert bool(protocol) == data_month, (meeting.date, titles)
            if protocol:
                text = gateway.export_html(found.id)
                step_minutes = [int(m) for m in re.findall(
                    r"(?:Describe|Interpret|Implications|Reflect) \((\d+) min\):", text)]
                assert len(step_minutes) == 4 and sum(step_minutes) == int(MINUTES.search(protocol[0]).group(1))
            kinds.add((meeting.kind, bool(protocol), any(t.startswith("Long-term feedback") for t in titles)))
        assert {("reflection", False, False), ("regular", True, False), ("regular", False, True),
                ("regular", False, False)} <= kinds  # the year covers every kind of agenda
    finally:
        gateway.close()


def test_configured_minutes_are_kept_and_the_rest_is_shared():
    """A section set in ``[agenda] minutes`` gets exactly that; the unset ones share what is left."""
    from ilt_bot.jobs.agenda import meeting_minutes

    config = school({"minutes": {"feedback": 20, "member_items": 15}, "protocol_minutes": {"feedback": 12}})
    meetings = SchoolYear(config).meetings()
    regular = next(m for m in meetings if m.kind == "regular" and m.number % 4 and m.date.month == 10)
    protocol_day = next(m for m in meetings if m.number % 4 == 0 and m.date.month >= 10)
    plain, tm_day = meeting_minutes(config, regular, None), meeting_minutes(config, protocol_day, None)
    assert (plain["feedback"], plain["member_items"], sum(plain.values())) == (20, 15, 75)
    assert (tm_day["feedback"], tm_day["member_items"], sum(tm_day.values())) == (12, 15, 75)
    assert "thinking_map" in tm_day and "thinking_map" not in plain


def test_check_names_the_sections_to_shorten_when_the_minutes_overflow():
    with pytest.raises(ConfigError) as refused:
        school({"minutes": {"focus": 45, "feedback": 20, "member_items": 15}})
    text = str(refused.value)
    assert "agenda.minutes.focus (45 min)" in text and "agenda.minutes.feedback (20 min)" in text
    assert "shorten these sections by" in text and "meetings.duration_minutes" in text


def test_check_names_the_reflection_fields_when_the_reflection_meeting_overflows():
    with pytest.raises(ConfigError) as refused:
        school({"reflection_minutes": {"reflection": 200}})
    text = str(refused.value)
    assert "agenda.reflection_minutes.reflection (200 min)" in text
    assert "year.semesters[0].reflection_duration_minutes" in text  # the Fall reflection's 180 minutes
    assert "Spring 2027 reflection meeting" in text  # and the spring one's regular 75


def test_check_says_when_every_section_is_set_and_they_fall_short():
    every = {s: 5 for s in ("purpose", "norms", "feedback", "focus", "data_protocol", "reflection", "uip_goals",
                            "member_items", "open_actions", "next_steps", "next_meeting", "thinking_map", "close")}
    with pytest.raises(ConfigError) as refused:
        school({"minutes": every})
    assert "short of its 75 minutes" in str(refused.value)
    assert "leave one section's minutes unset" in str(refused.value)


def test_the_example_config_fits_and_a_negative_minute_is_refused():
    school({})  # the defaults fit every kind of meeting
    with pytest.raises(ConfigError) as refused:
        school({"minutes": {"focus": 0}})
    assert "agenda.minutes.focus" in str(refused.value)


def test_ilt_bot_check_on_the_example_with_overflowing_minutes_names_the_sections(tmp_path):
    """What a user runs: ``ilt-bot check`` exits 2 and names the ``[agenda]`` fields to shorten."""
    from typer.testing import CliRunner

    from ilt_bot import cli

    example = (HERE.parents[1] / "config.example.toml").read_text(encoding="utf-8")
    assert "minutes = { feedback = 10, close = 5 }" in example
    path = tmp_path / "config.toml"
    path.write_text(example.replace("minutes = { feedback = 10, close = 5 }",
                                    "minutes = { feedback = 10, close = 5, focus = 60 }"), encoding="utf-8")
    result = CliRunner().invoke(cli.app, ["check", "-c", str(path)], catch_exceptions=False)
    assert result.exit_code == 2
    assert "agenda.minutes.focus (60 min)" in result.stderr and "agenda.minutes.feedback (10 min)" in result.stderr
    assert "shorten these sections by" in result.stderr and "Traceback" not in result.output
