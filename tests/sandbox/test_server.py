"""The sandbox's HTTP framework through the real clients: routing, 501/404, validation errors with
Google's bodies, ``fields`` masks, uploads, batches, latency, request log, persistence, pages."""

from __future__ import annotations

import json
import time

import pytest
import requests
from googleapiclient.errors import HttpError
from googleapiclient.http import MediaInMemoryUpload

from ilt_bot.sandbox import core
from ilt_bot.sandbox.core import HANDLERS, Result
from ilt_bot.sandbox.server import SandboxServer
from tests.fidelity.recordings import recordings

USER = "ana.ruiz@cedar.example.org"
AUTH = {"Authorization": f"Bearer sandbox:{USER}"}


def echo(call: core.Call) -> dict:
    """A fake handler answering what the framework handed it."""
    return {
        "method": call.method_id,
        "user": call.user,
        "path": call.path_params,
        "query": call.query,
        "body": call.body,
        "media": None if call.media is None else {"type": call.media.content_type, "size": len(call.media.data)},
    }


@pytest.fixture
def fake(monkeypatch):
    """Register fake handlers for the given method ids for one test."""

    def register(*method_ids: str, handler=echo) -> None:
        for method_id in method_ids:
            monkeypatch.setitem(HANDLERS, method_id, handler)

    return register


def error_of(exc: HttpError) -> dict:
    return json.loads(exc.content)["error"]


# --- routing -------------------------------------------------------------------------------------


def test_sheets_range_with_quotes_bang_colon_and_spaces_reaches_the_handler_decoded(sandbox, build_service, fake):
    fake("sheets.spreadsheets.values.append", "sheets.spreadsheets.values.get")
    sheets = build_service(sandbox, "sheets", "v4", USER)
    answer = sheets.spreadsheets().values().append(
        spreadsheetId="abc", range="'Action items'!A1:C9", valueInputOption="RAW",
        body={"values": [["x", 1, True]]},
    ).execute()
    assert answer["method"] == "sheets.spreadsheets.values.append"
    assert answer["path"] == {"spreadsheetId": "abc", "range": "'Action items'!A1:C9"}
    assert answer["query"]["valueInputOption"] == "RAW"
    got = sheets.spreadsheets().values().get(spreadsheetId="abc", range="Runs!B:B").execute()
    assert got["method"] == "sheets.spreadsheets.values.get"
    assert got["path"]["range"] == "Runs!B:B"


def test_gspread_urls_route_like_discovery_ones(sandbox, gspread_client, fake):
    fake("sheets.spreadsheets.values.append", "sheets.spreadsheets.values.clear")
    sheet = gspread_client(sandbox, USER).http_client
    answer = sheet.values_append("sid", "'My / tab'!A1", params={"valueInputOption": "RAW"},
                                 body={"values": [["a"]]})
    assert answer["method"] == "sheets.spreadsheets.values.append"
    assert answer["path"]["range"] == "'My / tab'!A1"
    cleared = sheet.values_clear("sid", "Sheet1!A1:B2")
    assert cleared["method"] == "sheets.spreadsheets.values.clear"
    assert cleared["path"]["range"] == "Sheet1!A1:B2"


def test_unregistered_method_answers_501_naming_it(sandbox, build_service, monkeypatch):
    monkeypatch.delitem(HANDLERS, "drive.files.watch", raising=False)
    drive = build_service(sandbox, "drive", "v3", USER)
    with pytest.raises(HttpError) as info:
        drive.files().watch(fileId="abc", body={"id": "ch1", "type": "web_hook"}).execute()
    assert info.value.resp.status == 501
    error = error_of(info.value)
    assert error["message"] == "Method drive.files.watch is not implemented by the ILT Bot sandbox."
    assert error["errors"][0]["reason"] == "notImplemented"


def test_unregistered_docs_method_answers_501_in_general_style(sandbox, monkeypatch):
    monkeypatch.delitem(HANDLERS, "forms.forms.watches.list", raising=False)
    answer = requests.get(f"{sandbox.url}/v1/forms/abc/watches", headers=AUTH, timeout=5)
    assert answer.status_code == 501
    assert answer.json()["error"]["status"] == "UNIMPLEMENTED"


