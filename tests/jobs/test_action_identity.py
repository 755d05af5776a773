"""Hardening: action items keep their identity through a text edit, and two owners' same words are two items.

Before, an item's id was its meeting date and a hash of its words only: Dev's and Ana's "Call the district
about buses" collapsed into one tracker row (Dev's was lost), and fixing a typo after the harvest made a
second open item, carried into every later agenda. The identity rule is in ``ilt_bot/jobs/actions.py``
(same words and owner; else the owner's edited row; else the reassigned row; else new). Runs on the
sandbox through the real gateway: people type and edit the agenda Doc over the Docs API, and the tracker
and the next agenda are read back from the sandbox.
"""

from __future__ import annotations

import pytest

from ilt_bot.jobs.tracker import ACTION_ITEMS, col
from tests.jobs.conftest import tick

TRACKER = "cedar/tracker/2026-27"
FIRST, SECOND = "cedar/agenda/2026-08-25", "cedar/agenda/2026-09-08"
CHLOE, ANA = "chloe.park@cedar.example.org", "ana.ruiz@cedar.example.org"
BUSES = "Call the district about buses"
TYPO, FIXED = "Sahre the reading dashbaord", "Share the reading dashboard"


@pytest.fixture
def world(sandbox_world):
    return sandbox_world


def items(world) -> list[list[str]]:
    return world.tracker_rows(TRACKER, ACTION_ITEMS)


def test_same_words_two_owners_and_a_fixed_typo_keep_one_item_each(world, config):
    """Dev's and Ana's identical items are two tracker rows and two lines of the next agenda; Ben's item
    whose typo a member fixed after the harvest keeps its id, its What is updated, and the next agenda
    carries it once, fixed."""
    tick(world, config, 2026, 8, 22, 12)
    world.add_action(FIRST, CHLOE, [BUSES, "Dev", "Sep 4", ""])
    world.add_action(FIRST, CHLOE, [BUSES, "Ana", "Sep 4", ""])
    world.add_action(FIRST, CHLOE, [TYPO, "Ben", "Sep 4", ""])
    tick(world, config, 2026, 8, 27, 7)
    what, who = col(ACTION_ITEMS, "What"), col(ACTION_ITEMS, "Who")
    harvested = items(world)
    assert sorted((r[what], r[who]) for r in harvested) == sorted([(BUSES, "Dev"), (BUSES, "Ana"), (TYPO, "Ben")])
    ben_id = next(r[0] for r in harvested if r[who] == "Ben")

    world.people.set_cell(world.file_id(FIRST), ANA, "What", TYPO, 0, FIXED)
    report = tick(world, config, 2026, 8, 28, 7)
    assert report.created == []
    after = items(world)
    assert len(after) == 3 and [r[0] for r in after] == [r[0] for r in harvested]  # updated, none added
    assert next(r for r in after if r[0] == ben_id)[what] == FIXED

    tick(world, config, 2026, 9, 5, 12)  # the next agenda
    text = world.doc_text(SECOND).split("Open action items")[1].split("Action items")[0]
    assert text.count(FIXED) == 1 and TYPO not in text
    assert text.count(BUSES) == 2
    assert len(items(world)) == 3


def test_a_reassigned_item_and_an_edited_one_among_several_by_one_owner(world, config):
    """Dev owns two items; one is reworded a little (the most alike is updated), another item is
    reassigned from Ana to Ben (same words: the same item, its Who updated). Nothing is added."""
    tick(world, config, 2026, 8, 22, 12)
    world.add_action(FIRST, CHLOE, ["Draft the look-fors for walkthroughs", "Dev", "Sep 4", ""])
    world.add_action(FIRST, CHLOE, ["Order math manipulatives", "Dev", "Sep 10", ""])
    world.add_action(FIRST, CHLOE, ["Book the library", "Ana", "Aug 28", ""])
    tick(world, config, 2026, 8, 27, 7)
    before = {r[0]: r for r in items(world)}

    doc = world.file_id(FIRST)
    world.people.set_cell(doc, ANA, "What", "Order math manipulatives", 0, "Order the math manipulatives")
    world.people.set_cell(doc, ANA, "What", "Book the library", 1, "Ben")
    tick(world, config, 2026, 8, 28, 7)
    after = {r[0]: r for r in items(world)}
    assert set(after) == set(before)
    what, who = col(ACTION_ITEMS, "What"), col(ACTION_ITEMS, "Who")
    assert sorted((r[what], r[who]) for r in after.values()) == sorted([
        ("Draft the look-fors for walkthroughs", "Dev"), ("Order the math manipulatives", "Dev"),
        ("Book the library", "Ben")])
