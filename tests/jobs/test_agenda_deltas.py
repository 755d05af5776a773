"""The plus/delta loop closed: each delta of a meeting's feedback gets a "We heard / We will / Owner" row in
the next agenda; what the facilitator types is harvested into the tracker's Deltas tab; a delta left blank
comes back until it is answered or marked "No change, because…" (the plus/delta guidance: let attendees know
what action is taken against each delta, and if none, why)."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from ilt_bot.jobs.deltas import DELTA_COLUMNS, DELTAS, TABLE_COLUMNS, delta_id
from ilt_bot.jobs.tick import run_tick

ANA, BEN, CHLOE = "ana.ruiz@cedar.example.org", "ben.okafor@cedar.example.org", "chloe.park@cedar.example.org"
TRACKER = "cedar/tracker/2026-27"
FIRST, SECOND, THIRD, FOURTH = "2026-08-25", "2026-09-08", "2026-09-22", "2026-10-06"


@pytest.fixture(params=["fake", "sandbox"])
def world(request):
    return request.getfixturevalue(f"{request.param}_world")


def tick(world, config, year, month, day, hour=12):
    report = run_tick(config, world.ws, datetime(2026, month, day, hour, tzinfo=config.tz), year=year)
    assert report.errors == []
    return report


def answer(world, meeting: str, ref: str, cells: dict[str, str]) -> None:
    """The facilitator types into the agenda's "We heard" table, in the row of delta ``ref``."""
    key = f"cedar/agenda/{meeting}"
    if world.kind == "fake":
        table = next(t for t in world.ws.by_key(key).tables if t.header[:1] == ["We heard"])
        row = next(r for r in table.rows if r[-1] == ref)
        for name, text in cells.items():
            row[TABLE_COLUMNS.index(name)] = text
        return
    for name, text in cells.items():
        world.people.set_cell(world.file_id(key), ANA, "We heard", ref, TABLE_COLUMNS.index(name), text,
                              match_column=TABLE_COLUMNS.index("Ref"))


def table_rows(world, meeting: str) -> list[list[str]]:
    tables = world.ws.read_doc_tables(world.file_id(f"cedar/agenda/{meeting}"))
    table = next((t for t in tables if t.header[:1] == ["We heard"]), None)
    return [] if table is None else table.rows


def deltas(world) -> dict[str, list[str]]:
    return {r[0]: r for r in world.tracker_rows(TRACKER, DELTAS)}


def test_a_delta_comes_back_until_answered_and_the_answers_are_shown_and_tracked(world, config, year):
    tick(world, config, year, 8, 22)
    when = datetime(2026, 8, 25, 18, tzinfo=config.tz)
    world.respond(f"cedar/feedback/{FIRST}", ANA, {"plus": "Clear roles", "delta": "Send data early"}, when)
    world.respond(f"cedar/feedback/{FIRST}", BEN, {"plus": "Good talk", "delta": "Shorter updates\nsend data EARLY"},
                  when)
    tick(world, config, year, 9, 5)  # the second agenda
    early, shorter = delta_id(date(2026, 8, 25), "Send data early"), delta_id(date(2026, 8, 25), "Shorter updates")
    rows = table_rows(world, SECOND)
    assert rows[0] == TABLE_COLUMNS
    assert sorted((r[0], r[-1]) for r in rows[1:]) == sorted([("Send data early", early),
                                                               ("Shorter updates", shorter)])
    assert all(r[1:4] == ["", "", ""] for r in rows[1:])
    assert {k: v[DELTA_COLUMNS.index("Status")] for k, v in deltas(world).items()} == {early: "open", shorter: "open"}

    answer(world, SECOND, early, {"We will": "Send the data two days ahead", "Owner": "Ben Okafor",
                                  "By when": "Sep 20"})
    world.respond(f"cedar/feedback/{SECOND}", CHLOE, {"plus": "Flowed", "delta": "Start on time"},
                  datetime(2026, 9, 8, 18, tzinfo=config.tz))
    tick(world, config, year, 9, 9, 7)  # the harvest after the second meeting
    answered = deltas(world)[early]
    assert answered[DELTA_COLUMNS.index("We will"):] == ["Send the data two days ahead", "Ben Okafor", "Sep 20",
                                                          SECOND, "answered"]
    assert deltas(world)[shorter][DELTA_COLUMNS.index("Status")] == "open"

    tick(world, config, year, 9, 19)  # the third agenda
    text = world.doc_text(f"cedar/agenda/{THIRD}")
    assert "We heard: Send data early. We will: Send the data two days ahead (Ben Okafor, by Sep 20)" in text
    on_time = delta_id(date(2026, 9, 8), "Start on time")
    assert [(r[0], r[-1]) for r in table_rows(world, THIRD)[1:]] == [("Shorter updates", shorter),
                                                                      ("Start on time", on_time)]

    answer(world, THIRD, shorter, {"We will": "No change, because updates are already five minutes"})
    answer(world, THIRD, on_time, {"We will": "The timekeeper starts us at 3:45", "Owner": "Chloe Park"})
    tick(world, config, year, 10, 3)  # harvest, then the fourth agenda
    status = {k: v[DELTA_COLUMNS.index("Status")] for k, v in deltas(world).items()}
    assert status == {early: "answered", shorter: "no change", on_time: "answered"}
    assert table_rows(world, FOURTH) == []  # nothing left to answer
    fourth = world.doc_text(f"cedar/agenda/{FOURTH}")
    assert "No deltas waiting for an answer." in fourth
    assert "We heard: Shorter updates. We will: No change, because updates are already five minutes" in fourth
    assert "Send data early" not in fourth  # answered two meetings ago: told once, not again


def test_a_person_editing_the_heard_text_does_not_lose_the_delta(world, config, year):
    """The row is found by its Ref, so a facilitator who rewords "We heard" still answers that delta."""
    tick(world, config, year, 8, 22)
    world.respond(f"cedar/feedback/{FIRST}", ANA, {"plus": "Clear roles", "delta": "Send data early"},
                  datetime(2026, 8, 25, 18, tzinfo=config.tz))
    tick(world, config, year, 9, 5)
    ref = delta_id(date(2026, 8, 25), "Send data early")
    answer(world, SECOND, ref, {"We heard": "Data came late", "We will": "Data goes out Fridays"})
    tick(world, config, year, 9, 9, 7)
    row = deltas(world)[ref]
    assert row[DELTA_COLUMNS.index("We heard")] == "Send data early"  # the tracker keeps what was heard
    assert row[DELTA_COLUMNS.index("We will")] == "Data goes out Fridays"
