"""Finding 1 of the hardening: credentials go only to Google's endpoints.

A local capture server (an HTTP server on 127.0.0.1 that records every request it receives) stands in for
the URL a mistaken config or a left-over ``ILT_BOT_SANDBOX_URL`` points at. Before the fix the OAuth refresh
token and client secret, or the signed service-account assertion, reached it; now nothing does.
Google's token endpoint is ``https://oauth2.googleapis.com/token`` (the ``token_uri`` of every key and
token file Google issues; google-auth posts refresh tokens and JWT assertions there).
"""

from __future__ import annotations

import json
import logging
import threading
import tomllib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ilt_bot.cli import app
from ilt_bot.config import ConfigError, parse_config
from ilt_bot.sandbox.identity import make_service_account_key
from ilt_bot.workspace.clients import build_services
from ilt_bot.workspace.errors import AuthFailed
from ilt_bot.workspace.gateway import connect
from ilt_bot.workspace.ratelimit import RateLimiter
from ilt_bot.workspace.transport import CredentialsRefused, sandbox_http

EXAMPLE = Path(__file__).resolve().parents[1] / "config.example.toml"
REFRESH_TOKEN = "1//0gREAL-refresh-token-of-the-school"
CLIENT_SECRET = "GOCSPX-real-client-secret"


