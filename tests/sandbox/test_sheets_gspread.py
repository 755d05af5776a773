"""The sandbox's Sheets v4 through the real gspread 6 client, as the bot and people use it."""

from __future__ import annotations

from typing import Any

import gspread
import pytest
from gspread.exceptions import APIError, SpreadsheetNotFound

OWNER = "ana.ruiz@cedar.example"
OTHER = "ben.stone@maple.example"


@pytest.fixture
def gc(sandbox: Any, gspread_client: Any) -> gspread.Client:
    return gspread_client(sandbox, OWNER)


@pytest.fixture
def sheet(gc: gspread.Client) -> gspread.Spreadsheet:
    return gc.create("ILT tracker 2026-27")


def test_create_gives_one_sheet1_of_1000_by_26(sheet: gspread.Spreadsheet) -> None:
    ws = sheet.sheet1
    assert (ws.title, ws.row_count, ws.col_count, ws.id) == ("Sheet1", 1000, 26, 0)
    meta = sheet.fetch_sheet_metadata()
    assert meta["properties"]["title"] == "ILT tracker 2026-27"
    assert meta["spreadsheetUrl"].endswith(f"/spreadsheets/d/{sheet.id}/edit")


def test_worksheets_are_added_renamed_reordered_and_deleted(sheet: gspread.Spreadsheet) -> None:
    runs = sheet.add_worksheet("Runs", rows=10, cols=5)
    sheet.add_worksheet("Meetings", rows=20, cols=8)
    assert [w.title for w in sheet.worksheets()] == ["Sheet1", "Runs", "Meetings"]
    assert (runs.row_count, runs.col_count) == (10, 5)
    runs.update_title("Run log")
    runs.update_index(0)
    assert [w.title for w in sheet.worksheets()] == ["Run log", "Sheet1", "Meetings"]
    with pytest.raises(APIError, match="already exists"):
        sheet.add_worksheet("Meetings", rows=1, cols=1)
    sheet.del_worksheet(runs)
    assert [w.title for w in sheet.worksheets()] == ["Sheet1", "Meetings"]


def test_raw_keeps_formula_text_and_user_entered_computes(sheet: gspread.Spreadsheet) -> None:
    ws = sheet.sheet1
    ws.update([["=SUM(1,2)", "5", "TRUE"]], "A1", value_input_option="RAW")
    ws.update([["=SUM(A2:B2)*2", "4", "1.5"]], "A3", value_input_option="USER_ENTERED")
    ws.update([["1", "2"]], "A2", value_input_option="USER_ENTERED")
    assert ws.get("A1:C1") == [["=SUM(1,2)", "5", "TRUE"]]
    assert ws.get("A1:C1", value_render_option="UNFORMATTED_VALUE") == [["=SUM(1,2)", "5", "TRUE"]]
    assert ws.get("A3:C3") == [["6", "4", "1.5"]]
    assert ws.get("A3:C3", value_render_option="UNFORMATTED_VALUE") == [[6, 4, 1.5]]
    assert ws.get("A3", value_render_option="FORMULA") == [["=SUM(A2:B2)*2"]]


def test_user_entered_dates_keep_their_format(sheet: gspread.Spreadsheet) -> None:
    ws = sheet.sheet1
    ws.update([["2026-09-15", "=1/0", "2,000.5"]], "A1", value_input_option="USER_ENTERED")
    assert ws.get("A1:C1") == [["2026-09-15", "#DIV/0!", "2,000.5"]]
    serial = ws.get("A1", value_render_option="UNFORMATTED_VALUE")[0][0]
    assert serial == 46280
    formatted = ws.get("A1", value_render_option="UNFORMATTED_VALUE", date_time_render_option="FORMATTED_STRING")
    assert formatted == [["2026-09-15"]]


