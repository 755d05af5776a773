"""Developer metadata, filter views and the people-editable tracker's Sheets features, through the real clients.

Each test cites the Google behaviour it holds the sandbox to: the Sheets v4 reference (discovery document
``sheets.v4.json`` and the "Read, write, and search metadata" guide) unless it says otherwise.
docs/tracker-identity.md sums up what survives which edit.
"""

from __future__ import annotations

from typing import Any

import gspread
import pytest
from googleapiclient.errors import HttpError

OWNER = "ana.ruiz@cedar.example"
EDITOR = "ben.stone@cedar.example"


@pytest.fixture
def gc(sandbox: Any, gspread_client: Any) -> gspread.Client:
    return gspread_client(sandbox, OWNER)


@pytest.fixture
def book(gc: gspread.Client) -> gspread.Spreadsheet:
    return gc.create("ILT tracker 2026-27")


@pytest.fixture
def sheets(sandbox: Any, build_service: Any) -> Any:
    return build_service(sandbox, "sheets", "v4", OWNER).spreadsheets()


def _meta(key: str, location: dict[str, Any], value: str | None = None, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"metadataKey": key, "location": location, "visibility": "DOCUMENT", **extra}
    if value is not None:
        body["metadataValue"] = value
    return {"createDeveloperMetadata": {"developerMetadata": body}}


def _row(sheet_id: int, index: int) -> dict[str, Any]:
    return {"dimensionRange": {"sheetId": sheet_id, "dimension": "ROWS", "startIndex": index, "endIndex": index + 1}}


def _col(sheet_id: int, index: int) -> dict[str, Any]:
    return {"dimensionRange": {"sheetId": sheet_id, "dimension": "COLUMNS", "startIndex": index,
                               "endIndex": index + 1}}


def _update(sheets: Any, book: gspread.Spreadsheet, *requests: dict[str, Any]) -> list[dict[str, Any]]:
    return sheets.batchUpdate(spreadsheetId=book.id, body={"requests": list(requests)}).execute()["replies"]


def _search(sheets: Any, book: gspread.Spreadsheet, **lookup: Any) -> list[dict[str, Any]]:
    body = {"dataFilters": [{"developerMetadataLookup": lookup}]}
    found = sheets.developerMetadata().search(spreadsheetId=book.id, body=body).execute()
    return [hit["developerMetadata"] for hit in found.get("matchedDeveloperMetadata", [])]


def _row_of(sheets: Any, book: gspread.Spreadsheet, key: str, value: str) -> int:
    """Where the row keyed ``key=value`` is now (0-based), read back from a search."""
    (hit,) = _search(sheets, book, metadataKey=key, metadataValue=value)
    return hit["location"]["dimensionRange"].get("startIndex", 0)


def _tracker(book: gspread.Spreadsheet, sheets: Any) -> gspread.Worksheet:
    """A "Meetings" tab of 3 data rows, each row keyed ilt.row=<id>, columns keyed ilt.col=<name>."""
    ws = book.add_worksheet("Meetings", rows=10, cols=4)
    ws.update([["Date", "Topic", "Owner"], ["2026-09-01", "Norms", "Ana"], ["2026-09-08", "Data", "Ben"],
               ["2026-09-15", "Adults", "Cy"]], "A1")
    requests = [_meta("ilt.tab", {"sheetId": ws.id}, "meetings")]
    requests += [_meta("ilt.row", _row(ws.id, i), f"m{i}") for i in (1, 2, 3)]
    requests += [_meta("ilt.col", _col(ws.id, i), name) for i, name in enumerate(["date", "topic", "owner"])]
    _update(sheets, book, *requests)
    return ws


# ---- create, get, search ----------------------------------------------------------------------


def test_create_replies_with_the_assigned_id_and_the_location_google_shapes(book: gspread.Spreadsheet,
                                                                           sheets: Any) -> None:
    """CreateDeveloperMetadataResponse carries the created metadata with a positive random metadataId
    ("IDs may be specified ... otherwise one will be randomly generated"), and the location gains its
    read-only ``locationType``; a DimensionRange leaves out sheetId 0 but keeps startIndex 0, as Google's
    recorded rowGroups answers do."""
    replies = _update(sheets, book, _meta("ilt.tracker", {"spreadsheet": True}, "v1"),
                      _meta("ilt.tab", {"sheetId": 0}, "runs"), _meta("ilt.row", _row(0, 0), "header"),
                      _meta("ilt.col", _col(0, 2)))
    created = [r["createDeveloperMetadata"]["developerMetadata"] for r in replies]
    assert all(isinstance(c["metadataId"], int) and c["metadataId"] > 0 for c in created)
    assert len({c["metadataId"] for c in created}) == 4
    assert [c["location"] for c in created] == [
        {"locationType": "SPREADSHEET", "spreadsheet": True},
        {"locationType": "SHEET", "sheetId": 0},
        {"locationType": "ROW", "dimensionRange": {"dimension": "ROWS", "startIndex": 0, "endIndex": 1}},
        {"locationType": "COLUMN", "dimensionRange": {"dimension": "COLUMNS", "startIndex": 2, "endIndex": 3}},
    ]
    assert created[0]["metadataValue"] == "v1" and "metadataValue" not in created[3]
    assert {c["visibility"] for c in created} == {"DOCUMENT"}
    got = sheets.developerMetadata().get(spreadsheetId=book.id, metadataId=created[2]["metadataId"]).execute()
    assert got == created[2]


