"""Auth modes through :func:`connect` against the sandbox: a service-account key signed locally and
accepted by the sandbox's token endpoint (domain-wide delegation), an OAuth token file refreshed and
rewritten 0600, sandbox credentials, the embedded backend, ILT_BOT_SANDBOX_URL; and the scopes.

The sign-in flows are Google configs (``backend = "google"``: a sandbox backend with real auth is a config
error) whose transport a test points at the sandbox with ``credentials_allowed=True``, which only code can
set (``trusted``)."""

from __future__ import annotations

import json
import os
import stat
import tomllib
from pathlib import Path

import pytest

from ilt_bot.config import parse_config
from ilt_bot.sandbox.identity import make_service_account_key, register_refresh_token, register_service_account
from ilt_bot.workspace.auth import (
    DOCUMENTS,
    DRIVE,
    DRIVE_FILE,
    FORMS_BODY,
    FORMS_RESPONSES,
    SPREADSHEETS,
    required_scopes,
    write_token_file,
)
from ilt_bot.workspace.embedded import seed_root_folder
from ilt_bot.workspace.errors import AuthFailed
from ilt_bot.workspace.gateway import connect
from ilt_bot.workspace.ratelimit import RateLimiter
from ilt_bot.workspace.retry import RetryPolicy
from ilt_bot.workspace.transport import sandbox_http

EXAMPLE = Path(__file__).resolve().parents[2] / "config.example.toml"
ROOT = "0RootFolderForTheIltBotCedar01"


def example(**sections) -> tuple:
    data = tomllib.loads(EXAMPLE.read_text())
    for name, values in sections.items():
        data.setdefault(name, {}).update(values)
    config = parse_config(data)
    return config, config.workspace.bot_user


def fast(config, http_factory=None):
    return connect(config, policy=RetryPolicy(sleep=lambda s: None, max_attempts=2), limiter=RateLimiter(enabled=False),
                   http_factory=http_factory)


def trusted(sandbox):
    """The seam to ``sandbox`` allowed to carry real credentials (its token endpoint stands in for Google's)."""
    return lambda: sandbox_http(sandbox.url, credentials_allowed=True)


@pytest.fixture(autouse=True)
def no_env_override(monkeypatch):
    monkeypatch.delenv("ILT_BOT_SANDBOX_URL", raising=False)


def service_account_config(sandbox, tmp_path, *, delegation=True):
    info, public_pem = make_service_account_key("ilt-bot-sa@cedar-ilt.iam.gserviceaccount.com")
    register_service_account(sandbox.store, info["client_email"], public_pem, delegation=delegation)
    key_file = tmp_path / "sa.json"
    key_file.write_text(json.dumps(info))
    config, bot = example(workspace={"backend": "google",
                                     "auth": {"method": "service_account", "key_file": str(key_file)}},
                          drive={"root_folder_id": ROOT})
    seed_root_folder(sandbox.store, ROOT, bot)
    return config, bot, info


def test_service_account_key_with_delegation_acts_as_the_bot_user(sandbox, tmp_path):
    config, bot, _ = service_account_config(sandbox, tmp_path)
    gw = fast(config, trusted(sandbox))
    folder = gw.ensure_folder("cedar/folder/agendas", "Agendas", ROOT)
    assert folder.created
    users = {e["user"] for e in sandbox.requests if e["method"].startswith("drive.")}
    assert users == {bot}  # the JWT's sub: domain-wide delegation to the bot user
    assert gw.drive.get(folder.file.id, "owners")["owners"][0]["emailAddress"] == bot


def test_delegation_not_granted_is_explained_without_leaking_the_key(sandbox, tmp_path):
    config, bot, info = service_account_config(sandbox, tmp_path, delegation=False)
    gw = fast(config, trusted(sandbox))
    with pytest.raises(AuthFailed) as err:
        gw.find("cedar/folder/agendas")
    text = str(err.value)
    assert "Domain-wide delegation" in text and bot in text
    assert info["private_key"].splitlines()[1] not in text and "PRIVATE KEY" not in text


def test_missing_key_file_names_the_config_field(sandbox, tmp_path):
    config, _ = example(workspace={"backend": "google",
                                   "auth": {"method": "service_account", "key_file": str(tmp_path / "none.json")}})
    with pytest.raises(AuthFailed, match="workspace.auth.key_file"):
        fast(config, trusted(sandbox))


