"""`ilt-bot status`: last run and recent creations from the Runs tab, what is due, what needs a person."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ilt_bot import cli
from ilt_bot.status import last_run, recent_created, unanswered_forms

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "config.example.toml"
runner = CliRunner()



@pytest.fixture
def env(tmp_path, sandbox, monkeypatch):
    config = tmp_path / "config.toml"
    config.write_text(EXAMPLE.read_text())
    monkeypatch.setenv("ILT_BOT_SANDBOX_URL", sandbox.url)
    monkeypatch.setenv("ILT_BOT_LOCK_DIR", str(tmp_path / "locks"))
    return config


def invoke(*args: str):
    result = runner.invoke(cli.app, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def file_id(sandbox, build_service, admin, key: str) -> str:
    drive = build_service(sandbox, "drive", "v3", admin)
    files = drive.files().list(q="trashed = false", fields="files(id,appProperties)", pageSize=1000).execute()
    return next(f["id"] for f in files["files"] if (f.get("appProperties") or {}).get("iltbot_key") == key)


def test_status_before_any_run_says_the_bot_never_ran(env):
    data = json.loads(invoke("status", "-c", str(env), "--now", "2026-09-01T08:00", "--json").stdout)
    cedar = data["schools"]["cedar"]
    assert cedar["last_run"] is None and cedar["tracker"] is None
    assert [a["what"] for a in cedar["attention"]] == ["never_ran"]
    assert {"cedar/agenda/2026-09-08", "cedar/feedback/2026-09-08"} <= {i["key"] for i in cedar["due_next"]}


def test_status_shows_last_run_recent_artifacts_due_work_and_what_needs_a_person(env, sandbox, build_service, admin):
    invoke("tick", "-c", str(env), "--now", "2026-09-01T06:30")
    invoke("tick", "-c", str(env), "--now", "2026-09-04T06:30")
    agenda = file_id(sandbox, build_service, admin, "cedar/agenda/2026-09-08")
    build_service(sandbox, "drive", "v3", admin).files().update(fileId=agenda, body={"trashed": True}).execute()
    invoke("tick", "-c", str(env), "--now", "2026-09-04T07:00")  # finds the trashed agenda, leaves it

    data = json.loads(invoke("status", "-c", str(env), "--now", "2026-09-04T08:00", "--json").stdout)
    cedar = data["schools"]["cedar"]
    assert cedar["tracker"]
    last = cedar["last_run"]
    assert last["time"].startswith("2026-09-04T07:00") and last["skipped"] >= 1 and last["result"] == "ok"
    recent = {r["key"] for r in cedar["recent"]}
    assert {"cedar/agenda/2026-09-01", "cedar/agenda/2026-09-08", "cedar/tracker/2026-27"} <= recent
    assert "cedar/agenda/2026-09-15" in {i["key"] for i in cedar["due_next"]}  # due Fri 2026-09-11
    attention = {(a["what"], a["key"]) for a in cedar["attention"]}
    assert ("trashed", "cedar/agenda/2026-09-08") in attention
    assert ("unanswered_form", "feedback form for the meeting of 2026-09-01") in attention

    text = invoke("status", "-c", str(env), "--now", "2026-09-04T08:00").stdout
    assert "Cedar Heights K-8 School (cedar)" in text and "last run 2026-09-04T07:00" in text
    assert "needs a person" in text and "trashed: cedar/agenda/2026-09-08" in text


def test_last_run_groups_rows_by_pass_and_flags_errors():
    rows = [
        ["20260901T063000-aaaaaa-001", "2026-09-01T06:30:00-06:00", "create", "cedar/agenda/2026-09-08", "created", ""],
        ["20260904T063000-bbbbbb-001", "2026-09-04T06:30:00-06:00", "create", "cedar/agenda/2026-09-15", "created", ""],
        ["20260904T063000-bbbbbb-002", "2026-09-04T06:30:00-06:00", "error", "cedar/folder/agendas", "error",
         "PermissionDenied: cannot add files to folder"],
    ]
    summary, run_rows = last_run(rows)
    assert summary["run"] == "20260904T063000-bbbbbb" and summary["result"] == "errors" and len(run_rows) == 2
    assert summary["errors"] == ["cedar/folder/agendas: PermissionDenied: cannot add files to folder"]
    from ilt_bot.status import _run_attention

    assert [a.what for a in _run_attention(run_rows)] == ["no_permission"]
    now = datetime.fromisoformat("2026-09-09T08:00:00-06:00")
    assert [r["key"] for r in recent_created(rows, now)] == ["cedar/agenda/2026-09-15"]


def test_only_recent_held_meetings_without_any_response_need_a_person():
    from datetime import date

    meetings = [[f"2026-09-{d:02d}", "", "", "doc", "", f"form{d}", f"https://forms/{d}"] for d in (1, 8, 15, 22, 29)]
    feedback = [["r1", "2026-09-15", "2026-09-15T17:00:00Z", "", "good"]]
    found = unanswered_forms(meetings, feedback, date(2026, 9, 23), last=3)
    assert [a.key for a in found] == ["feedback form for the meeting of 2026-09-08",
                                      "feedback form for the meeting of 2026-09-22"]
    assert "https://forms/22" in found[1].detail