def test_an_explicit_id_is_kept_and_a_taken_one_refused(book: gspread.Spreadsheet, sheets: Any) -> None:
    """"If you specify an ID that's already in use, the request fails" (metadata guide, Create metadata);
    the whole batch is then refused (batchUpdate is all-or-nothing)."""
    (reply,) = _update(sheets, book, _meta("ilt.tab", {"sheetId": 0}, metadataId=4242))
    assert reply["createDeveloperMetadata"]["developerMetadata"]["metadataId"] == 4242
    with pytest.raises(HttpError) as raised:
        _update(sheets, book, _meta("other", {"spreadsheet": True}), _meta("dup", {"sheetId": 0}, metadataId=4242))
    assert raised.value.resp.status == 400 and "4242" in str(raised.value)
    assert [m["metadataKey"] for m in _search(sheets, book, locationType="SPREADSHEET")] == []


@pytest.mark.parametrize(("metadata", "names"), [
    ({"metadataKey": "k", "location": {"sheetId": 0}}, "visibility"),
    ({"visibility": "DOCUMENT", "location": {"sheetId": 0}}, "metadataKey"),
    ({"metadataKey": "k", "visibility": "DOCUMENT", "location": {"dimensionRange": {
        "sheetId": 0, "dimension": "ROWS", "startIndex": 1, "endIndex": 3}}}, "single row or column"),
    ({"metadataKey": "k", "visibility": "DOCUMENT", "location": {"dimensionRange": {
        "sheetId": 0, "dimension": "COLUMNS", "startIndex": 1}}}, "unbounded"),
    ({"metadataKey": "k", "visibility": "DOCUMENT", "location": {"sheetId": 99}}, "No grid with id: 99"),
    ({"metadataKey": "k", "visibility": "DOCUMENT", "location": {}}, "exactly one"),
    ({"metadataKey": "k", "visibility": "DOCUMENT", "location": {"sheetId": 0}, "metadataId": -3}, "positive"),
])
def test_bad_metadata_is_refused_naming_the_field(book: gspread.Spreadsheet, sheets: Any,
                                                  metadata: dict[str, Any], names: str) -> None:
    """DeveloperMetadata "must always have a key" and "visibility specified"; a dimensionRange "must
    represent a single row or column. It cannot be unbounded or span multiple rows or columns"; metadataId
    "Must be positive". Each is a 400 naming the request and the field."""
    with pytest.raises(HttpError) as raised:
        _update(sheets, book, {"createDeveloperMetadata": {"developerMetadata": metadata}})
    assert raised.value.resp.status == 400
    assert "requests[0].createDeveloperMetadata" in str(raised.value) and names in str(raised.value)


def test_get_of_an_unknown_id_is_404(book: gspread.Spreadsheet, sheets: Any) -> None:
    """developerMetadata.get answers the metadata "with the specified ID"; none is NOT_FOUND."""
    with pytest.raises(HttpError) as raised:
        sheets.developerMetadata().get(spreadsheetId=book.id, metadataId=12345).execute()
    assert raised.value.resp.status == 404


