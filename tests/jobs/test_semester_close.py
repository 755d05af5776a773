"""Semester close as a principal would use it, read back from the sandbox as the ILT reads it.

A focused slice of the fall (the meeting-cycle school): the first agendas seed the tracker's Goals tab,
a member types a checkpoint and the next agenda shows it; members give feedback at one meeting only (the
other agenda exists, but the ILT never met: not held); teachers answer a thinking map; the reflection
meeting's agenda is the reflection protocol linking the group reflection Doc; every "Theme" cell is a
phrase at least two answers share; after the meeting the summary holds every adjustment the ILT typed
into the group reflection, beside what a person wrote in it. Plus the example year's cycles (all 30
digests before the semester's reflection and the last school day) and the theme method on real-looking
answers (tests/jobs/data/answers.txt).
"""

from __future__ import annotations

import re
import tomllib
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from ilt_bot.calendar import SchoolYear
from ilt_bot.config import load_config, parse_config
from ilt_bot.config.summary import config_summary
from ilt_bot.jobs.reflection import before_reflection
from ilt_bot.jobs.reflection_agenda import SECTIONS
from ilt_bot.jobs.summary import MARKER
from ilt_bot.jobs.themes import contains_phrase, phrase_themes
from ilt_bot.jobs.thinking_map import digest_time
from ilt_bot.jobs.tracker import FEEDBACK
from ilt_bot.routine import thinking_map_cycles
from tests.jobs.test_reflection import add_row
from tests.jobs.test_thinking_map import ANA, BEN, CHLOE, DEV, K2, People, tm_titles

HERE = Path(__file__).parent
ROOT = HERE.parent.parent
TRACKER = "cedar/tracker/2026-27"
GROUP = "cedar/reflection/fall-2026"
SUMMARY = "cedar/summary/fall-2026"
REFLECTION_AGENDA = "cedar/agenda/2026-12-15"
ADJUSTMENTS = [["Guided reading walkthroughs every two weeks", "yes", "K-2 Literacy", "Chloe Park", "pilot Form"],
               ["Send the data one week before each data meeting", "no", "", "Ben Okafor", "plus/delta"]]
LATE_ADJUSTMENT = ["Protect team planning time on Wednesdays (85% of weeks)", "no", "", "Ana Ruiz", "thinking maps"]
PERSON_TEXT = "Ana shares these at the January 5 staff meeting."


def semester_config() -> Any:
    """The meeting-cycle school with two teams, thinking maps each cycle, a 3-hour reflection, goal numbers."""
    data = tomllib.loads((HERE / "school.toml").read_text())
    data["teams"] = [
        {"id": "k2-literacy", "name": "K-2 Literacy", "lead": "chloe-park",
         "slos": ["80% of K-2 students meet their reading growth goal"],
         "teachers": [{"name": n, "email": e} for n, e in K2]},
        {"id": "math-35", "name": "3-5 Math", "lead": "dev-patel", "slos": ["Median math growth percentile of 55"],
         "teachers": [{"name": "Hana Ito", "email": "hana@cedar.example.org"}]},
    ]
    data["meetings"]["thinking_map_every"] = 1
    data["school"]["uip_goals"][0].update(baseline="48%", target="60%")
    data["year"]["semesters"][0]["reflection_duration_minutes"] = 180
    data["year"]["semesters"][0]["reflection_time"] = "13:00:00"
    return parse_config(data)


@pytest.fixture
def config():
    return semester_config()


@pytest.fixture
def people(sandbox_world, config):
    return People(sandbox_world, config)


def exported(people: People, key: str) -> str:
    return people.world.ws.export_html(people.world.file_id(key))


def tables(people: People, key: str) -> list[list[list[str]]]:
    return [t.rows for t in people.world.ws.read_doc_tables(people.world.file_id(key))]


def type_checkpoint(people: People, label: str, value: str) -> None:
    """A member adds a checkpoint column to the Goals tab in Sheets and types the literacy goal's value."""
    tracker = people.world.file_id(TRACKER)
    people.world.people.set_sheet_cell(tracker, BEN, "Goals!D1", label)
    people.world.people.set_sheet_cell(tracker, BEN, "Goals!D2", value)


