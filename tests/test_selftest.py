"""`ilt-bot selftest`: every step passes on the sandbox, leaves nothing behind, and a refused call is a FAIL
with Google's error and its fix. The same steps run offline (a throwaway sandbox) and ``--online``."""

from __future__ import annotations

import json
import shutil
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ilt_bot.cli import app
from ilt_bot.config import load_config, parse_config
from ilt_bot.sandbox.core import HANDLERS, ApiError
from ilt_bot.selftest import SELFTEST_PROPERTY, STEPS, run_selftest
from ilt_bot.workspace.embedded import start_embedded

EXAMPLE = Path(__file__).resolve().parents[1] / "config.example.toml"
BOT = "ilt-bot@cedarheights.example.org"
MEMBER = "ana.ruiz@cedarheights.example.org"
PRINCIPAL = "principal@cedarheights.example.org"
FOLDER = "application/vnd.google-apps.folder"
NO_ACCOUNT = "ilt-bot-selftest-no-account-"

NO_ACCOUNT_MESSAGE = ("Bad Request. User message: \"You are trying to invite {email}. Since there is no Google "
                      "account associated with this email address, you must check the 'Notify people' box to "
                      "invite this recipient.\"")
SCOPE_MESSAGE = "Request had insufficient authentication scopes."


@pytest.fixture(autouse=True)
def no_env_override(monkeypatch):
    monkeypatch.delenv("ILT_BOT_SANDBOX_URL", raising=False)


@pytest.fixture
def school_sandbox():
    """An in-memory sandbox started as the embedded backend starts it for the example school (its people
    known to it), reached by URL like a running `ilt-bot sandbox serve`."""
    data = tomllib.loads(EXAMPLE.read_text())
    data["workspace"]["sandbox_db"] = ":memory:"
    server, _url = start_embedded(parse_config(data))
    try:
        yield server
    finally:
        server.stop()


def url_config(server, **drive):
    data = tomllib.loads(EXAMPLE.read_text())
    data["workspace"].update(backend="sandbox_url", sandbox_url=server.url)
    data.setdefault("drive", {}).update(drive)
    return parse_config(data)


def config_file(tmp_path: Path, server=None) -> Path:
    """config.example.toml copied to ``tmp_path`` (pointed at ``server`` by URL if given)."""
    path = tmp_path / "config.toml"
    shutil.copy(EXAMPLE, path)
    if server is not None:
        text = path.read_text().replace('backend = "sandbox"', f'backend = "sandbox_url"\nsandbox_url = "{server.url}"')
        path.write_text(text)
        assert load_config(path).workspace.sandbox_url == server.url
    return path


def refuses_no_account_shares(server, build_service) -> bool:
    """What this sandbox does with a share, without notification, to an address that has no account."""
    drive = build_service(server, "drive", "v3", BOT)
    probe = drive.files().create(body={"name": "probe", "mimeType": FOLDER}).execute()
    try:
        drive.permissions().create(fileId=probe["id"], sendNotificationEmail=False, body={
            "type": "user", "role": "reader", "emailAddress": f"{NO_ACCOUNT}probe@cedarheights.example.org"}).execute()
    except Exception as error:  # noqa: BLE001 - googleapiclient's HttpError: read its status
        return getattr(getattr(error, "resp", None), "status", None) == 400
    finally:
        drive.files().delete(fileId=probe["id"]).execute()
    return False


def expected_statuses(refused: bool) -> dict[str, str]:
    """Every step OK but Calendar (not in the config); the no-account share is OK only if the sandbox refuses it."""
    statuses = {s.name: "OK" for s in STEPS}
    statuses["calendar"] = "SKIPPED"
    statuses["share_refused"] = "OK" if refused else "FAIL"
    return statuses


def statuses_of(steps: list[dict]) -> dict[str, str]:
    return {s["step"]: s["status"] for s in steps}