def test_spreadsheets_get_shows_metadata_where_it_lives(book: gspread.Spreadsheet, sheets: Any) -> None:
    """Spreadsheet.developerMetadata holds the spreadsheet's, Sheet.developerMetadata the sheet's, and
    GridData.rowMetadata/columnMetadata (DimensionProperties.developerMetadata) a row's or column's."""
    ws = _tracker(book, sheets)
    _update(sheets, book, _meta("ilt.tracker", {"spreadsheet": True}, "v1"))
    got = sheets.get(spreadsheetId=book.id, ranges=["Meetings!A1:C3"], includeGridData=True).execute()
    assert [m["metadataValue"] for m in got["developerMetadata"]] == ["v1"]
    (tab,) = got["sheets"]
    assert [(m["metadataKey"], m["location"]) for m in tab["developerMetadata"]] == [
        ("ilt.tab", {"locationType": "SHEET", "sheetId": ws.id})]
    rows = tab["data"][0]["rowMetadata"]
    assert "developerMetadata" not in rows[0]
    assert [m["metadataValue"] for m in rows[1]["developerMetadata"]] == ["m1"]
    assert rows[2]["developerMetadata"][0]["location"]["dimensionRange"] == {
        "sheetId": ws.id, "dimension": "ROWS", "startIndex": 2, "endIndex": 3}
    columns = tab["data"][0]["columnMetadata"]
    assert [c["developerMetadata"][0]["metadataValue"] for c in columns] == ["date", "topic", "owner"]
    masked = sheets.get(spreadsheetId=book.id, fields="sheets(properties.title,developerMetadata)").execute()
    assert [s.get("developerMetadata", [{}])[0].get("metadataValue") for s in masked["sheets"]] == [
        None, "meetings"]


def test_search_by_key_value_id_type_and_visibility(book: gspread.Spreadsheet, sheets: Any) -> None:
    """DeveloperMetadataLookup "selects all DeveloperMetadata that match the intersection of all the
    specified fields"; SearchDeveloperMetadataResponse lists each match with the filters that matched it,
    and a search matching nothing answers {}."""
    ws = _tracker(book, sheets)
    assert [m["metadataValue"] for m in _search(sheets, book, metadataKey="ilt.row")] == ["m1", "m2", "m3"]
    (topic,) = _search(sheets, book, metadataKey="ilt.col", metadataValue="topic")
    assert topic["location"]["dimensionRange"]["startIndex"] == 1
    assert _search(sheets, book, metadataId=topic["metadataId"]) == [topic]
    assert [m["metadataValue"] for m in _search(sheets, book, locationType="SHEET")] == ["meetings"]
    assert _search(sheets, book, metadataKey="ilt.row", visibility="PROJECT") == []
    body = {"dataFilters": [{"developerMetadataLookup": {"metadataKey": "ilt.tab"}},
                            {"developerMetadataLookup": {"metadataValue": "meetings"}},
                            {"developerMetadataLookup": {"metadataKey": "nothing"}}]}
    found = sheets.developerMetadata().search(spreadsheetId=book.id, body=body).execute()
    (hit,) = found["matchedDeveloperMetadata"]
    assert hit["dataFilters"] == body["dataFilters"][:2]
    empty = {"dataFilters": [{"developerMetadataLookup": {"metadataKey": "nothing"}}]}
    assert sheets.developerMetadata().search(spreadsheetId=book.id, body=empty).execute() == {}
    assert ws.id


def test_search_by_location_exact_or_intersecting(book: gspread.Spreadsheet, sheets: Any) -> None:
    """locationMatchingStrategy EXACT_LOCATION matches only metadata on that location; INTERSECTING (the
    default) also matches intersecting locations: a sheet meets its rows and columns, a row meets every
    column. locationType "must be left unspecified when the locationMatchingStrategy is specified as EXACT".
    An a1Range filter selects the metadata on the rows and columns it covers."""
    ws = _tracker(book, sheets)
    exact = _search(sheets, book, metadataLocation=_row(ws.id, 2), locationMatchingStrategy="EXACT_LOCATION")
    assert [m["metadataValue"] for m in exact] == ["m2"]
    crossing = _search(sheets, book, metadataLocation=_row(ws.id, 2))
    assert [m["metadataValue"] for m in crossing] == ["m2", "date", "topic", "owner"]
    whole = _search(sheets, book, metadataLocation={"sheetId": ws.id}, locationType="ROW")
    assert [m["metadataValue"] for m in whole] == ["m1", "m2", "m3"]
    found = sheets.developerMetadata().search(spreadsheetId=book.id, body={
        "dataFilters": [{"a1Range": "Meetings!B3:B4"}]}).execute()
    assert [h["developerMetadata"]["metadataValue"] for h in found["matchedDeveloperMetadata"]] == [
        "m2", "m3", "topic"]
    with pytest.raises(HttpError) as raised:
        _search(sheets, book, metadataLocation=_row(ws.id, 2), locationMatchingStrategy="EXACT_LOCATION",
                locationType="ROW")
    assert raised.value.resp.status == 400 and "locationType" in str(raised.value)