def test_oauth_token_file_is_refreshed_through_the_sandbox_and_rewritten_0600(sandbox, tmp_path):
    config, bot = example()
    register_refresh_token(sandbox.store, "1//sandbox-refresh-token-for-the-ilt-bot", bot)
    token_file = tmp_path / "token.json"
    token_file.write_text(json.dumps({
        "token": "stale-access-token", "refresh_token": "1//sandbox-refresh-token-for-the-ilt-bot",
        "client_id": "123.apps.googleusercontent.com", "client_secret": "not-secret-here",
        "token_uri": "https://oauth2.googleapis.com/token", "expiry": "2020-01-01T00:00:00Z",
    }))
    token_file.chmod(0o644)
    config, bot = example(workspace={"backend": "google",
                                     "auth": {"method": "oauth", "token_file": str(token_file),
                                              "client_secrets": str(tmp_path / "client.json")}},
                          drive={"root_folder_id": ROOT})
    seed_root_folder(sandbox.store, ROOT, bot)
    gw = fast(config, trusted(sandbox))
    saved = json.loads(token_file.read_text())
    assert saved["token"] == f"sandbox:{bot}"  # the sandbox's token endpoint answered the refresh
    assert saved["refresh_token"] == "1//sandbox-refresh-token-for-the-ilt-bot"
    assert stat.S_IMODE(os.stat(token_file).st_mode) == 0o600
    assert gw.ensure_folder("cedar/folder/x", "X", ROOT).created
    assert {e["user"] for e in sandbox.requests} == {bot}


def test_revoked_oauth_token_says_to_log_in_again(sandbox, tmp_path):
    token_file = tmp_path / "token.json"
    token_file.write_text(json.dumps({"token": "t", "refresh_token": "1//unknown-refresh-token-abcdefghij",
                                      "client_id": "c", "client_secret": "s", "expiry": "2020-01-01T00:00:00Z",
                                      "token_uri": "https://oauth2.googleapis.com/token"}))
    config, _ = example(workspace={"backend": "google",
                                   "auth": {"method": "oauth", "token_file": str(token_file),
                                            "client_secrets": "c.json"}})
    with pytest.raises(AuthFailed) as err:
        fast(config, trusted(sandbox))
    assert "login again" in str(err.value) or "OAuth login again" in str(err.value)
    assert "unknown-refresh-token" not in str(err.value)


def test_sandbox_credentials_without_auth_section(sandbox):
    config, bot = example(workspace={"backend": "sandbox_url", "sandbox_url": sandbox.url},
                          drive={"root_folder_id": ROOT})
    seed_root_folder(sandbox.store, ROOT, bot)
    gw = fast(config)
    assert gw.ensure_folder("cedar/folder/agendas", "Agendas", ROOT).created
    assert {e["user"] for e in sandbox.requests} == {bot}


def test_env_url_overrides_a_sandbox_backend(sandbox, monkeypatch):
    config, bot = example(workspace={"backend": "sandbox_url", "sandbox_url": "http://127.0.0.1:9"},
                          drive={"root_folder_id": ROOT})
    seed_root_folder(sandbox.store, ROOT, bot)
    monkeypatch.setenv("ILT_BOT_SANDBOX_URL", sandbox.url)
    gw = fast(config)
    assert gw.ensure_folder("cedar/folder/agendas", "Agendas", ROOT).created
    assert {e["user"] for e in sandbox.requests} == {bot}


def test_embedded_backend_seeds_the_root_folder_owned_by_the_bot():
    config, bot = example(workspace={"backend": "sandbox", "sandbox_db": ":memory:"},
                          drive={"root_folder_id": ROOT})
    with fast(config) as gw:
        root = gw.get_file(ROOT)
        assert root.mime_type == "application/vnd.google-apps.folder"
        assert gw.drive.get(ROOT, "owners")["owners"][0]["emailAddress"] == bot
        assert gw.ensure_folder("cedar/folder/agendas", "Agendas", ROOT).created
        assert gw.server.requests and gw.base_url.startswith("http://127.0.0.1:")
    assert gw.server is None


def test_scopes_least_privilege():
    config, _ = example()  # the bot creates its own root on the sandbox
    assert required_scopes(config) == [DRIVE_FILE, DOCUMENTS, FORMS_BODY, FORMS_RESPONSES, SPREADSHEETS]
    config, _ = example(drive={"root_folder_id": ROOT})  # the school's existing folder
    assert required_scopes(config)[0] == DRIVE
    config, _ = example(drive={"shared_drive_id": "0AbCdEfGhIjKlUk9PVA", "root_folder_id": ROOT})
    assert required_scopes(config)[0] == DRIVE
    assert all(s.startswith("https://www.googleapis.com/auth/") for s in required_scopes(config))


