"""Finding 7 of the hardening: private files cannot be re-shared, and extra access is found every day.

- Private artifacts (pre-work, thinking-map digests, team reflections, the thinking-map answers sheet:
  docs/privacy.md) are made with ``writersCanShare = false`` and ``copyRequiresWriterPermission = true``.
  Drive then lets only the owner add permissions: a writer who is not the owner gets 403
  ``insufficientFilePermissions`` ("The user does not have sufficient permissions for this file"), and
  readers/commenters lose ``capabilities.canDownload``/``canCopy`` (Drive v3 files resource:
  "writersCanShare: Whether users with only writer permission can modify the file's permissions";
  "copyRequiresWriterPermission: Whether the options to copy, print, or download this file should be
  disabled for readers and commenters").
- The daily audit (one ``files.list`` with ``permissions`` in its fields) reports access a person added
  beyond a bot file's audience (anyone with the link, a domain, an outsider) in the Runs tab and `status`,
  and removes it when ``sharing.remove_extra_permissions = true``.
"""

from __future__ import annotations

import tomllib
from datetime import datetime
from pathlib import Path

import pytest
from googleapiclient.errors import HttpError

from ilt_bot import registry
from ilt_bot.calendar import SchoolYear
from ilt_bot.config import parse_config
from ilt_bot.jobs.setup import ensure_standing
from ilt_bot.jobs.tick import new_context, run_tick
from ilt_bot.jobs.tracker import RUNS, tracker_key
from ilt_bot.plan import plan
from ilt_bot.status import school_status
from ilt_bot.workspace.gateway import connect
from ilt_bot.workspace.ratelimit import RateLimiter

EXAMPLE = Path(__file__).resolve().parents[1] / "config.example.toml"
OUTSIDER = "friend@gmail.example.com"


def example(**sharing) -> object:
    data = tomllib.loads(EXAMPLE.read_text())
    data["sharing"].update(sharing)
    return parse_config(data)


@pytest.fixture
def gateway_for(sandbox, monkeypatch):
    monkeypatch.setenv("ILT_BOT_SANDBOX_URL", sandbox.url)
    made = []

    def make(config):
        gateway = connect(config, limiter=RateLimiter(enabled=False))
        made.append(gateway)
        return gateway

    yield make
    for gateway in made:
        gateway.close()


def test_a_members_prework_cannot_be_reshared_by_them_nor_copied_by_the_principal(sandbox, gateway_for,
                                                                                  build_service):
    config = example()
    gateway = gateway_for(config)
    year = SchoolYear(config)
    principal = next(m for m in config.members if m.role == "principal")
    item = next(i for i in plan(config, year) if i.kind == "prework" and i.member_config.id != principal.id)
    now = item.due
    sandbox.set_now(now)
    ctx = new_context(config, year, gateway, now)
    ensure_standing(ctx)
    registry.by_kind("prework").run(ctx, item)
    assert ctx.report.errors == []
    ref = gateway.find(item.key)
    assert ref is not None
    member, principal = item.member_config.email, principal.email
    bot_view = gateway.drive.get(ref.id, "writersCanShare,copyRequiresWriterPermission")
    assert bot_view == {"writersCanShare": False, "copyRequiresWriterPermission": True}
    # The member (a writer, not the owner) tries to share it on: Drive refuses.
    drive = build_service(sandbox, "drive", "v3", member)
    with pytest.raises(HttpError) as refused:
        drive.permissions().create(fileId=ref.id, body={"type": "anyone", "role": "reader"}).execute()
    assert refused.value.resp.status == 403 and "insufficientFilePermissions" in str(refused.value.content)
    assert drive.files().get(fileId=ref.id, fields="capabilities(canShare)").execute() == {
        "capabilities": {"canShare": False}}
    # The principal (a commenter) may read it but not download or copy it.
    caps = build_service(sandbox, "drive", "v3", principal).files().get(
        fileId=ref.id, fields="capabilities(canDownload,canCopy,canComment)").execute()["capabilities"]
    assert caps == {"canDownload": False, "canCopy": False, "canComment": True}