def test_update_and_delete_by_data_filter(book: gspread.Spreadsheet, sheets: Any) -> None:
    """UpdateDeveloperMetadataRequest sets the masked fields on every metadata its filters match (location
    included: the metadata moves) and answers them all; DeleteDeveloperMetadataResponse lists the deleted."""
    ws = _tracker(book, sheets)
    (reply,) = _update(sheets, book, {"updateDeveloperMetadata": {
        "dataFilters": [{"developerMetadataLookup": {"metadataKey": "ilt.row", "metadataValue": "m1"}}],
        "developerMetadata": {"metadataValue": "m1-moved", "location": _row(ws.id, 5)},
        "fields": "metadataValue,location"}})
    (updated,) = reply["updateDeveloperMetadata"]["developerMetadata"]
    assert updated["metadataValue"] == "m1-moved" and updated["location"]["dimensionRange"]["startIndex"] == 5
    assert _row_of(sheets, book, "ilt.row", "m1-moved") == 5
    (reply,) = _update(sheets, book, {"deleteDeveloperMetadata": {
        "dataFilter": {"developerMetadataLookup": {"metadataKey": "ilt.col"}}}})
    assert [m["metadataValue"] for m in reply["deleteDeveloperMetadata"]["deletedDeveloperMetadata"]] == [
        "date", "topic", "owner"]
    assert _search(sheets, book, metadataKey="ilt.col") == []
    (reply,) = _update(sheets, book, {"updateDeveloperMetadata": {
        "dataFilters": [{"developerMetadataLookup": {"metadataKey": "ilt.tab"}}],
        "developerMetadata": {"metadataKey": "ilt.tab", "metadataValue": "meetings-2", "visibility": "DOCUMENT",
                              "location": {"sheetId": ws.id}}, "fields": "*"}})
    assert reply["updateDeveloperMetadata"]["developerMetadata"][0]["metadataValue"] == "meetings-2"
    with pytest.raises(HttpError, match="At least one field must be updated"):
        _update(sheets, book, {"updateDeveloperMetadata": {
            "dataFilters": [{"developerMetadataLookup": {"metadataKey": "ilt.row"}}],
            "developerMetadata": {"metadataValue": "x"}}})


# ---- what people's edits do to metadata ----------------------------------------------------------


def test_row_and_column_metadata_follow_inserts_and_die_with_deletes(book: gspread.Spreadsheet,
                                                                      sheets: Any) -> None:
    """DeveloperMetadata: "if developer metadata is associated with row 5 and another row is then
    subsequently inserted above row 5, that original metadata is still associated with the row it was
    first associated with (what is now row 6). If the associated object is deleted then its metadata is
    deleted too." Same for columns, appended rows, and rows inserted by values.append INSERT_ROWS."""
    ws = _tracker(book, sheets)
    ws.insert_rows([["2026-08-25", "Kickoff", "Ana"]], row=2)
    assert [_row_of(sheets, book, "ilt.row", v) for v in ("m1", "m2", "m3")] == [2, 3, 4]
    ws.delete_rows(4)
    assert [m["metadataValue"] for m in _search(sheets, book, metadataKey="ilt.row")] == ["m1", "m3"]
    ws.insert_cols([["Notes"]], col=1)
    ws.delete_columns(4)
    assert [(m["metadataValue"], m["location"]["dimensionRange"]["startIndex"])
            for m in _search(sheets, book, metadataKey="ilt.col")] == [("date", 1), ("topic", 2)]
    ws.add_rows(5)
    ws.append_row(["2026-09-22", "Walkthroughs", "Di"], insert_data_option="INSERT_ROWS", table_range="A1")
    assert _row_of(sheets, book, "ilt.row", "m3") == 3
    assert ws.row_values(4)[1:] == ["2026-09-15", "Adults"]


