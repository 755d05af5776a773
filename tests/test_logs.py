"""Logging: JSON lines, the school tag, and the --verbose HTTP trace with every secret redacted."""

from __future__ import annotations

import io
import json
import logging
import re
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ilt_bot import cli, logs
from ilt_bot.workspace.trace import HTTP_LOGGER

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "config.example.toml"
SECRETS_LEFT = re.compile(r"(?i)bearer (?!<redacted>)|eyJ[0-9A-Za-z_-]{8,}|BEGIN [A-Z ]*PRIVATE KEY|ya29\.|1//0")
runner = CliRunner()



@pytest.mark.parametrize(("text", "secret"), [
    ("send: b'GET /drive/v3/files HTTP/1.1\\r\\nHost: x\\r\\nauthorization: Bearer ya29.a0AfB_secret\\r\\n\\r\\n'",
     "ya29.a0AfB_secret"),
    ("Authorization: Bearer sandbox:ilt-bot@cedar.example.org", "sandbox:ilt-bot@cedar.example.org"),
    ('{"access_token": "ya29.c.b0Aaek", "expires_in": 3599, "token_type": "Bearer"}', "b0Aaek"),
    ("grant_type=refresh_token&refresh_token=1//0gLongRefreshTokenValue123456&client_id=x", "LongRefreshToken"),
    ("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=abc.def.ghi", "abc.def.ghi"),
    ('{"private_key": "-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBg\\n-----END PRIVATE KEY-----\\n"}',
     "MIIEvQIBADANBg"),
    ('"client_secret": "GOCSPX-abcdef"', "GOCSPX-abcdef"),
])
def test_redact_removes_each_kind_of_secret(text, secret):
    cleaned = logs.redact(text)
    assert secret not in cleaned
    assert logs.REDACTED in cleaned


def test_redact_keeps_ordinary_text():
    line = "create cedar/agenda/2026-09-15 created Agenda: ILT meeting Tue Sep 15, 2026"
    assert logs.redact(line) == line


def test_json_lines_carry_the_school_and_extras_and_are_redacted():
    stream = io.StringIO()
    logs.setup("json", level=logging.INFO, stream=stream)
    log = logging.getLogger("ilt_bot.jobs")
    with logs.school_context("cedar"):
        log.info("create %s", "cedar/agenda/2026-09-15", extra={"api_calls": 12})
        log.warning("token %s", "Bearer sandbox:x@y.org")
    log.info("outside")
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert lines[0]["school"] == "cedar" and lines[0]["api_calls"] == 12 and lines[0]["level"] == "INFO"
    assert lines[0]["message"] == "create cedar/agenda/2026-09-15" and lines[0]["logger"] == "ilt_bot.jobs"
    assert "sandbox:x@y.org" not in lines[1]["message"]
    assert "school" not in lines[2]


def test_text_format_tags_the_school_and_redacts_tracebacks():
    stream = io.StringIO()
    logs.setup("text", level=logging.INFO, stream=stream)
    with logs.school_context("oak"):
        try:
            raise RuntimeError("refresh failed: refresh_token=1//0abcdefghijklmnopqrstuvwxyz")
        except RuntimeError:
            logging.getLogger("ilt_bot.tick").exception("step failed")
    text = stream.getvalue()
    assert "ilt_bot.tick [oak]: step failed" in text and "RuntimeError" in text
    assert "abcdefghijklmnopqrstuvwxyz" not in text


def test_verbose_trace_of_a_service_account_sign_in_shows_requests_but_no_secret(sandbox, tmp_path, monkeypatch):
    from ilt_bot.config import parse_config
    from ilt_bot.sandbox.identity import make_service_account_key, register_service_account
    from ilt_bot.workspace.gateway import connect
    from ilt_bot.workspace.ratelimit import RateLimiter
    from ilt_bot.workspace.transport import sandbox_http

    monkeypatch.delenv("ILT_BOT_SANDBOX_URL", raising=False)
    info, public_pem = make_service_account_key("ilt-bot-sa@cedar-ilt.iam.gserviceaccount.com")
    register_service_account(sandbox.store, info["client_email"], public_pem, delegation=True)
    key_file = tmp_path / "sa.json"
    key_file.write_text(json.dumps(info))
    data = tomllib.loads(EXAMPLE.read_text())
    data["workspace"].update({"backend": "google",
                              "auth": {"method": "service_account", "key_file": str(key_file)}})
    config = parse_config(data)

    stream = io.StringIO()
    logs.setup("text", verbose=True, stream=stream)

    def trusted():  # the sandbox's token endpoint stands in for Google's (only code can allow this)
        return sandbox_http(sandbox.url, credentials_allowed=True)

    with connect(config, limiter=RateLimiter(enabled=False), http_factory=trusted) as gateway:
        assert gateway.find("cedar/folder/agendas") is None
    trace = stream.getvalue()
    logs.disable_http_trace()
    assert "ilt_bot.http" in trace and "send: b'POST /token" in trace  # the JWT grant went out...
    assert "assertion=<redacted>" in trace                                # ...without its signed assertion
    assert "GET /drive/v3/files" in trace and "uthorization: <redacted>" in trace
    assert not SECRETS_LEFT.search(trace), SECRETS_LEFT.search(trace)
    assert info["private_key"].splitlines()[1] not in trace and info["private_key_id"] not in trace


def test_tick_verbose_json_logs_every_http_call_redacted(sandbox, tmp_path, monkeypatch):
    config = tmp_path / "config.toml"
    config.write_text(EXAMPLE.read_text())
    monkeypatch.setenv("ILT_BOT_SANDBOX_URL", sandbox.url)
    monkeypatch.setenv("ILT_BOT_LOCK_DIR", str(tmp_path / "locks"))
    result = runner.invoke(cli.app, ["tick", "-c", str(config), "--now", "2026-08-18T06:30", "--json", "--verbose",
                                     "--log-format", "json"])
    assert result.exit_code == 0, result.output[-3000:]
    json.loads(result.stdout)  # stdout is still exactly the report: the trace went to stderr
    lines = [json.loads(line) for line in result.stderr.splitlines() if line.strip()]
    http_lines = [line for line in lines if line["logger"] == HTTP_LOGGER]
    assert len(http_lines) > 20 and any("POST /upload/drive/v3/files" in line["message"] for line in http_lines)
    assert any(line.get("school") == "cedar" for line in http_lines)
    assert "sandbox:ilt-bot@cedarheights.example.org" not in result.stderr
    assert not SECRETS_LEFT.search(result.stderr)
