"""Sheets v4 operations: tabs with header rows, reading rows, appending each id once, upserts.

Every write is RAW (``valueInputOption=RAW``; header rows use string cell values, equally literal):
people's text such as ``=HYPERLINK(...)`` stays text, never a live formula. Appends are not
idempotent, so before an append is re-sent the id column is read again and only ids still missing
are sent.
"""

from __future__ import annotations

import zlib
from typing import Any

from ilt_bot.workspace.clients import Caller


def quote_tab(tab: str) -> str:
    """A tab name as an A1 sheet reference: ``'Action items'`` (quotes doubled)."""
    return "'" + tab.replace("'", "''") + "'"


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    if index < 0:
        raise ValueError("column index must be >= 0")
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _free_sheet_id(used: set[int], title: str) -> int:
    """A sheetId not in ``used``, stable for a title (so a re-sent batch asks for the same ids)."""
    candidate = zlib.crc32(title.encode("utf-8")) % 2_000_000_000 + 1
    while candidate in used:
        candidate = candidate % 2_000_000_000 + 1
    return candidate


def cell_text(value: Any) -> str:
    return "" if value is None else str(value)


class SheetsOps:
    """Sheets calls for one user."""

    def __init__(self, caller: Caller, service: Any) -> None:
        self.caller = caller
        self.spreadsheets = service.spreadsheets

    def tabs(self, spreadsheet_id: str) -> list[dict[str, Any]]:
        """The sheet properties (sheetId, title, index) of every tab."""
        answer = self.caller.call(
            lambda: self.spreadsheets().get(spreadsheetId=spreadsheet_id,
                                            fields="sheets(properties(sheetId,title,index))"),
            what=f"Reading the tabs of spreadsheet {spreadsheet_id}", file_id=spreadsheet_id,
        )
        return [s.get("properties", {}) for s in answer.get("sheets", [])]

    def ensure_tabs(self, spreadsheet_id: str, tabs: dict[str, list[str]], *, fresh: bool) -> list[str]:
        """Add the missing tabs with their header rows in one atomic ``spreadsheets.batchUpdate``.

        Each new tab gets a sheetId chosen here, so the same batch can write its header row
        (``updateCells`` with string values: taken literally, like RAW); a crash can never leave a tab
        without its header. On a ``fresh`` spreadsheet the default first sheet becomes the first tab.
        Existing tabs are never touched. Returns the titles added.
        """
        current = self.tabs(spreadsheet_id)
        titles = {p.get("title") for p in current}
        missing = [t for t in tabs if t not in titles]
        if not missing:
            return []
        used = {int(p.get("sheetId", 0)) for p in current}
        requests: list[dict[str, Any]] = []
        ids: dict[str, int] = {}
        to_add = list(missing)
        if fresh and len(current) == 1 and current[0].get("title") not in tabs:
            first = to_add.pop(0)
            ids[first] = int(current[0].get("sheetId", 0))
            requests.append({"updateSheetProperties": {
                "properties": {"sheetId": ids[first], "title": first}, "fields": "title"}})
        for title in to_add:
            ids[title] = _free_sheet_id(used, title)
            used.add(ids[title])
            requests.append({"addSheet": {"properties": {"sheetId": ids[title], "title": title}}})
        for title in missing:
            if tabs[title]:
                requests.append({"updateCells": {
                    "start": {"sheetId": ids[title], "rowIndex": 0, "columnIndex": 0},
                    "rows": [{"values": [{"userEnteredValue": {"stringValue": str(h)}} for h in tabs[title]]}],
                    "fields": "userEnteredValue"}})

        def recover() -> dict[str, Any] | None:
            now = {p.get("title") for p in self.tabs(spreadsheet_id)}
            return {"replies": []} if all(t in now for t in missing) else None

        self.caller.once(
            lambda: self.spreadsheets().batchUpdate(spreadsheetId=spreadsheet_id, body={"requests": requests}),
            recover, what=f"Adding tabs {', '.join(missing)} to spreadsheet {spreadsheet_id}", file_id=spreadsheet_id,
        )
        return missing

    def values(self, spreadsheet_id: str, a1: str) -> list[list[str]]:
        answer = self.caller.call(
            lambda: self.spreadsheets().values().get(spreadsheetId=spreadsheet_id, range=a1),
            what=f"Reading {a1} of spreadsheet {spreadsheet_id}", file_id=spreadsheet_id,
        )
        return [[cell_text(c) for c in row] for row in answer.get("values", []) or []]

    def read_rows(self, spreadsheet_id: str, tab: str) -> list[list[str]]:
        """Rows below the header, padded with "" to the header's width."""
        rows = self.values(spreadsheet_id, quote_tab(tab))
        if not rows:
            return []
        width = len(rows[0])
        return [row + [""] * (width - len(row)) for row in rows[1:]]

    def ids(self, spreadsheet_id: str, tab: str, id_column: int) -> list[str]:
        """The id column below the header row ("" for blank cells)."""
        col = column_letter(id_column)
        rows = self.values(spreadsheet_id, f"{quote_tab(tab)}!{col}:{col}")
        return [row[0] if row else "" for row in rows[1:]]

    def _append(self, spreadsheet_id: str, tab: str, rows: list[list[str]], id_column: int) -> int:
        pending = list(rows)

        def make() -> Any:
            body = {"majorDimension": "ROWS", "values": pending}
            return self.spreadsheets().values().append(
                spreadsheetId=spreadsheet_id, range=f"{quote_tab(tab)}!A1", valueInputOption="RAW",
                insertDataOption="INSERT_ROWS", body=body)

        def recover() -> dict[str, Any] | None:
            present = set(self.ids(spreadsheet_id, tab, id_column))
            still = [r for r in pending if cell_text(r[id_column]) not in present]
            if not still:
                return {"updates": {"updatedRows": len(rows)}}
            pending[:] = still
            return None

        self.caller.once(make, recover, what=f"Appending {len(rows)} rows to {tab!r} of spreadsheet {spreadsheet_id}",
                         file_id=spreadsheet_id)
        return len(rows)

    @staticmethod
    def _new_rows(rows: list[list[str]], present: set[str], id_column: int) -> list[list[str]]:
        fresh: list[list[str]] = []
        seen = set(present)
        for row in rows:
            key = cell_text(row[id_column])
            if key and key not in seen:
                seen.add(key)
                fresh.append([cell_text(c) for c in row])
        return fresh

    def append_rows_once(self, spreadsheet_id: str, tab: str, rows: list[list[str]], id_column: int = 0) -> int:
        """Append rows whose id is not in the tab yet: one read of the id column, one values.append."""
        if not rows:
            return 0
        fresh = self._new_rows(rows, set(self.ids(spreadsheet_id, tab, id_column)), id_column)
        return self._append(spreadsheet_id, tab, fresh, id_column) if fresh else 0

    def upsert_rows(self, spreadsheet_id: str, tab: str, rows: list[list[str]], id_column: int = 0) -> int:
        """Replace rows whose id exists (one values.batchUpdate) and append the rest (one values.append).

        Rows that already hold exactly these values are not written again.
        """
        if not rows:
            return 0
        existing = self.values(spreadsheet_id, quote_tab(tab))
        where: dict[str, int] = {}
        for number, row in enumerate(existing[1:], start=2):
            if len(row) > id_column and row[id_column]:
                where.setdefault(row[id_column], number)
        updates: list[dict[str, Any]] = []
        new: list[list[str]] = []
        seen: set[str] = set()
        for row in rows:
            values = [cell_text(c) for c in row]
            key = values[id_column]
            if not key or key in seen:
                continue
            seen.add(key)
            if key in where:
                old = existing[where[key] - 1]
                if old + [""] * (len(values) - len(old)) != values:
                    updates.append({"range": f"{quote_tab(tab)}!A{where[key]}", "majorDimension": "ROWS",
                                    "values": [values]})
            else:
                new.append(values)
        if updates:
            body = {"valueInputOption": "RAW", "data": updates}
            self.caller.call(
                lambda: self.spreadsheets().values().batchUpdate(spreadsheetId=spreadsheet_id, body=body),
                what=f"Updating {len(updates)} rows of {tab!r} in spreadsheet {spreadsheet_id}", file_id=spreadsheet_id,
            )
        if new:
            self._append(spreadsheet_id, tab, new, id_column)
        return len(updates) + len(new)
