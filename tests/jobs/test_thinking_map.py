"""Teacher thinking maps: a Form per team per cycle, answers in the tracker once, the lead's digest.

Each scenario runs on the in-memory Workspace (logic) and on the sandbox through the real gateway, with
teachers answering on the Form's responder page over HTTP (``world``).
"""

from __future__ import annotations

import re
import tomllib
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from ilt_bot.config import parse_config
from ilt_bot.jobs.common import THINKING_MAP, TM_COLUMNS
from ilt_bot.jobs.tick import run_tick

HERE = Path(__file__).parent
TRACKER = "cedar/tracker/2026-27"
RESPONSES = "cedar/tm-responses/2026-27"
"""The thinking-map answers' own spreadsheet (principal only), not the tracker."""
PAYLOAD = '<b>bold</b> {{ 7*7 }} =HYPERLINK("http://x")'
K2 = [("Eva Lund", "eva@cedar.example.org"), ("Finn Ode", "finn@cedar.example.org"),
      ("Gia Rossi", "gia@cedar.example.org")]
MATH = [("Hana Ito", "hana@cedar.example.org"), ("Ivan Cruz", "ivan@cedar.example.org")]
STAKEHOLDERS = ["sam.specialist@cedar.example.org", "isa.super@cedar.example.org"]
ANA, BEN, CHLOE, DEV = (f"{n}@cedar.example.org" for n in ("ana.ruiz", "ben.okafor", "chloe.park", "dev.patel"))


def make_config(**thinking_map: Any) -> Any:
    """The meeting-cycle school with two teacher teams, stakeholders and thinking maps every cycle."""
    data = tomllib.loads((HERE / "school.toml").read_text())
    data["teams"] = [
        {"id": "k2-literacy", "name": "K-2 Literacy", "lead": "chloe-park",
         "slos": ["80% of K-2 students meet their reading growth goal"],
         "teachers": [{"name": n, "email": e} for n, e in K2]},
        {"id": "math-35", "name": "3-5 Math", "lead": "dev-patel", "slos": ["Median math growth percentile of 55"],
         "teachers": [{"name": n, "email": e} for n, e in MATH]},
    ]
    data["stakeholders"] = {"emails": STAKEHOLDERS}
    data["meetings"]["thinking_map_every"] = 1
    if thinking_map:
        data["thinking_map"] = thinking_map
    return parse_config(data)


@pytest.fixture
def config():
    return make_config()


def local(config: Any, *args: int) -> datetime:
    return datetime(*args, tzinfo=config.tz)


class People:
    """Teachers, members and stakeholders acting on either world (fake: direct; sandbox: over HTTP)."""

    def __init__(self, world: Any, config: Any) -> None:
        self.world = world
        self.config = config

    @property
    def sandbox(self) -> bool:
        return self.world.kind == "sandbox"

    def tick(self, *when: int, dry_run: bool = False) -> Any:
        now = local(self.config, *when)
        if self.sandbox:
            self.world.server.set_now(now)
        report = run_tick(self.config, self.world.ws, now, dry_run=dry_run)
        assert report.errors == [], report.errors
        return report

    def answer(self, key: str, email: str, answers: dict[str, str], titles: dict[str, str], *when: int) -> None:
        """Answer the Form ``key`` (``answers``: ref -> text; ``titles``: ref -> question title)."""
        now = local(self.config, *when)
        if not self.sandbox:
            self.world.ws.respond(key, email, {ref: [text] for ref, text in answers.items()}, now)
            return
        self.world.server.set_now(now)
        uri = self.world.ws.form_responder_uri(self.world.file_id(key))
        self.world.people.answer_form(uri, email, {titles[ref]: text for ref, text in answers.items()})

    def notified(self, key: str) -> list[str]:
        """Who got an e-mail about the file ``key``."""
        file_id = self.world.file_id(key)
        if not self.sandbox:
            return [to for to, fid, _ in self.world.ws.notifications if fid == file_id]
        from ilt_bot.sandbox.drive.models import sent_emails

        return [e["to"] for e in sent_emails(self.world.server.store) if e["fileId"] == file_id]

    def rows(self, tab: str) -> list[list[str]]:
        """A tracker tab's rows; the Thinking map tab is read from the responses spreadsheet."""
        return self.world.tracker_rows(RESPONSES if tab == THINKING_MAP else TRACKER, tab)

    def text(self, key: str) -> str:
        return self.world.doc_text(key)

    def exists(self, key: str) -> bool:
        found = self.world.ws.find(key)
        return found is not None and not found.trashed