@pytest.mark.parametrize(("api", "version", "call"), [
    ("drive", "v2", lambda s: s.files().list()),
    ("gmail", "v1", lambda s: s.users().messages().list(userId="me")),
    ("admin", "directory_v1", lambda s: s.users().list(customer="my_customer")),
    ("slides", "v1", lambda s: s.presentations().get(presentationId="x")),
])
def test_an_api_the_sandbox_does_not_serve_answers_googles_json_404(sandbox, build_service, api, version, call):
    """Google answers a method it does not serve with JSON, not a page: 404 ``{"error": {"code": 404,
    "message": "Method not found.", "status": "NOT_FOUND"}}`` (as for its turned-down methods), so the
    client raises a readable HttpError (PyDrive2 calls Drive v2)."""
    from ilt_bot.sandbox.routing import APIS

    assert APIS.get(api) != version, f"{api} {version} is served: pick an API the sandbox does not serve"
    with pytest.raises(HttpError) as info:
        call(build_service(sandbox, api, version, USER)).execute()
    assert info.value.resp.status == 404
    assert info.value.resp["content-type"].startswith("application/json")
    assert json.loads(info.value.content) == {"error": {"code": 404, "message": "Method not found.",
                                                        "status": "NOT_FOUND"}}


def test_the_coverage_page_lists_the_google_apis_not_served():
    """Every unserved Workspace API and version is on the coverage page, and no served one."""
    from ilt_bot.sandbox.coverage import render
    from ilt_bot.sandbox.routing import APIS

    page = render().split("## Google APIs not served", 1)[1]
    for name, version in (("drive", "v2"), ("gmail", "v1"), ("admin", "directory_v1"), ("sheets", "v3")):
        assert f"- {name} {version} " in page
    for name, version in APIS.items():
        assert f"- {name} {version} " not in page


def test_unknown_path_and_wrong_method_are_googles_404_page(sandbox):
    for method, path in (("GET", "/drive/v3/nothing"), ("PUT", "/drive/v3/files"), ("GET", "/v4/nothing")):
        answer = requests.request(method, f"{sandbox.url}{path}", headers=AUTH, timeout=5)
        assert answer.status_code == 404
        assert answer.headers["Content-Type"].startswith("text/html")
        assert "was not found on this server" in answer.text


# --- validation ----------------------------------------------------------------------------------


def test_unknown_body_field_is_googles_400(sandbox, build_service, fake):
    fake("docs.documents.batchUpdate")
    docs = build_service(sandbox, "docs", "v1", USER)
    with pytest.raises(HttpError) as info:
        docs.documents().batchUpdate(documentId="d1", body={"requests": [{"x": 1}]}).execute()
    assert info.value.resp.status == 400
    message = "Invalid JSON payload received. Unknown name \"x\" at 'requests[0]': Cannot find field."
    assert json.loads(info.value.content) == {
        "error": {
            "code": 400,
            "message": message,
            "status": "INVALID_ARGUMENT",
            "details": [
                {
                    "@type": "type.googleapis.com/google.rpc.BadRequest",
                    "fieldViolations": [{"field": "requests[0]", "description": message}],
                }
            ],
        }
    }


def test_unknown_nested_and_top_level_fields(sandbox, build_service, fake):
    fake("docs.documents.batchUpdate")
    docs = build_service(sandbox, "docs", "v1", USER)
    with pytest.raises(HttpError) as info:
        docs.documents().batchUpdate(
            documentId="d1", body={"requests": [{"insertText": {"text": "a", "location": {"index": 1, "y": 2}}}]}
        ).execute()
    assert error_of(info.value)["message"] == (
        "Invalid JSON payload received. Unknown name \"y\" at 'requests[0].insert_text.location': Cannot find field."
    )
    with pytest.raises(HttpError) as info:
        docs.documents().batchUpdate(documentId="d1", body={"requestz": []}).execute()
    message = 'Invalid JSON payload received. Unknown name "requestz": Cannot find field.'
    assert error_of(info.value)["message"] == message


