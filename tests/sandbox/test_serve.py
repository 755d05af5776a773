"""``ilt-bot sandbox serve``: Google's quotas on by default, and no listening beyond loopback unless asked."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import requests
from typer.testing import CliRunner

from ilt_bot import cli
from ilt_bot.sandbox.clock import sandbox_now
from ilt_bot.sandbox.directory import has_account
from ilt_bot.sandbox.server import SandboxServer, serve_forever
from ilt_bot.sandbox.store import Store
from tests.fidelity.recordings import recordings

ANA = {"Authorization": "Bearer sandbox:ana@cedar.example.org"}
BO = {"Authorization": "Bearer sandbox:bo@cedar.example.org"}
REAL_SERVE_FOREVER = serve_forever


@pytest.fixture
def served(monkeypatch):
    import ilt_bot.sandbox.server as server

    seen: dict = {}
    monkeypatch.setattr(server, "serve_forever", lambda **kwargs: seen.update(kwargs))
    return seen


def serve(*args: str):
    return CliRunner().invoke(cli.app, ["sandbox", "serve", "--db", ":memory:", *args], catch_exceptions=False)


def test_serve_turns_googles_quotas_on_unless_told_otherwise(served):
    assert serve().exit_code == 0
    assert served["enforce_quotas"] is True
    assert serve("--no-quotas").exit_code == 0
    assert served["enforce_quotas"] is False


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.0.2.7"])
def test_a_non_loopback_host_is_refused_without_allow_remote(served, host):
    result = serve("--host", host)
    assert result.exit_code == 2
    assert "no authentication" in result.output and "--allow-remote" in result.output
    assert served == {}
    assert serve("--host", host, "--allow-remote").exit_code == 0
    assert served["host"] == host


def test_loopback_hosts_need_no_flag(served):
    for host in ("127.0.0.1", "localhost", "::1"):
        assert serve("--host", host).exit_code == 0
        assert served["host"] == host


def test_sixty_sheets_reads_a_minute_per_user_then_429_until_the_sandbox_minute_passes():
    """Google's Sheets quota: 60 read requests per minute per user (300 per project), 429
    RESOURCE_EXHAUSTED beyond; the minute runs on the sandbox clock, so moving it on refills it."""
    with SandboxServer(enforce_quotas=True) as server:
        url = f"{server.url}/v4/spreadsheets/s/values/A1"
        statuses = [requests.get(url, headers=ANA, timeout=5).status_code for _ in range(61)]
        assert statuses[:60] == [404] * 60  # counted although the spreadsheet does not exist
        assert statuses[60] == 429
        assert requests.get(url, headers=BO, timeout=5).status_code == 404  # per user
        server.set_now(sandbox_now(server.store) + timedelta(seconds=61))
        assert requests.get(url, headers=ANA, timeout=5).status_code == 404


def test_the_429_body_is_the_one_google_recorded():
    """The sandbox's quota answer has the structure of the 14 recorded Sheets 429s (gspread-pandas
    cassettes): message, RESOURCE_EXHAUSTED, one ErrorInfo RATE_LIMIT_EXCEEDED with the quota metadata."""
    import base64
    import gzip

    recorded = []
    for path in sorted(recordings("gspread-pandas").glob("*.json")):
        for interaction in json.loads(path.read_text(encoding="utf-8"))["http_interactions"]:
            response = interaction["response"]
            if response["status"]["code"] == 429:
                raw = base64.b64decode(response["body"]["base64_string"])
                recorded.append(json.loads(gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw))
    assert len(recorded) == 14
    with SandboxServer(enforce_quotas=True) as server:
        server.quotas.limits["sheets.read"] = (300, 1)
        url = f"{server.url}/v4/spreadsheets/s/values/A1"
        requests.get(url, headers=ANA, timeout=5)
        answer = requests.get(url, headers=ANA, timeout=5)
    assert answer.status_code == 429
    ours = answer.json()
    for google in recorded:
        assert ours["error"].keys() == google["error"].keys()
        assert ours["error"]["status"] == google["error"]["status"] == "RESOURCE_EXHAUSTED"
        assert ours["error"]["message"] == google["error"]["message"]
        [info], [expected] = ours["error"]["details"], google["error"]["details"]
        assert info == expected


def test_serve_registers_the_accounts_it_is_given(served, tmp_path, monkeypatch):
    """``--account`` fills the directory, so silent shares to anyone else get Google's 400."""
    assert serve("--account", "ana@cedar.example.org", "--account", "bo@cedar.example.org").exit_code == 0
    assert served["accounts"] == ["ana@cedar.example.org", "bo@cedar.example.org"]

    class Stop(Exception):
        pass

    def interrupt(self):
        raise Stop

    monkeypatch.setattr(SandboxServer, "serve", interrupt)
    db = str(tmp_path / "s.db")
    with pytest.raises(Stop):
        REAL_SERVE_FOREVER(db=db, accounts=served["accounts"])
    store = Store(db)
    try:
        assert has_account(store, "bo@cedar.example.org")
        assert not has_account(store, "cy@cedar.example.org")
    finally:
        store.close()