def tm_titles(config: Any) -> dict[str, str]:
    return {f"q{i + 1}": q for i, q in enumerate(config.thinking_map.questions)}


@pytest.fixture(params=["fake", "sandbox"])
def world(request, config):
    if request.param == "fake":
        return request.getfixturevalue("fake_world")
    return request.getfixturevalue("sandbox_world")


@pytest.fixture
def people(world, config):
    return People(world, config)


def test_forms_per_team_per_cycle_answers_synced_once_and_digests(people, config):
    titles = tm_titles(config)
    people.tick(2026, 8, 22, 12)
    report = people.tick(2026, 9, 25, 7)
    k2, math = "cedar/thinking-map/k2-literacy/c1", "cedar/thinking-map/math-35/c1"
    assert {k2, math} <= set(report.created)
    assert not people.exists("cedar/tm-digest/k2-literacy/c1")  # only after the response window
    assert sorted(people.notified(k2)) == sorted(e for _, e in K2)  # the team's teachers, one e-mail each
    assert sorted(people.notified(math)) == sorted(e for _, e in MATH)

    people.answer(k2, K2[0][1], {"q1": "Guided reading groups were focused", "q2": "More modeling of guided reading",
                                 "q3": PAYLOAD}, titles, 2026, 9, 28, 15)
    people.answer(k2, K2[1][1], {"q1": "Our data meetings", "q2": "Guided reading feedback sooner"}, titles,
                  2026, 9, 29, 16)
    people.answer(math, MATH[0][1], {"q1": "Number talks"}, titles, 2026, 9, 29, 17)
    report = people.tick(2026, 9, 30, 7)
    assert report.synced_responses == 3 and report.created == []
    again = people.tick(2026, 9, 30, 12)
    assert again.synced_responses == 0 and again.created == []
    rows = people.rows(THINKING_MAP)
    assert len(rows) == 6  # one row per answered question: 3 + 2 + 1
    assert {r[1] for r in rows if r[2] == "k2-literacy"} and len({r[1] for r in rows}) == 3
    assert all(r[TM_COLUMNS.index("Respondent")] == "" for r in rows)  # anonymous by default
    assert any(r[TM_COLUMNS.index("Answer")] == PAYLOAD for r in rows)  # RAW: not a formula

    report = people.tick(2026, 10, 5, 7)
    assert {"cedar/tm-digest/k2-literacy/c1", "cedar/tm-digest/math-35/c1"} <= set(report.created)
    text = people.text("cedar/tm-digest/k2-literacy/c1")
    assert "2 of 3 teachers answered" in text
    assert "What went well during this cycle? (2)" in text
    assert "Guided reading groups were focused" in text and "Our data meetings" in text
    assert PAYLOAD in text  # shown as typed, not rendered
    # said by more than one teacher: a "Theme" table row quoting the shared phrase, its count, the answers
    assert re.search(r"Theme Answers Example answers .*guided reading 2 .*Guided reading feedback sooner", text, re.I)
    assert "first thinking map" in text
    assert "@" not in text.split("1:1 follow-ups")[0]  # no e-mail shown
    assert "Eva Lund" in text.split("1:1 follow-ups")[1]  # the follow-up plan lists the team
    assert "1 of 2 teachers answered" in people.text("cedar/tm-digest/math-35/c1")
    assert people.notified("cedar/tm-digest/k2-literacy/c1") == [CHLOE]

    # the next cycle: the same worry comes back
    report = people.tick(2026, 11, 6, 7)
    k2c2 = "cedar/thinking-map/k2-literacy/c2"
    assert k2c2 in report.created
    people.answer(k2c2, K2[2][1], {"q1": "Planning together", "q2": "Guided reading feedback, again"}, titles,
                  2026, 11, 9, 15)
    people.tick(2026, 11, 16, 7)
    text = people.text("cedar/tm-digest/k2-literacy/c2")
    assert "1 of 3 teachers answered" in text
    repeated = text.split("Themes repeated since the last thinking map")[1].split("1:1 follow-ups")[0]
    assert "guided reading" in repeated.lower() and "Cycle 1" in repeated
    assert "Our data meetings" not in text  # only this cycle's answers

    with pytest.raises(Exception):  # the Form is closed after the window
        people.answer(k2, K2[2][1], {"q1": "late"}, titles, 2026, 10, 6, 8)
    final = people.tick(2026, 11, 16, 12)
    assert final.created == [] and final.synced_responses == 0