def test_move_dimension_carries_cells_and_metadata(book: gspread.Spreadsheet, sheets: Any) -> None:
    """MoveDimensionRequest: destinationIndex is "based on the coordinates *before* the source data is
    removed"; moving ROWS [1..3) to 4 turns 0,1,2,3,4 into 0,3,1,2,4. Row metadata moves with its row, and so
    does a protected range on a moved cell."""
    ws = _tracker(book, sheets)
    ws.update([["x"], ["A"], ["B"], ["C"], ["D"]], "D1")
    _update(sheets, book, {"addProtectedRange": {"protectedRange": {"warningOnly": True, "range": {
        "sheetId": ws.id, "startRowIndex": 1, "endRowIndex": 2, "startColumnIndex": 0, "endColumnIndex": 1}}}})
    _update(sheets, book, {"moveDimension": {"source": {"sheetId": ws.id, "dimension": "ROWS", "startIndex": 1,
                                                        "endIndex": 3}, "destinationIndex": 4}})
    assert ws.col_values(4) == ["x", "C", "A", "B", "D"]
    assert [_row_of(sheets, book, "ilt.row", v) for v in ("m1", "m2", "m3")] == [2, 3, 1]
    assert ws.row_values(3)[:3] == ["2026-09-01", "Norms", "Ana"]
    protected = sheets.get(spreadsheetId=book.id, fields="sheets(properties.sheetId,protectedRanges.range)"
                           ).execute()
    (tab,) = [s for s in protected["sheets"] if s["properties"]["sheetId"] == ws.id]
    assert tab["protectedRanges"][0]["range"] == {"sheetId": ws.id, "startRowIndex": 2, "endRowIndex": 3,
                                                  "startColumnIndex": 0, "endColumnIndex": 1}
    _update(sheets, book, {"moveDimension": {"source": {"sheetId": ws.id, "dimension": "COLUMNS",
                                                        "startIndex": 2, "endIndex": 3}, "destinationIndex": 0}})
    assert ws.row_values(1) == ["Owner", "Date", "Topic", "x"]
    assert _search(sheets, book, metadataKey="ilt.col", metadataValue="owner")[0]["location"][
        "dimensionRange"].get("startIndex") == 0


def test_sort_moves_values_but_row_metadata_stays_at_its_position(book: gspread.Spreadsheet,
                                                                   sheets: Any) -> None:
    """SortRangeRequest "Sorts data in rows based on a sort order per column": the cells' data moves,
    the rows (dimensions) do not, and DeveloperMetadata is associated with the row, not the data in it.
    No Google page states the sort case outright and no recording covers it, so the sandbox follows the
    reference's model; docs/tracker-identity.md therefore keys tracker rows by a value in the row (a hidden
    id column) that sorting carries, not by row metadata. Column metadata is untouched by a row sort."""
    ws = _tracker(book, sheets)
    ws.sort((2, "des"), range="A2:C4")
    assert ws.col_values(2) == ["Topic", "Norms", "Data", "Adults"]
    assert _row_of(sheets, book, "ilt.row", "m1") == 1
    got = sheets.values().batchGetByDataFilter(spreadsheetId=book.id, body={"dataFilters": [
        {"developerMetadataLookup": {"metadataKey": "ilt.row", "metadataValue": "m1"}}]}).execute()
    assert got["valueRanges"][0]["valueRange"]["values"] == [["2026-09-01", "Norms", "Ana"]]
    ws.sort((3, "des"), range="A2:C4")
    got = sheets.values().batchGetByDataFilter(spreadsheetId=book.id, body={"dataFilters": [
        {"developerMetadataLookup": {"metadataKey": "ilt.row", "metadataValue": "m1"}}]}).execute()
    assert got["valueRanges"][0]["valueRange"]["values"] == [["2026-09-15", "Adults", "Cy"]]
    assert _search(sheets, book, metadataKey="ilt.col", metadataValue="owner")[0]["location"][
        "dimensionRange"]["startIndex"] == 2


def test_tab_rename_reorder_duplicate_and_delete(book: gspread.Spreadsheet, sheets: Any) -> None:
    """Sheet metadata is bound to the sheet id, so renaming or reordering the tab changes nothing; a
    duplicated sheet is a new sheet whose copied metadata gets new ids (metadataId is "spreadsheet-scoped
    unique"), so a key then matches two tabs; deleting a sheet deletes its metadata ("If the associated
    object is deleted then its metadata is deleted too")."""
    ws = _tracker(book, sheets)
    ws.update_title("Meetings 2026")
    ws.update_index(0)
    (tab,) = _search(sheets, book, metadataKey="ilt.tab")
    assert tab["location"] == {"locationType": "SHEET", "sheetId": ws.id}
    copy = book.duplicate_sheet(ws.id, new_sheet_name="Meetings copy")
    tabs = _search(sheets, book, metadataKey="ilt.tab")
    assert sorted(t["location"]["sheetId"] for t in tabs) == sorted([ws.id, copy.id])
    rows = _search(sheets, book, metadataKey="ilt.row")
    assert len(rows) == 6 and len({r["metadataId"] for r in rows}) == 6
    book.del_worksheet(ws)
    assert [t["location"]["sheetId"] for t in _search(sheets, book, metadataKey="ilt.tab")] == [copy.id]
    assert len(_search(sheets, book, metadataKey="ilt.row")) == 3