def live_files(server, build_service, user: str = BOT) -> list[dict]:
    drive = build_service(server, "drive", "v3", user)
    return drive.files().list(q="trashed = false and 'me' in owners", fields="files(id,name)").execute()["files"]


# --- it passes, and leaves nothing behind -------------------------------------------------------------


def test_cli_runs_every_step_on_a_throwaway_sandbox(tmp_path, school_sandbox, build_service, monkeypatch):
    """Offline: the embedded sandbox in memory, even with ILT_BOT_SANDBOX_URL set and a sandbox_db configured."""
    monkeypatch.setenv("ILT_BOT_SANDBOX_URL", school_sandbox.url)  # the school's running sandbox: not touched
    before = len(school_sandbox.requests)
    refused = refuses_no_account_shares(school_sandbox, build_service)
    result = CliRunner().invoke(app, ["selftest", "-c", str(config_file(tmp_path)), "--json"])
    report = json.loads(result.stdout)
    assert statuses_of(report["steps"]) == expected_statuses(refused), report["steps"]
    assert result.exit_code == (0 if refused else 1)
    assert report["target"] == "a throwaway embedded sandbox"
    assert len(school_sandbox.requests) == before + 3  # only the probe's three calls above
    assert not (tmp_path / ".ilt-bot").exists()  # the config's sandbox_db was never opened
    trash = next(s for s in report["steps"] if s["step"] == "trash")
    assert trash["detail"] == "5 in the trash (read back): folder, Doc, spreadsheet, Form, scratch folder"
    calendar = next(s for s in report["steps"] if s["step"] == "calendar")
    assert calendar["detail"] == "Calendar not enabled"


def test_library_leaves_the_scratch_folder_and_all_in_it_in_the_trash(school_sandbox, build_service):
    """Read back as the bot user: every file the run made is trashed, none of the bot's files is live."""
    refused = refuses_no_account_shares(school_sandbox, build_service)
    report = run_selftest(url_config(school_sandbox), online=True, sandbox=school_sandbox)
    assert {o.step: o.status for o in report.outcomes} == expected_statuses(refused)
    assert set(report.made) == {"scratch folder", "folder", "Doc", "spreadsheet", "Form"}
    drive = build_service(school_sandbox, "drive", "v3", BOT)
    scratch = report.made["scratch folder"]
    inside = drive.files().list(q=f"'{scratch}' in parents", fields="files(id,trashed)").execute()["files"]
    assert {f["id"] for f in inside} == {report.made[w] for w in ("folder", "Doc", "spreadsheet", "Form")}
    for file_id in report.made.values():
        assert drive.files().get(fileId=file_id, fields="trashed").execute() == {"trashed": True}
    assert live_files(school_sandbox, build_service) == []


def test_the_429_step_gets_a_429_from_the_sandbox_and_the_retry_succeeds(school_sandbox):
    """Sheets answers 429 RESOURCE_EXHAUSTED once; the gateway waits and its retry is answered 200."""
    mark = len(school_sandbox.requests)
    report = run_selftest(url_config(school_sandbox), online=True, sandbox=school_sandbox)
    step = next(o for o in report.outcomes if o.step == "rate_limit")
    assert step.status == "OK" and step.detail.startswith("Sheets answered 429; the gateway waited")
    reads = [e for e in school_sandbox.requests[mark:] if e["method"] == "sheets.spreadsheets.values.get"]
    faulted = [i for i, e in enumerate(reads) if e["fault"] == "429"]
    assert len(faulted) == 1 and reads[faulted[0]]["status"] == 429
    assert reads[faulted[0] + 1]["status"] == 200 and reads[faulted[0] + 1]["fault"] is None
    assert all(e["fault"] is None for e in school_sandbox.requests[mark:] if e is not reads[faulted[0]])


