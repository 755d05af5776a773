"""The semester-close reflection package, from a fall semester people lived through the bot.

Simulated people answer feedback and intake Forms, type action items into agendas, answer thinking maps
and the stakeholder survey; the bot builds the package. The test recomputes every figure independently
from the tracker's rows and the calendar and finds it in the Docs; then the ILT fills the fall
Adjustments table, the pilot group answers its pilot Form, and the spring reflection revisits the fall.
Runs on the in-memory Workspace and on the sandbox through the real gateway.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any

import pytest

from ilt_bot.jobs.pilots import RATING, pilot_key
from ilt_bot.jobs.reflection import SURVEY
from ilt_bot.jobs.semester_data import RATING_QUESTION, STAKEHOLDER
from ilt_bot.jobs.tracker import ACTION_ITEMS, AGENDA_ITEMS, MEETINGS, col
from ilt_bot.workspace.api import DocTable
from tests.jobs.test_thinking_map import (
    ANA,
    BEN,
    CHLOE,
    DEV,
    K2,
    MATH,
    STAKEHOLDERS,
    THINKING_MAP,
    People,
    make_config,
    tm_titles,
)

HELD = [date(2026, 8, 25), date(2026, 9, 8), date(2026, 9, 22), date(2026, 10, 6), date(2026, 11, 3),
        date(2026, 11, 17), date(2026, 12, 1)]
"""Fall meetings whose agenda the bot made (no tick ran before Oct 20: that meeting has no agenda)."""
NAMES = {ANA: "Ana Ruiz", BEN: "Ben Okafor", CHLOE: "Chloe Park", DEV: "Dev Patel"}
PILOT = "Guided reading walkthroughs every two weeks"


@pytest.fixture
def config():
    return make_config()


@pytest.fixture(params=["fake", "sandbox"])
def world(request, config):
    if request.param == "fake":
        return request.getfixturevalue("fake_world")
    return request.getfixturevalue("sandbox_world")


@pytest.fixture
def people(world, config):
    return People(world, config)


def ymd(day: date, hour: int = 7) -> tuple[int, int, int, int]:
    return day.year, day.month, day.day, hour


def add_row(people: People, key: str, email: str, first_header: str, cells: list[str]) -> None:
    """Type a row into a Doc's table (sandbox: Docs API as the person; fake: the table itself)."""
    world = people.world
    if people.sandbox:
        world.people.add_table_row(world.file_id(key), email, first_header, cells)
        return
    table = next(t for t in world.ws.by_key(key).tables if t.header[:1] == [first_header])
    blank = next((r for r in table.rows[1:] if not any(c.strip() for c in r)), None)
    if blank is not None:
        blank[:] = cells
    else:
        table.rows.append(list(cells))


def respond(people: People, key: str, email: str, answers: dict[str, str], day: date, hour: int) -> None:
    """A member answers a feedback or intake Form (the meeting-cycle world knows those titles)."""
    when = datetime(*ymd(day, hour), tzinfo=people.config.tz)
    if people.sandbox:
        people.world.server.set_now(when)
    people.world.respond(key, email, answers, when)


