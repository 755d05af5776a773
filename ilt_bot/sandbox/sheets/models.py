"""Spreadsheets as the sandbox keeps them: pure functions over the Store, no HTTP.

One JSON document per spreadsheet (kind ``spreadsheet``, id = the Drive file id)::

    {"properties": {title, locale, autoRecalc, timeZone}, "namedRanges": [...],
     "sheets": [{"properties": {...SheetProperties}, "cells": {"r,c": Cell}, "merges": [...],
                 "basicFilter"?, "protectedRanges": [...], "rowGroups": [...], "columnGroups": [...],
                 "rowMeta": {"i": {...}}, "colMeta": {"i": {...}}, "charts": [...], "conditionalFormats": [...]}]}

A Cell is ``{"v": userEnteredValue, "f": userEnteredFormat, "n": note, "dv": dataValidation}`` (each
optional). Effective and formatted values are computed when read; formulas are interpreted by
:mod:`.formulas`. Sheets and ranges (``Area``, ``resolve``) are :mod:`.grid`'s, error values and number
formats :mod:`.cells`': both sit below this module and ``formulas.py``.
"""

from __future__ import annotations

import copy as _copy
import csv
import io
import re
import secrets
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from ilt_bot.sandbox.core import SHEET_MIME, ApiError
from ilt_bot.sandbox.sheets import a1
from ilt_bot.sandbox.sheets.cells import CellError, format_number, tidy
from ilt_bot.sandbox.sheets.formulas import Formula
from ilt_bot.sandbox.sheets.grid import (
    Area,
    bad_request,
    dims,
    first_sheet,
    resolve,
    title_of,
    whole_sheet,
)

if TYPE_CHECKING:
    from ilt_bot.sandbox.store import Store

KIND = "spreadsheet"
DEFAULT_ROWS = 1000
DEFAULT_COLS = 26
DEFAULT_ROW_PX = 21
DEFAULT_COL_PX = 100
MAX_CELLS = 10_000_000
WRITE_ROLES = {"owner", "organizer", "fileOrganizer", "writer"}

NOT_FOUND = "Requested entity was not found."
NO_PERMISSION = "The caller does not have permission"

DEFAULT_FORMAT: dict[str, Any] = {
    "backgroundColor": {"red": 1, "green": 1, "blue": 1},
    "padding": {"top": 2, "right": 3, "bottom": 2, "left": 3},
    "verticalAlignment": "BOTTOM",
    "wrapStrategy": "OVERFLOW_CELL",
    "textFormat": {
        "foregroundColor": {},
        "fontFamily": "arial,sans,sans-serif",
        "fontSize": 10,
        "bold": False,
        "italic": False,
        "strikethrough": False,
        "underline": False,
        "foregroundColorStyle": {"rgbColor": {}},
    },
    "backgroundColorStyle": {"rgbColor": {"red": 1, "green": 1, "blue": 1}},
}

_THEME_COLORS = [
    ("TEXT", {}),
    ("BACKGROUND", {"red": 1, "green": 1, "blue": 1}),
    ("ACCENT1", {"red": 0.25882354, "green": 0.52156866, "blue": 0.95686275}),
    ("ACCENT2", {"red": 0.91764706, "green": 0.2627451, "blue": 0.20784314}),
    ("ACCENT3", {"red": 0.9843137, "green": 0.7372549, "blue": 0.015686275}),
    ("ACCENT4", {"red": 0.20392157, "green": 0.65882355, "blue": 0.3254902}),
    ("ACCENT5", {"red": 1, "green": 0.42745098, "blue": 0.003921569}),
    ("ACCENT6", {"red": 0.27450982, "green": 0.7411765, "blue": 0.7764706}),
    ("LINK", {"red": 0.06666667, "green": 0.33333334, "blue": 0.8}),
]
SPREADSHEET_THEME: dict[str, Any] = {
    "primaryFontFamily": "Arial",
    "themeColors": [{"colorType": t, "color": {"rgbColor": c}} for t, c in _THEME_COLORS],
}


# ---------------------------------------------------------------------------------------------
# Storage and access


def drive_models() -> Any:
    from ilt_bot.sandbox.drive import models as drive_models

    return drive_models


def new_sheet(properties: dict[str, Any] | None = None, *, sheet_id: int = 0, index: int = 0) -> dict[str, Any]:
    """An empty sheet (1000 x 26 unless ``properties.gridProperties`` says otherwise)."""
    props = _copy.deepcopy(properties or {})
    grid = props.get("gridProperties") or {}
    props = {
        **props,
        "sheetId": props.get("sheetId", sheet_id),
        "title": props.get("title") or "Sheet1",
        "index": index,
        "sheetType": props.get("sheetType") or "GRID",
        "gridProperties": {**grid, "rowCount": grid.get("rowCount", DEFAULT_ROWS),
                           "columnCount": grid.get("columnCount", DEFAULT_COLS)},
    }
    return {"properties": props, "cells": {}, "merges": [], "protectedRanges": [], "rowGroups": [],
            "columnGroups": [], "rowMeta": {}, "colMeta": {}, "charts": [], "conditionalFormats": []}