def test_wrong_type_and_bad_enum_in_body(sandbox, build_service, fake):
    fake("docs.documents.batchUpdate", "sheets.spreadsheets.values.update")
    docs = build_service(sandbox, "docs", "v1", USER)
    with pytest.raises(HttpError) as info:
        docs.documents().batchUpdate(
            documentId="d1", body={"requests": [{"insertText": {"text": "a", "location": {"index": "abc"}}}]}
        ).execute()
    error = error_of(info.value)
    assert error["message"] == "Invalid value at 'requests[0].insert_text.location.index' (TYPE_INT32), \"abc\""
    assert error["details"][0]["fieldViolations"][0]["field"] == "requests[0].insert_text.location.index"
    with pytest.raises(HttpError) as info:
        docs.documents().batchUpdate(
            documentId="d1", body={"requests": [{"insertText": {"text": "a", "location": {"index": 2**31}}}]}
        ).execute()
    assert error_of(info.value)["message"] == (
        "Invalid value at 'requests[0].insert_text.location.index' (TYPE_INT32), 2147483648")
    with pytest.raises(HttpError) as info:
        docs.documents().batchUpdate(
            documentId="d1",
            body={"requests": [{"updateParagraphStyle": {"paragraphStyle": {"namedStyleType": "HEADING_9"},
                                                         "fields": "namedStyleType",
                                                         "range": {"startIndex": 1, "endIndex": 2}}}]},
        ).execute()
    error = error_of(info.value)
    assert info.value.resp.status == 400
    assert error["message"].startswith(
        "Invalid value at 'requests[0].update_paragraph_style.paragraph_style.named_style_type' (type.googleapis.com/"
    )
    assert error["message"].endswith('"HEADING_9"')
    # The recorded Sheets answer for a row that is not a list (gspread cassette test_add_validation).
    sheets = build_service(sandbox, "sheets", "v4", USER)
    with pytest.raises(HttpError) as info:
        sheets.spreadsheets().values().update(
            spreadsheetId="s", range="A1", valueInputOption="RAW", body={"values": ["X"]}
        ).execute()
    assert error_of(info.value)["message"] == (
        "Invalid value at 'data.values' (type.googleapis.com/google.protobuf.ListValue), \"X\""
    )


def test_valid_bodies_pass_with_numbers_as_strings_and_proto_names(sandbox, build_service, fake):
    fake("docs.documents.batchUpdate", "sheets.spreadsheets.batchUpdate")
    docs = build_service(sandbox, "docs", "v1", USER)
    answer = docs.documents().batchUpdate(
        documentId="d1", body={"requests": [{"insert_text": {"text": "a", "location": {"index": "1"}}}]}
    ).execute()
    assert answer["body"] == {"requests": [{"insertText": {"text": "a", "location": {"index": "1"}}}]}
    sheets = build_service(sandbox, "sheets", "v4", USER)
    body = {"requests": [{"updateSheetProperties": {"properties": {"sheetId": 0, "title": "Runs"}, "fields": "title"}}],
            "includeSpreadsheetInResponse": False}
    assert sheets.spreadsheets().batchUpdate(spreadsheetId="s", body=body).execute()["body"] == body


def test_query_parameters_are_typed_and_checked(sandbox, fake):
    fake("sheets.spreadsheets.values.append", "drive.files.list")
    url = f"{sandbox.url}/v4/spreadsheets/s/values/A1:append"
    ok = requests.post(url, params={"valueInputOption": "RAW", "includeValuesInResponse": "true"},
                       json={"values": [["a"]]}, headers=AUTH, timeout=5)
    assert ok.status_code == 200
    assert ok.json()["query"] == {"valueInputOption": "RAW", "includeValuesInResponse": True}
    bad_enum = requests.post(url, params={"valueInputOption": "RAWISH"}, json={}, headers=AUTH, timeout=5)
    assert bad_enum.status_code == 400
    assert bad_enum.json()["error"]["message"] == (
        "Invalid value at 'value_input_option' (type.googleapis.com/google.apps.sheets.v4.ValueInputOption), "
        '"RAWISH"')
    unknown = requests.post(url, params={"valueInputOption": "RAW", "colour": "red"}, json={}, headers=AUTH,
                            timeout=5)
    assert unknown.status_code == 400
    assert unknown.json()["error"]["message"] == (
        'Invalid JSON payload received. Unknown name "colour": Cannot bind query parameter. '
        "Field 'colour' could not be found in request message."
    )
    drive = requests.get(f"{sandbox.url}/drive/v3/files", params={"pageSize": "ten"}, headers=AUTH, timeout=5)
    assert drive.status_code == 400
    error = drive.json()["error"]
    assert error["message"] == "Invalid value at 'page_size' (TYPE_INT32), \"ten\""
    assert error["errors"][0]["location"] == "pageSize"
    assert error["errors"][0]["locationType"] == "parameter"
    too_many = requests.get(f"{sandbox.url}/drive/v3/files", params={"pageSize": "5000"}, headers=AUTH, timeout=5)
    assert too_many.status_code == 400
    assert too_many.json()["error"]["errors"][0]["message"] == (
        "Invalid value '5000'. Values must be within the range: [1, 1000]")
    ignored = requests.get(f"{sandbox.url}/drive/v3/files", params={"colour": "red"}, headers=AUTH, timeout=5)
    assert ignored.status_code == 200  # Drive ignores unknown parameters (as recorded in the gspread cassettes)
    assert "colour" not in ignored.json()["query"]
    standard = requests.get(f"{sandbox.url}/drive/v3/files",
                            params={"pageSize": "5", "prettyPrint": "false", "quotaUser": "x", "alt": "json"},
                            headers=AUTH, timeout=5)
    assert standard.status_code == 200
    assert standard.json()["query"]["pageSize"] == 5
    assert "\n" not in standard.text  # prettyPrint=false: compact JSON


