"""Hardening: one bad "Pilot group" cell blocks only its own pilot Form.

The fall group reflection's Adjustments table gets three pilot rows; the middle one's "Pilot group" cell
holds a mistyped address (``cedar.exmaple.org``, outside the school's domain, refused by the sharing
policy: ``sharing.allow_external`` in docs/privacy.md). Before, that row's Form was left ``building``,
the rows after it never got theirs and every tick failed for the 21-day pilot window. Runs on the
sandbox through the real gateway; what people see is read back from it (Forms, e-mails, Runs tab, status).
"""

from __future__ import annotations

import pytest

from ilt_bot.jobs.pilots import pilot_key
from ilt_bot.jobs.tracker import RUNS
from ilt_bot.status import school_status
from ilt_bot.workspace.api import is_building
from tests.jobs.test_reflection import add_row
from tests.jobs.test_thinking_map import ANA, BEN, DEV, K2, MATH, TRACKER, People, local, make_config

FALL_DOC = "cedar/reflection/fall-2026"
TYPO = "ivan@cedar.exmaple.org"
ROWS = [
    ["Guided reading walkthroughs every two weeks", "yes", "K-2 Literacy", "Chloe Park", "pilot Form"],
    ["Math talk protocol", "yes", f"hana@cedar.example.org, {TYPO}", "Dev Patel", "pilot Form"],
    ["Exit tickets in every math block", "yes", "3-5 Math", "Dev Patel", "pilot Form"],
]


@pytest.fixture
def config():
    return make_config()


@pytest.fixture
def people(sandbox_world, config):
    return People(sandbox_world, config)


def test_a_bad_address_in_one_pilot_row_blocks_only_that_persons_grant(people, config):
    """Every pilot row gets its Form the same tick; the row with the typo gets a finished (not building)
    Form shared with the rest of its group; the refused address is named in the Runs tab and by status
    each pass, without failing the tick; fixing the cell shares the Form with the fixed address."""
    people.tick(2026, 8, 22, 12)
    people.tick(2026, 12, 11, 7)  # the fall package: the group reflection Doc
    for email, cells in zip((BEN, ANA, DEV), ROWS, strict=True):
        add_row(people, FALL_DOC, email, "Adjustment", cells)
    keys = [pilot_key(config, "fall-2026", row[0]) for row in ROWS]

    report = people.tick(2026, 12, 16, 7)  # after the reflection meeting (People.tick: no errors)
    assert set(keys) <= set(report.created)
    for key in keys:
        found = people.world.ws.find(key)
        assert found is not None and not is_building(found), key
    assert sorted(people.notified(keys[0])) == sorted([e for _, e in K2] + ["chloe.park@cedar.example.org"])
    assert people.notified(keys[1]) == ["hana@cedar.example.org"]
    assert sorted(people.notified(keys[2])) == sorted([e for _, e in MATH] + [DEV])
    refusal = [s for s in report.skipped if s.startswith(keys[1])]
    assert len(refusal) == 1 and TYPO in refusal[0] and "Pilot group" in refusal[0]

    again = people.tick(2026, 12, 17, 7)
    assert again.created == [] and any(TYPO in s for s in again.skipped)
    runs = [r for r in people.world.tracker_rows(TRACKER, RUNS) if r[3] == keys[1] and TYPO in r[5]]
    assert [r[1][:10] for r in runs] == ["2026-12-16", "2026-12-17"]
    status = school_status(config, people.world.ws, local(config, 2026, 12, 17, 8))
    assert any(a.key == keys[1] and TYPO in a.detail for a in status.attention)
    assert people.notified(keys[1]) == ["hana@cedar.example.org"]  # nobody e-mailed twice

    people.world.people.set_cell(people.world.file_id(FALL_DOC), ANA, "Adjustment", ROWS[1][0], 2,
                                 "hana@cedar.example.org, ivan@cedar.example.org")
    fixed = people.tick(2026, 12, 18, 7)
    assert not any(TYPO in s for s in fixed.skipped)
    assert sorted(people.notified(keys[1])) == ["hana@cedar.example.org", "ivan@cedar.example.org"]