def test_token_file_is_private_even_if_it_existed(tmp_path):
    path = tmp_path / "tok.json"
    path.write_text("{}")
    path.chmod(0o666)

    class Creds:
        def to_json(self):
            return '{"token": "x"}'

    write_token_file(path, Creds())
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert json.loads(path.read_text()) == {"token": "x"}


def test_keyless_delegation_impersonates_the_service_account_for_the_bot_user(monkeypatch):
    import google.auth
    from google.auth import impersonated_credentials
    from google.oauth2.credentials import Credentials as UserCredentials

    from ilt_bot.workspace.auth import load_credentials

    source = UserCredentials(token="ambient")
    monkeypatch.setattr(google.auth, "default", lambda scopes=None: (source, "cedar-ilt"))
    config, bot = example(workspace={"backend": "google", "auth": {
        "method": "impersonation", "target_principal": "ilt-bot-sa@cedar-ilt.iam.gserviceaccount.com"}},
        drive={"root_folder_id": ROOT})
    creds = load_credentials(config, sandbox=False)
    assert isinstance(creds, impersonated_credentials.Credentials)
    assert creds._subject == bot  # domain-wide delegation to the bot user, no key file
    assert creds._target_principal == "ilt-bot-sa@cedar-ilt.iam.gserviceaccount.com"
    assert creds._target_scopes == required_scopes(config)
    assert creds._source_credentials.token == source.token  # the ambient credentials sign


def test_adc_service_account_is_delegated_to_the_subject(monkeypatch, tmp_path):
    import google.auth
    from google.oauth2 import service_account

    from ilt_bot.workspace.auth import load_credentials

    info, _ = make_service_account_key("runner@cedar-ilt.iam.gserviceaccount.com")
    ambient = service_account.Credentials.from_service_account_info(info)
    seen = {}

    def default(scopes=None):
        seen["scopes"] = scopes
        return ambient.with_scopes(scopes), "cedar-ilt"

    monkeypatch.setattr(google.auth, "default", default)
    config, _ = example(workspace={"backend": "google",
                                   "auth": {"method": "adc", "subject": "ilt@cedarheights.example.org"}})
    creds = load_credentials(config, sandbox=False)
    assert seen["scopes"] == required_scopes(config)
    assert creds._subject == "ilt@cedarheights.example.org"


def test_no_token_or_key_reaches_the_logs(sandbox, tmp_path, caplog):
    import logging

    caplog.set_level(logging.DEBUG)
    config, bot, info = service_account_config(sandbox, tmp_path)
    gw = fast(config, trusted(sandbox))
    gw.ensure_folder("cedar/folder/agendas", "Agendas", ROOT)
    sandbox.set_faults(1.0, kinds=["503"], seed=1)
    with pytest.raises(Exception):  # any failure: we look at what was logged on the way
        gw.find("cedar/folder/agendas")
    sandbox.set_faults(0.0)
    text = caplog.text
    assert "Agendas" in text or "agendas" in text  # the log did capture the gateway's activity
    assert "PRIVATE KEY" not in text and "eyJ" not in text and "Bearer" not in text
    assert f"sandbox:{bot}" not in text and info["private_key_id"] not in text


def test_oauth_login_asks_for_the_required_scopes_and_saves_the_token_0600(monkeypatch, tmp_path):
    from google.oauth2.credentials import Credentials as UserCredentials
    from google_auth_oauthlib.flow import InstalledAppFlow

    from ilt_bot.workspace.auth import oauth_login

    asked = {}

    class Flow:
        def run_local_server(self, port, open_browser):
            asked["port"], asked["browser"] = port, open_browser
            return UserCredentials(token="t", refresh_token="1//r", client_id="c", client_secret="s",
                                   token_uri="https://oauth2.googleapis.com/token", scopes=asked["scopes"])

    def from_secrets(path, scopes):
        asked["path"], asked["scopes"] = path, scopes
        return Flow()

    monkeypatch.setattr(InstalledAppFlow, "from_client_secrets_file", staticmethod(from_secrets))
    token = tmp_path / "sub" / "token.json"
    config, _ = example(workspace={"backend": "google", "auth": {
        "method": "oauth", "client_secrets": str(tmp_path / "client.json"), "token_file": str(token)}},
        drive={"root_folder_id": ROOT})
    assert oauth_login(config, open_browser=False) == token
    assert asked["scopes"] == required_scopes(config) and asked["browser"] is False and asked["port"] == 0
    assert stat.S_IMODE(os.stat(token).st_mode) == 0o600
    assert json.loads(token.read_text())["refresh_token"] == "1//r"