def give_feedback(people: People, day: date) -> None:
    answers = {ANA: ("Clear roles kept us on time", "Send the data earlier so we can prepare"),
               BEN: ("Clear roles and a real timekeeper", "Please send the data earlier"),
               CHLOE: ("Good snacks", "Too many items on the agenda")}
    for email, (plus, delta) in answers.items():
        people.world.respond(f"cedar/feedback/{day.isoformat()}", email, {"plus": plus, "delta": delta},
                             datetime(day.year, day.month, day.day, 18, tzinfo=people.config.tz))


def play_to_reflection(people: People) -> None:
    """Aug 22 to the reflection meeting's eve: agendas, a checkpoint, feedback once, a thinking map, the package."""
    people.tick(2026, 8, 22, 12)  # tracker, Goals rows, the Aug 25 agenda
    give_feedback(people, date(2026, 8, 25))
    type_checkpoint(people, "Sep BOY", "52%")
    people.tick(2026, 9, 5, 7)  # the Sep 8 agenda (made, but the ILT leaves no trace of meeting)
    people.tick(2026, 9, 25, 7)  # thinking maps, cycle 1
    titles = tm_titles(people.config)
    k2 = "cedar/thinking-map/k2-literacy/c1"
    people.answer(k2, K2[0][1], {"q1": "Guided reading groups were focused"}, titles, 2026, 9, 28, 15)
    people.answer(k2, K2[1][1], {"q1": "Our guided reading groups felt calmer"}, titles, 2026, 9, 28, 16)
    people.tick(2026, 10, 5, 7)  # digests, cycle 1
    people.tick(2026, 12, 8, 7)  # pre-work, team reflections
    people.tick(2026, 12, 11, 7)  # group reflection, summary draft
    people.tick(2026, 12, 12, 7)  # the reflection meeting's agenda


def test_a_checkpoint_typed_in_the_goals_tab_appears_in_the_next_agenda(people):
    """The Goals tab has the columns Goal, Baseline, Target, seeded from the config; a value a member types
    under a checkpoint column people add shows in the next agenda against the target."""
    people.tick(2026, 8, 22, 12)
    header = people.world.ws.read_header(people.world.file_id(TRACKER), "Goals")
    assert header[:3] == ["Goal", "Baseline", "Target"]
    rows = people.rows("Goals")
    assert rows[0][:3] == ["Grow K-3 students at benchmark in reading from 48% to 60%", "48%", "60%"]
    assert any(r[0] == "K-2 Literacy SLO: 80% of K-2 students meet their reading growth goal" for r in rows)
    type_checkpoint(people, "Sep BOY", "52%")
    people.tick(2026, 9, 5, 7)
    text = people.world.doc_text("cedar/agenda/2026-09-08")
    monitoring = text.split("UIP goals: progress monitoring")[1].split("Items from members")[0]
    assert "48% 52% (Sep BOY) 60%" in monitoring
    assert re.search(r"60% (on track|not on track)", monitoring)


def test_the_reflection_meeting_agenda_is_the_protocol_and_links_the_group_reflection(people):
    """The district guide's reflection protocol, time-boxed to the meeting's 180 minutes; the group reflection
    Doc is linked, each member's pre-work is named but not linked (private to them and the principal)."""
    play_to_reflection(people)
    text = people.world.doc_text(REFLECTION_AGENDA)
    page = exported(people, REFLECTION_AGENDA)
    assert "ILT Reflection — Fall 2026" in text and "(180 minutes)" in text
    protocol = next(t for t in tables(people, REFLECTION_AGENDA) if t[0] == ["Section", "Minutes"])
    assert [r[0] for r in protocol[1:]] == [title for title, _ in SECTIONS]
    assert sum(int(r[1]) for r in protocol[1:]) == 180
    order = [text.index(title) for title in ("Revisit our UIP goals", "Celebrate successes",
                                             "root causes before solutions", "Agree on adjustments and pilots",
                                             "Plan communication")]
    assert order == sorted(order)
    assert people.world.file_id(GROUP) in page  # the group reflection Doc is linked
    for member in ("ana-ruiz", "ben-okafor", "chloe-park", "dev-patel"):
        assert people.world.file_id(f"cedar/prework/fall-2026/{member}") not in page  # private: not linked
    assert "Ana Ruiz, Ben Okafor, Chloe Park, Dev Patel" in text
    assert "K-2 Literacy (Chloe Park)" in text
    assert people.world.doc_text("cedar/agenda/2026-09-08").count("Reflection") == 0  # a regular agenda