def test_leftovers_of_a_crashed_selftest_are_trashed_by_the_next(school_sandbox, build_service):
    drive = build_service(school_sandbox, "drive", "v3", BOT)
    crashed = drive.files().create(body={"name": "ILT Bot selftest 20261001T000000Z", "mimeType": FOLDER,
                                         "appProperties": {SELFTEST_PROPERTY: "1"}}).execute()
    doc = drive.files().create(body={"name": "left inside", "parents": [crashed["id"]]}).execute()
    report = run_selftest(url_config(school_sandbox), online=True, sandbox=school_sandbox)
    step = next(o for o in report.outcomes if o.step == "scratch")
    assert step.status == "OK" and "1 old leftover(s) trashed" in step.detail
    assert drive.files().get(fileId=crashed["id"], fields="trashed").execute() == {"trashed": True}
    assert drive.files().get(fileId=doc["id"], fields="trashed").execute() == {"trashed": True}
    assert live_files(school_sandbox, build_service) == []


# --- a refused call is a FAIL with Google's error and the fix ---------------------------------------------


def scope_refusal(call):
    """Google's answer to a token without the API's scope: 403 PERMISSION_DENIED "Request had insufficient
    authentication scopes.", ErrorInfo reason ACCESS_TOKEN_SCOPE_INSUFFICIENT (as public client-library
    threads show it for the Google APIs)."""
    raise ApiError(403, SCOPE_MESSAGE, status="PERMISSION_DENIED", details=[{
        "@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "ACCESS_TOKEN_SCOPE_INSUFFICIENT",
        "domain": "googleapis.com", "metadata": {"service": "forms.googleapis.com",
                                                 "method": "google.apps.forms.v1.FormsService.BatchUpdateForm"}}])


def test_a_refused_form_call_fails_that_step_only_and_its_form_is_still_trashed(school_sandbox, build_service,
                                                                               monkeypatch):
    """Forms refuses batchUpdate (forms.body not granted): the Form step FAILs with the exact error and the
    scope fix; the other steps still run; the half-made Form is found by its key and trashed."""
    refused = refuses_no_account_shares(school_sandbox, build_service)
    monkeypatch.setitem(HANDLERS, "forms.forms.batchUpdate", scope_refusal)
    report = run_selftest(url_config(school_sandbox), online=True, sandbox=school_sandbox)
    assert {o.step: o.status for o in report.outcomes} == {**expected_statuses(refused), "form": "FAIL"}
    assert not report.ok
    form = next(o for o in report.outcomes if o.step == "form")
    assert form.error == "PermissionDenied"
    assert f"failed (403 ACCESS_TOKEN_SCOPE_INSUFFICIENT): {SCOPE_MESSAGE}" in form.detail
    assert "`ilt-bot check --scopes`" in form.fix and "Domain-wide delegation" in form.fix
    drive = build_service(school_sandbox, "drive", "v3", BOT)
    assert drive.files().get(fileId=report.made["Form"], fields="trashed").execute() == {"trashed": True}
    assert live_files(school_sandbox, build_service) == []


def test_cli_prints_the_failed_step_with_its_fix_and_exits_1(tmp_path, monkeypatch):
    monkeypatch.setitem(HANDLERS, "forms.forms.batchUpdate", scope_refusal)
    result = CliRunner().invoke(app, ["selftest", "-c", str(config_file(tmp_path))])
    assert result.exit_code == 1
    row = next(line for line in result.stdout.splitlines() if "Feedback Form: questions, published" in line)
    assert row.split("│")[1].strip() == "FAIL"
    assert SCOPE_MESSAGE in " ".join(result.stdout.split()).replace("│", "")
    assert "fix: the credentials lack a required scope" in result.stdout