def test_names_only_when_configured(world, request):
    config = make_config(anonymous=False)
    people = People(world, config)
    world.config = config
    people.tick(2026, 8, 22, 12)
    people.tick(2026, 9, 25, 7)
    key = "cedar/thinking-map/math-35/c1"
    people.answer(key, MATH[1][1], {"q1": "Co-planning"}, tm_titles(config), 2026, 9, 28, 15)
    people.tick(2026, 10, 5, 7)
    text = people.text("cedar/tm-digest/math-35/c1")
    assert "Answered: Ivan Cruz" in text
    rows = people.rows(THINKING_MAP)
    assert rows[0][TM_COLUMNS.index("Respondent")] == MATH[1][1]


def test_configured_questions_and_dry_run(people, config):
    people.tick(2026, 8, 22, 12)
    dry = people.tick(2026, 9, 25, 7, dry_run=True)
    assert "cedar/thinking-map/k2-literacy/c1" in dry.created
    assert not people.exists("cedar/thinking-map/k2-literacy/c1")
    real = people.tick(2026, 9, 25, 7)
    assert "cedar/thinking-map/k2-literacy/c1" in real.created


def test_themes_are_repeated_significant_words_and_phrases():
    from ilt_bot.jobs.themes import repeated, shared_themes

    answers = ["Student work protocol kept us focused", "The student work protocol kept us focused!",
               "Clear roles", "We need more time"]
    assert repeated(answers) == [("student work protocol focused", 2)]  # one theme, not five fragments
    assert repeated(["Guided reading groups", "More modeling of guided reading", "Guided reading feedback"]) == [
        ("guided reading", 3)]
    assert repeated(["Planning", "Data"]) == []  # nothing said twice
    now = ["Guided reading feedback sooner", "Planning time"]
    before = ["More guided reading modeling", "Planning time is short", "Planning time again"]
    assert shared_themes(now, before) == [("planning time", 1, 2), ("guided reading", 1, 1)]
    assert shared_themes(now, ["Coverage"]) == []


def test_a_trashed_thinking_map_is_not_recreated_and_its_digest_is_skipped(people, config):
    people.tick(2026, 8, 22, 12)
    people.tick(2026, 9, 25, 7)
    key = "cedar/thinking-map/math-35/c1"
    people.world.trash(key, config.workspace.bot_user)
    report = people.tick(2026, 9, 28, 7)
    assert report.created == [] and any(s.startswith(key) for s in report.skipped)
    report = people.tick(2026, 10, 5, 7)
    assert "cedar/tm-digest/k2-literacy/c1" in report.created
    assert "cedar/tm-digest/math-35/c1" not in report.created
    assert any(s.startswith("cedar/tm-digest/math-35/c1") for s in report.skipped)


def test_anonymous_forms_collect_no_email(sandbox_world, config):
    people = People(sandbox_world, config)
    people.tick(2026, 8, 22, 12)
    people.tick(2026, 9, 25, 7)
    form = sandbox_world.ws.forms.get(sandbox_world.file_id("cedar/thinking-map/k2-literacy/c1"))
    assert form["settings"].get("emailCollectionType", "DO_NOT_COLLECT") == "DO_NOT_COLLECT"
    assert [i["title"] for i in form["items"]] == list(config.thinking_map.questions)