def _agenda_with_extra_access(sandbox, gateway, build_service, config):
    """The first tick (the tracker, the first agenda), then a member shares the agenda with anyone with the
    link and with an outsider, as people do from Drive's Share dialog."""
    first = datetime(2026, 8, 22, 9, 0, tzinfo=config.tz)  # not the day's first pass: no audit yet
    sandbox.set_now(first)
    assert run_tick(config, gateway, first).errors == []
    agenda = gateway.find("cedar/agenda/2026-08-25")
    member = config.members[1].email
    drive = build_service(sandbox, "drive", "v3", member)
    drive.permissions().create(fileId=agenda.id, body={"type": "anyone", "role": "reader"}).execute()
    drive.permissions().create(fileId=agenda.id, body={"type": "user", "role": "writer", "emailAddress": OUTSIDER},
                               sendNotificationEmail=True).execute()
    return agenda


def _who(gateway, file_id: str) -> set[str]:
    return {p.get("emailAddress") or p["type"] for p in gateway.drive.list_permissions(file_id)}


def test_extra_access_is_reported_each_day_in_runs_and_status(sandbox, gateway_for, build_service):
    config = example()
    gateway = gateway_for(config)
    agenda = _agenda_with_extra_access(sandbox, gateway, build_service, config)
    morning = datetime(2026, 8, 23, 6, 0, tzinfo=config.tz)  # the next day's first pass
    sandbox.set_now(morning)
    assert run_tick(config, gateway, morning).errors == []
    tracker = gateway.find(tracker_key(config))
    extra = [r for r in gateway.read_rows(tracker.id, RUNS) if r[4] == "extra"]
    assert {r[3] for r in extra} == {"cedar/agenda/2026-08-25"}
    details = " ".join(r[5] for r in extra)
    assert "anyone with the link" in details and OUTSIDER in details
    assert "sharing.remove_extra_permissions" in details
    flagged = [a for a in school_status(config, gateway, morning).attention if a.what == "extra_permission"]
    assert len(flagged) == 2
    assert {"anyone", OUTSIDER} <= _who(gateway, agenda.id)  # reported, not removed (the default)
    gateway.reset_counts()
    files = gateway.bot_files_access()
    assert dict(gateway.calls) == {"drive.files.list": 1}  # the audit's cost: one list, not one call per file
    assert len(files) >= 5 and agenda.id in {ref.id for ref, _ in files}


def test_extra_access_is_removed_when_the_config_says_so(sandbox, gateway_for, build_service):
    config = example(remove_extra_permissions=True)
    gateway = gateway_for(config)
    agenda = _agenda_with_extra_access(sandbox, gateway, build_service, config)
    morning = datetime(2026, 8, 23, 6, 0, tzinfo=config.tz)
    sandbox.set_now(morning)
    assert run_tick(config, gateway, morning).errors == []
    who = _who(gateway, agenda.id)
    assert "anyone" not in who and OUTSIDER not in who
    assert {m.email for m in config.members} <= who  # the audience keeps its access
    tracker = gateway.find(tracker_key(config))
    removed = [r for r in gateway.read_rows(tracker.id, RUNS) if r[4] == "removed"]
    assert len(removed) == 2


def test_a_doc_template_asks_for_drive_readonly_not_the_full_drive_scope(tmp_path):
    """drive.file reaches only files the app created or was handed by the Picker (Drive API scopes guide), so
    the template Doc people made needs a read scope: drive.readonly, which can change nothing (was: drive)."""
    from typer.testing import CliRunner

    from ilt_bot.cli import app
    from ilt_bot.workspace.auth import DRIVE, DRIVE_FILE, DRIVE_READONLY, required_scopes

    data = tomllib.loads(EXAMPLE.read_text())
    data["templates"] = {"agenda_doc_id": "1TeMpLaTeDoCiD"}
    config = parse_config(data)
    scopes = required_scopes(config)
    assert DRIVE not in scopes and scopes[:2] == [DRIVE_FILE, DRIVE_READONLY]
    path = tmp_path / "config.toml"
    template = 'agenda_doc_id = "1TeMpLaTeDoCiD"'
    path.write_text(EXAMPLE.read_text().replace(f"# {template}", template))
    result = CliRunner().invoke(app, ["check", "-c", str(path), "--scopes"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[:2] == [DRIVE_FILE, DRIVE_READONLY]
    assert "drive.readonly: read the agenda Doc template" in result.stderr and "narrower than drive" in result.stderr