def test_drive_required_query_parameter(sandbox, fake):
    fake("drive.files.export")
    answer = requests.get(f"{sandbox.url}/drive/v3/files/abc/export", headers=AUTH, timeout=5)
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["message"] == "Required parameter: mimeType"
    assert error["errors"][0]["reason"] == "required"
    assert error["errors"][0]["location"] == "mimeType"


def test_invalid_json_body(sandbox, fake):
    fake("docs.documents.create")
    answer = requests.post(f"{sandbox.url}/v1/documents", data=b"{not json", headers=AUTH, timeout=5)
    assert answer.status_code == 400
    assert answer.json()["error"]["message"].startswith("Invalid JSON payload received.")


# --- fields masks --------------------------------------------------------------------------------


def listing(call: core.Call) -> dict:
    return {
        "kind": "drive#fileList",
        "nextPageToken": "t2",
        "files": [
            {"id": "1", "name": "a", "mimeType": "x", "owners": [{"emailAddress": "e", "displayName": "E"}]},
            {"id": "2", "name": "b", "mimeType": "y", "owners": []},
        ],
    }


def test_fields_mask_projects_json_answers(sandbox, build_service, fake):
    fake("drive.files.list", handler=listing)
    drive = build_service(sandbox, "drive", "v3", USER)
    assert drive.files().list(fields="files(id,name),nextPageToken").execute() == {
        "nextPageToken": "t2",
        "files": [{"id": "1", "name": "a"}, {"id": "2", "name": "b"}],
    }
    assert drive.files().list(fields="files/owners/emailAddress").execute() == {
        "files": [{"owners": [{"emailAddress": "e"}]}, {"owners": []}]
    }
    assert drive.files().list(fields="*").execute() == listing(None)  # type: ignore[arg-type]
    assert drive.files().list(fields="nextPageToken, files(id, appProperties)").execute() == {
        "nextPageToken": "t2", "files": [{"id": "1"}, {"id": "2"}]}  # Drive tolerates spaces
    with pytest.raises(HttpError) as info:
        drive.files().list(fields="files(id").execute()
    assert info.value.resp.status == 400
    with pytest.raises(HttpError) as info:
        drive.files().list(fields="files(id,nam)").execute()
    assert error_of(info.value)["errors"][0] == {
        "message": "Invalid field selection nam", "domain": "global", "reason": "invalidParameter",
        "locationType": "parameter", "location": "fields"}


def test_sheets_fields_mask_takes_dots_and_refuses_spaces(sandbox, build_service, fake):
    spreadsheet = {"spreadsheetId": "s", "properties": {"title": "T", "locale": "en_US"},
                   "sheets": [{"properties": {"sheetId": 0, "title": "Runs"}, "protectedRanges": []}]}
    fake("sheets.spreadsheets.get", handler=lambda call: spreadsheet)
    sheets = build_service(sandbox, "sheets", "v4", USER)
    assert sheets.spreadsheets().get(spreadsheetId="s", fields="properties.title,sheets.properties").execute() == {
        "properties": {"title": "T"}, "sheets": [{"properties": {"sheetId": 0, "title": "Runs"}}]}
    with pytest.raises(HttpError) as info:
        sheets.spreadsheets().get(spreadsheetId="s", fields="properties, sheets.properties").execute()
    error = error_of(info.value)
    assert (info.value.resp.status, error["message"]) == (400, "Request contains an invalid argument.")
    assert error["details"][0]["fieldViolations"][0]["description"] == (
        "Error expanding 'fields' parameter. Cannot find matching fields for path ' sheets.properties'.")


# --- uploads -------------------------------------------------------------------------------------


