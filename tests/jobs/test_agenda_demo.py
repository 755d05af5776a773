"""The demo's facilitator answers the deltas in each agenda's "We heard / We will" table; the next agenda tells
the ILT what was decided and brings back the deltas left blank. Every agenda's section minutes add up to its
meeting's duration. Read from the agenda Docs the demo exported from the sandbox (Drive ``files.export``)."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta
from pathlib import Path

from ilt_bot.calendar import SchoolYear
from ilt_bot.config import load_config
from ilt_bot.demo import phrases as said
from ilt_bot.demo import run_demo

SCHOOL = Path(__file__).parent / "school.toml"
SECOND, THIRD, FOURTH = date(2026, 9, 8), date(2026, 9, 22), date(2026, 10, 6)


def text_of(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def heard_rows(page: str) -> list[list[str]]:
    """The rows (header first) of the agenda's table whose first header cell is "We heard"."""
    for table in re.findall(r"<table[^>]*>(.*?)</table>", page, re.S):
        rows = [[text_of(c) for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)]
                for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)]
        if rows and rows[0][:1] == ["We heard"]:
            return rows
    return []


def agenda_page(out: Path, day: date) -> str:
    return (out / f"ILT-Agenda-{day:%a-%b}-{day.day}-{day.year}.html").read_text(encoding="utf-8")


def test_the_demo_facilitator_answers_deltas_and_the_next_agenda_shows_them(tmp_path):
    config_path = tmp_path / "config.toml"
    config_path.write_text(SCHOOL.read_text().replace(
        'bot_user = "ilt-bot@cedar.example.org"', 'bot_user = "ilt-bot@cedar.example.org"\nsandbox_db = "demo.db"'))
    result = run_demo(config_path, tmp_path / "out", json_output=True, until=FOURTH - timedelta(days=1))
    assert result["errors"] == []
    out = tmp_path / "out"

    answered = blank = 0
    for meeting, following in ((SECOND, THIRD), (THIRD, FOURTH)):
        asked = heard_rows(agenda_page(out, meeting))[1:]
        nxt = agenda_page(out, following)
        next_text, still_open = text_of(nxt), {row[-1] for row in heard_rows(nxt)[1:]}
        for heard, *_, ref in asked:
            said_then = said.delta_answer(meeting, ref)
            if said_then:
                assert f"We heard: {heard}. We will: {said_then}" in next_text
                assert ref not in still_open
            else:
                assert ref in still_open  # left blank at the meeting: asked again
            answered, blank = answered + bool(said_then), blank + (not said_then)
    assert answered >= 2 and blank >= 1  # the demo shows both
    assert result["people"]["delta answered"] >= answered

    config = load_config(config_path)
    for meeting in SchoolYear(config).meetings():
        if meeting.date > FOURTH:
            break
        titles = [text_of(h) for h in re.findall(r"<h2[^>]*>(.*?)</h2>", agenda_page(out, meeting.date), re.S)]
        minutes = [re.search(r"\((\d+) min\)$", t) for t in titles]
        assert all(minutes), titles
        assert sum(int(m.group(1)) for m in minutes) == config.meetings.duration_minutes
