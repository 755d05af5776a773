"""`ilt-bot tick`: the --json report, exit codes (0, 1, 2, 75), two processes at once, catching up a week."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ilt_bot import cli
from ilt_bot.config import load_config
from ilt_bot.errors import RunError
from ilt_bot.jobs import TickReport
from ilt_bot.locking import school_lock

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "config.example.toml"
ILT_BOT = Path(sys.executable).parent / "ilt-bot"
runner = CliRunner()
REPORT_KEYS = {"created", "existing", "synced_responses", "skipped", "errors"}



@pytest.fixture
def env(tmp_path, sandbox, monkeypatch):
    """A copy of the example config pointed at the test's sandbox, and a private lock directory."""
    config = tmp_path / "config.toml"
    config.write_text(EXAMPLE.read_text())
    monkeypatch.setenv("ILT_BOT_SANDBOX_URL", sandbox.url)
    monkeypatch.setenv("ILT_BOT_LOCK_DIR", str(tmp_path / "locks"))
    monkeypatch.delenv("ILT_BOT_CONFIG", raising=False)
    return config


def tick(*args: str):
    return runner.invoke(cli.app, ["tick", *args], catch_exceptions=False)


def drive_keys(sandbox, build_service, admin) -> Counter[str]:
    """How many live files carry each iltbot_key, as the super admin sees Drive."""
    drive = build_service(sandbox, "drive", "v3", admin)
    keys: Counter[str] = Counter()
    token = None
    while True:
        page = drive.files().list(q="trashed = false", fields="nextPageToken,files(id,appProperties)",
                                  pageSize=1000, pageToken=token).execute()
        for item in page.get("files", []):
            key = (item.get("appProperties") or {}).get("iltbot_key")
            if key:
                keys[key] += 1
        token = page.get("nextPageToken")
        if not token:
            return keys


def test_tick_json_report_then_rerun_creates_nothing(env):
    first = tick("-c", str(env), "--now", "2026-08-18T06:30", "--json")
    assert first.exit_code == 0, first.output
    report = json.loads(first.stdout)
    assert set(report) >= REPORT_KEYS
    assert report["status"] == "done" and report["errors"] == []
    assert {"cedar/tracker/2026-27", "cedar/agenda/2026-08-20", "cedar/feedback/2026-08-20"} <= set(report["created"])
    assert "cedar/agenda/2026-08-25" not in report["created"]  # due 2026-08-21, not yet

    again = json.loads(tick("-c", str(env), "--now", "2026-08-18T06:30", "--json").stdout)
    assert again["created"] == [] and again["errors"] == [] and again["existing"] >= 3