def test_cut_copy_paste_and_typing_leave_metadata_where_it_was(book: gspread.Spreadsheet, sheets: Any) -> None:
    """CutPasteRequest and CopyPasteRequest move cell data between positions, and typing changes cells;
    none of them moves a row or column, so dimension metadata stays put (the DeveloperMetadata model)."""
    ws = _tracker(book, sheets)
    _update(sheets, book, {"cutPaste": {"source": {"sheetId": ws.id, "startRowIndex": 1, "endRowIndex": 2,
                                                   "startColumnIndex": 0, "endColumnIndex": 3},
                                        "destination": {"sheetId": ws.id, "rowIndex": 6, "columnIndex": 0}}},
            {"copyPaste": {"source": {"sheetId": ws.id, "startRowIndex": 2, "endRowIndex": 3},
                           "destination": {"sheetId": ws.id, "startRowIndex": 7, "endRowIndex": 8}}})
    ws.update([["typed over"]], "B3")
    assert [_row_of(sheets, book, "ilt.row", v) for v in ("m1", "m2", "m3")] == [1, 2, 3]
    assert ws.row_values(7) == ["2026-09-01", "Norms", "Ana"]


# ---- values and spreadsheets by data filter -------------------------------------------------------


def test_values_by_metadata_select_the_whole_row_or_column(book: gspread.Spreadsheet, sheets: Any) -> None:
    """values.batchGetByDataFilter answers one MatchedValueRange (valueRange + the dataFilters that matched)
    per range; a row's metadata selects that row, a column's that column. batchUpdateByDataFilter writes from
    the range's start ("only the specified values are written") and reports the updated range;
    batchClearByDataFilter clears values and answers the cleared ranges."""
    ws = _tracker(book, sheets)
    topic = {"developerMetadataLookup": {"metadataKey": "ilt.col", "metadataValue": "topic"}}
    row2 = {"developerMetadataLookup": {"metadataKey": "ilt.row", "metadataValue": "m2"}}
    got = sheets.values().batchGetByDataFilter(spreadsheetId=book.id, body={
        "dataFilters": [topic, row2], "majorDimension": "COLUMNS"}).execute()
    assert [v["dataFilters"] for v in got["valueRanges"]] == [[topic], [row2]]
    assert got["valueRanges"][0]["valueRange"] == {"range": "Meetings!B1:B10", "majorDimension": "COLUMNS",
                                                   "values": [["Topic", "Norms", "Data", "Adults"]]}
    assert got["valueRanges"][1]["valueRange"]["range"] == "Meetings!A3:D3"
    done = sheets.values().batchUpdateByDataFilter(spreadsheetId=book.id, body={
        "valueInputOption": "RAW", "data": [{"dataFilter": row2, "values": [["2026-09-09", "Data dive"]]}]}
    ).execute()
    assert done["totalUpdatedCells"] == 2
    assert done["responses"][0]["updatedRange"] == "Meetings!A3:B3" and done["responses"][0]["dataFilter"] == row2
    assert ws.row_values(3) == ["2026-09-09", "Data dive", "Ben"]
    cleared = sheets.values().batchClearByDataFilter(spreadsheetId=book.id, body={"dataFilters": [row2]}).execute()
    assert cleared["clearedRanges"] == ["Meetings!A3:D3"]
    assert ws.row_values(3) == []
    with pytest.raises(HttpError):
        sheets.values().batchUpdateByDataFilter(spreadsheetId=book.id, body={
            "valueInputOption": "RAW", "data": [{"dataFilter": row2, "values": [["a", "b", "c", "d", "e"]]}]}
        ).execute()


def test_get_by_data_filter_returns_the_sheet_a_lookup_selects(book: gspread.Spreadsheet, sheets: Any) -> None:
    """spreadsheets.getByDataFilter answers the sheets holding the ranges its DataFilters select, with grid
    data when includeGridData is set."""
    ws = _tracker(book, sheets)
    got = sheets.getByDataFilter(spreadsheetId=book.id, body={"includeGridData": True, "dataFilters": [
        {"developerMetadataLookup": {"metadataKey": "ilt.row", "metadataValue": "m3"}}]}).execute()
    (tab,) = got["sheets"]
    assert tab["properties"]["sheetId"] == ws.id
    (grid,) = tab["data"]
    assert grid["startRow"] == 3
    assert [c["formattedValue"] for c in grid["rowData"][0]["values"]] == ["2026-09-15", "Adults", "Cy"]
    assert grid["rowMetadata"][0]["developerMetadata"][0]["metadataValue"] == "m3"


# ---- the rest of a people-editable tracker ----------------------------------------------------------