def test_held_means_evidence_and_every_theme_is_shared_word_for_word(people):
    """Held: a feedback response or an action item from the meeting (the Sep 8 agenda alone is not).
    Each "Theme" cell of the group reflection occurs word for word in at least two of the answers."""
    play_to_reflection(people)
    text = people.world.doc_text(GROUP)
    assert "Meetings: 1 held of 8 planned" in text
    feedback = [c for r in people.rows(FEEDBACK) for c in r[4:6] if c]
    theme_tables = [t for t in tables(people, GROUP) if t[0][0] == "Theme"]
    assert theme_tables
    themes = [row[0] for t in theme_tables for row in t[1:]]
    assert "send the data earlier" in [t.casefold() for t in themes]
    for table in theme_tables:
        for row in table[1:]:
            assert int(row[1]) >= 2
            if table[0][-1] == "Example answers":
                assert sum(1 for a in feedback if contains_phrase(a, row[0])) >= 2, row
    tm = text.split("Thinking maps by team")[1].split("Stakeholder survey")[0]
    assert "Guided reading groups" in tm and "were focused" not in tm  # a shared phrase, not an answer


def test_the_summary_after_the_meeting_holds_every_adjustment_and_keeps_what_people_wrote(people):
    """After the meeting each Adjustments row reaches the summary once, with staff and family talking points
    (no internal metrics for families), above the bot's marker line; a person's text stays as written."""
    play_to_reflection(people)
    for row in ADJUSTMENTS:
        add_row(people, GROUP, BEN, "Adjustment", row)
    docs = people.world.people.service(ANA, "docs", "v1").documents()
    docs.batchUpdate(documentId=people.world.file_id(SUMMARY), body={"requests": [
        {"insertText": {"endOfSegmentLocation": {}, "text": "\n" + PERSON_TEXT}}]}).execute()
    people.tick(2026, 12, 16, 7)
    add_row(people, GROUP, ANA, "Adjustment", LATE_ADJUSTMENT)
    people.tick(2026, 12, 17, 7)
    people.tick(2026, 12, 18, 7)
    text = people.world.doc_text(SUMMARY)
    for what, *_ in [*ADJUSTMENTS, LATE_ADJUSTMENT]:
        assert text.count(f"Adjustment: {what}") == 1, what
    assert PERSON_TEXT in text and MARKER in text
    assert text.index(f"Adjustment: {LATE_ADJUSTMENT[0]}") < text.index(MARKER)
    families = [part.split("Adjustment:")[0].split(MARKER)[0] for part in text.split("For families and community:")[1:]]
    assert len(families) == 3 and all("%" not in part for part in families)
    assert "(85% of weeks)" in text  # staff read the adjustment as typed
    assert "next semester, protect team planning time on wednesdays." in text.casefold()
    family_section = text.split("For families and community partners")[1]
    assert "%" not in family_section and "action items" not in family_section


def test_a_team_lead_prework_has_her_team_thinking_map_summary(people):
    """Chloe leads K-2 Literacy: her pre-work (hers and the principal's only) has the team's participation
    and shared themes; Ben leads no team and sees none."""
    play_to_reflection(people)
    chloe = people.world.doc_text("cedar/prework/fall-2026/chloe-park")
    assert "Your team's thinking maps: K-2 Literacy" in chloe and "guided reading groups" in chloe.casefold()
    assert "were focused" not in chloe  # themes, not answers
    assert "Your team's thinking maps" not in people.world.doc_text("cedar/prework/fall-2026/ben-okafor")
    shared = people.world.ws.drive.list_permissions(people.world.file_id("cedar/prework/fall-2026/chloe-park"))
    readers = {p.get("emailAddress") for p in shared if p.get("role") != "owner"}
    assert readers == {CHLOE, ANA} and DEV not in readers