def test_get_trims_trailing_empties_and_echoes_googles_range(sheet: gspread.Spreadsheet) -> None:
    ws = sheet.add_worksheet("My Tab", rows=50, cols=4)
    ws.update([["a", "", "c"], ["", "", ""], ["d"]], "A1")
    result = ws.get("A1:D10")
    assert result.range == "'My Tab'!A1:D10"
    assert list(result) == [["a", "", "c"], [], ["d"]]
    whole = sheet.values_get("'My Tab'")
    assert whole["range"] == "'My Tab'!A1:D50"
    columns = sheet.values_get("'My Tab'!A:C", params={"majorDimension": "COLUMNS"})
    assert columns["values"] == [["a", "", "d"], [], ["c"]]


def test_append_writes_under_the_table_and_reports_it(sheet: gspread.Spreadsheet) -> None:
    ws = sheet.sheet1
    ws.update([["When", "Who"], ["Mon", "Ana"]], "A1")
    answer = ws.append_row(["Tue", "Ben"], table_range="A1")
    assert answer["tableRange"] == "Sheet1!A1:B2"
    assert answer["updates"]["updatedRange"] == "Sheet1!A3:B3"
    ws.append_rows([["Wed", "Cy"], ["Thu", "Di"]])
    assert ws.get_all_values() == [["When", "Who"], ["Mon", "Ana"], ["Tue", "Ben"], ["Wed", "Cy"], ["Thu", "Di"]]


def test_append_to_an_empty_sheet_starts_at_the_range_and_has_no_table(sheet: gspread.Spreadsheet) -> None:
    answer = sheet.values_append("Sheet1!C3", {"valueInputOption": "RAW"}, {"values": [["x", "y"]]})
    assert "tableRange" not in answer
    assert answer["updates"]["updatedRange"] == "Sheet1!C3:D3"


def test_append_grows_the_grid(sheet: gspread.Spreadsheet) -> None:
    ws = sheet.add_worksheet("Small", rows=2, cols=2)
    ws.append_rows([["1", "2", "3"], ["4", "5", "6"], ["7", "8", "9"]])
    ws = sheet.worksheet("Small")
    assert (ws.row_count, ws.col_count) == (3, 3)
    assert ws.get_all_values()[-1] == ["7", "8", "9"]


def test_insert_rows_option_shifts_what_is_below(sheet: gspread.Spreadsheet) -> None:
    ws = sheet.sheet1
    ws.update([["h"], ["1"], [""], ["tail"]], "A1")
    sheet.values_append("Sheet1!A1", {"valueInputOption": "RAW", "insertDataOption": "INSERT_ROWS"},
                        {"values": [["2"]]})
    assert ws.col_values(1) == ["h", "1", "2", "", "tail"]
    assert sheet.sheet1.row_count == 1001


def test_writing_past_the_grid_is_refused_like_google(sheet: gspread.Spreadsheet) -> None:
    ws = sheet.sheet1
    with pytest.raises(APIError) as raised:
        ws.update([["x"]], "A1001")
    assert raised.value.code == 400
    assert raised.value.error["message"] == "Range (Sheet1!A1001) exceeds grid limits. Max rows: 1000, max columns: 26"
    with pytest.raises(APIError, match=r"Range \(Sheet1!AA1\) exceeds grid limits"):
        ws.update([["x"]], "AA1")


def test_a_write_crossing_the_grid_names_the_written_range_and_grows_nothing(sheet: gspread.Spreadsheet) -> None:
    """Google names the whole range written in the 400 (``Range ('Dog Activity'!A1001:T1001) exceeds
    grid limits. Max rows: 1000, max columns: 26`` as quoted by Sheets users), for values.update and
    values.batchUpdate alike, and leaves the sheet's size alone (only values.append adds rows)."""
    tab = sheet.add_worksheet("Dog Activity", rows=1000, cols=26)
    with pytest.raises(APIError) as raised:
        tab.update([["a", "b"], ["c", "d"]], "A1000")
    assert raised.value.error["message"] == (
        "Range ('Dog Activity'!A1000:B1001) exceeds grid limits. Max rows: 1000, max columns: 26")
    with pytest.raises(APIError) as raised:
        sheet.values_batch_update({"valueInputOption": "RAW", "data": [
            {"range": "Sheet1!A1", "values": [["kept?"]]}, {"range": "Sheet1!Z1", "values": [["x", "y"]]}]})
    assert raised.value.error["message"] == "Range (Sheet1!Z1:AA1) exceeds grid limits. Max rows: 1000, max columns: 26"
    fresh = sheet.worksheet("Dog Activity")
    assert (fresh.row_count, fresh.col_count) == (1000, 26)
    assert sheet.sheet1.acell("A1").value is None  # the batch is all or nothing