def test_a_warning_only_protected_range_lets_writes_through(book: gspread.Spreadsheet, sheets: Any,
                                                            sandbox: Any, gspread_client: Any) -> None:
    """ProtectedRange.warningOnly: "editing is allowed but a warning is shown when editing" (in the UI);
    the API writes through. The reply's editors are {} and requestingUserCanEdit true, as Google's."""
    ws = book.sheet1
    book.share(EDITOR, perm_type="user", role="writer", notify=False)
    (reply,) = _update(sheets, book, {"addProtectedRange": {"protectedRange": {
        "range": {"sheetId": 0, "startColumnIndex": 0, "endColumnIndex": 1}, "description": "row ids",
        "warningOnly": True}}})
    protected = reply["addProtectedRange"]["protectedRange"]
    assert protected["warningOnly"] is True and protected["editors"] == {}
    assert protected["range"] == {"startColumnIndex": 0, "endColumnIndex": 1}
    other = gspread_client(sandbox, EDITOR).open_by_key(book.id).sheet1
    other.update([["r-17"]], "A2")
    assert ws.acell("A2").value == "r-17"


def test_filter_views_add_update_duplicate_delete(book: gspread.Spreadsheet, sheets: Any) -> None:
    """AddFilterViewRequest: "If [filterViewId] is not set, an ID will be randomly generated (It is an error
    to specify the ID of a filter that already exists)"; FilterView responses populate both criteria and
    filterSpecs; the views show in Sheet.filterViews and go with deleteFilterView."""
    ws = _tracker(book, sheets)
    view = {"title": "Mine", "range": {"sheetId": ws.id, "startRowIndex": 0, "endRowIndex": 4},
            "sortSpecs": [{"dimensionIndex": 0, "sortOrder": "DESCENDING"}],
            "filterSpecs": [{"columnIndex": 2, "filterCriteria": {"hiddenValues": ["Cy"]}}]}
    (added,) = _update(sheets, book, {"addFilterView": {"filter": view}})
    made = added["addFilterView"]["filter"]
    assert isinstance(made["filterViewId"], int) and made["criteria"] == {"2": {"hiddenValues": ["Cy"]}}
    with pytest.raises(HttpError, match="already exists"):
        _update(sheets, book, {"addFilterView": {"filter": {**view, "filterViewId": made["filterViewId"]}}})
    _update(sheets, book, {"updateFilterView": {"filter": {"filterViewId": made["filterViewId"],
                                                           "title": "Ana's"}, "fields": "title"}})
    (dup,) = _update(sheets, book, {"duplicateFilterView": {"filterId": made["filterViewId"]}})
    copy_id = dup["duplicateFilterView"]["filter"]["filterViewId"]
    assert copy_id != made["filterViewId"]
    views = sheets.get(spreadsheetId=book.id, fields="sheets(properties.sheetId,filterViews)").execute()
    (tab,) = [s for s in views["sheets"] if s["properties"]["sheetId"] == ws.id]
    assert [v["filterViewId"] for v in tab["filterViews"]] == [made["filterViewId"], copy_id]
    assert tab["filterViews"][0]["title"] == "Ana's" and tab["filterViews"][0]["sortSpecs"] == view["sortSpecs"]
    _update(sheets, book, {"deleteFilterView": {"filterId": made["filterViewId"]}},
            {"deleteFilterView": {"filterId": copy_id}})
    views = sheets.get(spreadsheetId=book.id, fields="sheets(properties.sheetId,filterViews)").execute()
    assert all("filterViews" not in s for s in views["sheets"])


def test_hidden_columns_frozen_rows_notes_and_links(book: gspread.Spreadsheet, sheets: Any) -> None:
    """updateDimensionProperties hiddenByUser shows in columnMetadata; gridProperties.frozenRowCount in the
    sheet's properties; updateCells note in CellData.note; a HYPERLINK formula shows its label; a DATE
    pattern formats the serial. Hiding a keyed column keeps its metadata (update masks leave it alone)."""
    ws = _tracker(book, sheets)
    ws.hide_columns(0, 1)
    hidden = sheets.get(spreadsheetId=book.id, ranges=["Meetings!A1:B1"], includeGridData=True).execute()
    assert [c.get("hiddenByUser", False) for c in hidden["sheets"][0]["data"][0]["columnMetadata"]] == [True, False]
    ws.freeze(rows=1)
    ws.update_note("B2", "moved from last week")
    ws.update([['=HYPERLINK("https://example.com/agenda","Agenda")']], "D2", value_input_option="USER_ENTERED")
    ws.update([["46280"]], "D3", value_input_option="USER_ENTERED")
    ws.format("D3", {"numberFormat": {"type": "DATE", "pattern": "yyyy-mm-dd"}})
    _update(sheets, book, {"updateDimensionProperties": {"range": _col(ws.id, 0)["dimensionRange"],
                                                         "properties": {"pixelSize": 50}, "fields": "*"}})
    got = sheets.get(spreadsheetId=book.id, ranges=["Meetings!A1:D3"], includeGridData=True).execute()
    (tab,) = got["sheets"]
    assert tab["properties"]["gridProperties"]["frozenRowCount"] == 1
    column = tab["data"][0]["columnMetadata"][0]
    assert column["pixelSize"] == 50 and column["developerMetadata"][0]["metadataValue"] == "date"
    assert "hiddenByUser" not in column
    assert ws.get_note("B2") == "moved from last week"
    assert ws.acell("D2").value == "Agenda" and ws.acell("D3").value == "2026-09-15"
    cells = got["sheets"][0]["data"][0]["rowData"]
    assert cells[1]["values"][3]["hyperlink"] == "https://example.com/agenda"
    assert "hyperlink" not in cells[2]["values"][3]