class Capture:
    """An HTTP server on 127.0.0.1 recording what it receives (and answering 200 ``{}``)."""

    def __init__(self) -> None:
        self.received: list[dict[str, str]] = []
        received = self.received

        class Handler(BaseHTTPRequestHandler):
            def _record(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode("latin-1") if length else ""
                received.append({"method": self.command, "path": self.path, "headers": str(self.headers),
                                 "body": body})
                payload = b'{"access_token": "captured", "expires_in": 3600}'
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _record

            def log_message(self, *args: object) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def everything(self) -> str:
        return "\n".join(f"{r['method']} {r['path']}\n{r['headers']}\n{r['body']}" for r in self.received)


@pytest.fixture
def capture() -> Iterator[Capture]:
    server = Capture()
    server.thread.start()
    try:
        yield server
    finally:
        server.server.shutdown()
        server.server.server_close()


@pytest.fixture(autouse=True)
def no_env_override(monkeypatch):
    monkeypatch.delenv("ILT_BOT_SANDBOX_URL", raising=False)


def example_data() -> dict:
    return tomllib.loads(EXAMPLE.read_text())


def oauth_token_file(tmp_path: Path, *, expired: bool = True, token_uri: str = "https://oauth2.googleapis.com/token"
                     ) -> Path:
    path = tmp_path / "token.json"
    path.write_text(json.dumps({
        "token": "ya29.real-access-token", "refresh_token": REFRESH_TOKEN,
        "client_id": "123.apps.googleusercontent.com",
        "client_secret": CLIENT_SECRET, "token_uri": token_uri,
        "expiry": "2020-01-01T00:00:00Z" if expired else "2999-01-01T00:00:00Z",
    }))
    return path


def google_config(auth: dict) -> object:
    data = example_data()
    data["workspace"].update({"backend": "google", "auth": auth})
    return parse_config(data)


def pointed_at(config, url: str):
    """``config`` on ``backend = "sandbox_url"`` without the config checks (as ``district.py`` copies configs)."""
    workspace = config.workspace.model_copy(update={"backend": "sandbox_url", "sandbox_url": url})
    return config.model_copy(update={"workspace": workspace})


def test_check_refuses_a_sandbox_backend_with_real_auth(tmp_path):
    """`check` exits 2 naming workspace.auth and workspace.backend, with the fix (was: OK)."""
    for backend, extra in (("sandbox_url", {"sandbox_url": "http://10.0.0.5:8765"}), ("sandbox", {})):
        data = example_data()
        data["workspace"].update({"backend": backend, **extra,
                                  "auth": {"method": "oauth", "token_file": "t.json", "client_secrets": "c.json"}})
        with pytest.raises(ConfigError) as err:
            parse_config(data)
        (problem,) = [p for p in err.value.problems if p.path == "workspace.auth"]
        assert f'workspace.backend = "{backend}"' in problem.message
        assert "remove [workspace.auth]" in problem.fix and 'workspace.backend = "google"' in problem.fix
    path = tmp_path / "config.toml"
    path.write_text(EXAMPLE.read_text().replace(
        '# [workspace.auth]\n# method = "service_account"', '[workspace.auth]\nmethod = "adc"\n#'))
    result = CliRunner().invoke(app, ["check", "-c", str(path)])
    assert result.exit_code == 2, result.output
    assert "workspace.auth" in result.output and "workspace.backend" in result.output


def test_an_oauth_refresh_token_never_reaches_a_sandbox_url(capture, tmp_path):
    """The refresh (refresh_token + client_secret, posted to the token endpoint) reached the URL; now refused."""
    config = pointed_at(google_config({"method": "oauth", "token_file": str(oauth_token_file(tmp_path)),
                                       "client_secrets": "c.json"}), capture.url)
    with pytest.raises(AuthFailed, match="real credentials go only to Google"):
        connect(config, limiter=RateLimiter(enabled=False))
    assert capture.received == []


def test_a_service_account_assertion_never_reaches_a_sandbox_url(capture, tmp_path):
    """The signed JWT (reusable at Google for up to an hour) reached the URL; now refused."""
    info, _ = make_service_account_key("ilt-bot-sa@cedar-ilt.iam.gserviceaccount.com")
    key_file = tmp_path / "sa.json"
    key_file.write_text(json.dumps(info))
    config = pointed_at(google_config({"method": "service_account", "key_file": str(key_file)}), capture.url)
    with pytest.raises(AuthFailed):
        connect(config, limiter=RateLimiter(enabled=False)).find("cedar/tracker/2026-27")
    assert capture.received == []


def test_the_seam_refuses_real_tokens_whatever_builds_the_clients(capture, tmp_path):
    """The one guard: the transport seam carries no token grant and no non-sandbox bearer token to its URL."""
    from google.oauth2.credentials import Credentials

    creds = Credentials.from_authorized_user_file(str(oauth_token_file(tmp_path, expired=False)))
    services = build_services(creds, lambda: sandbox_http(capture.url))
    with pytest.raises(CredentialsRefused, match="not Google"):
        services.drive.files().list().execute()
    expired = Credentials.from_authorized_user_file(str(oauth_token_file(tmp_path)))
    services = build_services(expired, lambda: sandbox_http(capture.url))
    with pytest.raises(CredentialsRefused):
        services.drive.files().list().execute()
    with pytest.raises(CredentialsRefused):
        services.new_session().get("https://sheets.googleapis.com/v4/spreadsheets/x")
    assert capture.received == []
    assert REFRESH_TOKEN not in capture.everything()


def test_the_env_url_never_redirects_a_google_config(capture, tmp_path, monkeypatch, caplog):
    """ILT_BOT_SANDBOX_URL is ignored for backend = "google", with a warning (was: it silently won)."""
    config = google_config({"method": "oauth", "token_file": str(oauth_token_file(tmp_path, expired=False)),
                            "client_secrets": "c.json"})
    monkeypatch.setenv("ILT_BOT_SANDBOX_URL", capture.url)
    with caplog.at_level(logging.WARNING), connect(config, limiter=RateLimiter(enabled=False)) as gateway:
        assert gateway.base_url is None  # Google, as configured (no call is made here: no network in tests)
    assert "ILT_BOT_SANDBOX_URL is set but workspace.backend is \"google\": ignoring it" in caplog.text
    assert capture.received == []


def test_a_key_file_pointing_elsewhere_is_refused_before_any_sign_in(capture, tmp_path):
    """A service-account key's ``token_uri`` is where google-auth posts the signed assertion: an edited key
    pointing elsewhere would hand it over. (google-auth ignores an OAuth token file's ``token_uri``.)"""
    info, _ = make_service_account_key("ilt-bot-sa@cedar-ilt.iam.gserviceaccount.com")
    key_file = tmp_path / "sa.json"
    key_file.write_text(json.dumps({**info, "token_uri": capture.url + "/token"}))
    config = google_config({"method": "service_account", "key_file": str(key_file)})
    with pytest.raises(AuthFailed, match="workspace.auth.key_file"):
        connect(config, limiter=RateLimiter(enabled=False)).find("cedar/tracker/2026-27")
    assert capture.received == []


def test_plain_check_reports_a_missing_or_unreadable_key_file(tmp_path):
    """`check` (without --online) names workspace.auth.key_file when the file is absent or unreadable."""
    path = tmp_path / "config.toml"
    key = tmp_path / "sa.json"
    path.write_text(EXAMPLE.read_text().replace('backend = "sandbox"', 'backend = "google"').replace(
        '# [workspace.auth]\n# method = "service_account"   # or "impersonation", "oauth", "adc"\n'
        '# key_file = "/etc/ilt-bot/service-account.json"',
        f'[workspace.auth]\nmethod = "service_account"\nkey_file = "{key}"'))
    result = CliRunner().invoke(app, ["check", "-c", str(path), "--json"])
    assert result.exit_code == 2
    assert "workspace.auth.key_file" in result.output and "does not exist" in result.output
    key.mkdir()  # unreadable as a file, even by root
    result = CliRunner().invoke(app, ["check", "-c", str(path), "--json"])
    assert result.exit_code == 2
    assert "workspace.auth.key_file" in result.output and "cannot be read" in result.output