def test_value_input_option_is_required(sheet: gspread.Spreadsheet) -> None:
    with pytest.raises(APIError) as raised:
        sheet.values_update("Sheet1!A1", params={}, body={"values": [["x"]]})
    assert raised.value.code == 400


def test_values_batch_get_update_and_clear(sheet: gspread.Spreadsheet) -> None:
    ws = sheet.sheet1
    ws.batch_update([{"range": "A1:B1", "values": [["a", "b"]]}, {"range": "D4", "values": [["d"]]}])
    assert ws.batch_get(["A1:B1", "D4"]) == [[["a", "b"]], [["d"]]]
    ws.batch_clear(["A1"])
    assert ws.get_all_values() == [["", "b", "", ""], ["", "", "", ""], ["", "", "", ""], ["", "", "", "d"]]
    cleared = sheet.values_clear("Sheet1")
    assert cleared["clearedRange"] == "Sheet1!A1:Z1000"
    assert sheet.values_get("Sheet1") == {"range": "Sheet1!A1:Z1000", "majorDimension": "ROWS"}


def test_formatting_is_stored_and_read_back(sheet: gspread.Spreadsheet) -> None:
    ws = sheet.sheet1
    ws.update([["Title"]], "A1")
    ws.format("A1:B1", {"textFormat": {"bold": True}, "backgroundColor": {"red": 1, "green": 0.5}})
    meta = sheet.fetch_sheet_metadata({"includeGridData": "true", "ranges": "Sheet1!A1:B1"})
    cells = meta["sheets"][0]["data"][0]["rowData"][0]["values"]
    assert cells[0]["formattedValue"] == "Title"
    assert cells[0]["userEnteredFormat"]["textFormat"]["bold"] is True
    assert cells[1]["userEnteredFormat"]["backgroundColor"]["red"] == 1
    assert cells[0]["effectiveFormat"]["textFormat"]["fontFamily"] == "arial,sans,sans-serif"


def test_batch_update_applies_all_or_nothing(sheet: gspread.Spreadsheet) -> None:
    body = {"requests": [{"addSheet": {"properties": {"title": "Dashboard"}}},
                         {"deleteSheet": {"sheetId": 424242}}]}
    with pytest.raises(APIError, match=r"requests\[1\].deleteSheet: No grid with id: 424242"):
        sheet.batch_update(body)
    assert [w.title for w in sheet.worksheets()] == ["Sheet1"]
    replies = sheet.batch_update({"requests": [
        {"addSheet": {"properties": {"title": "Dashboard", "gridProperties": {"rowCount": 5, "columnCount": 3}}}},
        {"updateSpreadsheetProperties": {"properties": {"title": "Renamed"}, "fields": "title"}},
    ]})["replies"]
    assert replies[0]["addSheet"]["properties"]["title"] == "Dashboard"
    assert replies[1] == {}
    assert sheet.fetch_sheet_metadata()["properties"]["title"] == "Renamed"


def test_unimplemented_request_kind_is_a_clear_501(sheet: gspread.Spreadsheet) -> None:
    with pytest.raises(APIError) as raised:
        sheet.batch_update({"requests": [{"addSlicer": {"slicer": {}}}]})
    assert raised.value.code == 501
    assert "addSlicer" in raised.value.error["message"]


