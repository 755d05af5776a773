"""The production cost guard: one two-week meeting cycle played as production runs it (a new gateway per
tick, ``benchmarks/bench_meeting_cycle.py``) stays within its request budget (benchmarks/README.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import load_benchmark

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_meeting_cycle.py"


def load_bench():
    return load_benchmark("bench_meeting_cycle")


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


def look_at_thinking_maps(server, config):
    """Each key of the heaviest tick's artifacts: live copies in Drive, and who may answer each team's Form."""
    from ilt_bot.jobs.thinking_map import form_key
    from ilt_bot.jobs.tm_responses import responses_key
    from ilt_bot.workspace.gateway import connect
    from ilt_bot.workspace.ratelimit import RateLimiter

    keys = [form_key(config, t.id, "c1") for t in config.teams]
    keys += [responses_key(config), "cedar/agenda/2026-09-29", "cedar/feedback/2026-09-29"]
    with connect(config, limiter=RateLimiter(enabled=False)) as gateway:
        copies = {k: len([f for f in gateway.drive.find_items(k) if not f.get("trashed")]) for k in keys}
        readers = {}
        for team in config.teams:
            form = gateway.find(form_key(config, team.id, "c1"))
            perms = gateway.drive.list_permissions(form.id)
            readers[team.id] = {p.get("emailAddress", "").lower() for p in perms if p.get("view") == "published"}
    return {"copies": copies, "readers": readers}


@pytest.mark.slow
def test_the_heaviest_tick_runs_its_chains_side_by_side_and_makes_each_artifact_once(monkeypatch):
    """The agenda with its Form and five teams' thinking-map Forms, made side by side (each thread its own
    gateway): each artifact exists once, each team's Form is answerable by that team's teachers only."""
    module = load_benchmark("bench_heavy_tick")
    monkeypatch.setenv("ILT_BOT_SANDBOX_URL", "")
    result = module.heavy_tick(0, inspect=look_at_thinking_maps)
    seen = result["inspected"]
    assert set(seen["copies"].values()) == {1}, seen["copies"]
    from ilt_bot.config import load_config

    config = load_config(BENCH.parents[1] / "config.example.toml")
    for team in config.teams:
        assert seen["readers"][team.id] == {str(t.email).lower() for t in team.teachers}
    assert result["requests"] <= 90