def play_fall(people: People) -> None:
    """The fall semester up to the day the group reflection is built (Dec 11)."""
    titles = tm_titles(people.config)
    people.tick(2026, 8, 22, 12)
    for n, day in enumerate(HELD):
        if n:
            people.tick(*ymd(day - timedelta(days=3), 12))
        agenda = f"cedar/agenda/{day.isoformat()}"
        note_taker = [ANA, BEN, CHLOE, DEV][n % 4]
        owner_open, owner_done = [ANA, BEN, CHLOE, DEV][n % 4], [ANA, BEN, CHLOE, DEV][(n + 1) % 4]
        people.world.add_action(agenda, note_taker, [f"Share the data wall {day:%b %d}", NAMES[owner_open],
                                                     "next week", ""])
        people.world.add_action(agenda, note_taker, [f"Book coverage {day:%b %d}", NAMES[owner_done],
                                                     "Friday", "Done"])
        for m, email in enumerate([ANA, BEN, CHLOE][: 2 + n % 2]):
            respond(people, f"cedar/feedback/{day.isoformat()}", email,
                    {"plus": "Student work protocol kept us focused" if m else "Clear roles",
                     "delta": "Send the data earlier"}, day, 18)
        if day in (date(2026, 9, 8), date(2026, 11, 3)):
            respond(people, "cedar/intake/2026-27", BEN, {"title": f"Walkthrough calibration {day:%b}",
                                                          "why": "Ratings differ", "time": "10 minutes",
                                                          "submitter": "Ben Okafor"}, day - timedelta(days=5), 12)
        people.tick(*ymd(day + timedelta(days=1)))
        if day == date(2026, 9, 22):
            people.tick(2026, 9, 25, 7)  # thinking maps c1
            people.answer("cedar/thinking-map/k2-literacy/c1", K2[0][1],
                          {"q1": "Guided reading groups", "q2": "More modeling"}, titles, 2026, 9, 28, 15)
            people.answer("cedar/thinking-map/k2-literacy/c1", K2[1][1], {"q1": "Data meetings"}, titles,
                          2026, 9, 28, 16)
            people.answer("cedar/thinking-map/math-35/c1", MATH[0][1], {"q1": "Number talks"}, titles,
                          2026, 9, 29, 16)
            people.tick(2026, 10, 5, 7)  # digests c1
        if day == date(2026, 11, 3):
            people.tick(2026, 11, 6, 7)  # thinking maps c2
            people.answer("cedar/thinking-map/math-35/c2", MATH[0][1], {"q1": "Number talks again"}, titles,
                          2026, 11, 9, 15)
            people.answer("cedar/thinking-map/math-35/c2", MATH[1][1], {"q3": "Need manipulatives"}, titles,
                          2026, 11, 9, 16)
            people.tick(2026, 11, 16, 7)  # digests c2
    survey_titles = {ref: title for ref, title, _ in SURVEY}
    for email, rating, well in ((STAKEHOLDERS[0], "4", "Teams use data weekly"),
                                (STAKEHOLDERS[1], "5", "Strong guided reading")):
        people.answer("cedar/stakeholder/fall-2026", email, {"rating": rating, "role": "Network partner",
                                                             "well": well}, survey_titles, 2026, 12, 2, 12)
    people.tick(2026, 12, 8, 7)  # pre-work and team reflections
    people.tick(2026, 12, 11, 7)  # group reflection and summary


def recompute(people: People, config: Any, year: Any) -> dict[str, Any]:
    """The fall figures, recomputed here from the tracker rows and the calendar (not with the bot's code)."""
    fall = config.semester("fall-2026")
    meetings = people.rows(MEETINGS)
    held = [r for r in meetings if fall.start.isoformat() <= r[0] < fall.reflection_date.isoformat()]
    planned = [m for m in year.meetings() if fall.start <= m.date < fall.reflection_date]
    actions = [r for r in people.rows(ACTION_ITEMS) if r[1] >= fall.start.isoformat()]
    closed = [r for r in actions if r[col(ACTION_ITEMS, "Closed")] or r[col(ACTION_ITEMS, "Status")] == "Done"]
    stake = [r for r in people.rows(STAKEHOLDER) if r[2] == "fall-2026"]
    ratings = [int(r[6]) for r in stake if r[5] == RATING_QUESTION]
    tm = people.rows(THINKING_MAP)
    return {
        "held": len(held), "planned": len(planned), "opened": len(actions), "closed": len(closed),
        "stakeholders": len({r[1] for r in stake}), "average": sum(ratings) / len(ratings),
        "tm": {(team, cycle): len({r[1] for r in tm if r[2] == team and r[3] == cycle})
               for team in ("k2-literacy", "math-35") for cycle in ("c1", "c2")},
        "roles": {email: sum(1 for r in held if NAMES[email] in r[col(MEETINGS, "Roles")]) for email in NAMES},
        "owned": {email: [r for r in actions if r[col(ACTION_ITEMS, "Who")] == NAMES[email]] for email in NAMES},
        "items": {email: [r for r in people.rows(AGENDA_ITEMS) if r[col(AGENDA_ITEMS, "Submitter")] == NAMES[email]]
                  for email in NAMES},
    }