def test_a_read_only_ilt_folder_fails_the_scratch_step_and_skips_what_needs_it(school_sandbox, build_service):
    """The ILT folder shared with the bot as Viewer: Drive refuses the create (403), nothing is made."""
    drive = build_service(school_sandbox, "drive", "v3", PRINCIPAL)
    folder = drive.files().create(body={"name": "ILT", "mimeType": FOLDER}).execute()
    drive.permissions().create(fileId=folder["id"], sendNotificationEmail=False, body={
        "type": "user", "role": "reader", "emailAddress": BOT}).execute()
    report = run_selftest(url_config(school_sandbox, root_folder_id=folder["id"]), online=True, sandbox=school_sandbox)
    statuses = {o.step: o.status for o in report.outcomes}
    assert statuses.pop("sign_in") == "OK" and statuses.pop("scratch") == "FAIL"
    assert set(statuses.values()) == {"SKIPPED"}
    scratch = next(o for o in report.outcomes if o.step == "scratch")
    assert scratch.error == "PermissionDenied"
    assert scratch.detail.endswith("failed (403 insufficientParentPermissions): Insufficient permissions for the "
                                   "specified parent.")
    assert scratch.fix == f"{BOT} cannot change file {folder['id']}: share it with {BOT} as Editor (shared drive: " \
                          "Content manager)"
    assert next(o for o in report.outcomes if o.step == "doc").detail == "needs step scratch"
    assert next(o for o in report.outcomes if o.step == "trash").detail == "nothing was made"
    assert report.made == {} and live_files(school_sandbox, build_service) == []


# --- the no-account share, both ways ----------------------------------------------------------------------


def refusing(original):
    """permissions.create refusing an address of the selftest's no-account kind as Google does (400
    invalidSharingRequest when no notification is sent), the rest as the sandbox does."""
    def create(call):
        email = (call.body or {}).get("emailAddress") or ""
        if email.startswith(NO_ACCOUNT) and call.query.get("sendNotificationEmail") is False:
            raise ApiError(400, NO_ACCOUNT_MESSAGE.format(email=email), reason="invalidSharingRequest")
        return original(call)
    return create


def accepting(original):
    """permissions.create answering success for a no-account address without keeping it (a silent accept)."""
    def create(call):
        email = (call.body or {}).get("emailAddress") or ""
        if email.startswith(NO_ACCOUNT):
            return {"kind": "drive#permission", "id": "00000000000000000001", "type": "user",
                    "role": call.body.get("role"), "emailAddress": email}
        return original(call)
    return create


def share_refused_step(server) -> object:
    report = run_selftest(url_config(server), online=True, sandbox=server)
    return next(o for o in report.outcomes if o.step == "share_refused")


def test_a_refused_no_account_share_is_ok(school_sandbox, monkeypatch):
    monkeypatch.setitem(HANDLERS, "drive.permissions.create", refusing(HANDLERS["drive.permissions.create"]))
    step = share_refused_step(school_sandbox)
    assert step.status == "OK"
    assert step.detail.endswith(": refused (400 invalidSharingRequest)")


def test_a_silently_accepted_no_account_share_is_a_fail(school_sandbox, monkeypatch):
    monkeypatch.setitem(HANDLERS, "drive.permissions.create", accepting(HANDLERS["drive.permissions.create"]))
    step = share_refused_step(school_sandbox)
    assert step.status == "FAIL" and step.error == "StepFailed"
    assert "(no Google account, no notification e-mail) was accepted" in step.detail
    assert "400 invalidSharingRequest" in step.fix


# --- one step list, offline and online ----------------------------------------------------------------------


def test_online_runs_the_same_steps_as_offline(tmp_path, school_sandbox):
    """`--online` on a sandbox URL: the same steps in the same order; the 429 is not provoked from another process."""
    runner = CliRunner()
    offline = json.loads(runner.invoke(app, ["selftest", "-c", str(config_file(tmp_path)), "--json"]).stdout)
    online_dir = tmp_path / "online"
    online_dir.mkdir()
    result = runner.invoke(app, ["selftest", "-c", str(config_file(online_dir, school_sandbox)), "--online", "--json"])
    online = json.loads(result.stdout)
    assert [(s["step"], s["title"]) for s in online["steps"]] == [(s["step"], s["title"]) for s in offline["steps"]]
    assert online["target"] == f"the sandbox at {school_sandbox.url} as {BOT}"
    rate = next(s for s in online["steps"] if s["step"] == "rate_limit")
    assert rate["status"] == "SKIPPED"
    assert rate["detail"].startswith(f"not provoked: the sandbox at {school_sandbox.url} runs in another process")
    assert online["made"] and all(s["status"] != "FAIL" for s in online["steps"] if s["step"] != "share_refused")