@pytest.mark.parametrize(("pattern", "shown"), [
    ("h:mm:ss.00 a/p", "4:08:53.53 p"),
    ('hh:mm A/P".M."', "04:08 P.M."),
    ("yyyy-mm-dd", "2016-04-05"),
    ('mmmm d "at" h:mm', "April 5 at 16:08"),
    ("dddd, m/d/yy at h:mm", "Tuesday, 4/5/16 at 16:08"),
    ("yyyy-mm-dd hh:mm", "2016-04-05 16:08"),
])
def test_date_time_patterns_render_like_the_formats_guide(book: gspread.Spreadsheet, pattern: str,
                                                         shown: str) -> None:
    """The Sheets API guide "Date and number formats" renders 2016-04-05 16:08:53.528 under these patterns
    as shown (its "Date and time format patterns" examples): m is a minute after an hour, else a month."""
    ws = book.sheet1
    ws.update([[42465 + (16 * 3600 + 8 * 60 + 53.528) / 86400]], "A1", value_input_option="RAW")
    ws.format("A1", {"numberFormat": {"type": "DATE_TIME", "pattern": pattern}})
    assert ws.acell("A1").value == shown


def test_a_masked_field_that_is_unset_leaves_its_parent_as_an_empty_object(book: gspread.Spreadsheet,
                                                                           sheets: Any) -> None:
    """Recorded from Google (gspread's WorksheetTest.test_clear_tab_color cassette): after a tab colour is
    cleared, ``fields=sheets.properties.tabColorStyle`` answers ``{"sheets": [{"properties": {}}]}``, the
    present parent kept as an empty object rather than left out."""
    ws = book.sheet1
    ws.update_tab_color("#ff0000")
    masked = sheets.get(spreadsheetId=book.id, fields="sheets.properties.tabColorStyle").execute()
    assert masked == {"sheets": [{"properties": {"tabColorStyle": {"rgbColor": {"red": 1}}}}]}
    ws.clear_tab_color()
    masked = sheets.get(spreadsheetId=book.id, fields="sheets.properties.tabColorStyle").execute()
    assert masked == {"sheets": [{"properties": {}}]}


def test_shrinking_the_grid_deletes_the_cut_rows_metadata_and_filter_views_follow_inserts(
        book: gspread.Spreadsheet, sheets: Any) -> None:
    """Rows cut off by a smaller rowCount are deleted rows, so their metadata goes ("If the associated
    object is deleted then its metadata is deleted too"); a filter view's range, like every GridRange of the
    sheet, shifts when rows are inserted above it."""
    ws = _tracker(book, sheets)
    (added,) = _update(sheets, book, {"addFilterView": {"filter": {"range": {
        "sheetId": ws.id, "startRowIndex": 1, "endRowIndex": 4}}}})
    ws.insert_rows([["new"]], row=1)
    views = sheets.get(spreadsheetId=book.id, fields="sheets(properties.sheetId,filterViews.range)").execute()
    (tab,) = [s for s in views["sheets"] if s["properties"]["sheetId"] == ws.id]
    assert tab["filterViews"][0]["range"] == {"sheetId": ws.id, "startRowIndex": 2, "endRowIndex": 5}
    assert added["addFilterView"]["filter"]["range"]["startRowIndex"] == 1
    ws.resize(rows=3)
    assert [m["metadataValue"] for m in _search(sheets, book, metadataKey="ilt.row")] == ["m1"]
    ws.resize(rows=10)
    assert [m["metadataValue"] for m in _search(sheets, book, metadataKey="ilt.row")] == ["m1"]