def new_spreadsheet(title: str, sheets: list[dict[str, Any]] | None = None,
                    properties: dict[str, Any] | None = None) -> dict[str, Any]:
    """A spreadsheet document: one "Sheet1" of 1000 x 26 unless ``sheets`` are given."""
    props = {"title": title, "locale": "en_US", "autoRecalc": "ON_CHANGE", "timeZone": "Etc/GMT"}
    for key in ("locale", "autoRecalc", "timeZone"):
        if properties and properties.get(key):
            props[key] = properties[key]
    doc: dict[str, Any] = {"properties": props, "sheets": [], "namedRanges": []}
    for i, sheet in enumerate(sheets or [{}]):
        sheet_props = dict(sheet.get("properties") or {})
        if "sheetId" not in sheet_props:
            sheet_props["sheetId"] = 0 if i == 0 else new_sheet_id(doc)
        if not sheet_props.get("title"):
            sheet_props["title"] = next_sheet_title(doc)
        doc["sheets"].append(new_sheet(sheet_props, index=i))
    return doc


def create_empty(store: Store, file_id: str, title: str) -> None:
    """ContentKind hook: files.create with the spreadsheet mime type and no media."""
    store.put(KIND, file_id, new_spreadsheet(title))


def create(store: Store, *, user: str, body: dict[str, Any], now: datetime) -> tuple[str, dict[str, Any]]:
    """spreadsheets.create: the Drive file (via Drive's ``create_file``) and its sheets."""
    body = body or {}
    props = body.get("properties") or {}
    title = props.get("title") or "Untitled spreadsheet"
    titles = [(s.get("properties") or {}).get("title") for s in body.get("sheets") or []]
    if len([t for t in titles if t]) != len({t for t in titles if t}):
        raise ApiError(400, "Invalid spreadsheet: sheet titles must be unique.")
    file = drive_models().create_file(store, owner=user, name=title, mime_type=SHEET_MIME, now=now)
    doc = new_spreadsheet(title, body.get("sheets") or None, props)
    store.put(KIND, file["id"], doc)
    return file["id"], doc


def copy_content(store: Store, source_id: str, new_id: str, new_title: str) -> None:
    """ContentKind hook for files.copy."""
    doc = store.get(KIND, source_id)
    if doc is None:
        doc = new_spreadsheet(new_title)
    doc = _copy.deepcopy(doc)
    doc["properties"]["title"] = new_title
    store.put(KIND, new_id, doc)


def delete_content(store: Store, file_id: str) -> None:
    store.delete(KIND, file_id)


def rename(store: Store, file_id: str, new_title: str) -> None:
    """ContentKind hook: Drive renamed the file, keep the spreadsheet title in step."""
    doc = store.get(KIND, file_id)
    if doc is not None:
        doc["properties"]["title"] = new_title
        store.put(KIND, file_id, doc)


def load(store: Store, user: str, spreadsheet_id: str, *, write: bool = False) -> dict[str, Any]:
    """The spreadsheet if ``user`` may read (or write) it; else Google's 404 / 403."""
    doc = store.get(KIND, spreadsheet_id)
    drive = drive_models()
    file = drive.get_file(store, spreadsheet_id)
    if doc is None or file is None:
        raise ApiError(404, NOT_FOUND, status="NOT_FOUND")
    role = drive.role_of(store, user, spreadsheet_id)
    if role is None or (write and role not in WRITE_ROLES):
        raise ApiError(403, NO_PERMISSION, status="PERMISSION_DENIED")
    return doc


def save(store: Store, spreadsheet_id: str, doc: dict[str, Any], *, user: str, now: datetime) -> None:
    """Store a changed spreadsheet and bump the Drive file's version."""
    store.put(KIND, spreadsheet_id, doc)
    drive_models().touch(store, spreadsheet_id, user, now)


# ---------------------------------------------------------------------------------------------
# Sheets, ranges and cells


CELL_CHARACTERS = 50_000
"""The most characters a cell takes; a values write with a longer value is refused whole (400 INVALID_ARGUMENT)."""


def new_sheet_id(doc: dict[str, Any]) -> int:
    used = {s["properties"]["sheetId"] for s in doc["sheets"]}
    while True:
        candidate = secrets.randbelow(2_147_483_646) + 1
        if candidate not in used:
            return candidate


def next_sheet_title(doc: dict[str, Any]) -> str:
    titles = {s["properties"]["title"] for s in doc["sheets"]}
    n = len(doc["sheets"]) + 1
    while f"Sheet{n}" in titles:
        n += 1
    return f"Sheet{n}"


def check_grid(area: Area) -> None:
    """Google's 400 when a write reaches past the sheet's rows or columns; the message names the whole
    written range (``Range ('Dog Activity'!A1001:T1001) exceeds grid limits. Max rows: 1000, max
    columns: 26``, as Google's answers quoted by Sheets users show). The sheet does not grow."""
    rows, cols = dims(area.sheet)
    if area.r1 > rows or area.c1 > cols:
        raise bad_request(f"Range ({area.a1()}) exceeds grid limits. Max rows: {rows}, max columns: {cols}")