def test_charts_filters_protection_named_ranges_and_merges(sheet: gspread.Spreadsheet) -> None:
    ws = sheet.sheet1
    ws.update([["Week", "Plus"], ["1", "3"], ["2", "5"]], "A1", value_input_option="USER_ENTERED")
    source = {"sheetId": 0, "startRowIndex": 0, "endRowIndex": 3, "startColumnIndex": 0, "endColumnIndex": 2}
    chart = {"spec": {"title": "Plus per week", "basicChart": {"chartType": "LINE", "domains": [
        {"domain": {"sourceRange": {"sources": [{**source, "endColumnIndex": 1}]}}}]}},
        "position": {"overlayPosition": {"anchorCell": {"sheetId": 0, "rowIndex": 0, "columnIndex": 4}}}}
    replies = sheet.batch_update({"requests": [
        {"addChart": {"chart": chart}},
        {"setBasicFilter": {"filter": {"range": source}}},
        {"addProtectedRange": {"protectedRange": {"range": source, "description": "history"}}},
        {"addNamedRange": {"namedRange": {"name": "Weeks", "range": source}}},
        {"mergeCells": {"range": {"sheetId": 0, "startRowIndex": 5, "endRowIndex": 6, "startColumnIndex": 0,
                                  "endColumnIndex": 2}, "mergeType": "MERGE_ALL"}},
    ]})["replies"]
    chart_id = replies[0]["addChart"]["chart"]["chartId"]
    meta = sheet.fetch_sheet_metadata()
    tab = meta["sheets"][0]
    assert tab["charts"][0]["chartId"] == chart_id
    assert tab["basicFilter"]["range"]["endRowIndex"] == 3
    assert tab["protectedRanges"][0]["editors"]["users"] == [OWNER]
    assert tab["merges"] == [{"startRowIndex": 5, "endRowIndex": 6, "startColumnIndex": 0, "endColumnIndex": 2}]
    assert meta["namedRanges"][0]["name"] == "Weeks"
    assert sheet.values_get("Weeks")["values"] == [["Week", "Plus"], ["1", "3"], ["2", "5"]]


def test_sort_insert_delete_and_find_replace(sheet: gspread.Spreadsheet) -> None:
    ws = sheet.sheet1
    ws.update([["name", "n"], ["cy", "3"], ["ana", "1"], ["ben", "2"]], "A1", value_input_option="USER_ENTERED")
    ws.sort((2, "asc"), range="A2:B4")
    assert ws.col_values(1) == ["name", "ana", "ben", "cy"]
    ws.insert_row(["new", "0"], index=2)
    ws.delete_rows(5)
    assert ws.get_all_values() == [["name", "n"], ["new", "0"], ["ana", "1"], ["ben", "2"]]
    reply = sheet.batch_update({"requests": [{"findReplace": {"find": "an", "replacement": "AN", "allSheets": True}}]})
    assert reply["replies"][0]["findReplace"]["occurrencesChanged"] == 1
    assert ws.acell("A3").value == "ANa"


def test_unknown_spreadsheet_is_not_found(gc: gspread.Client) -> None:
    with pytest.raises(SpreadsheetNotFound):
        gc.open_by_key("1" + "x" * 43)


def test_a_stranger_is_denied_and_a_reader_cannot_write(sandbox: Any, gspread_client: Any, build_service: Any,
                                                          sheet: gspread.Spreadsheet) -> None:
    sheet.sheet1.update([["private"]], "A1")
    stranger = gspread_client(sandbox, OTHER)
    with pytest.raises(APIError) as raised:
        stranger.http_client.values_get(sheet.id, "Sheet1!A1")
    assert raised.value.code == 403
    assert raised.value.error == {"code": 403, "message": "The caller does not have permission",
                                  "status": "PERMISSION_DENIED"}
    drive = build_service(sandbox, "drive", "v3", OWNER)
    drive.permissions().create(fileId=sheet.id, sendNotificationEmail=False,
                               body={"type": "user", "role": "reader", "emailAddress": OTHER}).execute()
    assert stranger.http_client.values_get(sheet.id, "Sheet1!A1")["values"] == [["private"]]
    with pytest.raises(APIError) as raised:
        stranger.http_client.values_update(sheet.id, "Sheet1!A1", params={"valueInputOption": "RAW"},
                                           body={"values": [["mine now"]]})
    assert raised.value.code == 403
    assert sheet.sheet1.acell("A1").value == "private"