def test_multipart_media_and_resumable_uploads_deliver_exact_bytes(sandbox, build_service, fake):
    seen = []

    def keep(call: core.Call) -> dict:
        seen.append((call.body, call.media.content_type, call.media.data))
        return {"id": "f1", "name": (call.body or {}).get("name")}

    fake("drive.files.create", "drive.files.update", handler=keep)
    drive = build_service(sandbox, "drive", "v3", USER)
    data = bytes(range(256)) * 40 + b"\r\n--not-a-boundary\r\n"
    drive.files().create(body={"name": "a.bin", "parents": ["p"]},
                         media_body=MediaInMemoryUpload(data, mimetype="application/octet-stream")).execute()
    drive.files().update(fileId="f1", media_body=MediaInMemoryUpload(b"<h1>x</h1>", mimetype="text/html")).execute()
    big = b"0123456789" * 70_000
    answer = drive.files().create(
        body={"name": "big.txt"},
        media_body=MediaInMemoryUpload(big, mimetype="text/plain", resumable=True, chunksize=256 * 1024),
    ).execute()
    assert answer == {"id": "f1", "name": "big.txt"}
    assert seen[0] == ({"name": "a.bin", "parents": ["p"]}, "application/octet-stream", data)
    assert seen[1][1:] == ("text/html", b"<h1>x</h1>")
    assert seen[2] == ({"name": "big.txt"}, "text/plain", big)
    assert len(seen) == 3  # the resumable chunks ran the handler once
    uploads = [e.get("upload") for e in sandbox.requests]
    assert uploads[:3] == [None, None, "start"]
    assert set(uploads[3:-1]) == {"chunk"}
    assert uploads[-1] is None  # the last chunk is the call itself


def test_upload_metadata_is_validated(sandbox, build_service, fake):
    fake("drive.files.create")
    drive = build_service(sandbox, "drive", "v3", USER)
    with pytest.raises(HttpError) as info:
        drive.files().create(body={"name": "a", "parents": "not-a-list"},
                             media_body=MediaInMemoryUpload(b"x", mimetype="text/plain")).execute()
    assert info.value.resp.status == 400
    assert "parents" in error_of(info.value)["message"]


def test_drive_drops_unknown_body_fields_as_google_does(sandbox, build_service, fake):
    fake("drive.permissions.create")
    drive = build_service(sandbox, "drive", "v3", USER)
    # gspread's share() sends the v2-era "withLink", which Drive v3 ignores.
    answer = drive.permissions().create(fileId="f", body={"type": "anyone", "role": "reader", "withLink": False}
                                        ).execute()
    assert answer["body"] == {"type": "anyone", "role": "reader"}


# --- batch ---------------------------------------------------------------------------------------


def file_or_404(call: core.Call) -> dict:
    if call.path_params["fileId"] == "missing":
        raise core.ApiError(404, "File not found: missing.", reason="notFound", location="fileId",
                            location_type="parameter")
    return {"id": call.path_params["fileId"], "user": call.user}


def test_drive_batch_answers_each_part_in_order(sandbox, build_service, fake):
    fake("drive.files.get", handler=file_or_404)
    drive = build_service(sandbox, "drive", "v3", USER)
    answers: dict[str, tuple] = {}

    def collect(request_id, response, exception):
        answers[request_id] = (response, exception)

    batch = drive.new_batch_http_request(callback=collect)
    for file_id in ("a", "missing", "c"):
        batch.add(drive.files().get(fileId=file_id), request_id=file_id)
    batch.execute()
    assert answers["a"] == ({"id": "a", "user": USER}, None)
    assert answers["c"][0] == {"id": "c", "user": USER}
    assert answers["missing"][0] is None
    assert answers["missing"][1].resp.status == 404
    logged = [e for e in sandbox.requests if e["method"] == "drive.files.get"]
    assert [e["status"] for e in logged] == [200, 404, 200]


def test_drive_batch_runs_100_parts_and_refuses_the_rest(sandbox, build_service, fake):
    fake("drive.files.get", handler=file_or_404)
    drive = build_service(sandbox, "drive", "v3", USER)
    answers: dict[str, tuple] = {}
    batch = drive.new_batch_http_request(callback=lambda rid, resp, exc: answers.update({rid: (resp, exc)}))
    for i in range(102):  # the client allows 1000 a batch; Drive runs 100
        batch.add(drive.files().get(fileId=f"f{i}"), request_id=str(i))
    batch.execute()
    assert all(answers[str(i)] == ({"id": f"f{i}", "user": USER}, None) for i in range(100))
    for i in (100, 101):
        response, error = answers[str(i)]
        assert response is None
        assert error.resp.status == 403
        assert json.loads(error.content)["error"]["errors"][0] == {
            "message": "Exceeds allowed inner batch requests soft limit. Please retry.",
            "domain": "global", "reason": "forbidden"}
    assert len([e for e in sandbox.requests if e["method"] == "drive.files.get"]) == 100


def test_sheets_batch_uses_the_api_host(sandbox, build_service, fake):
    fake("sheets.spreadsheets.get")
    sheets = build_service(sandbox, "sheets", "v4", USER)
    answers = []
    batch = sheets.new_batch_http_request(callback=lambda rid, resp, exc: answers.append((resp, exc)))
    batch.add(sheets.spreadsheets().get(spreadsheetId="s1"))
    batch.add(sheets.spreadsheets().get(spreadsheetId="s2", includeGridData=True))
    batch.execute()
    assert [a[0]["path"]["spreadsheetId"] for a in answers] == ["s1", "s2"]
    assert answers[1][0]["query"]["includeGridData"] is True


