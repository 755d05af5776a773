"""The production cost guard: one two-week meeting cycle played as production runs it (a new gateway per
tick, ``benchmarks/bench_meeting_cycle.py``) stays within its request budget (benchmarks/README.md)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_meeting_cycle.py"


def load_bench():
    spec = importlib.util.spec_from_file_location("bench_meeting_cycle", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def cycle():
    bench = load_bench()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ILT_BOT_SANDBOX_URL", "")  # set per cycle by the benchmark; restored after
        return bench, bench.one_cycle(members=4, answers_each=1)


def test_a_cycle_costs_at_most_100_requests_and_a_quiet_tick_at_most_5(cycle):
    """18 ticks, each a new gateway (a new ``ilt-bot tick`` process): the cycle's HTTP requests and its
    quietest ticks' requests stay within the budget, and the work still happened (responses synced)."""
    bench, result = cycle
    assert result["ticks"] == 18
    assert bench.verdict([result], bench.MAX_CYCLE, bench.MAX_QUIET) == [], result["per_tick"]
    assert result["quiet_ticks"] >= 10  # most ticks of a cycle have nothing to do
    assert result["http_requests"] <= 100 and result["quiet_max"] <= 5


def test_the_budget_check_fails_a_cycle_over_budget(cycle):
    """The guard can fail: the same cycle against a smaller budget is reported."""
    bench, result = cycle
    problems = bench.verdict([result], result["http_requests"] - 1, result["quiet_max"] - 1)
    assert len(problems) == 2
