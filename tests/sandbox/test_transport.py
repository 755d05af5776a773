"""The transport seam: Google URLs go to the sandbox, unchanged otherwise, through both HTTP stacks."""

from __future__ import annotations

import pytest
from google.auth.transport.requests import Request

from ilt_bot.sandbox import core
from ilt_bot.sandbox.core import HANDLERS
from ilt_bot.sandbox.identity import register_refresh_token
from ilt_bot.workspace.transport import SANDBOX_HOST_HEADER, rewrite, sandbox_http, sandbox_session

USER = "ana.ruiz@cedar.example.org"


def test_rewrite_keeps_path_and_query_of_google_urls_only():
    base = "http://127.0.0.1:8765"
    assert rewrite("https://sheets.googleapis.com/v4/spreadsheets/a/values/S%21A1:append?x=1", base) == (
        "http://127.0.0.1:8765/v4/spreadsheets/a/values/S%21A1:append?x=1", "sheets.googleapis.com")
    assert rewrite("https://www.googleapis.com/batch/drive/v3", base) == (
        "http://127.0.0.1:8765/batch/drive/v3", "www.googleapis.com")
    assert rewrite("https://oauth2.googleapis.com/token", base + "/") == (
        "http://127.0.0.1:8765/token", "oauth2.googleapis.com")
    for other in ("https://example.org/x", "http://www.googleapis.com/drive/v3/files",
                  "https://googleapis.com.evil.example/x", "http://127.0.0.1:8765/upload/drive/v3/files?upload_id=1"):
        assert rewrite(other, base) == (other, None)


@pytest.fixture
def headers_seen(monkeypatch):
    seen: list[dict] = []

    def record(call: core.Call) -> dict:
        seen.append(call.headers)
        return {"kind": "drive#about", "user": {"emailAddress": call.user}}

    monkeypatch.setitem(HANDLERS, "drive.about.get", record)
    return seen


def test_httplib2_transport_names_the_original_host(sandbox, build_service, headers_seen):
    drive = build_service(sandbox, "drive", "v3", USER)
    assert drive.about().get(fields="user").execute() == {"user": {"emailAddress": USER}}
    assert headers_seen[0][SANDBOX_HOST_HEADER] == "www.googleapis.com"
    assert "Authorization" not in headers_seen[0]  # handlers never see tokens


def test_plain_http_passes_non_google_urls_through(sandbox_module):
    response, content = sandbox_http(sandbox_module.url).request(f"{sandbox_module.url}/_sandbox/")
    assert response.status == 200
    assert b"sandbox" in content


def test_requests_session_and_token_refresh(sandbox, headers_seen):
    import google.oauth2.credentials

    register_refresh_token(sandbox.store, "1//r", USER)
    credentials = google.oauth2.credentials.Credentials(
        None, refresh_token="1//r", token_uri="https://oauth2.googleapis.com/token", client_id="c",
        client_secret="s",
    )
    credentials.refresh(Request(session=sandbox_session(sandbox.url, credentials_allowed=True)))
    session = sandbox_session(sandbox.url, credentials)
    answer = session.get("https://www.googleapis.com/drive/v3/about", params={"fields": "user"}, timeout=5)
    assert answer.json() == {"user": {"emailAddress": USER}}
    assert headers_seen[-1][SANDBOX_HOST_HEADER] == "www.googleapis.com"


def test_gspread_client_through_the_session(sandbox, gspread_client, monkeypatch):
    spreadsheet = {
        "spreadsheetId": "s1",
        "properties": {"title": "Tracker 2026-27", "locale": "en_US", "timeZone": "America/New_York"},
        "sheets": [{"properties": {"sheetId": 0, "title": "Runs", "index": 0,
                                   "gridProperties": {"rowCount": 1000, "columnCount": 26}}}],
    }
    monkeypatch.setitem(HANDLERS, "sheets.spreadsheets.get", lambda call: spreadsheet)
    sheet = gspread_client(sandbox, USER).open_by_key("s1")
    assert sheet.title == "Tracker 2026-27"
    assert sheet.worksheet("Runs").id == 0
