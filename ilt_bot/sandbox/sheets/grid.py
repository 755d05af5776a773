"""A spreadsheet document's sheets and the rectangles of cells its ranges name (A1 notation, GridRange).

Below both ``models.py`` (the documents and their values) and ``formulas.py`` (which reads ranges).
"""

from __future__ import annotations

from typing import Any

from ilt_bot.sandbox.core import ApiError
from ilt_bot.sandbox.sheets import a1


def bad_request(message: str) -> ApiError:
    return ApiError(400, message, status="INVALID_ARGUMENT")


def sheet_by_id(doc: dict[str, Any], sheet_id: int) -> dict[str, Any] | None:
    for sheet in doc["sheets"]:
        if sheet["properties"]["sheetId"] == sheet_id:
            return sheet
    return None


def sheet_by_title(doc: dict[str, Any], title: str) -> dict[str, Any] | None:
    for sheet in doc["sheets"]:
        if sheet["properties"]["title"] == title:
            return sheet
    lowered = title.lower()
    for sheet in doc["sheets"]:
        if sheet["properties"]["title"].lower() == lowered:
            return sheet
    return None


def first_sheet(doc: dict[str, Any]) -> dict[str, Any]:
    return min(doc["sheets"], key=lambda s: s["properties"]["index"])


def dims(sheet: dict[str, Any]) -> tuple[int, int]:
    grid = sheet["properties"]["gridProperties"]
    return grid["rowCount"], grid["columnCount"]


def title_of(sheet: dict[str, Any]) -> str:
    return sheet["properties"]["title"]


class Area:
    """A rectangle of one sheet, 0-based, end-exclusive (clamped to nothing: may exceed the grid)."""

    def __init__(self, sheet: dict[str, Any], r0: int, r1: int, c0: int, c1: int, *, single: bool = False) -> None:
        self.sheet, self.r0, self.r1, self.c0, self.c1, self.single = sheet, r0, r1, c0, c1, single

    @property
    def title(self) -> str:
        return title_of(self.sheet)

    def a1(self) -> str:
        return a1.format_range(self.title, self.r0, self.r1, self.c0, self.c1)

    def clamped(self) -> Area:
        rows, cols = dims(self.sheet)
        return Area(self.sheet, min(self.r0, rows), min(self.r1, rows), min(self.c0, cols), min(self.c1, cols),
                    single=self.single)


def resolve(doc: dict[str, Any], text: str) -> Area:
    """A range in A1 notation (or a named range) as an :class:`Area`; unbounded sides reach the grid's end."""
    titles = [title_of(s) for s in doc["sheets"]]
    try:
        parsed = a1.parse(text, titles)
    except a1.RangeError:
        raise bad_request(f"Unable to parse range: {text}") from None
    if parsed.name is not None:
        named = next((n for n in doc.get("namedRanges", []) if n["name"] == parsed.name), None)
        if named is None:
            if parsed.sheet is None and sheet_by_title(doc, parsed.name):
                return whole_sheet(sheet_by_title(doc, parsed.name))  # type: ignore[arg-type]
            raise bad_request(f"Unable to parse range: {text}")
        return grid_area(doc, named["range"])
    sheet = first_sheet(doc) if parsed.sheet is None else sheet_by_title(doc, parsed.sheet)
    if sheet is None:
        raise bad_request(f"Unable to parse range: {text}")
    if parsed.span is None:
        return whole_sheet(sheet)
    rows, cols = dims(sheet)
    span = parsed.span
    r0 = span.start_row or 0
    c0 = span.start_col or 0
    r1 = span.end_row if span.end_row is not None else max(rows, r0 + 1)
    c1 = span.end_col if span.end_col is not None else max(cols, c0 + 1)
    single = span.end_row == r0 + 1 and span.end_col == c0 + 1
    return Area(sheet, r0, r1, c0, c1, single=single)


def whole_sheet(sheet: dict[str, Any]) -> Area:
    rows, cols = dims(sheet)
    return Area(sheet, 0, rows, 0, cols)


def grid_area(doc: dict[str, Any], grid: dict[str, Any], *, where: str = "") -> Area:
    """A ``GridRange`` (missing bounds are open) as an :class:`Area`."""
    sheet = sheet_by_id(doc, grid.get("sheetId", 0) or 0)
    if sheet is None:
        raise bad_request(f"{where}No grid with id: {grid.get('sheetId', 0)}")
    rows, cols = dims(sheet)
    return Area(sheet, grid.get("startRowIndex") or 0, grid.get("endRowIndex", rows) if grid.get("endRowIndex")
                is not None else rows, grid.get("startColumnIndex") or 0,
                grid.get("endColumnIndex") if grid.get("endColumnIndex") is not None else cols)
