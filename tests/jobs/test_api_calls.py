"""The bot's API calls per meeting cycle, counted from the sandbox request log (see the benchmark)."""

from __future__ import annotations

import pytest

from tests.conftest import load_benchmark


def load_bench():
    return load_benchmark("bench_meeting_cycle")


@pytest.mark.slow
def test_calls_per_cycle_do_not_grow_with_members_or_responses(monkeypatch):
    bench = load_bench()
    monkeypatch.setenv("ILT_BOT_SANDBOX_URL", "")  # set per cycle by the benchmark; restored after the test
    small = bench.one_cycle(members=4, answers_each=1)
    large = bench.one_cycle(members=12, answers_each=3)
    assert small["responses"] == 4 and large["responses"] == 36
    assert small["http_requests"] == large["http_requests"], (small["by_method"], large["by_method"])
    # Bounded per tick: a quiet pass reads the tracker, polls open Forms and two agendas, nothing more.
    assert large["http_requests"] <= 15 * large["ticks"]
    # Grants are one per person and file (a Doc and a Form per meeting), sent in one batch per file.
    assert large["batched_grants"] == 2 * 12 and small["batched_grants"] == 2 * 4
