"""The tracker layer on the sandbox: tabs made for people, the one read, the lease (docs/tracker-identity.md)."""

from __future__ import annotations

import threading

from tests.conftest import make_service
from tests.workspace.test_sheets_gspread import ROOT, gw  # noqa: F401 - the gateway fixture

HEADERS = {"Feedback": ["Response ID", "Meeting", "Plus"], "Runs": ["Run ID", "Detail"]}


def test_a_new_tab_is_keyed_frozen_noted_and_its_id_hidden_and_protected_warning_only(sandbox, gw):  # noqa: F811
    """Sheet and column developer metadata (``createDeveloperMetadata``), ``frozenRowCount``, a header note,
    ``hiddenByUser`` and a ``warningOnly`` protected range, read back as Google answers ``spreadsheets.get``."""
    sid = gw.ensure_spreadsheet("cedar/tracker/t", "Tracker", ROOT, HEADERS).file.id
    sheets = make_service(sandbox, "sheets", "v4", "ilt-bot@cedar.example.org").spreadsheets()
    answer = sheets.get(spreadsheetId=sid, fields="sheets(properties,developerMetadata,protectedRanges,"
                        "data(columnMetadata(hiddenByUser,developerMetadata),rowData(values(note,formattedValue))))"
                        ).execute()
    tab = next(s for s in answer["sheets"] if s["properties"]["title"] == "Feedback")
    assert tab["properties"]["gridProperties"]["frozenRowCount"] == 1
    assert [(m["metadataKey"], m["metadataValue"]) for m in tab["developerMetadata"]] == [("ilt.tab", "Feedback")]
    columns = tab["data"][0]["columnMetadata"][:3]
    assert [c["developerMetadata"][0]["metadataValue"] for c in columns] == HEADERS["Feedback"]
    assert columns[0].get("hiddenByUser") is True and not columns[1].get("hiddenByUser")
    (protected,) = tab["protectedRanges"]
    assert protected["warningOnly"] is True and protected["range"].get("endColumnIndex") == 1
    assert "copies every feedback Form response" in tab["data"][0]["rowData"][0]["values"][0]["note"]


def test_the_tracker_is_read_in_one_request_wherever_people_moved_things(sandbox, gw):  # noqa: F811
    sid = gw.ensure_spreadsheet("cedar/tracker/t", "Tracker", ROOT, HEADERS).file.id
    found = gw.read_tracker(sid, HEADERS)
    gw.append_tab_rows(sid, found["Feedback"], HEADERS["Feedback"], [["r1", "2026-08-25", "Clear roles"]])
    sheets = make_service(sandbox, "sheets", "v4", "ilt-bot@cedar.example.org").spreadsheets()
    feedback_id = found["Feedback"].sheet_id
    sheets.batchUpdate(spreadsheetId=sid, body={"requests": [
        {"updateSheetProperties": {"properties": {"sheetId": feedback_id, "title": "Retours", "index": 1},
                                   "fields": "title,index"}},
        {"insertDimension": {"range": {"sheetId": feedback_id, "dimension": "COLUMNS", "startIndex": 1,
                                       "endIndex": 2}}},
        {"moveDimension": {"source": {"sheetId": feedback_id, "dimension": "COLUMNS", "startIndex": 3,
                                      "endIndex": 4}, "destinationIndex": 0}}]}).execute()
    mark = len(sandbox.requests)
    again = gw.read_tracker(sid, HEADERS)
    assert [e["method"] for e in sandbox.requests[mark:]] == ["sheets.spreadsheets.get"]
    tab = again["Feedback"]
    assert tab.title == "Retours" and tab.columns == {"Plus": 0, "Response ID": 1, "Meeting": 3}
    assert tab.rows == [["Clear roles", "r1", "", "2026-08-25"]]


def test_the_lease_goes_to_one_run_at_a_time_and_a_stale_one_is_taken_over(sandbox, gw):  # noqa: F811
    """``addSheet`` of a title that exists is refused (400 "A sheet with the name ... already exists"), so
    of runs taking the lease at once exactly one gets it; an expired lease is removed by its sheetId."""
    sid = gw.ensure_spreadsheet("cedar/tracker/t", "Tracker", ROOT, HEADERS).file.id
    got: list[int | None] = []
    barrier = threading.Barrier(3)

    def take(n: int) -> None:
        barrier.wait()
        got.append(gw.take_lease(sid, f"run-{n}", "2026-09-01T12:02:00+00:00", "2026-09-01T12:00:00+00:00"))

    threads = [threading.Thread(target=take, args=(n,)) for n in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    held = [g for g in got if g is not None]
    assert len(held) == 1
    assert gw.take_lease(sid, "later", "2026-09-01T12:06:00+00:00", "2026-09-01T12:01:00+00:00") is None
    taken_over = gw.take_lease(sid, "after a crash", "2026-09-01T12:10:00+00:00", "2026-09-01T12:05:00+00:00")
    assert taken_over is not None and taken_over != held[0]
    gw.drop_lease(sid, taken_over)
    assert "ilt-bot lease" not in {t["title"] for t in gw.sheets.tabs(sid)}


def test_a_field_mask_without_sheets_data_answers_no_cells(sandbox, gw):  # noqa: F811
    """``spreadsheets.get``: "includeGridData ... is ignored if a field mask was set"; the mask decides. A mask
    naming ``developerMetadata`` (which contains the letters ``data(``) asks for no grid data."""
    sid = gw.ensure_spreadsheet("cedar/tracker/t", "Tracker", ROOT, HEADERS).file.id
    sheets = make_service(sandbox, "sheets", "v4", "ilt-bot@cedar.example.org").spreadsheets()
    bare = sheets.get(spreadsheetId=sid, fields="sheets(properties(title),developerMetadata(metadataKey))").execute()
    assert all("data" not in s for s in bare["sheets"])
    full = sheets.get(spreadsheetId=sid, fields="sheets(properties(title),data(rowData(values(formattedValue))))"
                      ).execute()
    assert all("data" in s for s in full["sheets"])
