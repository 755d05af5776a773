"""District configs: inheritance, errors naming the school file, sharding, `tick --all` on one shared sandbox."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ilt_bot import cli
from ilt_bot.district import (
    deep_merge,
    load_district,
    load_schools,
    parse_shard,
    run_schools,
    select_shard,
)
from ilt_bot.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "district"
runner = CliRunner()



@pytest.fixture
def district(tmp_path, monkeypatch) -> Path:
    """A copy of examples/district (its embedded sandbox db then lands in tmp)."""
    target = tmp_path / "district"
    shutil.copytree(EXAMPLE, target, ignore=shutil.ignore_patterns(".ilt-bot"))
    monkeypatch.setenv("ILT_BOT_LOCK_DIR", str(tmp_path / "locks"))
    monkeypatch.delenv("ILT_BOT_SANDBOX_URL", raising=False)
    return target / "district.toml"


def test_schools_inherit_the_district_defaults():
    d = load_district(EXAMPLE / "district.toml")
    assert d.name == "Front Range Public Schools" and d.max_workers == 4
    assert [c.school.id for c in d.schools] == ["cedar", "oak", "pine"]
    cedar, oak, pine = d.schools
    # tables merge key by key: timezone/domain/norms from the district, id/name from the school
    assert cedar.school.timezone == "America/Denver" and cedar.school.domain == "frontrange.example.org"
    assert cedar.school.name == "Cedar Heights K-8 School" and len(cedar.school.norms) == 4
    assert oak.school.norms == ["Be on time.", "Listen to understand.", "Decide with data."]  # the school wins
    # lists are replaced, not appended
    assert len(cedar.scope_sequence) == 3 and cedar.scope_sequence[0].strand == "data"
    assert oak.scope_sequence[0].focus_area == "Checks for understanding in math"
    assert pine.feedback.style == "stop_start_continue" and cedar.feedback.style == "plus_delta"
    # the calendar and schedule are the district's; the bot user is each school's own
    assert {c.year.label for c in d.schools} == {"2026-27"} and oak.meetings.frequency == "biweekly"
    assert {c.workspace.bot_user for c in d.schools} == {f"ilt-bot-{s}@frontrange.example.org"
                                                        for s in ("cedar", "oak", "pine")}
    # a relative path in the defaults is relative to the district file, not the school file
    assert cedar.workspace.sandbox_db == str((EXAMPLE / ".ilt-bot" / "district-sandbox.db").resolve())
    assert cedar.source == (EXAMPLE / "schools" / "cedar.toml").resolve()


def test_a_school_config_loads_as_a_district_of_one():
    schools, district = load_schools(ROOT / "config.example.toml")
    assert district is None and [c.school.id for c in schools] == ["cedar"]


def test_deep_merge():
    base = {"a": {"b": 1, "c": [1, 2]}, "d": 1}
    assert deep_merge(base, {"a": {"c": [3]}, "e": 2}) == {"a": {"b": 1, "c": [3]}, "d": 1, "e": 2}
    assert base == {"a": {"b": 1, "c": [1, 2]}, "d": 1}


def test_errors_name_the_school_file_and_field(district):
    oak = district.parent / "schools" / "oak.toml"
    oak.write_text(oak.read_text().replace('weekday = "thursday"', 'weekday = "thursdya"'))
    pine = district.parent / "schools" / "pine.toml"
    pine.write_text(pine.read_text().replace('id = "pine"', 'id = "oak"'))
    with pytest.raises(ConfigError) as caught:
        load_district(district)
    paths = [p.path for p in caught.value.problems]
    assert "schools/oak.toml: meetings.weekday" in paths
    assert "schools/pine.toml: school.id" in paths  # duplicate school id

    result = runner.invoke(cli.app, ["check", "-c", str(district), "--json"])
    assert result.exit_code == 2
    problems = json.loads(result.stdout)["problems"]
    assert any(p["path"] == "schools/oak.toml: meetings.weekday" and "thursday" in p["fix"] for p in problems)


def test_a_district_default_error_is_reported_per_school_file(district):
    text = district.read_text().replace('start = "06:00"', 'start = "21:00"')
    district.write_text(text)
    with pytest.raises(ConfigError) as caught:
        load_district(district)
    assert {p.path for p in caught.value.problems} == {f"schools/{s}.toml: schedule.end" for s in ("cedar", "oak",
                                                                                                    "pine")}


@pytest.mark.parametrize(("edit", "path"), [
    (('schools = ["schools/*.toml"]', 'schools = ["nowhere/*.toml"]'), "district.schools[0]"),
    (("max_workers = 4", "max_workers = 0"), "district.max_workers"),
    (("max_workers = 4", "max_wokers = 4"), "district.max_wokers"),
])
def test_district_section_mistakes(district, edit, path):
    district.write_text(district.read_text().replace(*edit))
    with pytest.raises(ConfigError) as caught:
        load_district(district)
    assert path in [p.path for p in caught.value.problems]


def test_schools_may_be_a_folder(district):
    district.write_text(district.read_text().replace('schools = ["schools/*.toml"]', 'schools = ["schools"]'))
    assert [c.school.id for c in load_district(district).schools] == ["cedar", "oak", "pine"]


def test_parse_shard():
    assert parse_shard("1/3") == (1, 3) and parse_shard(" 0 / 1 ") == (0, 1)
    for bad in ("3/3", "1", "a/b", "-1/2", "0/0"):
        with pytest.raises(ValueError):
            parse_shard(bad, {})
    assert parse_shard("auto", {"JOB_COMPLETION_INDEX": "2", "SHARD_COUNT": "4"}) == (2, 4)
    assert parse_shard("auto", {"CLOUD_RUN_TASK_INDEX": "0", "CLOUD_RUN_TASK_COUNT": "3"}) == (0, 3)
    with pytest.raises(ValueError, match="SHARD_COUNT"):
        parse_shard("auto", {"JOB_COMPLETION_INDEX": "1"})
    with pytest.raises(ValueError, match="CLOUD_RUN_TASK_INDEX"):
        parse_shard("auto", {})


def test_shards_split_the_sorted_schools_without_overlap():
    schools = load_district(EXAMPLE / "district.toml").schools
    shuffled = [schools[2], schools[0], schools[1]]
    parts = [[c.school.id for c in select_shard(shuffled, i, 2)] for i in range(2)]
    assert parts == [["cedar", "pine"], ["oak"]]
    assert [c.school.id for c in select_shard(shuffled, 0, 1)] == ["cedar", "oak", "pine"]
    assert select_shard(shuffled, 3, 4) == []


def test_tick_all_runs_every_school_on_one_shared_sandbox_and_shards_partition(district):
    args = ["tick", "-c", str(district), "--all", "--now", "2026-09-01T06:30", "--json"]
    first = runner.invoke(cli.app, [*args, "--shard", "0/2"])
    assert first.exit_code == 0, first.output
    data = json.loads(first.stdout)
    assert sorted(data["schools"]) == ["cedar", "pine"] and data["shard"] == "0/2"
    assert "cedar/agenda/2026-09-01" in data["schools"]["cedar"]["created"]
    assert "pine/agenda/2026-09-02" in data["schools"]["pine"]["created"]

    env = {"JOB_COMPLETION_INDEX": "1", "SHARD_COUNT": "2"}
    second = runner.invoke(cli.app, [*args, "--shard", "auto"], env=env)
    assert second.exit_code == 0, second.output
    assert sorted(json.loads(second.stdout)["schools"]) == ["oak"]

    everyone = json.loads(runner.invoke(cli.app, [*args]).stdout)  # the same sandbox db: all found
    assert sorted(everyone["schools"]) == ["cedar", "oak", "pine"]
    assert all(s["created"] == [] and s["errors"] == [] for s in everyone["schools"].values())


def test_tick_on_a_district_without_all_is_a_config_error(district):
    result = runner.invoke(cli.app, ["tick", "-c", str(district)])
    assert result.exit_code == 2 and "--all" in result.stderr


def test_schools_share_one_rate_limiter_and_run_concurrently(district, monkeypatch):
    import threading
    import time

    from ilt_bot.workspace import gateway as gateway_module

    real_connect = gateway_module.connect
    seen, active, peak = [], [0], [0]
    lock = threading.Lock()

    def spy(config, **kwargs):
        with lock:
            seen.append(kwargs.get("limiter"))
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        time.sleep(0.3)  # hold the slot so overlapping schools are visible
        try:
            return real_connect(config, **kwargs)
        finally:
            with lock:
                active[0] -= 1

    monkeypatch.setattr(gateway_module, "connect", spy)
    d = load_district(district)
    from datetime import datetime

    results = run_schools(d.schools, datetime(2026, 9, 1, 6, 30), max_workers=3, quotas=d.quotas)
    assert [r.status for r in results] == ["done"] * 3, [r.error or r.report for r in results]
    assert len(seen) == 3 and seen[0] is not None and all(limiter is seen[0] for limiter in seen)
    assert peak[0] >= 2
    users = {who for (name, who, _) in seen[0]._buckets if name.endswith(".user")}
    assert {f"ilt-bot-{s}@frontrange.example.org" for s in ("cedar", "oak", "pine")} <= users
    projects = {who for (name, who, _) in seen[0]._buckets if name.endswith(".project")}
    assert projects == {"default"}  # one project bucket per API class, shared by every school


def test_tick_one_school_of_a_district(district):
    result = runner.invoke(cli.app, ["tick", "-c", str(district), "--school", "oak", "--now", "2026-09-01T06:30",
                                     "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)  # one school: the single-school object
    assert "oak/agenda/2026-09-03" in data["created"] and all(k.startswith("oak/") for k in data["created"])
    unknown = runner.invoke(cli.app, ["tick", "-c", str(district), "--school", "elm"])
    assert unknown.exit_code == 2 and "elm" in unknown.stderr


def test_benchmark_runs_ci_sized():
    from tests.conftest import load_benchmark

    bench = load_benchmark("bench_district")
    result = bench.run(n=2, latency_ms=0, every=480, workers=2, days=1)
    assert result["error_count"] == 0 and result["statuses"] == {"done": 4}
    assert result["created"] >= 2 * 9  # folders, tracker, intake Form, the next agenda and its Form, each
    assert result["api_calls"] == sum(result["calls_by_api"].values()) > result["first_beat"]["calls"]
    assert result["quota_floor_minutes"] == 0  # two schools fit in one minute of every quota


def test_check_online_and_scopes_for_every_school_of_a_district(district):
    online = runner.invoke(cli.app, ["check", "-c", str(district), "--online", "--json"])
    assert online.exit_code == 0, online.output
    data = json.loads(online.stdout)
    assert data["ok"] is True and data["online"] is True and [s["school"] for s in data["schools"]] == [
        "cedar", "oak", "pine"]
    scopes = runner.invoke(cli.app, ["check", "-c", str(district), "--scopes", "--json"])
    assert scopes.exit_code == 0
    assert json.loads(scopes.stdout) == [
        "https://www.googleapis.com/auth/drive.file", "https://www.googleapis.com/auth/documents",
        "https://www.googleapis.com/auth/forms.body", "https://www.googleapis.com/auth/forms.responses.readonly",
        "https://www.googleapis.com/auth/spreadsheets"]
    text = runner.invoke(cli.app, ["check", "-c", str(district), "--scopes"]).stdout.split()
    assert text[0] == "https://www.googleapis.com/auth/drive.file" and len(text) == 5


def test_check_online_names_a_folder_the_bot_cannot_see(district):
    cedar = district.parent / "schools" / "cedar.toml"
    cedar.write_text(cedar.read_text() + '\n[drive]\nfolders = { agendas = "1NotSharedWithTheBot" }\n')
    result = runner.invoke(cli.app, ["check", "-c", str(district), "--online", "--json"])
    assert result.exit_code == 2, result.output
    problems = json.loads(result.stdout)["problems"]
    assert [p["path"] for p in problems] == ["schools/cedar.toml: drive.folders.agendas"]
    assert "ilt-bot-cedar@frontrange.example.org" in problems[0]["fix"]
