"""The meeting cycle end to end: agendas from real feedback, items and action items, across meetings.

Each scenario runs on the in-memory Workspace and on the sandbox through the real gateway (``world``).
"""

from __future__ import annotations

from datetime import datetime

import pytest

from ilt_bot.jobs.actions import action_id
from ilt_bot.jobs.tick import run_tick
from ilt_bot.jobs.tracker import ACTION_ITEMS, DASHBOARD, FEEDBACK, MEETINGS, RUNS, TABS

DASHBOARD_COLUMNS = TABS[DASHBOARD]

ANA, BEN, CHLOE, DEV = (f"{n}@cedar.example.org" for n in ("ana.ruiz", "ben.okafor", "chloe.park", "dev.patel"))
PAYLOAD = '<b>bold</b> {{ 7*7 }} {% if true %}X{% endif %} =HYPERLINK("http://x")'


def local(config, *args: int) -> datetime:
    return datetime(*args, tzinfo=config.tz)


def tick(world, config, year, *when: int, dry_run: bool = False):
    report = run_tick(config, world.ws, local(config, *when), dry_run=dry_run, year=year)
    assert report.errors == []
    return report


@pytest.fixture(params=["fake", "sandbox"])
def world(request, config):
    if request.param == "fake":
        return request.getfixturevalue("fake_world")
    return request.getfixturevalue("sandbox_world")


def test_first_tick_makes_the_standing_artifacts_and_the_first_agenda(world, config, year):
    report = tick(world, config, year, 2026, 8, 22, 12)
    assert set(report.created) >= {"cedar/tracker/2026-27", "cedar/intake/2026-27", "cedar/agenda/2026-08-25",
                                   "cedar/feedback/2026-08-25", "cedar/folder/agendas", "cedar/folder/feedback"}
    assert "cedar/agenda/2026-09-08" not in report.created  # due only three days before its meeting
    text = world.doc_text("cedar/agenda/2026-08-25")
    assert "ILT Agenda — Tue Aug 25, 2026" in text
    for expected in ("Every student reads, writes and reasons", "We lead learning together",
                     "Start and end on time", "Grow K-3 students at benchmark", "Launching data cycles",
                     "Norm on the beginning-of-year reading data protocol", "first meeting of the year",
                     "Facilitator", "Ana Ruiz", "Timekeeper", "Ben Okafor"):
        assert expected in text, expected
    assert world.accepting("cedar/feedback/2026-08-25")
    agenda_id = world.file_id("cedar/agenda/2026-08-25")
    mails = [(to, message) for to, file_id, message in world.notifications() if file_id == agenda_id]
    assert sorted(to for to, _ in mails) == sorted([ANA, BEN, CHLOE, DEV])  # one each
    assert all("Tue Aug 25, 2026" in message and agenda_id in message for _, message in mails)
    runs = world.tracker_rows("cedar/tracker/2026-27", RUNS)
    assert {r[3] for r in runs} >= {"cedar/agenda/2026-08-25", "cedar/tracker/2026-27"}

    again = tick(world, config, year, 2026, 8, 22, 18)
    assert again.created == [] and again.existing >= 3  # tracker, intake form, agenda


def test_dry_run_lists_what_it_would_make_and_changes_nothing(world, config, year):
    report = tick(world, config, year, 2026, 8, 22, 12, dry_run=True)
    assert world.writes() == 0 and world.calls() > 0
    assert "cedar/agenda/2026-08-25" in report.created and "cedar/tracker/2026-27" in report.created
    real = tick(world, config, year, 2026, 8, 22, 12)
    assert set(real.created) == set(report.created)  # nothing was made by the dry run
    world.respond("cedar/feedback/2026-08-25", ANA, {"plus": "Clear roles"}, local(config, 2026, 8, 25, 18))
    world.add_action("cedar/agenda/2026-08-25", CHLOE, ["Share the data", "Ben", "Sep 4", ""])
    before = world.writes()
    later = tick(world, config, year, 2026, 9, 5, 12, dry_run=True)
    assert world.writes() == before  # the dry run read the response and the Doc but wrote nothing
    assert later.synced_responses == 1 and "cedar/agenda/2026-09-08" in later.created
    assert world.accepting("cedar/feedback/2026-08-25")
    assert world.tracker_rows("cedar/tracker/2026-27", FEEDBACK) == []