def test_fall_package_figures_match_what_people_did(people, config, year):
    play_fall(people)
    figures = recompute(people, config, year)
    # what the simulated people did, in numbers
    assert figures["held"] == 7 and figures["planned"] == 8
    assert figures["opened"] == 14 and figures["closed"] == 7
    assert figures["stakeholders"] == 2 and figures["average"] == 4.5
    assert figures["tm"] == {("k2-literacy", "c1"): 2, ("k2-literacy", "c2"): 0, ("math-35", "c1"): 1,
                             ("math-35", "c2"): 2}

    group = people.text("cedar/reflection/fall-2026")
    assert f"Meetings: {figures['held']} held of {figures['planned']} planned" in group
    assert (f"Action items: {figures['opened']} opened, {figures['closed']} closed, "
            f"{figures['opened'] - figures['closed']} still open") in group
    assert f"Stakeholder survey: {figures['stakeholders']} responses" in group and "Average rating: 4.5 / 5" in group
    assert "K-2 Literacy: 2 of 6 possible answers" in group and "3-5 Math: 3 of 4 possible answers" in group
    assert "Grow K-3 students at benchmark" in group and "80% of K-2 students meet" in group  # UIP goals, SLOs
    assert "Focus areas: 3 of 3 covered" in group and "Observation & feedback" in group
    assert "Teams use data weekly" in group and "Strong guided reading" in group
    assert "root cause" in group and "Adjustment Pilot? Pilot group Owner How feedback is gathered" in group
    assert "Revisit" not in group  # the first semester has nothing to revisit
    for month in ("August 2026", "September 2026", "November 2026", "December 2026"):
        assert month in group

    for email, name in NAMES.items():
        member_id = name.lower().replace(" ", "-")
        text = people.text(f"cedar/prework/fall-2026/{member_id}")
        assert f"You held a meeting role at {figures['roles'][email]} of them" in text
        owned = figures["owned"][email]
        done = sum(1 for r in owned if r[col(ACTION_ITEMS, "Closed")])
        assert f"Action items you owned ({len(owned)}, {done} closed)" in text
        assert f"Agenda items you raised ({len(figures['items'][email])})" in text
        others = [n for e, n in NAMES.items() if e != email]
        assert all(f"Reflection for growth — {n}" not in text for n in others)
    assert "Walkthrough calibration Sep" in people.text("cedar/prework/fall-2026/ben-okafor")

    team = people.text("cedar/team-reflection/fall-2026/math-35")
    assert "3 answers out of 4 possible" in team and "Number talks again" in team and "Need manipulatives" in team
    assert "Guided reading groups" not in team  # another team's answers
    summary = people.text("cedar/summary/fall-2026")
    assert "The ILT met 7 times out of 8 planned" in summary and "7 of 14 action items were completed" in summary
    assert "For families" in summary and "For staff" in summary

    rerun = people.tick(2026, 12, 11, 12)
    assert rerun.created == []


def test_spring_revisits_the_fall_adjustments_and_pilot_results(people, config):
    people.tick(2026, 8, 22, 12)
    people.tick(2026, 12, 11, 7)  # the fall package (little data)
    fall_doc = "cedar/reflection/fall-2026"
    add_row(people, fall_doc, BEN, "Adjustment", [PILOT, "yes", "K-2 Literacy", "Chloe Park", "pilot Form"])
    add_row(people, fall_doc, ANA, "Adjustment", ["Shorter data protocol", "no", "", "Ben Okafor", "plus/delta"])
    report = people.tick(2026, 12, 16, 7)  # after the reflection meeting
    key = pilot_key(config, "fall-2026", PILOT)
    assert key in report.created
    assert sorted(people.notified(key)) == sorted([e for _, e in K2] + [CHLOE])
    titles = {"rating": RATING, "working": "What is working?", "change": "What should change"}
    people.answer(key, K2[0][1], {"rating": "4", "working": "Quick feedback loops"}, titles, 2027, 1, 20, 15)
    people.answer(key, K2[2][1], {"rating": "5", "change": "Fewer look-fors"}, titles, 2027, 1, 21, 15)
    assert people.tick(2026, 12, 17, 7).created == []

    people.tick(2027, 5, 21, 7)
    spring = people.text("cedar/reflection/spring-2027")
    revisit = spring.split("Revisit Fall 2026")[1].split("Our goals, roles and expectations")[0]
    assert PILOT in revisit and "2 responses, average 4.5 / 5" in revisit
    assert "Shorter data protocol" in revisit and "not a pilot" in revisit
    assert "Quick feedback loops" in revisit and "Fewer look-fors" in revisit
    assert PILOT in people.text("cedar/summary/spring-2027")