def _k(r: int, c: int) -> str:
    return f"{r},{c}"


def parse_key(key: str) -> tuple[int, int]:
    r, c = key.split(",")
    return int(r), int(c)


def get_cell(sheet: dict[str, Any], r: int, c: int) -> dict[str, Any]:
    return sheet["cells"].get(_k(r, c), {})


def put_cell(sheet: dict[str, Any], r: int, c: int, cell: dict[str, Any]) -> None:
    cell = {k: v for k, v in cell.items() if v not in (None, {}, "")}
    if cell:
        sheet["cells"][_k(r, c)] = cell
    else:
        sheet["cells"].pop(_k(r, c), None)


def set_value(sheet: dict[str, Any], r: int, c: int, value: dict[str, Any] | None,
              number_format: dict[str, Any] | None = None) -> None:
    cell = dict(get_cell(sheet, r, c))
    cell["v"] = value
    if number_format is not None:
        cell["f"] = {**cell.get("f", {}), "numberFormat": number_format}
    put_cell(sheet, r, c, cell)


def data_extent(sheet: dict[str, Any], *, values_only: bool = True) -> tuple[int, int]:
    """(rows, columns) up to the last cell holding a value (or anything, with values_only=False)."""
    last_r = last_c = -1
    for key, cell in sheet["cells"].items():
        if values_only and "v" not in cell:
            continue
        r, c = parse_key(key)
        last_r, last_c = max(last_r, r), max(last_c, c)
    return last_r + 1, last_c + 1


# ---------------------------------------------------------------------------------------------
# Values: input parsing, evaluation, rendering

