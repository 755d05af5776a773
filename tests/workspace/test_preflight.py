"""`ilt-bot check --online`: each access problem is found and explained with its fix."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from ilt_bot.config import parse_config
from ilt_bot.sandbox.identity import make_service_account_key, register_service_account
from ilt_bot.workspace.embedded import seed_root_folder
from ilt_bot.workspace.preflight import check_online
from ilt_bot.workspace.transport import sandbox_http

EXAMPLE = Path(__file__).resolve().parents[2] / "config.example.toml"
PRINCIPAL = "principal@cedarheights.example.org"
FOLDER = "application/vnd.google-apps.folder"


@pytest.fixture(autouse=True)
def no_env_override(monkeypatch):
    monkeypatch.delenv("ILT_BOT_SANDBOX_URL", raising=False)


def config_for(sandbox, **drive):
    data = tomllib.loads(EXAMPLE.read_text())
    data["workspace"].update(backend="sandbox_url", sandbox_url=sandbox.url)
    data.setdefault("drive", {}).update(drive)
    return parse_config(data)


def test_all_good(sandbox):
    config = config_for(sandbox, root_folder_id="0RootFolderForTheIltBot")
    seed_root_folder(sandbox.store, "0RootFolderForTheIltBot", config.workspace.bot_user)
    assert check_online(config) == []


def test_folder_not_shared_with_the_bot(sandbox, build_service):
    folder = build_service(sandbox, "drive", "v3", PRINCIPAL).files().create(
        body={"name": "ILT", "mimeType": FOLDER}).execute()
    config = config_for(sandbox, root_folder_id=folder["id"])
    [problem] = check_online(config)
    assert problem.path == "drive.root_folder_id"
    assert config.workspace.bot_user in problem.message and "not shared" in problem.message
    assert "Editor" in problem.fix


def test_folder_shared_read_only(sandbox, build_service):
    drive = build_service(sandbox, "drive", "v3", PRINCIPAL)
    folder = drive.files().create(body={"name": "ILT", "mimeType": FOLDER}).execute()
    config = config_for(sandbox, root_folder_id=folder["id"])
    drive.permissions().create(fileId=folder["id"], sendNotificationEmail=False, body={
        "type": "user", "role": "reader", "emailAddress": config.workspace.bot_user}).execute()
    [problem] = check_online(config)
    assert "cannot add files" in problem.message and "Editor" in problem.fix


def test_shared_drive_not_configured(sandbox, build_service):
    drive = build_service(sandbox, "drive", "v3", PRINCIPAL)
    shared = drive.drives().create(requestId="x1", body={"name": "ILT"}).execute()
    folder = drive.files().create(body={"name": "ILT", "mimeType": FOLDER, "parents": [shared["id"]]},
                                  supportsAllDrives=True).execute()
    config = config_for(sandbox, root_folder_id=folder["id"])
    drive.permissions().create(fileId=shared["id"], supportsAllDrives=True, sendNotificationEmail=False, body={
        "type": "user", "role": "fileOrganizer", "emailAddress": config.workspace.bot_user}).execute()
    problems = check_online(config)
    assert [p.path for p in problems] == ["drive.shared_drive_id"]
    assert shared["id"] in problems[0].fix
    assert check_online(config_for(sandbox, root_folder_id=folder["id"], shared_drive_id=shared["id"])) == []


def test_unknown_shared_drive(sandbox):
    config = config_for(sandbox, shared_drive_id="0ANoSuchDriveUk9PVA")
    problems = check_online(config)
    assert problems and problems[0].path == "drive.shared_drive_id"
    assert "not a member" in problems[0].message


def test_delegation_scopes_not_granted(sandbox, tmp_path):
    info, pem = make_service_account_key("sa@cedar-ilt.iam.gserviceaccount.com")
    register_service_account(sandbox.store, info["client_email"], pem, delegation=False)
    key = tmp_path / "key.json"
    key.write_text(json.dumps(info))
    data = tomllib.loads(EXAMPLE.read_text())
    data["workspace"].update(backend="google", auth={"method": "service_account", "key_file": str(key)})
    [problem] = check_online(parse_config(data), http_factory=trusted(sandbox))
    assert problem.path == "workspace.auth"
    assert "Domain-wide delegation" in problem.fix and "https://www.googleapis.com/auth/forms.body" in problem.fix
    assert "PRIVATE KEY" not in problem.message + problem.fix


def key_file_config(sandbox, key_file):
    """A Google config with this key file (real auth on a sandbox backend is a config error); the key file is
    checked before any sign-in, so nothing is sent anywhere."""
    data = tomllib.loads(EXAMPLE.read_text())
    data["workspace"].update(backend="google", auth={"method": "service_account", "key_file": str(key_file)})
    return parse_config(data)


def trusted(sandbox):
    """The seam to ``sandbox`` allowed to carry real credentials (its token endpoint stands in for Google's)."""
    return lambda: sandbox_http(sandbox.url, credentials_allowed=True)


def test_missing_key_file_says_so_with_its_path_not_delegation(sandbox, tmp_path):
    """A key file that is not there is reported as such (path and how to get one), not as missing scopes."""
    missing = tmp_path / "keys" / "service-account.json"
    [problem] = check_online(key_file_config(sandbox, missing))
    assert problem.path == "workspace.auth.key_file"
    assert f"the key file {missing} does not exist" in problem.message
    assert "Add key" in problem.fix and "workspace.auth.key_file" in problem.fix
    assert "delegation" not in (problem.message + problem.fix).lower()


def test_unreadable_key_file_says_so(sandbox, tmp_path):
    """A path the bot cannot read as a file (here a directory; a chmod 000 file for a non-root user)."""
    [problem] = check_online(key_file_config(sandbox, tmp_path))
    assert problem.path == "workspace.auth.key_file"
    assert f"the key file {tmp_path} cannot be read" in problem.message
    assert "chmod 600" in problem.fix and "delegation" not in problem.fix.lower()


def test_a_file_that_is_not_a_key_says_so(sandbox, tmp_path):
    key = tmp_path / "client_secret.json"
    key.write_text(json.dumps({"installed": {"client_id": "x.apps.googleusercontent.com"}}))
    [problem] = check_online(key_file_config(sandbox, key))
    assert problem.message == f"{key} is not a service account JSON key"
    assert "Service accounts > Keys" in problem.fix