def test_adjustments_parse_as_people_leave_them():
    from ilt_bot.jobs.pilots import adjustments

    table = DocTable([["Adjustment", "Pilot?", "Pilot group", "Owner", "How feedback is gathered"],
                      ["A", "Yes, K-2 first", "K-2", "Chloe", "form"], ["", "", "", "", ""], ["B", "", "", "", ""],
                      ["C", "✓", "", "", ""]])
    rows = adjustments([DocTable([["Other"]]), table])
    assert [(r["what"], r["pilot"]) for r in rows] == [("A", True), ("B", False), ("C", True)]


def test_demo_people_answer_thinking_maps_survey_adjustments_and_pilots(sandbox_world, config, year):
    """The demo's simulated people (``ilt_bot.demo.reflection``) acting over HTTP between real ticks."""
    from ilt_bot.demo.reflection import ReflectionPeople
    from ilt_bot.jobs.pilots import adjustments
    from ilt_bot.jobs.tick import run_tick

    world = sandbox_world
    crowd = ReflectionPeople(config, world.ws, world.people, year, set_clock=world.server.set_now)

    def tick(now: datetime) -> None:
        world.server.set_now(now)
        report = run_tick(config, world.ws, now, year=year)
        assert report.errors == []
        crowd.observe(report.created, now.date())

    tick(datetime(2026, 8, 22, 12, tzinfo=config.tz))
    for first, last in ((date(2026, 9, 21), date(2026, 10, 6)), (date(2026, 11, 30), date(2026, 12, 18))):
        day = first
        while day <= last:
            if year.is_school_day(day):
                tick(year.at(day, datetime.min.time().replace(hour=6, minute=30)))
                crowd.on_day(day)
                tick(year.at(day, datetime.min.time().replace(hour=17, minute=30)))
            day += timedelta(days=1)
    assert crowd.errors == []
    answered = Counter(key for key, _ in crowd.done if "/thinking-map/" in key)
    for team in ("k2-literacy", "math-35"):
        size = len(config.team(team).teachers)
        n = answered[f"cedar/thinking-map/{team}/c1"]
        assert f"{n} of {size} teachers answered" in world.doc_text(f"cedar/tm-digest/{team}/c1")
    assert sum(answered.values()) == crowd.actions["thinking map answered"] > 0
    survey = {r[1] for r in world.tracker_rows("cedar/tracker/2026-27", STAKEHOLDER)}
    assert len(survey) == crowd.actions["stakeholder survey answered"] > 0
    fall = adjustments(world.ws.read_doc_tables(world.file_id("cedar/reflection/fall-2026")))
    assert len(fall) == crowd.actions["adjustment typed"] == 3 and sum(r["pilot"] for r in fall) == 1
    pilot = pilot_key(config, "fall-2026", next(r["what"] for r in fall if r["pilot"]))
    assert len(world.ws.list_responses(world.file_id(pilot))) == crowd.actions["pilot feedback answered"] > 0


def test_package_dry_run_makes_nothing_and_a_trashed_prework_is_not_recreated(people, config):
    people.tick(2026, 8, 22, 12)
    package = {"cedar/stakeholder/fall-2026", "cedar/reflection/fall-2026", "cedar/summary/fall-2026",
               "cedar/team-reflection/fall-2026/k2-literacy", "cedar/team-reflection/fall-2026/math-35",
               *(f"cedar/prework/fall-2026/{m.id}" for m in config.members)}
    dry = people.tick(2026, 12, 11, 7, dry_run=True)
    assert package <= set(dry.created)
    assert not any(people.exists(k) for k in package)
    real = people.tick(2026, 12, 11, 7)
    assert package <= set(real.created)
    prework = "cedar/prework/fall-2026/ben-okafor"
    people.world.trash(prework, config.workspace.bot_user)
    again = people.tick(2026, 12, 11, 12)
    assert again.created == [] and any(s.startswith(prework) for s in again.skipped)
    assert not people.exists(prework)
