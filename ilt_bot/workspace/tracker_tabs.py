"""The tracker's tabs and columns found by identity: developer metadata, never a title or a position.

docs/tracker-identity.md says what survives which person's edit. Here:

- a tab the bot owns carries sheet metadata ``ilt.tab`` = its role (the tab's first title, ``Feedback``):
  people may rename and reorder it;
- each column the bot reads or writes carries column metadata ``ilt.col`` = its field (the header it was
  made with): people may insert, move and add columns, and the bot never writes into theirs;
- rows are keyed by the value of the tab's id column (the first field), which travels with the row when
  people sort; the id column is hidden and protected warning-only where it is a technical id.

:func:`parse` turns one ``spreadsheets.get`` answer (:data:`READ_FIELDS`) into :class:`TabData` per role;
the request builders make a new tab (header, note, frozen row, formats, metadata) or key an old one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

TAB_KEY = "ilt.tab"
COL_KEY = "ilt.col"
LEASE_KEY = "ilt.lease"

READ_FIELDS = ("sheets(properties(sheetId,title,index),developerMetadata(metadataKey,metadataValue),"
               "charts(spec(title)),"
               "data(columnMetadata(developerMetadata(metadataKey,metadataValue)),rowData(values(formattedValue))))")
"""The ``fields`` mask of the one read per tick: every tab's identity, column keys and cell text."""

TECHNICAL_IDS = frozenset({"Response ID", "Item ID", "Run ID"})
"""Id columns people never need to see: hidden and protected (warning-only)."""

NOTES = {
    "Meetings": "The bot adds one row per meeting when it builds the agenda. Add your own columns to the right.",
    "Feedback": "The bot copies every feedback Form response here once (hidden column A keys it). "
                "Sort, filter and add your own columns freely; do not retype the bot's cells.",
    "Agenda items": "The bot adds intake Form answers and agenda suggestions, and fills Placed in / Status "
                    "when it puts an item on an agenda.",
    "Action items": "The bot copies action items from the agendas and updates their Status when they close.",
    "Runs": "One row per action of each bot run (what it made, synced or could not do, with the fix).",
    "Dashboard": "Counts per meeting, rewritten by the bot; the chart reads these columns.",
}
"""The note on each tab's first header cell: what the bot writes there."""

LINK_FIELDS = frozenset({"Agenda link", "Feedback link"})
"""Columns whose cells are links: written as text with a ``textFormat.link`` (clickable, read back as text)."""

APPEND_FIELDS = "userEnteredValue,userEnteredFormat.textFormat.link"


@dataclass
class TabData:
    """One tab as the bot sees it: where it is now, where each of its fields is, and its rows."""

    role: str
    sheet_id: int
    title: str
    columns: dict[str, int]
    """field -> the column's index now."""
    rows: list[list[str]] = field(default_factory=list)
    """The rows below the header as they are in the sheet (every column, people's too)."""
    unkeyed: dict[str, int] = field(default_factory=dict)
    """Fields found by their header text only (an older tracker): the bot keys them."""
    copies: list[str] = field(default_factory=list)
    """Titles of other tabs claiming this role (a person duplicated it): ignored, reported."""
    keyed: bool = True
    """Whether the tab carries its ``ilt.tab`` metadata (False: found by title in an older tracker)."""
    charts: list[str] = field(default_factory=list)
    """The titles of the tab's charts."""
    header: list[str] = field(default_factory=list)
    """The header row as it is now (every column, people's too)."""

    @property
    def width(self) -> int:
        return max(self.columns.values(), default=-1) + 1

    def row_index(self, n: int) -> int:
        """The sheet row index (0-based, header is 0) of ``rows[n]``."""
        return n + 1


def _meta(entries: list[dict[str, Any]] | None, key: str) -> list[str]:
    return [str(e.get("metadataValue", "")) for e in entries or [] if e.get("metadataKey") == key]


def _cells(grid: dict[str, Any]) -> list[list[str]]:
    rows = []
    for row in grid.get("rowData") or []:
        rows.append([str(c.get("formattedValue", "")) if c else "" for c in row.get("values") or []])
    while rows and not any(v.strip() for v in rows[-1]):
        rows.pop()
    return rows


def _columns(grid: dict[str, Any], header: list[str], fields: list[str]) -> tuple[dict[str, int], dict[str, int]]:
    keyed: dict[str, int] = {}
    for index, meta in enumerate(grid.get("columnMetadata") or []):
        for value in _meta((meta or {}).get("developerMetadata"), COL_KEY):
            if value in fields:
                keyed.setdefault(value, index)
    unkeyed: dict[str, int] = {}
    taken = set(keyed.values())
    for name in fields:
        if name in keyed:
            continue
        index = next((i for i, h in enumerate(header) if h.strip() == name and i not in taken), None)
        if index is not None:
            unkeyed[name] = index
            taken.add(index)
    return {**keyed, **unkeyed}, unkeyed