def test_every_cycle_of_the_example_year_has_its_digest_before_the_reflection_and_check_warns():
    """The example year: 5 teams x 6 cycles = 30 thinking maps, each digest due before its semester's group
    reflection is built and before the last school day; ``check`` warns about the cycle ending after it."""
    config = load_config(ROOT / "config.example.toml")
    year = SchoolYear(config)
    cycles = thinking_map_cycles(config, year)
    assert len(cycles) * len(config.teams) == 30
    for cycle in cycles:
        semester = config.semester(str(cycle.semester))
        due = digest_time(config, year, cycle)
        assert due <= before_reflection(config, year, semester, config.lead_times.agenda_days), cycle.id
        assert due.date() <= config.year.end
    warnings = config_summary(config)["warnings"]
    assert len(warnings) == 1 and "c6" in warnings[0] and "2027-05-25" in warnings[0]


def test_themes_on_real_looking_answers_are_shared_phrases_never_fragments():
    """Measured on tests/jobs/data/answers.txt (30 answers): each theme is a phrase of 2+ words found word for
    word in at least two answers, and no answer's words become two overlapping themes."""
    answers = [line for line in (HERE / "data" / "answers.txt").read_text().splitlines()
               if line and not line.startswith("#")]
    themes = phrase_themes(answers, limit=20)
    assert len(themes) >= 6
    for theme in themes:
        words = str(theme["theme"]).split()
        having = [a for a in answers if contains_phrase(a, str(theme["theme"]))]
        assert len(words) >= 2 and len(having) == theme["count"] >= 2
        assert all(contains_phrase(e, str(theme["theme"])) for e in theme["examples"])
    texts = [str(t["theme"]).casefold() for t in themes]
    assert not any(a != b and a in b for a in texts for b in texts)
    assert "send the data earlier" in texts and "ended on time" in texts
    assert phrase_themes(["More time", "Less talk"]) == []  # nothing shared: the answers are shown instead


def test_the_reflection_agenda_template_renders_every_section_with_a_full_sample(config):
    """``ilt-bot check`` parses the reflection agenda (a second template of the agenda routine); this renders
    it with every variable filled (strict: a missing one fails), people's text escaped."""
    from ilt_bot import render
    from ilt_bot.jobs.agenda import sample_context
    from ilt_bot.jobs.reflection_agenda import TEMPLATE, sample_reflection

    context = sample_reflection(sample_context(config))
    context["goals"] = [{"goal": "Reading <b>", "baseline": "48%", "target": "60%", "latest_label": "Jan",
                         "latest": "52%", "status": "on track"}]
    page = render.render(TEMPLATE, context, config=config)
    assert "Reading &lt;b&gt;" in page and "(180 minutes)" in page and "Revisit: the adjustments" in page
    assert all(title in page for title, _ in SECTIONS)


def test_spring_reflection_agenda_revisits_fall_and_its_summary_holds_only_spring_adjustments(people):
    """Spring's reflection agenda revisits the adjustments agreed in fall; what the ILT types into the spring
    Adjustments table (not the fall rows read back above it) reaches the spring summary."""
    play_to_reflection(people)
    for row in ADJUSTMENTS:
        add_row(people, GROUP, BEN, "Adjustment", row)
    people.tick(2026, 12, 16, 7)
    people.tick(2027, 5, 21, 7)  # the spring package
    people.tick(2027, 5, 22, 7)  # the spring reflection meeting's agenda
    agenda = people.world.doc_text("cedar/agenda/2027-05-25")
    revisit = agenda.split("Revisit: the adjustments and pilots we agreed in Fall 2026")[1]
    assert all(what in revisit for what, *_ in ADJUSTMENTS)
    spring_group = "cedar/reflection/spring-2027"
    assert people.world.file_id(spring_group) in exported(people, "cedar/agenda/2027-05-25")
    add_row(people, spring_group, ANA, "Adjustment", LATE_ADJUSTMENT)
    people.tick(2027, 5, 26, 7)
    summary = people.world.doc_text("cedar/summary/spring-2027")
    assert f"Adjustment: {LATE_ADJUSTMENT[0]}" in summary
    assert all(f"Adjustment: {what}" not in summary for what, *_ in ADJUSTMENTS)