def test_a_missing_key_file_fails_sign_in_with_its_path_and_skips_the_rest(tmp_path):
    missing = tmp_path / "keys" / "service-account.json"
    path = config_file(tmp_path)  # a Google config (real auth on a sandbox backend is a config error)
    path.write_text(path.read_text().replace('backend = "sandbox"', 'backend = "google"').replace(
        '# [workspace.auth]\n# method = "service_account"   # or "impersonation", "oauth", "adc"\n'
        '# key_file = "/etc/ilt-bot/service-account.json"',
        f'[workspace.auth]\nmethod = "service_account"\nkey_file = "{missing}"'))
    result = CliRunner().invoke(app, ["selftest", "-c", str(path), "--online", "--json"])
    assert result.exit_code == 1
    steps = json.loads(result.stdout)["steps"]
    assert steps[0]["status"] == "FAIL"
    assert steps[0]["detail"] == f"workspace.auth.key_file: the key file {missing} does not exist"
    assert "Service accounts > Keys" in steps[0]["fix"]
    assert {s["status"] for s in steps[1:]} == {"SKIPPED"}


def test_offline_ignores_the_configs_google_credentials(tmp_path):
    """A config set up for Google (its key file not on this machine) still runs offline on the throwaway sandbox."""
    path = config_file(tmp_path)
    path.write_text(path.read_text().replace('backend = "sandbox"', 'backend = "google"').replace(
        '# [workspace.auth]\n# method = "service_account"   # or "impersonation", "oauth", "adc"\n'
        '# key_file = "/etc/ilt-bot/service-account.json"',
        f'[workspace.auth]\nmethod = "service_account"\nkey_file = "{tmp_path / "absent.json"}"'))
    assert load_config(path).workspace.backend == "google"
    report = json.loads(CliRunner().invoke(app, ["selftest", "-c", str(path), "--json"]).stdout)
    assert report["target"] == "a throwaway embedded sandbox"
    assert [s["status"] for s in report["steps"][:9]] == ["OK"] * 9


def test_on_google_the_429_is_not_provoked_and_the_step_says_why(tmp_path):
    """No fault can be armed on Google (it would spend the school's quota): SKIPPED, pointing to the sandbox run."""
    from types import SimpleNamespace

    from ilt_bot.selftest import Run, Skipped, describe, rate_limit

    path = config_file(tmp_path)
    path.write_text(path.read_text().replace('backend = "sandbox"', 'backend = "google"').replace(
        '# [workspace.auth]\n# method = "service_account"', '[workspace.auth]\nmethod = "adc"\n#'))
    config = load_config(path)
    google = SimpleNamespace(base_url=None, server=None)  # what connect() returns for Google: no sandbox behind it
    with pytest.raises(Skipped, match=r"^not provoked on Google: a 429 cannot be provoked safely"):
        rate_limit(Run(config=config, open_gateway=lambda: google))
    assert describe(config, online=True) == f"Google as {BOT} (adc)"


def test_the_scratch_folder_goes_in_the_bots_own_ilt_folder_when_no_folder_is_configured(school_sandbox,
                                                                                       build_service):
    drive = build_service(school_sandbox, "drive", "v3", BOT)
    ilt = drive.files().create(body={"name": "ILT", "mimeType": FOLDER,
                                     "appProperties": {"iltbot_key": "cedar/folder/root"}}).execute()
    report = run_selftest(url_config(school_sandbox), online=True, sandbox=school_sandbox)
    scratch = drive.files().get(fileId=report.made["scratch folder"], fields="parents,trashed").execute()
    assert scratch == {"parents": [ilt["id"]], "trashed": True}
    assert drive.files().get(fileId=ilt["id"], fields="trashed").execute() == {"trashed": False}