def parse(answer: dict[str, Any], tabs: dict[str, list[str]]) -> dict[str, TabData]:
    """role -> :class:`TabData` of each tab found by its ``ilt.tab`` metadata (by title, unkeyed, in a tracker
    made before tabs were keyed). Two tabs claiming one role: the lower sheetId wins (every machine agrees)."""
    found: dict[str, TabData] = {}
    by_title: dict[str, dict[str, Any]] = {}
    for sheet in answer.get("sheets") or []:
        props = sheet.get("properties") or {}
        roles = [r for r in _meta(sheet.get("developerMetadata"), TAB_KEY) if r in tabs]
        if not roles:
            by_title.setdefault(str(props.get("title", "")), sheet)
            continue
        grid = (sheet.get("data") or [{}])[0]
        cells = _cells(grid)
        header = cells[0] if cells else []
        columns, unkeyed = _columns(grid, header, tabs[roles[0]])
        tab = TabData(roles[0], int(props.get("sheetId", 0)), str(props.get("title", "")), columns, cells[1:],
                      unkeyed, charts=[str((c.get("spec") or {}).get("title", "")) for c in sheet.get("charts") or []],
                      header=header)
        other = found.get(tab.role)
        if other is None or tab.sheet_id < other.sheet_id:
            if other is not None:
                tab.copies = [*other.copies, other.title]
            found[tab.role] = tab
        else:
            other.copies.append(tab.title)
    for role, header_fields in tabs.items():
        sheet = by_title.get(role)
        if role in found or sheet is None:
            continue
        grid = (sheet.get("data") or [{}])[0]
        cells = _cells(grid)
        if not cells or header_fields[:1] != [h.strip() for h in cells[0][:1]]:
            continue  # a person's tab with our title: never adopted
        columns, _ = _columns({}, cells[0], header_fields)
        props = sheet.get("properties") or {}
        found[role] = TabData(role, int(props.get("sheetId", 0)), str(props.get("title", "")), columns, cells[1:],
                              dict(columns), keyed=False, header=cells[0])
    return found


def string_cell(value: str) -> dict[str, Any]:
    return {"userEnteredValue": {"stringValue": value}}


def metadata_request(key: str, value: str, location: dict[str, Any]) -> dict[str, Any]:
    return {"createDeveloperMetadata": {"developerMetadata": {
        "metadataKey": key, "metadataValue": value, "location": location, "visibility": "DOCUMENT"}}}


def column_location(sheet_id: int, index: int) -> dict[str, Any]:
    return {"dimensionRange": {"sheetId": sheet_id, "dimension": "COLUMNS", "startIndex": index,
                               "endIndex": index + 1}}


def key_requests(tab: TabData) -> list[dict[str, Any]]:
    """Metadata for a tab found by title or columns found by header (a tracker made by an earlier version)."""
    requests = []
    if not tab.keyed:
        requests.append(metadata_request(TAB_KEY, tab.role, {"sheetId": tab.sheet_id}))
    for name, index in tab.unkeyed.items():
        requests.append(metadata_request(COL_KEY, name, column_location(tab.sheet_id, index)))
    return requests


def new_tab_requests(role: str, header: list[str], sheet_id: int, title: str, *, add: bool,
                     first_column: int = 0) -> list[dict[str, Any]]:
    """A tab made for people: header row with a note saying what the bot writes, frozen, bold; the metadata
    keying the tab and each column; a technical id column hidden and protected warning-only."""
    requests: list[dict[str, Any]] = []
    props = {"sheetId": sheet_id, "title": title, "gridProperties": {"frozenRowCount": 1}}
    if add:
        requests.append({"addSheet": {"properties": props}})
    else:
        requests.append({"updateSheetProperties": {"properties": props,
                                                   "fields": "title,gridProperties.frozenRowCount"}})
    requests.append(metadata_request(TAB_KEY, role, {"sheetId": sheet_id}))
    if not header:
        return requests
    cells = [string_cell(h) for h in header]
    cells[0]["note"] = NOTES.get(role, "The bot writes the columns it made here; add your own to the right.")
    for c in cells:
        c["userEnteredFormat"] = {"textFormat": {"bold": True}}
    requests.append({"updateCells": {"start": {"sheetId": sheet_id, "rowIndex": 0, "columnIndex": first_column},
                                     "rows": [{"values": cells}], "fields": "userEnteredValue,note,userEnteredFormat"}})
    for offset, name in enumerate(header):
        requests.append(metadata_request(COL_KEY, name, column_location(sheet_id, first_column + offset)))
    if header[0] in TECHNICAL_IDS and first_column == 0:
        requests.append({"updateDimensionProperties": {
            "range": {"sheetId": sheet_id, "dimension": "COLUMNS", "startIndex": 0, "endIndex": 1},
            "properties": {"hiddenByUser": True}, "fields": "hiddenByUser"}})
        requests.append({"addProtectedRange": {"protectedRange": {
            "range": {"sheetId": sheet_id, "startColumnIndex": 0, "endColumnIndex": 1},
            "description": f"The bot's {header[0]}s: each row's identity. Retyping one makes the bot treat the row "
                          "as yours and copy the response again.",
            "warningOnly": True}}})
    return requests


def readd_column_requests(tab: TabData, name: str, index: int) -> list[dict[str, Any]]:
    """A bot column a person deleted, added back at ``index`` (right of everything) with its header and key."""
    cell = string_cell(name)
    cell["userEnteredFormat"] = {"textFormat": {"bold": True}}
    return [
        {"insertDimension": {"range": {"sheetId": tab.sheet_id, "dimension": "COLUMNS", "startIndex": index,
                                       "endIndex": index + 1}, "inheritFromBefore": False}},
        {"updateCells": {"start": {"sheetId": tab.sheet_id, "rowIndex": 0, "columnIndex": index},
                         "rows": [{"values": [cell]}], "fields": "userEnteredValue,userEnteredFormat"}},
        metadata_request(COL_KEY, name, column_location(tab.sheet_id, index)),
    ]


def row_cells(tab: TabData, header: list[str], values: list[str]) -> list[dict[str, Any]]:
    """One appended row: the bot's values at its columns' current places, people's columns left empty."""
    cells: list[dict[str, Any]] = [{} for _ in range(tab.width)]
    for name, value in zip(header, values, strict=False):
        if name in tab.columns:
            cells[tab.columns[name]] = string_cell(value)
            if name in LINK_FIELDS and value.startswith(("https://", "http://")):
                cells[tab.columns[name]]["userEnteredFormat"] = {"textFormat": {"link": {"uri": value}}}
    return cells