# --- latency, request log, persistence -----------------------------------------------------------


def test_fixed_latency_and_request_log_file(tmp_path, fake):
    fake("drive.about.get")
    log_path = tmp_path / "requests.jsonl"
    with SandboxServer(latency_ms=150, request_log=str(log_path)) as server:
        started = time.perf_counter()
        answer = requests.get(f"{server.url}/drive/v3/about", params={"fields": "user"}, headers=AUTH, timeout=5)
        elapsed = time.perf_counter() - started
        requests.get(f"{server.url}/drive/v3/about", timeout=5)  # no token: 401
        entries = server.requests
    assert answer.status_code == 200
    assert elapsed >= 0.15
    lines = [json.loads(line) for line in log_path.read_text().splitlines()]
    assert lines == entries
    assert [(e["user"], e["method"], e["status"]) for e in lines] == [
        (USER, "drive.about.get", 200),
        (None, "drive.about.get", 401),
    ]
    assert lines[0]["ms"] >= 150
    assert set(lines[0]) >= {"time", "user", "method", "status", "ms", "fault"}


def test_state_survives_a_restart_with_a_file_db(tmp_path, fake):
    def put(call: core.Call) -> dict:
        call.store.put("note", "n1", {"text": call.body["name"]})
        return {"id": "n1"}

    def get(call: core.Call) -> dict:
        return call.store.get("note", call.path_params["fileId"]) or {}

    fake("drive.files.create", handler=put)
    fake("drive.files.get", handler=get)
    db = str(tmp_path / "sandbox.db")
    with SandboxServer(db=db) as first:
        requests.post(f"{first.url}/drive/v3/files", json={"name": "kept"}, headers=AUTH, timeout=5)
    with SandboxServer(db=db) as second:
        answer = requests.get(f"{second.url}/drive/v3/files/n1", headers=AUTH, timeout=5)
    assert answer.json() == {"text": "kept"}


def test_a_failing_handler_rolls_back_its_writes(sandbox, fake):
    def half(call: core.Call) -> dict:
        call.store.put("note", "n1", {"text": "half"})
        raise core.ApiError(400, "Invalid requests[1]: nope")

    fake("docs.documents.create", handler=half)
    answer = requests.post(f"{sandbox.url}/v1/documents", json={"title": "x"}, headers=AUTH, timeout=5)
    assert answer.status_code == 400
    assert answer.json()["error"] == {"code": 400, "message": "Invalid requests[1]: nope", "status": "INVALID_ARGUMENT"}
    assert sandbox.store.get("note", "n1") is None


def test_result_objects_render_status_headers_and_raw_bytes(sandbox, fake):
    fake("drive.files.export", handler=lambda call: Result(raw=b"<p>hi</p>", content_type="text/html"))
    fake("drive.files.delete", handler=lambda call: None)
    exported = requests.get(f"{sandbox.url}/drive/v3/files/a/export", params={"mimeType": "text/html"},
                            headers=AUTH, timeout=5)
    assert (exported.status_code, exported.headers["Content-Type"], exported.content) == (200, "text/html",
                                                                                        b"<p>hi</p>")
    deleted = requests.delete(f"{sandbox.url}/drive/v3/files/a", headers=AUTH, timeout=5)
    assert (deleted.status_code, deleted.content, deleted.headers["Content-Type"]) == (204, b"", "text/html")
    # Google's usual headers, as recorded
    assert deleted.headers["Cache-Control"] == "no-cache, no-store, max-age=0, must-revalidate"
    assert deleted.headers["Server"] == "ESF"


# --- pages ---------------------------------------------------------------------------------------