def test_agendas_carry_last_meetings_feedback_items_and_open_actions(world, config, year):
    tick(world, config, year, 2026, 8, 22, 12)
    first, second, third = "cedar/agenda/2026-08-25", "cedar/agenda/2026-09-08", "cedar/agenda/2026-09-22"
    world.respond("cedar/feedback/2026-08-25", ANA, {"plus": "Clear roles", "delta": "Send data early"},
                  local(config, 2026, 8, 25, 18))
    world.respond("cedar/feedback/2026-08-25", BEN, {"plus": "Clear roles", "delta": PAYLOAD},
                  local(config, 2026, 8, 25, 18, 5))
    world.respond("cedar/feedback/2026-08-25", CHLOE, {"plus": "Good data talk"}, local(config, 2026, 8, 26, 7))
    world.add_action(first, CHLOE, ["Share the reading dashboard", "Ben", "Sep 4", ""])
    world.add_action(first, CHLOE, ["Book the library", "Ana", "Aug 28", "Done"])
    world.add_action(first, CHLOE, ["", "", "", ""])  # a blank row people leave behind
    tick(world, config, year, 2026, 8, 27, 7)  # a sync pass between meetings

    report = tick(world, config, year, 2026, 9, 5, 12)
    assert second in report.created
    text = world.doc_text(second)
    assert "3 responses after the meeting of Tue Aug 25, 2026" in text
    assert "Plus (3)" in text and "Delta (2)" in text
    assert "Clear roles (×2)" in text and "Send data early" in text and "Good data talk" in text
    assert PAYLOAD in text  # shown as typed: not bold, not evaluated, not a formula
    assert "49" not in text.split("Revisiting our feedback")[1].split("Focus area")[0]
    assert "Share the reading dashboard" in text
    assert "Book the library" not in text  # done at the meeting itself
    assert not world.accepting("cedar/feedback/2026-08-25")  # closed when the next agenda was built
    feedback_rows = world.tracker_rows("cedar/tracker/2026-27", FEEDBACK)
    assert sorted(r[4] for r in feedback_rows) == ["Clear roles", "Clear roles", "Good data talk"]
    assert any(r[5] == PAYLOAD for r in feedback_rows)  # RAW in the sheet too

    dashboard_ref = action_id(local(config, 2026, 8, 25).date(), "Share the reading dashboard", "Ben")
    world.respond("cedar/feedback/2026-09-08", DEV, {"plus": "Second meeting flowed", "delta": "Shorter updates"},
                  local(config, 2026, 9, 8, 18))
    world.set_carried_status(second, dashboard_ref, DEV, "✓")
    world.add_action(second, DEV, ["Draft look-fors", "Dev", "Sep 30", "in progress"])
    tick(world, config, year, 2026, 9, 10, 7)
    look_fors = action_id(local(config, 2026, 9, 8).date(), "Draft look-fors", "Dev")
    world.set_tracker_status("cedar/tracker/2026-27", look_fors, "Complete")

    report = tick(world, config, year, 2026, 9, 19, 12)
    assert third in report.created
    text = world.doc_text(third)
    assert "Second meeting flowed" in text and "Shorter updates" in text
    assert "Clear roles" not in text  # only the last meeting's feedback...
    assert "Send data early" in text  # ...and the deltas still unanswered (tests/jobs/test_agenda_deltas.py)
    assert "Share the reading dashboard" not in text  # marked ✓ in the later agenda
    assert "Draft look-fors" not in text  # marked Complete in the tracker
    actions = {r[0]: r for r in world.tracker_rows("cedar/tracker/2026-27", ACTION_ITEMS)}
    assert actions[dashboard_ref][5] == "✓" and actions[dashboard_ref][7]
    assert actions[look_fors][5] == "Complete"  # the person's edit stays
    assert [r[0] for r in world.tracker_rows("cedar/tracker/2026-27", MEETINGS)] == [
        "2026-08-25", "2026-09-08", "2026-09-22"]


def test_intake_items_land_on_the_next_agenda_once(world, config, year):
    tick(world, config, year, 2026, 8, 22, 12)
    world.respond("cedar/intake/2026-27", BEN, {"title": "Coverage for observations", "why": "Leads need subs",
                                                "time": "10 minutes", "submitter": "Ben Okafor"},
                  local(config, 2026, 8, 30, 9))
    tick(world, config, year, 2026, 9, 5, 12)
    text = world.doc_text("cedar/agenda/2026-09-08")
    assert "Coverage for observations" in text and "Leads need subs" in text and "Ben Okafor" in text
    tick(world, config, year, 2026, 9, 19, 12)
    assert "Coverage for observations" not in world.doc_text("cedar/agenda/2026-09-22")