_EPOCH = date(1899, 12, 30)
_NUMBER = re.compile(r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?(?:[eE][+-]?\d+)?$")
_DATE_FORMS = [
    (re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"), "ymd", "yyyy-mm-dd"),
    (re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"), "ymd", "yyyy/mm/dd"),
    (re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$"), "mdy", "m/d/yyyy"),
]
_DATETIME = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?$")


def parse_input(raw: Any, option: str) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """One written value as (userEnteredValue, numberFormat or None); RAW keeps strings as typed."""
    if raw is None:
        return None, None
    if isinstance(raw, bool):
        return {"boolValue": raw}, None
    if isinstance(raw, int | float):
        return {"numberValue": raw}, None
    text = str(raw)
    if text == "":
        return None, None
    if option == "RAW":
        return {"stringValue": text}, None
    if text.startswith("=") and len(text) > 1:
        return {"formulaValue": text}, None
    if text.startswith("'"):
        return {"stringValue": text[1:]}, None
    stripped = text.strip()
    if stripped.upper() in ("TRUE", "FALSE"):
        return {"boolValue": stripped.upper() == "TRUE"}, None
    if stripped and _NUMBER.match(stripped) and any(ch.isdigit() for ch in stripped):
        number = float(stripped.replace(",", ""))
        if "," in stripped:
            decimals = len(stripped.partition(".")[2]) if "." in stripped and "e" not in stripped.lower() else 0
            pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
            return {"numberValue": tidy(number)}, {"type": "NUMBER", "pattern": pattern}
        return {"numberValue": tidy(number)}, None
    if stripped.endswith("%") and _NUMBER.match(stripped[:-1].strip() or "x"):
        number = float(stripped[:-1].replace(",", "")) / 100
        pattern = "0.00%" if "." in stripped else "0%"
        return {"numberValue": tidy(number)}, {"type": "PERCENT", "pattern": pattern}
    if stripped.startswith("$") and _NUMBER.match(stripped[1:] or "x"):
        return {"numberValue": tidy(float(stripped[1:].replace(",", "")))}, \
            {"type": "CURRENCY", "pattern": '"$"#,##0.00'}
    serial = _parse_date(stripped)
    if serial is not None:
        return {"numberValue": serial[0]}, serial[1]
    return {"stringValue": text}, None


def _parse_date(text: str) -> tuple[int | float, dict[str, Any]] | None:
    for pattern, order, fmt in _DATE_FORMS:
        m = pattern.match(text)
        if m:
            a, b, c = (int(g) for g in m.groups())
            y, mo, d = (a, b, c) if order == "ymd" else (c, a, b)
            try:
                return (date(y, mo, d) - _EPOCH).days, {"type": "DATE", "pattern": fmt}
            except ValueError:
                return None
    m = _DATETIME.match(text)
    if m:
        y, mo, d, hh, mm = (int(g) for g in m.groups()[:5])
        ss = int(m.group(6) or 0)
        try:
            moment = datetime(y, mo, d, hh, mm, ss)
        except ValueError:
            return None
        days = (moment - datetime(1899, 12, 30)).total_seconds() / 86400
        return tidy(days), {"type": "DATE_TIME", "pattern": "yyyy-mm-dd hh:mm:ss"}
    return None


def _value_of(uev: dict[str, Any]) -> Any:
    if "numberValue" in uev:
        return uev["numberValue"]
    if "boolValue" in uev:
        return uev["boolValue"]
    if "stringValue" in uev:
        return uev["stringValue"]
    if "errorValue" in uev:
        return CellError(uev["errorValue"].get("type", "ERROR"), uev["errorValue"].get("message", ""))
    return None


class Evaluator:
    """Computes effective values of one spreadsheet, memoized for the duration of one request."""

    def __init__(self, doc: dict[str, Any]) -> None:
        self.doc = doc
        self.memo: dict[tuple[int, int, int], Any] = {}
        self.active: set[tuple[int, int, int]] = set()

    def value(self, sheet: dict[str, Any], r: int, c: int) -> Any:
        """The effective value: number, bool, str, CellError or None (empty)."""
        uev = get_cell(sheet, r, c).get("v")
        if not uev:
            return None
        if "formulaValue" not in uev:
            return _value_of(uev)
        key = (sheet["properties"]["sheetId"], r, c)
        if key in self.memo:
            return self.memo[key]
        if key in self.active:
            return CellError("REF", "Circular dependency detected. To resolve with iterative calculation, "
                                    "see File > Settings.")
        self.active.add(key)
        try:
            result = Formula(uev["formulaValue"], self, sheet).run()
        finally:
            self.active.discard(key)
        self.memo[key] = result
        return result

    def number_format(self, sheet: dict[str, Any], r: int, c: int) -> dict[str, Any] | None:
        return (get_cell(sheet, r, c).get("f") or {}).get("numberFormat")

    def formatted(self, sheet: dict[str, Any], r: int, c: int) -> str | None:
        value = self.value(sheet, r, c)
        return render_formatted(value, self.number_format(sheet, r, c))

    def render(self, sheet: dict[str, Any], r: int, c: int, option: str, dt_option: str) -> Any:
        """One cell for values.get under ``valueRenderOption`` / ``dateTimeRenderOption``."""
        uev = get_cell(sheet, r, c).get("v")
        if not uev:
            return ""
        if option == "FORMULA" and "formulaValue" in uev:
            return uev["formulaValue"]
        value = self.value(sheet, r, c)
        number_format = self.number_format(sheet, r, c)
        if option == "FORMATTED_VALUE":
            return render_formatted(value, number_format) or ""
        if isinstance(value, CellError):
            return value.text()
        is_date = (number_format or {}).get("type") in ("DATE", "DATE_TIME", "TIME")
        if is_date and dt_option == "FORMATTED_STRING" and isinstance(value, int | float):
            return format_number(value, number_format)
        return "" if value is None else value


def render_formatted(value: Any, number_format: dict[str, Any] | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, CellError):
        return value.text()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return format_number(value, number_format)
    return str(value)


def effective_value(value: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    if isinstance(value, CellError):
        return {"errorValue": {"type": value.kind, "message": value.message}}
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, int | float):
        return {"numberValue": value}
    return {"stringValue": str(value)}


# ---------------------------------------------------------------------------------------------
# values.* operations


def _matrix(values: Any, major: str) -> list[list[Any]]:
    if not isinstance(values, list) or any(not isinstance(row, list) for row in values):
        shown = values if not isinstance(values, list) else next(r for r in values if not isinstance(r, list))
        message = f"Invalid value at 'data.values' (type.googleapis.com/google.protobuf.ListValue), {_js(shown)}"
        raise ApiError(400, message, status="INVALID_ARGUMENT", details=[{
            "@type": "type.googleapis.com/google.rpc.BadRequest",
            "fieldViolations": [{"field": "data.values", "description": message}]}])
    if major == "COLUMNS":
        height = max((len(col) for col in values), default=0)
        return [[col[i] if i < len(col) else None for col in values] for i in range(height)]
    return values


def _js(value: Any) -> str:
    import json

    return json.dumps(value, ensure_ascii=False)


def values_get(doc: dict[str, Any], text: str, *, major: str = "ROWS", render: str = "FORMATTED_VALUE",
               dt_render: str = "SERIAL_NUMBER", ev: Evaluator | None = None) -> dict[str, Any]:
    """A ValueRange: Google's normalized range, trailing empty cells and rows trimmed."""
    area = resolve(doc, text).clamped()
    ev = ev or Evaluator(doc)
    rows = []
    for r in range(area.r0, area.r1):
        rows.append([ev.render(area.sheet, r, c, render, dt_render) for c in range(area.c0, area.c1)])
    if major == "COLUMNS":
        rows = [list(col) for col in zip(*rows, strict=True)] if rows else []
    trimmed = []
    for row in rows:
        while row and row[-1] == "":
            row = row[:-1]
        trimmed.append(row)
    while trimmed and not trimmed[-1]:
        trimmed.pop()
    result: dict[str, Any] = {"range": _echo(area), "majorDimension": major}
    if trimmed:
        result["values"] = trimmed
    return result


def _echo(area: Area) -> str:
    if area.r1 <= area.r0 or area.c1 <= area.c0:
        return f"{a1.quote_title(area.title)}!{a1.cell_name(area.r0, area.c0)}"
    return area.a1()


def write_values(doc: dict[str, Any], area: Area, matrix: list[list[Any]], option: str) -> dict[str, Any]:
    """Write ``matrix`` from the area's top-left; returns the UpdateValuesResponse counts."""
    height = len(matrix)
    width = max((len(row) for row in matrix), default=0)
    if height == 0 or width == 0:
        return {"updatedRange": area.clamped().a1() if not area.single else area.a1()}
    if not area.single:
        if area.r0 + height > area.r1:
            raise bad_request(f"Requested writing within range [{area.a1()}], but tried writing to row "
                              f"[{area.r0 + height}]")
        if area.c0 + width > area.c1:
            raise bad_request(f"Requested writing within range [{area.a1()}], but tried writing to column "
                              f"[{a1.column_letters(area.c0 + width - 1)}]")
    target = Area(area.sheet, area.r0, area.r0 + height, area.c0, area.c0 + width)
    check_grid(target)
    cells = 0
    for i, row in enumerate(matrix):
        for j, raw in enumerate(row):
            cells += 1
            if raw is None:
                continue
            if isinstance(raw, dict | list):
                raise bad_request(f"Invalid values[{i}][{j}]: {_kind_name(raw)}")
            if isinstance(raw, str) and len(raw) > CELL_CHARACTERS:
                raise bad_request(f"Your input contains more than the maximum of {CELL_CHARACTERS} characters in a "
                                  "single cell.")
            value, number_format = parse_input(raw, option)
            set_value(area.sheet, area.r0 + i, area.c0 + j, value, number_format)
    return {"updatedRange": target.a1(), "updatedRows": height, "updatedColumns": width, "updatedCells": cells}


def _kind_name(value: Any) -> str:
    return "list_value {\n}\n" if isinstance(value, list) else "struct_value {\n}\n"


def values_update(doc: dict[str, Any], text: str, body: dict[str, Any], *, option: str | None,
                  include_values: bool = False, render: str = "FORMATTED_VALUE",
                  dt_render: str = "SERIAL_NUMBER") -> dict[str, Any]:
    """values.update: write, answer with what was updated (and the values when asked)."""
    if option not in ("RAW", "USER_ENTERED"):
        raise bad_request("Invalid valueInputOption: INPUT_VALUE_OPTION_UNSPECIFIED")
    area = resolve(doc, text)
    if body.get("range") and resolve(doc, body["range"]).a1() != area.a1():
        raise bad_request(f"Requested entity range [{body['range']}] doesn't match URL range [{text}].")
    matrix = _matrix(body.get("values", []), body.get("majorDimension") or "ROWS")
    result = write_values(doc, area, matrix, option)
    if include_values:
        result["updatedData"] = values_get(doc, result["updatedRange"], render=render, dt_render=dt_render,
                                           major=body.get("majorDimension") or "ROWS")
    return result


def find_table(sheet: dict[str, Any], area: Area) -> tuple[int, int, int, int] | None:
    """The "table" an append lands under: the block around the last value inside ``area``."""
    clamped = area.clamped()
    last: tuple[int, int] | None = None
    for key, cell in sheet["cells"].items():
        if "v" not in cell:
            continue
        r, c = parse_key(key)
        if clamped.r0 <= r < clamped.r1 and clamped.c0 <= c < clamped.c1 and (last is None or (r, c) > last):
            last = (r, c)
    if last is None:
        return None

    def filled(r: int, c: int) -> bool:
        return r >= 0 and c >= 0 and "v" in get_cell(sheet, r, c)

    r0, r1, c0, c1 = last[0], last[0] + 1, last[1], last[1] + 1
    grew = True
    while grew:
        grew = False
        if any(filled(r0 - 1, c) for c in range(c0 - 1, c1 + 1)):
            r0, grew = r0 - 1, True
        if any(filled(r1, c) for c in range(c0 - 1, c1 + 1)):
            r1, grew = r1 + 1, True
        if any(filled(r, c0 - 1) for r in range(r0 - 1, r1 + 1)):
            c0, grew = c0 - 1, True
        if any(filled(r, c1) for r in range(r0 - 1, r1 + 1)):
            c1, grew = c1 + 1, True
    return r0, r1, c0, c1


def values_append(doc: dict[str, Any], spreadsheet_id: str, text: str, body: dict[str, Any], *,
                  option: str | None, insert: str = "OVERWRITE", include_values: bool = False,
                  render: str = "FORMATTED_VALUE", dt_render: str = "SERIAL_NUMBER") -> dict[str, Any]:
    """values.append: find the table in the range, write below it (growing the grid as needed)."""
    if option not in ("RAW", "USER_ENTERED"):
        raise bad_request("Invalid valueInputOption: INPUT_VALUE_OPTION_UNSPECIFIED")
    area = resolve(doc, text)
    matrix = _matrix(body.get("values", []), body.get("majorDimension") or "ROWS")
    sheet = area.sheet
    table = find_table(sheet, area)
    result: dict[str, Any] = {"spreadsheetId": spreadsheet_id}
    if table is None:
        start_r, start_c = area.r0, area.c0
    else:
        result["tableRange"] = Area(sheet, *table).a1()
        start_r, start_c = table[1], table[2]
    height = len(matrix)
    width = max((len(row) for row in matrix), default=0)
    rows, cols = dims(sheet)
    if insert == "INSERT_ROWS" and height:
        insert_span(doc, sheet, "ROWS", start_r, start_r + height)
        rows, cols = dims(sheet)
    need_rows = max(rows, start_r + height)
    need_cols = max(cols, start_c + width)
    if (need_rows, need_cols) != (rows, cols):
        resize(doc, sheet, need_rows, need_cols)
    target = Area(sheet, start_r, start_r + max(height, 1), start_c, start_c + max(width, 1), single=True)
    updates = write_values(doc, target, matrix, option)
    updates = {"spreadsheetId": spreadsheet_id, **updates}
    if include_values and height:
        updates["updatedData"] = values_get(doc, updates["updatedRange"], render=render, dt_render=dt_render)
    result["updates"] = updates
    return result


def values_clear(doc: dict[str, Any], text: str) -> str:
    """values.clear: drop the values (formats stay); answers the cleared range."""
    area = resolve(doc, text).clamped()
    for key in list(area.sheet["cells"]):
        r, c = parse_key(key)
        if area.r0 <= r < area.r1 and area.c0 <= c < area.c1:
            cell = dict(area.sheet["cells"][key])
            cell.pop("v", None)
            put_cell(area.sheet, r, c, cell)
    return _echo(area)


# ---------------------------------------------------------------------------------------------
# Reading the spreadsheet resource


def prune_range(grid: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in grid.items() if v is not None}
    if not out.get("sheetId"):
        out.pop("sheetId", None)
    return out


def sheet_properties(sheet: dict[str, Any]) -> dict[str, Any]:
    props = _copy.deepcopy(sheet["properties"])
    grid = props.get("gridProperties", {})
    for key in ("frozenRowCount", "frozenColumnCount"):
        if not grid.get(key):
            grid.pop(key, None)
    for key in ("hideGridlines", "rowGroupControlAfter", "columnGroupControlAfter"):
        if not grid.get(key):
            grid.pop(key, None)
    for key in ("hidden", "rightToLeft"):
        if not props.get(key):
            props.pop(key, None)
    return props


def sheet_resource(doc: dict[str, Any], sheet: dict[str, Any], *, data_areas: list[Area] | None = None,
                   ev: Evaluator | None = None) -> dict[str, Any]:
    """One entry of ``sheets[]``: properties, merges, filters, protections, groups, charts, data."""
    out: dict[str, Any] = {"properties": sheet_properties(sheet)}
    if data_areas is not None:
        ev = ev or Evaluator(doc)
        out["data"] = [grid_data(doc, area, ev) for area in data_areas]
    if sheet.get("merges"):
        out["merges"] = [prune_range(m) for m in sheet["merges"]]
    if sheet.get("conditionalFormats"):
        out["conditionalFormats"] = _copy.deepcopy(sheet["conditionalFormats"])
    if sheet.get("basicFilter"):
        bf = _copy.deepcopy(sheet["basicFilter"])
        bf["range"] = prune_range(bf["range"])
        out["basicFilter"] = bf
    if sheet.get("protectedRanges"):
        prs = []
        for pr in sheet["protectedRanges"]:
            pr = _copy.deepcopy(pr)
            pr["range"] = prune_range(pr["range"])
            prs.append(pr)
        out["protectedRanges"] = prs
    if sheet.get("charts"):
        out["charts"] = _copy.deepcopy(sheet["charts"])
    for key in ("rowGroups", "columnGroups"):
        if sheet.get(key):
            out[key] = [{"range": prune_range(g["range"]), "depth": g["depth"]} for g in sheet[key]]
    return out


def cell_data(doc: dict[str, Any], sheet: dict[str, Any], r: int, c: int, ev: Evaluator) -> dict[str, Any]:
    """A CellData: userEnteredValue, effectiveValue, formattedValue, formats, note, dataValidation."""
    cell = get_cell(sheet, r, c)
    out: dict[str, Any] = {}
    if cell.get("v"):
        out["userEnteredValue"] = dict(cell["v"])
        value = ev.value(sheet, r, c)
        eff = effective_value(value)
        if eff is not None:
            out["effectiveValue"] = eff
        shown = render_formatted(value, ev.number_format(sheet, r, c))
        if shown is not None:
            out["formattedValue"] = shown
    if cell.get("f"):
        out["userEnteredFormat"] = _copy.deepcopy(cell["f"])
    if cell.get("v") or cell.get("f"):
        out["effectiveFormat"] = _merge(_copy.deepcopy(DEFAULT_FORMAT), cell.get("f") or {})
    if cell.get("n"):
        out["note"] = cell["n"]
    if cell.get("dv"):
        out["dataValidation"] = _copy.deepcopy(cell["dv"])
    return out


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _merge(base[key], value)
        else:
            base[key] = _copy.deepcopy(value)
    return base


def grid_data(doc: dict[str, Any], area: Area, ev: Evaluator) -> dict[str, Any]:
    """A GridData for ``area``: rowData trimmed after the last non-empty cell, plus dimension metadata."""
    area = area.clamped()
    sheet = area.sheet
    rows: list[dict[str, Any]] = []
    for r in range(area.r0, area.r1):
        values = [cell_data(doc, sheet, r, c, ev) for c in range(area.c0, area.c1)]
        while values and not values[-1]:
            values.pop()
        rows.append({"values": values} if values else {})
    while rows and not rows[-1]:
        rows.pop()
    out: dict[str, Any] = {}
    if area.r0:
        out["startRow"] = area.r0
    if area.c0:
        out["startColumn"] = area.c0
    if rows:
        out["rowData"] = rows
    out["rowMetadata"] = [_dim_meta(sheet, "rowMeta", i, DEFAULT_ROW_PX) for i in range(area.r0, area.r1)]
    out["columnMetadata"] = [_dim_meta(sheet, "colMeta", i, DEFAULT_COL_PX) for i in range(area.c0, area.c1)]
    return out


def _dim_meta(sheet: dict[str, Any], key: str, index: int, default_px: int) -> dict[str, Any]:
    meta = {"pixelSize": default_px, **sheet[key].get(str(index), {})}
    return {k: v for k, v in meta.items() if v not in (False, None)}


def spreadsheet_resource(doc: dict[str, Any], spreadsheet_id: str, *, include_grid: bool = False,
                         ranges: list[str] | None = None) -> dict[str, Any]:
    """The Spreadsheet resource as spreadsheets.get answers it (the server applies ``fields``)."""
    ev = Evaluator(doc)
    sheets_out = []
    if ranges:
        wanted: dict[int, list[Area]] = {}
        order: list[dict[str, Any]] = []
        for text in ranges:
            area = resolve(doc, text)
            sid = area.sheet["properties"]["sheetId"]
            if sid not in wanted:
                wanted[sid] = []
                order.append(area.sheet)
            wanted[sid].append(area)
        for sheet in order:
            areas = wanted[sheet["properties"]["sheetId"]] if include_grid else None
            sheets_out.append(sheet_resource(doc, sheet, data_areas=areas, ev=ev))
    else:
        for sheet in sorted(doc["sheets"], key=lambda s: s["properties"]["index"]):
            areas = [whole_sheet(sheet)] if include_grid else None
            sheets_out.append(sheet_resource(doc, sheet, data_areas=areas, ev=ev))
    props = _copy.deepcopy(doc["properties"])
    props["defaultFormat"] = _copy.deepcopy(DEFAULT_FORMAT)
    props["spreadsheetTheme"] = _copy.deepcopy(SPREADSHEET_THEME)
    out: dict[str, Any] = {"spreadsheetId": spreadsheet_id, "properties": props, "sheets": sheets_out}
    if doc.get("namedRanges"):
        out["namedRanges"] = [{**n, "range": prune_range(n["range"])} for n in doc["namedRanges"]]
    out["spreadsheetUrl"] = f"https://docs.google.com/spreadsheets/d/{spreadsheet_id}/edit"
    return out


# ---------------------------------------------------------------------------------------------
# Structure changes shared by batchUpdate and append


def resize(doc: dict[str, Any], sheet: dict[str, Any], rows: int, cols: int) -> None:
    if rows < 1 or cols < 1:
        raise bad_request("Invalid requests[0].updateSheetProperties: A sheet must have at least one row and column.")
    total = sum(dims(s)[0] * dims(s)[1] for s in doc["sheets"] if s is not sheet) + rows * cols
    if total > MAX_CELLS:
        raise bad_request(f"This action would increase the number of cells in the workbook above the limit of "
                          f"{MAX_CELLS} cells.")
    grid = sheet["properties"]["gridProperties"]
    grid["rowCount"], grid["columnCount"] = rows, cols
    for key in list(sheet["cells"]):
        r, c = parse_key(key)
        if r >= rows or c >= cols:
            del sheet["cells"][key]


def _shift_index(value: int | None, start: int, delta: int) -> int | None:
    if value is None:
        return None
    return value + delta if value >= start else value


def insert_span(doc: dict[str, Any], sheet: dict[str, Any], dimension: str, start: int, end: int) -> None:
    count = end - start
    rows, cols = dims(sheet)
    limit = rows if dimension == "ROWS" else cols
    if start > limit or start < 0 or count <= 0:
        raise bad_request(f"Invalid requests[0].insertDimension: range.startIndex ({start}) must be less than or "
                          f"equal to the sheet's size ({limit}).")
    if dimension == "ROWS":
        resize(doc, sheet, rows + count, cols)
    else:
        resize(doc, sheet, rows, cols + count)
    axis = 0 if dimension == "ROWS" else 1
    moved = {}
    for key, cell in sheet["cells"].items():
        rc = list(parse_key(key))
        if rc[axis] >= start:
            rc[axis] += count
        moved[_k(*rc)] = cell
    sheet["cells"] = moved
    meta_key = "rowMeta" if dimension == "ROWS" else "colMeta"
    sheet[meta_key] = {str(int(i) + count if int(i) >= start else int(i)): m for i, m in sheet[meta_key].items()}
    _shift_ranges(doc, sheet, dimension, start, count)


def _shift_ranges(doc: dict[str, Any], sheet: dict[str, Any], dimension: str, start: int, delta: int) -> None:
    """Move GridRanges of ``sheet`` after an insert (delta > 0) or delete (delta < 0) at ``start``."""
    lo, hi = ("startRowIndex", "endRowIndex") if dimension == "ROWS" else ("startColumnIndex", "endColumnIndex")
    sid = sheet["properties"]["sheetId"]

    def move(grid: dict[str, Any]) -> dict[str, Any] | None:
        if (grid.get("sheetId") or 0) != sid:
            return grid
        g = dict(grid)
        for key in (lo, hi):
            if g.get(key) is None:
                continue
            if delta > 0:
                if g[key] > start or (key == lo and g[key] == start):
                    g[key] += delta
            else:
                end = start - delta
                if g[key] >= end:
                    g[key] += delta
                elif g[key] > start:
                    g[key] = start
        if g.get(lo) is not None and g.get(hi) is not None and g[hi] <= g[lo]:
            return None
        return g

    sheet["merges"] = [m for m in (move(m) for m in sheet["merges"]) if m]
    for pr in sheet["protectedRanges"]:
        pr["range"] = move(pr["range"]) or pr["range"]
    for view in sheet.get("filterViews") or []:
        view["range"] = move(view["range"]) or view["range"]
    if sheet.get("basicFilter"):
        moved = move(sheet["basicFilter"]["range"])
        if moved is None:
            sheet.pop("basicFilter")
        else:
            sheet["basicFilter"]["range"] = moved
    for named in doc.get("namedRanges", []):
        named["range"] = move(named["range"]) or named["range"]


def delete_span(doc: dict[str, Any], sheet: dict[str, Any], dimension: str, start: int, end: int) -> None:
    rows, cols = dims(sheet)
    limit = rows if dimension == "ROWS" else cols
    end = min(end, limit)
    count = end - start
    if count <= 0:
        return
    if count >= limit:
        what = "rows" if dimension == "ROWS" else "columns"
        raise bad_request(f"Invalid requests[0].deleteDimension: You can't delete all the {what} on the sheet.")
    axis = 0 if dimension == "ROWS" else 1
    moved = {}
    for key, cell in sheet["cells"].items():
        rc = list(parse_key(key))
        if start <= rc[axis] < end:
            continue
        if rc[axis] >= end:
            rc[axis] -= count
        moved[_k(*rc)] = cell
    sheet["cells"] = moved
    meta_key = "rowMeta" if dimension == "ROWS" else "colMeta"
    sheet[meta_key] = {str(int(i) - count if int(i) >= end else int(i)): m for i, m in sheet[meta_key].items()
                       if not start <= int(i) < end}
    _shift_ranges(doc, sheet, dimension, start, -count)
    grid = sheet["properties"]["gridProperties"]
    if dimension == "ROWS":
        grid["rowCount"] -= count
    else:
        grid["columnCount"] -= count


# ---------------------------------------------------------------------------------------------
# Export / import


def export(store: Store, file_id: str, mime_type: str) -> bytes:
    """ContentKind hook: the first sheet as CSV or TSV (formatted values), like Google's export."""
    doc = store.get(KIND, file_id)
    if doc is None:
        raise ApiError(404, f"File not found: {file_id}.", reason="notFound")
    delimiter = {"text/csv": ",", "text/tab-separated-values": "\t"}.get(mime_type)
    if delimiter is None:
        raise ApiError(400, "Export only supports Docs Editors files.", reason="badRequest")
    return sheet_text(doc, first_sheet(doc), delimiter).encode("utf-8")


def sheet_text(doc: dict[str, Any], sheet: dict[str, Any], delimiter: str = ",") -> str:
    rows, cols = data_extent(sheet)
    ev = Evaluator(doc)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    for r in range(rows):
        writer.writerow([ev.formatted(sheet, r, c) or "" for c in range(cols)])
    return buffer.getvalue().removesuffix("\r\n")


def searchable_text(store: Store, file_id: str) -> str:
    """ContentKind hook: every sheet's title and formatted cells (what ``fullText`` searches)."""
    doc = store.get(KIND, file_id)
    if doc is None:
        return ""
    return "\n".join(f"{title_of(sheet)}\n{sheet_text(doc, sheet, chr(9))}" for sheet in doc["sheets"])


def import_csv(store: Store, file_id: str, title: str, data: bytes) -> None:
    """ContentKind hook: converting an uploaded CSV replaces the spreadsheet with one sheet named ``title``."""
    text = data.decode("utf-8-sig", errors="replace")
    rows = list(csv.reader(io.StringIO(text)))
    doc = store.get(KIND, file_id) or new_spreadsheet(title)
    first = first_sheet(doc)
    sheet = new_sheet({"sheetId": first["properties"]["sheetId"], "title": title,
                       "gridProperties": {"rowCount": max(DEFAULT_ROWS, len(rows)),
                                          "columnCount": max(DEFAULT_COLS, max((len(r) for r in rows), default=0))}})
    for r, row in enumerate(rows):
        for c, raw in enumerate(row):
            value, number_format = parse_input(raw, "USER_ENTERED")
            if value is not None:
                set_value(sheet, r, c, value, number_format)
    doc["sheets"] = [sheet]
    doc["namedRanges"] = []
    store.put(KIND, file_id, doc)
