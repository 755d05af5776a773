"""Hardening, catch-up: thinking maps that fell due while no tick ran are sent late or reported missed.

The school of ``test_thinking_map`` (thinking maps every cycle). Cycle c1 runs Aug 24 - Oct 2 (its Forms
are due Sep 25, the digests Oct 5); c2 runs Oct 5 - Nov 13 (Forms due Nov 6, digests Nov 16). The bot is
down over each due time. Runs on the sandbox through the real gateway; what a person sees is read back
from it: the Forms in Drive, who was e-mailed, the tracker's Runs tab, ``ilt-bot status``.
"""

from __future__ import annotations

import pytest

from ilt_bot.jobs.catchup import MISSED
from ilt_bot.jobs.tracker import RUNS
from ilt_bot.status import school_status
from tests.jobs.test_thinking_map import K2, MATH, TRACKER, People, local, make_config

C1 = ["cedar/thinking-map/k2-literacy/c1", "cedar/thinking-map/math-35/c1"]
C2 = ["cedar/thinking-map/k2-literacy/c2", "cedar/thinking-map/math-35/c2"]


@pytest.fixture
def config():
    return make_config()


@pytest.fixture
def people(sandbox_world, config):
    return People(sandbox_world, config)


def missed_rows(people: People) -> dict[str, str]:
    """Runs tab: key -> detail of each ``missed`` row."""
    return {r[3]: r[5] for r in people.world.tracker_rows(TRACKER, RUNS) if r[4] == MISSED}


def test_a_thinking_map_due_during_an_outage_is_sent_while_its_cycle_runs(people):
    """No tick from Aug 22 to Sep 30: the c1 Forms (due Sep 25) go out on Sep 30, before c1 ends on Oct 2,
    to each team's teachers; nothing is reported missed."""
    people.tick(2026, 8, 22, 12)
    report = people.tick(2026, 9, 30, 12)
    assert set(C1) <= set(report.created)
    assert sorted(people.notified(C1[0])) == sorted(e for _, e in K2)
    assert sorted(people.notified(C1[1])) == sorted(e for _, e in MATH)
    assert missed_rows(people) == {}


def test_a_thinking_map_whose_cycle_ended_unsent_is_reported_missed(people, config):
    """No tick from Aug 22 to Nov 14: c2 ended on Nov 13 with its Forms never sent. They are not sent late
    (no Form, no e-mail to a teacher); each is reported ``missed`` in the Runs tab and by ``ilt-bot status``,
    and again by the pass after the digests fell due (Nov 18), never silently dropped.
    Cycle dates: ``learning_cycles`` of tests/jobs/school.toml; window rule: ilt_bot/jobs/thinking_map.py."""
    people.tick(2026, 8, 22, 12)
    report = people.tick(2026, 11, 14, 12)
    for key in C2:
        assert not people.world.ws.find(key), f"{key} was sent after its cycle ended"
        assert any(s.startswith(f"{key}: {MISSED}") for s in report.skipped)
    rows = missed_rows(people)
    assert set(C2) <= set(rows)
    assert "Fri Nov 06" in rows[C2[0]] and "Sat Nov 14 00:00" in rows[C2[0]]

    status = school_status(config, people.world.ws, local(config, 2026, 11, 14, 13))
    assert {a.key for a in status.attention if a.what == MISSED} >= set(C2)

    people.tick(2026, 11, 18, 12)  # after the digests fell due: still not sent, still reported
    assert all(not people.world.ws.find(key) for key in C2)
    later = {r[3]: r[1] for r in people.world.tracker_rows(TRACKER, RUNS) if r[4] == MISSED}
    assert all(later[key].startswith("2026-11-18") for key in C2)
    status = school_status(config, people.world.ws, local(config, 2026, 11, 20, 7))
    assert {a.key for a in status.attention if a.what == MISSED} >= set(C2)


def test_an_outage_over_the_whole_window_and_the_digest_day_is_reported(people, config):
    """No tick from Aug 22 to Nov 20 (c2's Forms and digests both fell due unmade): the digest pass
    reports the c2 Forms missed (and makes no digest of nothing)."""
    people.tick(2026, 8, 22, 12)
    report = people.tick(2026, 11, 20, 12)
    assert set(C2) <= set(missed_rows(people))
    assert not any(k.startswith("cedar/tm-digest/") and k.endswith("/c2") for k in report.created)
