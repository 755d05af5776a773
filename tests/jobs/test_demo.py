"""The demo plays weeks of the fall on a sandbox database; a second run on it creates nothing new."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from ilt_bot.calendar import SchoolYear
from ilt_bot.config import load_config
from ilt_bot.demo import run_demo

SCHOOL = Path(__file__).parent / "school.toml"


def test_demo_plays_and_a_second_run_creates_nothing(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text(SCHOOL.read_text().replace('bot_user = "ilt-bot@cedar.example.org"',
                                                  'bot_user = "ilt-bot@cedar.example.org"\nsandbox_db = "demo.db"'))
    first = run_demo(config, tmp_path / "out", json_output=True, until=date(2026, 9, 9))
    assert first["errors"] == []
    assert first["created"]["agenda"] == 2 and first["created"]["feedback"] == 2  # Aug 25, Sep 8
    assert first["created"]["tracker"] == 1 and first["created"]["intake"] == 1
    meetings = SchoolYear(load_config(config)).meetings()
    assert first["created"]["meeting"] == len(meetings)  # the year's Calendar events, made with the first agenda
    assert first["people"]["feedback answered"] >= 2 and first["people"]["action item typed"] >= 2
    assert first["synced_responses"] >= first["people"]["feedback answered"]
    written = sorted(p.name for p in (tmp_path / "out").glob("*.html"))
    assert "ILT-Agenda-Tue-Sep-8-2026.html" in written and "index.html" in written
    second_agenda = (tmp_path / "out" / "ILT-Agenda-Tue-Sep-8-2026.html").read_text()
    assert "after the meeting of Tue Aug 25, 2026" in second_agenda
    assert re.search(r"Plus \(\d+\)", second_agenda)

    again = run_demo(config, tmp_path / "out2", json_output=True, until=date(2026, 9, 9))
    assert again["errors"] == []
    assert again["created"] == {} and again["people"] == {} and again["synced_responses"] == 0
    assert again["docs_written"] == first["docs_written"]