def test_focus_area_is_the_months(world, config, year):
    tick(world, config, year, 2026, 10, 3, 12)
    text = world.doc_text("cedar/agenda/2026-10-06")
    assert "October:" in text and "Calibrating observation and feedback" in text
    assert "Observation and feedback" in text and "Co-observe a K-2 guided reading lesson" in text
    assert "Launching data cycles" not in text


def test_the_feedback_form_is_for_the_ilt_and_closes_with_the_next_agenda(world, config, year):
    tick(world, config, year, 2026, 8, 22, 12)
    assert world.can_answer("cedar/feedback/2026-08-25", DEV)
    assert not world.can_answer("cedar/feedback/2026-08-25", "eva.lund@cedar.example.org")  # a teacher
    tick(world, config, year, 2026, 9, 5, 12)
    assert not world.can_answer("cedar/feedback/2026-08-25", DEV)  # closed: the next agenda is out
    assert world.can_answer("cedar/feedback/2026-09-08", DEV)
    tick(world, config, year, 2026, 9, 5, 18)
    dashboard = world.tracker_rows("cedar/tracker/2026-27", DASHBOARD)
    assert [r[:3] for r in dashboard] == [["2026-08-25", "1", "0"], ["2026-09-08", "1", "0"]]


def test_dashboard_has_one_chart_of_plus_and_delta_per_meeting(world, config, year):
    tick(world, config, year, 2026, 8, 22, 12)
    assert world.charts("cedar/tracker/2026-27") == []  # no feedback yet, nothing to draw
    world.respond("cedar/feedback/2026-08-25", ANA, {"plus": "Clear roles", "delta": "Send data early"},
                  local(config, 2026, 8, 25, 18))
    tick(world, config, year, 2026, 8, 26, 7)
    world.respond("cedar/feedback/2026-08-25", BEN, {"plus": "Good pace"}, local(config, 2026, 8, 26, 12))
    tick(world, config, year, 2026, 8, 27, 7)  # the counts change again: the chart is not added twice
    charts = world.charts("cedar/tracker/2026-27")
    meeting, plus, delta = (DASHBOARD_COLUMNS.index(name) for name in ("Meeting", "Plus", "Delta"))
    assert len(charts) == 1, charts
    chart = charts[0]
    assert (chart["tab"], chart["title"], chart["domain"], chart["series"]) == (
        DASHBOARD, "Plus and delta per meeting", meeting, [plus, delta])
    if world.kind == "sandbox":
        assert chart["type"] == "COLUMN"
    assert [r[:3] for r in world.tracker_rows("cedar/tracker/2026-27", DASHBOARD)] == [["2026-08-25", "2", "1"]]


def test_an_answer_over_googles_cell_limit_is_cut_with_a_marker_and_the_sync_goes_on(world, config, year):
    tick(world, config, year, 2026, 8, 22, 12)
    huge = "".join(f"point {n}: we should share data earlier. " for n in range(3000))  # ~115,000 characters
    world.respond("cedar/feedback/2026-08-25", ANA, {"plus": huge, "delta": "Shorter updates"},
                  local(config, 2026, 8, 25, 18))
    world.respond("cedar/feedback/2026-08-25", BEN, {"plus": "Clear roles"}, local(config, 2026, 8, 25, 18, 5))
    report = tick(world, config, year, 2026, 8, 26, 7)  # no error: the write is not refused
    assert report.synced_responses == 2
    rows = {r[3]: r for r in world.tracker_rows("cedar/tracker/2026-27", FEEDBACK)}
    plus, delta = rows[ANA][4], rows[ANA][5]
    response_id = rows[ANA][0]
    assert len(plus) <= 50_000 and plus.startswith(huge[:45_000])
    assert plus.endswith(f"… [truncated: full answer in the Form response {response_id}]")
    assert delta == "Shorter updates" and rows[BEN][4] == "Clear roles"
    assert tick(world, config, year, 2026, 8, 27, 7).synced_responses == 0  # copied once, like any answer
    text = world.doc_text(tick(world, config, year, 2026, 9, 5, 12) and "cedar/agenda/2026-09-08")
    assert "point 0: we should share data earlier." in text and f"Form response {response_id}" in text


def test_a_trashed_agenda_is_reported_not_recreated(world, config, year):
    tick(world, config, year, 2026, 8, 22, 12)
    world.trash("cedar/agenda/2026-08-25", ANA)
    report = tick(world, config, year, 2026, 8, 23, 12)
    assert "cedar/agenda/2026-08-25" not in report.created
    assert any(s.startswith("cedar/agenda/2026-08-25:") and "trash" in s for s in report.skipped)