def test_login_cookie_signs_a_browser_in_and_pages_see_the_user(sandbox, monkeypatch):
    def whoami(req: core.PageRequest) -> Result:
        return core.html_page(f"user={req.user}")

    monkeypatch.setattr(core, "PAGES", core.PAGES)  # restored list object, entries appended below
    core.PAGES.append(("/_test/whoami", ("GET",), whoami))
    try:
        with SandboxServer() as server:
            browser = requests.Session()
            assert browser.get(f"{server.url}/_test/whoami", timeout=5).text == "user=None"
            signed = browser.get(f"{server.url}/_sandbox/login", params={"email": USER, "next": "/_test/whoami"},
                                 timeout=5)
            assert signed.text == f"user={USER}"
            index = browser.get(f"{server.url}/_sandbox/", timeout=5)
            assert USER in index.text
            bearer = requests.get(f"{server.url}/_test/whoami", headers={"Authorization": "Bearer sandbox-admin"},
                                  timeout=5)
            assert bearer.text == "user=sandbox-admin"
            browser.get(f"{server.url}/_sandbox/logout", timeout=5)
            assert browser.get(f"{server.url}/_test/whoami", timeout=5).text == "user=None"
            evil = browser.get(f"{server.url}/_sandbox/login", params={"email": USER, "next": "https://evil.example"},
                               allow_redirects=False, timeout=5)
            assert evil.headers["Location"] == "/_sandbox/"
    finally:
        core.PAGES.remove(("/_test/whoami", ("GET",), whoami))


def test_implementation_coverage_file_is_up_to_date():
    from ilt_bot.sandbox.coverage import COVERAGE_FILE, render

    assert COVERAGE_FILE.read_text(encoding="utf-8") == render(), (
        "regenerate with: python -m ilt_bot.sandbox.coverage"
    )


def test_every_api_package_loads():
    from ilt_bot.sandbox.server import load_api_packages

    assert load_api_packages() == {"drive": None, "docs": None, "forms": None, "sheets": None, "calendar": None}


def test_index_lists_known_users_with_a_sign_in_link(sandbox, build_service):
    drive = build_service(sandbox, "drive", "v3", USER)
    drive.files().create(body={"name": "Agendas", "mimeType": "application/vnd.google-apps.folder"}).execute()
    page = requests.get(f"{sandbox.url}/", timeout=5).text  # the bare address leads to the index
    assert f"/_sandbox/login?email={USER.replace('@', '%40')}&amp;next=" in page
    browser = requests.Session()
    landing = browser.get(f"{sandbox.url}/_sandbox/login", params={"email": USER, "next": "/_sandbox/drive"},
                          timeout=5)
    assert landing.status_code == 200
    assert "Agendas" in landing.text  # the Drive page now shows this user's files


def test_sandbox_clock_moves_what_handlers_see_as_now(sandbox, fake):
    from datetime import UTC, datetime

    fake("drive.about.get", handler=lambda call: {"user": {"displayName": call.now.isoformat()}})
    sandbox.set_now(datetime(2026, 9, 15, 8, 0, tzinfo=UTC))
    seen = requests.get(f"{sandbox.url}/drive/v3/about", params={"fields": "user"}, headers=AUTH, timeout=5)
    assert seen.json()["user"]["displayName"].startswith("2026-09-15T08:00")
    admin = {"Authorization": "Bearer sandbox-admin"}
    assert requests.post(f"{sandbox.url}/_sandbox/clock", data={"now": "2027-01-04T12:00:00Z"}, headers=AUTH,
                         timeout=5).status_code == 403
    moved = requests.post(f"{sandbox.url}/_sandbox/clock", data={"now": "2027-01-04T12:00:00Z"}, headers=admin,
                          timeout=5)
    assert moved.json()["now"].startswith("2027-01-04T12:00")
    assert requests.get(f"{sandbox.url}/_sandbox/clock", timeout=5).json()["now"].startswith("2027-01-04T12:00")
    requests.post(f"{sandbox.url}/_sandbox/clock", data={"now": ""}, headers=admin, timeout=5)
    assert requests.get(f"{sandbox.url}/_sandbox/clock", timeout=5).json()["now"][:4] == str(datetime.now(UTC).year)


def test_a_missing_api_package_is_reported_and_the_others_load(caplog):
    from ilt_bot.sandbox.server import import_packages

    outcome = import_packages(["drive", "gmail"])
    assert outcome["drive"] is None
    assert outcome["gmail"].startswith("ModuleNotFoundError")
    assert "gmail" in caplog.text


def test_concurrent_writes_are_applied_one_at_a_time(sandbox, fake):
    from concurrent.futures import ThreadPoolExecutor

    def bump(call: core.Call) -> dict:
        record = call.store.get("note", "counter") or {"n": 0}
        time.sleep(0.002)  # widen the read-modify-write window
        call.store.put("note", "counter", {"n": record["n"] + 1})
        return {"id": "counter"}

    fake("drive.files.create", handler=bump)

    def create(_: int) -> int:
        return requests.post(f"{sandbox.url}/drive/v3/files", json={"name": "x"}, headers=AUTH, timeout=10).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(create, range(40)))
    assert statuses == [200] * 40
    assert sandbox.store.get("note", "counter") == {"n": 40}


