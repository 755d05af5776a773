"""Runs that overlap: three machines tick one school at once, and two district shards share a school.

Each machine has its own lock dir (as Kubernetes pods or two cron hosts have), so nothing stops them
running the same pass together. Between rounds ILT members answer the feedback Forms. After each round
every response is in the tracker (none lost); rows a race wrote twice are removed by the next pass under
the tracker's lease, by the rule every machine applies (docs/tracker-identity.md, "Runs that overlap"):
after the settling pass, 0 duplicated and 0 lost, counted by response id and by meeting date.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest

from ilt_bot.config import load_config
from ilt_bot.district import run_schools
from ilt_bot.jobs.tracker import FEEDBACK, MEETINGS
from ilt_bot.runner import run_school
from ilt_bot.workspace.ratelimit import RateLimiter
from tests.jobs.conftest import SandboxWorld

HERE = Path(__file__).resolve().parents[1] / "jobs"
MEMBERS = [f"{n}@cedar.example.org" for n in ("ana.ruiz", "ben.okafor", "chloe.park", "dev.patel")]
TRACKER = "cedar/tracker/2026-27"


@pytest.fixture
def world(sandbox, monkeypatch):
    from ilt_bot.workspace.gateway import connect

    monkeypatch.setenv("ILT_BOT_SANDBOX_URL", sandbox.url)
    config = load_config(HERE / "school.toml")
    gateway = connect(config, limiter=RateLimiter(enabled=False))
    try:
        yield SandboxWorld(config, sandbox, gateway)
    finally:
        gateway.close()


def at(config, *args: int) -> datetime:
    return datetime(*args, tzinfo=config.tz)


def together(*runs) -> list:
    """Start every run at the same moment (a barrier), wait for all; their results in order."""
    barrier = threading.Barrier(len(runs))
    results: list = [None] * len(runs)

    def go(i: int) -> None:
        barrier.wait()
        results[i] = runs[i]()

    threads = [threading.Thread(target=go, args=(i,)) for i in range(len(runs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


def machines(config, now: datetime, tmp_path: Path, n: int = 3) -> list:
    """``n`` machines ticking ``now``, each with its own lock dir."""
    return together(*[lambda i=i: run_school(config, now, lock_dir=tmp_path / f"machine-{i}",
                                             limiter=RateLimiter(enabled=False)) for i in range(n)])


def counts(world, tab: str) -> Counter[str]:
    return Counter(r[0] for r in world.tracker_rows(TRACKER, tab) if r and r[0])


def answer(world, config, form_key: str, round_no: int) -> list[str]:
    texts = []
    for email in MEMBERS[:3]:
        text = f"round {round_no}: {email.split('@')[0]}"
        world.respond(form_key, email, {"plus": text}, at(config, 2026, 8, 25))
        texts.append(text)
    return texts


def test_three_machines_at_once_converge_on_one_row_each(world, tmp_path):
    config = world.config
    started = time.monotonic()
    results = machines(config, at(config, 2026, 8, 22, 12), tmp_path)
    assert all(r.status == "done" for r in results), [r.errors for r in results]
    rounds = [((2026, 8, 26, 7), "cedar/feedback/2026-08-25"), ((2026, 8, 27, 12), "cedar/feedback/2026-08-25"),
              ((2026, 9, 5, 12), "cedar/feedback/2026-08-25"), ((2026, 9, 9, 12), "cedar/feedback/2026-09-08")]
    raced = 0
    for n, (when, form) in enumerate(rounds):
        answer(world, config, form, n)
        results = machines(config, at(config, *when), tmp_path)
        assert all(r.status == "done" for r in results), [r.errors for r in results]
        responses = counts(world, FEEDBACK)
        assert len(responses) == 3 * (n + 1)  # none lost, right after the round
        raced += sum(c - 1 for c in responses.values())
    settle = run_school(config, at(config, 2026, 9, 9, 13), lock_dir=tmp_path / "machine-0",
                        limiter=RateLimiter(enabled=False))
    assert settle.status == "done", settle.errors
    responses, meetings = counts(world, FEEDBACK), counts(world, MEETINGS)
    assert len(responses) == 12 and set(responses.values()) == {1}, responses  # 0 lost, 0 duplicated
    assert set(meetings) == {"2026-08-25", "2026-09-08"} and set(meetings.values()) == {1}, meetings
    print(f"\nthree machines: {raced} rows duplicated by races, all removed; {time.monotonic() - started:.1f} s")
    assert time.monotonic() - started < 60


def test_two_overlapping_district_shards_leave_one_row_each(world, tmp_path):
    config = world.config
    shard = [config]  # the school is in both shards (a shard count changed while pods were running)

    def district(i: int):
        return lambda: run_schools(shard, now[0], lock_dir=tmp_path / f"shard-{i}", limiter=RateLimiter(enabled=False))

    now = [at(config, 2026, 8, 22, 12)]
    together(district(0), district(1))
    for n, when in enumerate([(2026, 8, 26, 7), (2026, 9, 5, 12)]):
        answer(world, config, "cedar/feedback/2026-08-25", n)
        now[0] = at(config, *when)
        for results in together(district(0), district(1)):
            assert all(r.status == "done" for r in results), [r.errors for r in results]
        assert len(counts(world, FEEDBACK)) == 3 * (n + 1)
    now[0] = at(config, 2026, 9, 5, 13)
    together(district(0))
    responses, meetings = counts(world, FEEDBACK), counts(world, MEETINGS)
    assert len(responses) == 6 and set(responses.values()) == {1}, responses
    assert set(meetings.values()) == {1}, meetings