def test_tick_text_output_and_dry_run_writes_nothing(env, sandbox, build_service, admin):
    result = tick("-c", str(env), "--now", "2026-08-18T06:30", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "dry run" in result.stdout and "+ cedar/agenda/2026-08-20" in result.stdout
    assert drive_keys(sandbox, build_service, admin) == Counter()


def test_bad_config_exits_2_with_the_field_path(env):
    env.write_text(env.read_text().replace('weekday = "tuesday"', 'weekday = "tusday"'))
    result = tick("-c", str(env), "--json")
    assert result.exit_code == 2
    data = json.loads(result.stdout)
    assert data["ok"] is False and data["problems"][0]["path"] == "meetings.weekday"


def test_missing_config_exits_2(tmp_path):
    result = tick("-c", str(tmp_path / "nope.toml"))
    assert result.exit_code == 2
    assert "does not exist" in result.stderr


def test_lock_busy_exits_75(env, tmp_path):
    with school_lock("cedar", tmp_path / "locks"):
        result = tick("-c", str(env), "--now", "2026-08-18T06:30", "--json")
    assert result.exit_code == 75, result.output
    data = json.loads(result.stdout)
    assert data["status"] == "busy" and "another ilt-bot run" in data["errors"][0]


@pytest.mark.parametrize(("errors", "code", "status"), [
    ([RunError("Unavailable", "standing", "Google did not answer properly", retryable=True)], 75, "retry"),
    ([RunError("RateLimited", "cedar/agenda/2026-08-20", "per-minute limit", retryable=True),
      RunError("QuotaExceeded", "cedar/feedback/2026-08-20", "storage full", retryable=True)], 75, "retry"),
    ([RunError("PermissionDenied", "cedar/agenda/2026-08-20", "cannot add files to folder")], 1, "failed"),
    ([RunError("RateLimited", "cedar/agenda/2026-08-20", "per-minute limit", retryable=True),
      RunError("TemplateError", "cedar/agenda/2026-08-20", "undefined name 'focus'")], 1, "failed"),
])
def test_errors_in_the_report_pick_the_exit_code(env, monkeypatch, errors, code, status):
    """Exit 75 only when every error of the tick is retryable (a later run may succeed unchanged)."""
    def failing_tick(config, workspace, now, dry_run=False, **_):
        return TickReport(errors=list(errors))

    monkeypatch.setattr("ilt_bot.runner.run_tick", failing_tick)
    result = tick("-c", str(env), "--json")
    assert result.exit_code == code
    data = json.loads(result.stdout)
    assert data["status"] == status and data["errors"] == [str(e) for e in errors]
    text = tick("-c", str(env))
    assert all(f"! {e.key}: {e.kind}: {e.message}" in text.stdout for e in errors)


def test_a_retryable_kind_is_not_enough_the_flag_decides(env, monkeypatch):
    """The exit code follows RunError.retryable, not the error's name: a RateLimited marked final fails."""
    def failing_tick(config, workspace, now, dry_run=False, **_):
        return TickReport(errors=[RunError("RateLimited", "cedar/agenda/2026-08-20", "daily limit, final")])

    monkeypatch.setattr("ilt_bot.runner.run_tick", failing_tick)
    assert tick("-c", str(env), "--json").exit_code == 1


def test_outage_while_connecting_exits_75(env, monkeypatch):
    from ilt_bot.workspace.errors import Unavailable

    def down(config, **_):
        raise Unavailable("Signing in failed: the token endpoint answered 503")

    monkeypatch.setattr("ilt_bot.workspace.gateway.connect", down)
    result = tick("-c", str(env), "--json")
    assert result.exit_code == 75
    assert json.loads(result.stdout)["status"] == "retry"


def test_shard_without_all_and_bad_now_are_usage_errors(env):
    assert tick("-c", str(env), "--shard", "0/2").exit_code == 2
    assert tick("-c", str(env), "--now", "next tuesday").exit_code == 2
    assert tick("-c", str(env), "--log-format", "yaml").exit_code == 2


def test_two_ticks_at_once_create_each_artifact_once(env, tmp_path, sandbox, build_service, admin):
    environ = {**os.environ, "ILT_BOT_SANDBOX_URL": sandbox.url, "ILT_BOT_LOCK_DIR": str(tmp_path / "locks")}
    command = [str(ILT_BOT), "tick", "-c", str(env), "--now", "2026-09-01T06:30", "--json", "--wait-lock", "120"]
    procs = [subprocess.Popen(command, env=environ, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    outputs = [p.communicate(timeout=180) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [o[1][-2000:] for o in outputs]
    reports = [json.loads(o[0]) for o in outputs]
    created = reports[0]["created"] + reports[1]["created"]
    assert len(created) == len(set(created)), "both processes claim to have created the same artifact"
    keys = drive_keys(sandbox, build_service, admin)
    assert "cedar/agenda/2026-09-01" in keys
    assert set(created) <= set(keys)
    assert all(n == 1 for n in keys.values()), {k: n for k, n in keys.items() if n > 1}


def test_catch_up_after_a_week_off_creates_what_fell_due_that_week_and_nothing_more(env):
    from ilt_bot.calendar import SchoolYear
    from ilt_bot.plan import plan

    config = load_config(env)
    last = datetime(2026, 9, 1, 6, 30, tzinfo=config.tz)
    back = last + timedelta(days=7)
    first = json.loads(tick("-c", str(env), "--now", last.isoformat(), "--json").stdout)
    assert first["errors"] == []
    standing = {"tracker", "intake_form"}
    due_that_week = {i.key for i in plan(config, SchoolYear(config), last, back)
                     if last < i.due <= back and i.kind not in standing}
    assert {"cedar/agenda/2026-09-08", "cedar/feedback/2026-09-08"} <= due_that_week

    result = tick("-c", str(env), "--now", back.isoformat(), "--json")
    assert result.exit_code == 0, result.output
    caught_up = json.loads(result.stdout)
    assert caught_up["errors"] == []
    assert set(caught_up["created"]) == due_that_week
    assert not set(caught_up["created"]) & set(first["created"])


def test_run_daemon_ticks_at_start_and_stops_cleanly_on_sigterm(env, tmp_path, sandbox):
    import signal
    import time

    environ = {**os.environ, "ILT_BOT_SANDBOX_URL": sandbox.url, "ILT_BOT_LOCK_DIR": str(tmp_path / "locks")}
    log_file = tmp_path / "daemon.log"

    def ticks() -> list[dict]:
        lines = [ln for ln in log_file.read_text().splitlines() if ln.startswith("{")]
        return [d for d in map(json.loads, lines) if d.get("event") == "tick"]

    with log_file.open("w") as stderr:
        proc = subprocess.Popen([str(ILT_BOT), "run", "-c", str(env), "--log-format", "json"], env=environ,
                                stdout=subprocess.DEVNULL, stderr=stderr, text=True)
        try:
            deadline = time.monotonic() + 120
            while not ticks():  # the catch-up tick at start
                assert proc.poll() is None, log_file.read_text()[-2000:]
                assert time.monotonic() < deadline, "no catch-up tick"
                time.sleep(0.3)
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
    text = log_file.read_text()
    assert proc.returncode == 0, text[-2000:]
    first = ticks()[0]
    assert first["school"] == "cedar" and first["status"] == "done" and first["n_created"] >= 3
    assert re.search(r"stopped after \d+ ticks \(0 crashed\)", text)