def test_writes_bump_the_drive_file(sandbox: Any, build_service: Any, sheet: gspread.Spreadsheet) -> None:
    drive = build_service(sandbox, "drive", "v3", OWNER)
    before = drive.files().get(fileId=sheet.id, fields="version,modifiedTime").execute()
    sheet.sheet1.update([["x"]], "A1")
    after = drive.files().get(fileId=sheet.id, fields="version,modifiedTime").execute()
    assert int(after["version"]) > int(before["version"])


def test_drive_export_and_copy_carry_the_content(sandbox: Any, gc: gspread.Client, sheet: gspread.Spreadsheet) -> None:
    sheet.sheet1.update([["a", "b,c"], ["1", "=1+1"]], "A1", value_input_option="USER_ENTERED")
    assert sheet.export(gspread.utils.ExportFormat.CSV) == b'a,"b,c"\r\n1,2'
    copy = gc.copy(sheet.id, title="Copy", copy_comments=False)
    assert copy.sheet1.get_all_values() == [["a", "b,c"], ["1", "2"]]


def test_spreadsheets_create_through_the_sheets_api(sandbox: Any, build_service: Any) -> None:
    sheets = build_service(sandbox, "sheets", "v4", OWNER)
    made = sheets.spreadsheets().create(body={
        "properties": {"title": "Made by API"},
        "sheets": [{"properties": {"title": "Runs", "gridProperties": {"rowCount": 10, "columnCount": 4}}},
                   {"properties": {"title": "Meetings"}}],
    }).execute()
    assert [s["properties"]["title"] for s in made["sheets"]] == ["Runs", "Meetings"]
    assert made["sheets"][0]["properties"]["gridProperties"] == {"rowCount": 10, "columnCount": 4}
    drive = build_service(sandbox, "drive", "v3", OWNER)
    record = drive.files().get(fileId=made["spreadsheetId"], fields="name,mimeType").execute()
    assert record == {"name": "Made by API", "mimeType": "application/vnd.google-apps.spreadsheet"}


def test_duplicate_copy_paste_groups_freeze_and_hide(sheet: gspread.Spreadsheet) -> None:
    ws = sheet.sheet1
    ws.update([["a", "1"], ["b", "2"]], "A1", value_input_option="USER_ENTERED")
    ws.copy_range("A1:B2", "D1")
    assert ws.get("D1:E2") == [["a", "1"], ["b", "2"]]
    ws.freeze(rows=1)
    ws.hide_columns(4, 5)
    ws.add_dimension_group_rows(0, 2)
    copy = sheet.duplicate_sheet(ws.id, new_sheet_name="Backup")
    assert copy.get_all_values()[0][:2] == ["a", "1"]
    tab = sheet.fetch_sheet_metadata()["sheets"][0]
    assert tab["properties"]["gridProperties"]["frozenRowCount"] == 1
    assert tab["rowGroups"] == [{"range": {"dimension": "ROWS", "startIndex": 0, "endIndex": 2}, "depth": 1}]
    meta = sheet.fetch_sheet_metadata({"includeGridData": "true", "ranges": "Sheet1!A1:F1"})
    widths = meta["sheets"][0]["data"][0]["columnMetadata"]
    assert widths[4] == {"pixelSize": 100, "hiddenByUser": True}
    assert widths[0] == {"pixelSize": 100}


def test_r1c1_ranges_are_read_and_written(sheet: gspread.Spreadsheet) -> None:
    """Google's A1-notation guide accepts R1C1 in ranges (``Sheet1!R1C1:R2C2`` is the top-left 2x2) and
    answers with the range in A1 form."""
    sheet.values_update("Sheet1!R1C1:R2C3", params={"valueInputOption": "RAW"},
                        body={"values": [["a", "b", "c"], ["d", "e", "f"]]})
    got = sheet.values_get("Sheet1!R2C2:R2C3")
    assert got["range"] == "Sheet1!B2:C2"
    assert got["values"] == [["e", "f"]]
    assert sheet.values_get("R1C3")["values"] == [["c"]]