def recorded_requests() -> list[tuple[str, str, bytes, int]]:
    """(method, uri, body, status) of every recorded interaction (gspread and gspread-pandas cassettes)."""
    import base64

    found = []
    for path in sorted(recordings("gspread").glob("*.json")):
        for interaction in json.loads(path.read_text(encoding="utf-8"))["interactions"]:
            request, status = interaction["request"], interaction["response"]["status"]["code"]
            body = request.get("body")
            body = body.get("string") if isinstance(body, dict) else body
            raw = body.encode() if isinstance(body, str) else (body or b"")
            found.append((request["method"], request["uri"], raw, status))
    for path in sorted(recordings("gspread-pandas").glob("*.json")):
        for interaction in json.loads(path.read_text(encoding="utf-8"))["http_interactions"]:
            request, body = interaction["request"], interaction["request"]["body"]
            raw = base64.b64decode(body["base64_string"]) if "base64_string" in body else body["string"].encode()
            found.append((request["method"], request["uri"], raw, interaction["response"]["status"]["code"]))
    return found


def test_every_request_google_accepted_in_the_recordings_passes_validation():
    """The validator refuses nothing that the real APIs answered 2xx (2,400+ recorded calls)."""
    from urllib.parse import parse_qsl, urlsplit

    from ilt_bot.sandbox import routing, schema

    checked, refused, unrouted = 0, [], set()
    for method, uri, raw, status in recorded_requests():
        url = urlsplit(uri)
        match, _ = routing.match(method, url.path, url.hostname)
        if not 200 <= status < 300:
            continue
        if match is None:
            unrouted.add("/".join(url.path.split("/")[:4]))
            continue
        try:
            query = schema.validate_query(match.method_id, parse_qsl(url.query, keep_blank_values=True),
                                          match.path_params)
            if query.get("fields"):
                schema.parse_fields(query["fields"], match.method_id)
            if match.upload is None:
                schema.validate_body(match.method_id, schema.parse_json_body(raw))
        except core.ApiError as error:
            refused.append((match.method_id, error.message))
        checked += 1
    assert checked > 2400
    assert refused == []
    assert unrouted == {"/upload/drive/v2", "/userinfo/v2/me"}  # Drive v2 uploads, userinfo: not emulated


def test_esf_takes_a_lone_object_or_nested_lists_for_a_repeated_message(sandbox, build_service, fake):
    """gspread-pandas sent ``requests`` as one object and as ``[[...]]``; Sheets answered 200 (recorded)."""
    import base64

    recorded = []
    for path in sorted(recordings("gspread-pandas").glob("*.json")):
        for interaction in json.loads(path.read_text(encoding="utf-8"))["http_interactions"]:
            request = interaction["request"]
            if request["uri"].endswith(":batchUpdate") and interaction["response"]["status"]["code"] == 200:
                body = request["body"]
                raw = base64.b64decode(body["base64_string"]) if "base64_string" in body else body["string"]
                recorded.append(json.loads(raw))
    shapes = {type(body["requests"]).__name__ + ("[list]" if isinstance(body["requests"], list)
                                                   and isinstance(body["requests"][0], list) else "")
              for body in recorded}
    assert {"dict", "list[list]"} <= shapes
    fake("sheets.spreadsheets.batchUpdate")
    sheets = build_service(sandbox, "sheets", "v4", USER)
    for body in recorded:
        answer = sheets.spreadsheets().batchUpdate(spreadsheetId="s", body=body).execute()
        assert isinstance(answer["body"]["requests"], list)
        assert all(isinstance(r, dict) for r in answer["body"]["requests"])
    lone = sheets.spreadsheets().batchUpdate(spreadsheetId="s", body={
        "requests": {"update_sheet_properties": {"properties": {"sheet_id": 1, "title": "T"}, "fields": "title"}}
    }).execute()
    assert lone["body"]["requests"] == [
        {"updateSheetProperties": {"properties": {"sheetId": 1, "title": "T"}, "fields": "title"}}]


def test_a_port_in_use_is_an_oserror_the_caller_can_handle(tmp_path):
    """Werkzeug exits the process when its port is taken; the sandbox raises ``OSError`` (EADDRINUSE)
    instead, so the demo can fall back to a free port and ``sandbox serve`` can say which port is busy."""
    import errno
    import socket

    from ilt_bot.sandbox.server import SandboxServer

    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    try:
        port = taken.getsockname()[1]
        with pytest.raises(OSError) as caught:
            SandboxServer(db=str(tmp_path / "s.db"), port=port).start()
        assert caught.value.errno == errno.EADDRINUSE
    finally:
        taken.close()
