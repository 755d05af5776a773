"""The `ilt-bot` command line: check, plan, sandbox serve, exit codes and the --json contract."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ilt_bot import __version__, cli

EXAMPLE = Path(__file__).resolve().parents[1] / "config.example.toml"
runner = CliRunner()


def run(*args: str, env: dict[str, str] | None = None):
    return runner.invoke(cli.app, list(args), env=env, catch_exceptions=False)


def five_mistakes(tmp_path: Path) -> Path:
    text = EXAMPLE.read_text()
    for old, new in [
        ('weekday = "tuesday"', 'weekday = "tusday"'),
        ('lead = "hana-kim"', 'lead = "hanna-kim"'),
        ('email = "ben.okafor@cedarheights.example.org"', 'email = "ben.okafor@gmail.com"'),
        ("cancelled_dates = [2026-10-27]", "cancelled_dates = [2027-07-06]"),
        ('months = ["2027-04"]', 'months = ["2027-13"]'),
    ]:
        assert old in text
        text = text.replace(old, new)
    path = tmp_path / "config.toml"
    path.write_text(text)
    return path


def test_version():
    result = run("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"ilt-bot {__version__}"


def test_check_example_ok():
    result = run("check", "-c", str(EXAMPLE))
    assert result.exit_code == 0, result.output
    assert "OK" in result.stdout and "Cedar Heights K-8 School" in result.stdout
    assert "36 meetings" in result.stdout


def test_check_json_ok():
    result = run("check", "-c", str(EXAMPLE), "--json")
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    assert report["ok"] is True and report["problems"] == []
    assert report["members"] == 8 and report["teams"] == 5 and report["meetings"] == 36


def test_check_names_all_five_mistakes_and_exits_2(tmp_path):
    path = five_mistakes(tmp_path)
    result = run("check", "-c", str(path))
    assert result.exit_code == 2
    assert "5 problems" in result.stderr
    for where in ["meetings.weekday", "teams[4].lead", "members[1].email", "meetings.cancelled_dates[0]",
                  "scope_sequence[5].months[0]"]:
        assert where in result.stderr
    assert "fix: did you mean 'hana-kim'?" in result.stderr
    assert "Traceback" not in result.output
    assert result.stdout == ""


def test_check_json_lists_problems_on_stdout(tmp_path):
    result = run("check", "-c", str(five_mistakes(tmp_path)), "--json")
    assert result.exit_code == 2
    report = json.loads(result.stdout)
    assert report["ok"] is False
    assert len(report["problems"]) == 5
    assert all(set(p) == {"path", "message", "fix"} and p["fix"] for p in report["problems"])


def test_check_toml_syntax_error(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text("[school]\nid = 'cedar'\nname = Cedar\n")
    result = run("check", "-c", str(path))
    assert result.exit_code == 2
    assert "line 3, column 8" in result.stderr


def test_config_default_then_env(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    missing = run("check", env={"ILT_BOT_CONFIG": ""})
    assert missing.exit_code == 2
    assert "config.toml does not exist" in missing.stderr
    assert "cp config.example.toml config.toml" in missing.stderr
    from_env = run("check", env={"ILT_BOT_CONFIG": str(EXAMPLE)})
    assert from_env.exit_code == 0, from_env.output
    (tmp_path / "config.toml").write_text("not toml [")
    assert run("check", env={"ILT_BOT_CONFIG": str(EXAMPLE)}).exit_code == 2  # ./config.toml comes first


def test_plan_json_lists_every_meeting_with_agenda_and_feedback():
    result = run("plan", "-c", str(EXAMPLE), "--json")
    assert result.exit_code == 0
    report = json.loads(result.stdout)  # exactly one JSON object
    assert report["school"] == "cedar" and report["year"] == "2026-27"
    meetings = [m["date"] for m in report["meetings"]]
    assert len(meetings) == 36
    keys = {i["key"] for i in report["items"]}
    for day in meetings:
        assert f"cedar/agenda/{day}" in keys
        assert f"cedar/feedback/{day}" in keys
    assert report["count"] == len(report["items"]) == sum(report["counts"].values())
    first = report["items"][0]
    assert set(first) >= {"kind", "key", "due", "target"}


def test_plan_table_and_window():
    result = run("plan", "-c", str(EXAMPLE), "--from", "2026-09-11", "--to", "2026-09-15")
    assert result.exit_code == 0
    assert "cedar/agenda/2026-09-15" in result.stdout
    assert "cedar/agenda/2026-09-22" not in result.stdout
    assert "Fri 2026-09-11 06:00" in result.stdout


def test_plan_kind_filter_json():
    result = run("plan", "-c", str(EXAMPLE), "--kind", "prework", "--json")
    report = json.loads(result.stdout)
    assert report["counts"] == {"prework": 16}


def test_plan_bad_date_is_a_usage_error():
    result = run("plan", "-c", str(EXAMPLE), "--from", "next week", env={"COLUMNS": "200"})
    assert result.exit_code == 2
    assert "'next week' is not a date; write it like 2026-09-15" in result.output
    assert "Traceback" not in result.output


def test_plan_with_config_problems_exits_2(tmp_path):
    result = run("plan", "-c", str(five_mistakes(tmp_path)), "--json")
    assert result.exit_code == 2
    assert json.loads(result.stdout)["error"] == "config"


def test_sandbox_serve_passes_its_options(monkeypatch):
    import ilt_bot.sandbox.server as server

    seen = {}
    monkeypatch.setattr(server, "serve_forever", lambda **kwargs: seen.update(kwargs))
    result = run("sandbox", "serve", "--port", "9000", "--db", ":memory:", "--latency-ms", "20",
                 "--fault-rate", "0.1", "--fault-seed", "7", "--request-log", "requests.jsonl")
    assert result.exit_code == 0, result.output
    assert seen == {"host": "127.0.0.1", "port": 9000, "db": ":memory:", "latency_ms": 20.0, "fault_rate": 0.1,
                    "fault_seed": 7, "request_log": "requests.jsonl", "enforce_quotas": True,
                    "accounts": []}


def test_unexpected_failure_exits_1_without_traceback(monkeypatch, capsys):
    class Broken:
        def __init__(self, config):
            raise RuntimeError("disk on fire")

    monkeypatch.setattr(cli, "SchoolYear", Broken)
    monkeypatch.delenv("ILT_BOT_DEBUG", raising=False)
    with pytest.raises(SystemExit) as info:
        cli.main(["plan", "-c", str(EXAMPLE)])
    assert info.value.code == 1
    err = capsys.readouterr().err
    assert "RuntimeError: disk on fire" in err
    assert "Traceback" not in err
