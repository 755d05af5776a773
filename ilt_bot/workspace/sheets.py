"""Sheets v4 operations through gspread 6: tabs with header rows, reading rows, appending each id once, upserts.

Requests go through gspread's own Sheets calls (``batch_update``, ``values_get``, ``values_append``,
``values_batch_update``, ``fetch_sheet_metadata``) on a :class:`~ilt_bot.workspace.gspread_http.GatewayHTTPClient`,
so they are rate limited, counted and error-typed like every other gateway request; each operation
retries with the gateway's one :class:`~ilt_bot.workspace.retry.RetryPolicy`.

Every write is RAW (``valueInputOption=RAW``; header rows use string cell values, equally literal):
people's text such as ``=HYPERLINK(...)`` stays text, never a live formula. A value longer than Google's
50,000-character cell limit is cut with a visible marker (:func:`fit_cell`) rather than failing the write;
the jobs cut people's answers themselves first, naming the Form response that keeps the full text. Appends are not
idempotent, so before an append is re-sent the id column is read again and only ids still missing
are sent.
"""

from __future__ import annotations

import secrets
import zlib
from collections.abc import Callable
from typing import Any, TypeVar

import gspread

from ilt_bot.workspace import tracker_tabs as tt
from ilt_bot.workspace.api import fit_cell
from ilt_bot.workspace.clients import Caller
from ilt_bot.workspace.errors import InvalidRequest
from ilt_bot.workspace.gspread_http import GatewayHTTPClient
from ilt_bot.workspace.tracker_tabs import TabData

T = TypeVar("T")


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
    """A value as the text written to a cell (within Google's cell limit: see :func:`fit_cell`)."""
    return "" if value is None else fit_cell(str(value))


class SheetsOps:
    """Sheets calls for one user, over a gspread client made by :func:`.gspread_http.gspread_client`."""

    def __init__(self, caller: Caller, client: gspread.Client) -> None:
        if not isinstance(client.http_client, GatewayHTTPClient):
            raise TypeError("SheetsOps needs a gspread client made by gspread_http.gspread_client")
        self.caller = caller
        self.client = client
        self.http: GatewayHTTPClient = client.http_client

    def _call(self, fn: Callable[[], T], *, what: str, file_id: str) -> T:
        """An idempotent request, retried by the policy."""
        return self.caller.policy.call(self._attempt(fn, what, file_id), what=what)

    def _once(self, fn: Callable[[], T], recover: Callable[[], T | None], *, what: str, file_id: str) -> T:
        """A non-idempotent request: after a failure ``recover`` looks for its effect before re-sending."""
        return self.caller.policy.once(self._attempt(fn, what, file_id), recover, what=what)

    def _attempt(self, fn: Callable[[], T], what: str, file_id: str) -> Callable[[], T]:
        def attempt() -> T:
            with self.http.scope(what, file_id):
                return fn()

        return attempt

    def open(self, spreadsheet_id: str) -> gspread.Spreadsheet:
        """A gspread ``Spreadsheet`` (one ``spreadsheets.get``) whose requests go through the same caller."""
        return self._call(lambda: self.client.open_by_key(spreadsheet_id),
                          what=f"Opening spreadsheet {spreadsheet_id}", file_id=spreadsheet_id)

    def tabs(self, spreadsheet_id: str) -> list[dict[str, Any]]:
        """The sheet properties (sheetId, title, index) of every tab."""
        answer = self._call(
            lambda: self.http.fetch_sheet_metadata(spreadsheet_id,
                                                   params={"fields": "sheets(properties(sheetId,title,index))"}),
            what=f"Reading the tabs of spreadsheet {spreadsheet_id}", file_id=spreadsheet_id,
        )
        return [s.get("properties", {}) for s in answer.get("sheets", [])]

    def keyed_tabs(self, spreadsheet_id: str) -> list[dict[str, Any]]:
        """:meth:`tabs`, each with its ``ilt.tab`` role (``"role"``) when it has one."""
        answer = self._call(
            lambda: self.http.fetch_sheet_metadata(spreadsheet_id, params={
                "fields": "sheets(properties(sheetId,title,index),developerMetadata(metadataKey,metadataValue))"}),
            what=f"Reading the tabs of spreadsheet {spreadsheet_id}", file_id=spreadsheet_id,
        )
        out = []
        for sheet in answer.get("sheets", []):
            props = dict(sheet.get("properties", {}))
            roles = [str(e.get("metadataValue", "")) for e in sheet.get("developerMetadata") or []
                     if e.get("metadataKey") == tt.TAB_KEY]
            if roles:
                props["role"] = roles[0]
            out.append(props)
        return out

    def ensure_tabs(self, spreadsheet_id: str, tabs: dict[str, list[str]], *, fresh: bool) -> list[str]:
        """Add the missing tabs, made for people (:func:`.tracker_tabs.new_tab_requests`), in one atomic
        ``spreadsheets.batchUpdate``.

        A tab is there when a sheet carries its ``ilt.tab`` role (people may rename it) or, in a spreadsheet
        made before tabs were keyed, its title. Each new tab gets a sheetId chosen here, so the same batch
        writes its header row, note, metadata and protection: a crash never leaves a tab half made. On a
        ``fresh`` spreadsheet the default first sheet becomes the first tab. Existing tabs are never
        touched. Returns the roles added.
        """
        current = self.keyed_tabs(spreadsheet_id)
        present = {p.get("role") for p in current} | {p.get("title") for p in current if "role" not in p}
        missing = [t for t in tabs if t not in present]
        if not missing:
            return []
        titles = {str(p.get("title")) for p in current}
        used = {int(p.get("sheetId", 0)) for p in current}
        requests: list[dict[str, Any]] = []
        to_add = list(missing)
        if fresh and len(current) == 1 and current[0].get("title") not in tabs and "role" not in current[0]:
            first = to_add.pop(0)
            requests += tt.new_tab_requests(first, tabs[first], int(current[0].get("sheetId", 0)), first, add=False)
        for role in to_add:
            title = role if role not in titles else f"{role} (bot)"
            titles.add(title)
            sheet_id = _free_sheet_id(used, title)
            used.add(sheet_id)
            requests += tt.new_tab_requests(role, tabs[role], sheet_id, title, add=True)

        def recover() -> dict[str, Any] | None:
            now = self.keyed_tabs(spreadsheet_id)
            have = {p.get("role") for p in now} | {p.get("title") for p in now}
            return {"replies": []} if all(t in have for t in missing) else None

        try:
            self._once(
                lambda: self.http.batch_update(spreadsheet_id, {"requests": requests}),
                recover, what=f"Adding tabs {', '.join(missing)} to spreadsheet {spreadsheet_id}",
                file_id=spreadsheet_id,
            )
        except InvalidRequest:  # an overlapping run added them first (the title or sheetId is taken)
            if self._call(recover, what=f"Reading the tabs of spreadsheet {spreadsheet_id}",
                          file_id=spreadsheet_id) is None:
                raise
            return []
        return missing

    def charts(self, spreadsheet_id: str) -> list[dict[str, Any]]:
        """Every chart as ``{"sheetId", "tab", "chartId", "title", "spec"}``: one ``spreadsheets.get``.

        Only the charts' ids, titles and source ranges are asked for (a ``fields`` mask), never the cells.
        """
        mask = ("sheets(properties(sheetId,title),charts(chartId,spec(title,basicChart(chartType,"
                "domains(domain(sourceRange(sources))),series(series(sourceRange(sources)))))))")
        answer = self._call(
            lambda: self.http.fetch_sheet_metadata(spreadsheet_id, params={"fields": mask}),
            what=f"Reading the charts of spreadsheet {spreadsheet_id}", file_id=spreadsheet_id,
        )
        out = []
        for sheet in answer.get("sheets", []):
            props = sheet.get("properties", {})
            for chart in sheet.get("charts", []) or []:
                spec = chart.get("spec", {})
                out.append({"sheetId": props.get("sheetId"), "tab": props.get("title"), "chartId": chart.get("chartId"),
                            "title": spec.get("title", ""), "spec": spec})
        return out

    def ensure_column_chart(self, spreadsheet_id: str, tab: str, title: str, domain_column: int,
                            series_columns: list[int], *, anchor_column: int | None = None) -> bool:
        """A column chart titled ``title`` over ``tab`` (one Sheets ``addChart``), unless one has that title.

        The chart reads whole columns (row 1 is the header, giving the series names), so rows added later
        are drawn without touching it. Its top-left corner is on row 1 at ``anchor_column`` (default: two
        columns right of the charted ones), so put it right of the tab's data. Looks the title up
        first (one ``spreadsheets.get`` with a ``fields`` mask); after a failed ``addChart`` the title is
        looked up again before re-sending, so a rerun or a lost answer never adds a second chart.
        Returns whether this call added it.
        """
        if any(c["title"] == title for c in self.charts(spreadsheet_id)):
            return False
        sheet_id = next((int(p.get("sheetId", 0)) for p in self.tabs(spreadsheet_id) if p.get("title") == tab), None)
        if sheet_id is None:
            raise InvalidRequest(f"Spreadsheet {spreadsheet_id} has no tab {tab!r} to chart.", file_id=spreadsheet_id)

        def column(index: int) -> dict[str, Any]:
            return {"sourceRange": {"sources": [{"sheetId": sheet_id, "startRowIndex": 0,
                                                 "startColumnIndex": index, "endColumnIndex": index + 1}]}}

        chart = {
            "spec": {
                "title": title,
                "basicChart": {
                    "chartType": "COLUMN",
                    "legendPosition": "BOTTOM_LEGEND",
                    "headerCount": 1,
                    "axis": [{"position": "BOTTOM_AXIS"}, {"position": "LEFT_AXIS", "title": "Responses"}],
                    "domains": [{"domain": column(domain_column)}],
                    "series": [{"series": column(i), "targetAxis": "LEFT_AXIS"} for i in series_columns],
                },
            },
            "position": {"overlayPosition": {
                "anchorCell": {"sheetId": sheet_id, "rowIndex": 0,
                               "columnIndex": anchor_column if anchor_column is not None
                               else max([domain_column, *series_columns]) + 2}}},
        }

        def recover() -> dict[str, Any] | None:
            return {"replies": []} if any(c["title"] == title for c in self.charts(spreadsheet_id)) else None

        self._once(lambda: self.http.batch_update(spreadsheet_id, {"requests": [{"addChart": {"chart": chart}}]}),
                   recover, what=f"Adding chart {title!r} to {tab!r} of spreadsheet {spreadsheet_id}",
                   file_id=spreadsheet_id)
        return True

    def values(self, spreadsheet_id: str, a1: str) -> list[list[str]]:
        answer = self._call(
            lambda: self.http.values_get(spreadsheet_id, a1),
            what=f"Reading {a1} of spreadsheet {spreadsheet_id}", file_id=spreadsheet_id,
        )
        return [["" if c is None else str(c) for c in row] for row in answer.get("values", []) or []]

    def read_rows(self, spreadsheet_id: str, tab: str) -> list[list[str]]:
        """Rows below the header, padded with "" to the header's width."""
        rows = self.values(spreadsheet_id, quote_tab(tab))
        if not rows:
            return []
        width = len(rows[0])
        return [row + [""] * (width - len(row)) for row in rows[1:]]

    def read_header(self, spreadsheet_id: str, tab: str) -> list[str]:
        """The tab's first row (one ``values.get`` of row 1)."""
        rows = self.values(spreadsheet_id, f"{quote_tab(tab)}!1:1")
        return [str(v) for v in rows[0]] if rows else []

    def ids(self, spreadsheet_id: str, tab: str, id_column: int) -> list[str]:
        """The id column below the header row ("" for blank cells)."""
        col = column_letter(id_column)
        rows = self.values(spreadsheet_id, f"{quote_tab(tab)}!{col}:{col}")
        return [row[0] if row else "" for row in rows[1:]]

    def _append(self, spreadsheet_id: str, tab: str, rows: list[list[str]], id_column: int) -> int:
        pending = list(rows)

        def make() -> Any:
            return self.http.values_append(
                spreadsheet_id, f"{quote_tab(tab)}!A1", {"valueInputOption": "RAW", "insertDataOption": "INSERT_ROWS"},
                {"majorDimension": "ROWS", "values": pending})

        def recover() -> dict[str, Any] | None:
            present = set(self.ids(spreadsheet_id, tab, id_column))
            still = [r for r in pending if cell_text(r[id_column]) not in present]
            if not still:
                return {"updates": {"updatedRows": len(rows)}}
            pending[:] = still
            return None

        self._once(make, recover, what=f"Appending {len(rows)} rows to {tab!r} of spreadsheet {spreadsheet_id}",
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
            self._call(
                lambda: self.http.values_batch_update(spreadsheet_id, body),
                what=f"Updating {len(updates)} rows of {tab!r} in spreadsheet {spreadsheet_id}", file_id=spreadsheet_id,
            )
        if new:
            self._append(spreadsheet_id, tab, new, id_column)
        return len(updates) + len(new)

    # --- the tracker: tabs, columns and rows by identity (docs/tracker-identity.md) -------------------

    def read_tracker(self, spreadsheet_id: str, tabs: dict[str, list[str]]) -> dict[str, TabData]:
        """Every tab of ``tabs`` found by identity, with its rows: one ``spreadsheets.get``."""
        answer = self._call(
            lambda: self.http.fetch_sheet_metadata(spreadsheet_id, params={"fields": tt.READ_FIELDS}),
            what=f"Reading the tracker {spreadsheet_id}", file_id=spreadsheet_id,
        )
        return tt.parse(answer, tabs)

    def repair_tracker(self, spreadsheet_id: str, tabs: dict[str, list[str]],
                       found: dict[str, TabData]) -> list[str]:
        """Make what the tracker lacks, in one atomic ``batchUpdate``: tabs missing (deleted by a person,
        or new in this version), the metadata of tabs and columns found by title or header only, and bot
        columns a person deleted (added back at the right). Returns what was done, for the Runs tab."""
        requests: list[dict[str, Any]] = []
        done: list[str] = []
        missing = {role: tabs[role] for role in tabs if role not in found}
        if missing:  # deleted by a person, or new in this version: made apart, then the caller reads again
            done += [f"made the {role!r} tab (it was missing)" for role in self.ensure_tabs(spreadsheet_id, missing,
                                                                                             fresh=False)]
        for role, tab in found.items():
            requests += tt.key_requests(tab)
            width = max(tab.width, max((len(r) for r in tab.rows), default=0))
            for name in tabs[role]:
                if name not in tab.columns:
                    requests += tt.readd_column_requests(tab, name, width)
                    tab.columns[name] = width
                    width += 1
                    done.append(f"added back the {name!r} column of the {tab.title!r} tab (a person deleted it)")
        if not requests:
            return done

        def recover() -> dict[str, Any] | None:
            now = self.read_tracker(spreadsheet_id, tabs)
            return {"replies": []} if all(r in now and not now[r].unkeyed and now[r].keyed for r in tabs) else None

        self._once(lambda: self.http.batch_update(spreadsheet_id, {"requests": requests}), recover,
                   what=f"Keying the tabs of the tracker {spreadsheet_id}", file_id=spreadsheet_id)
        for tab in found.values():
            tab.unkeyed, tab.keyed = {}, True
        return done

    def append_tab_rows(self, spreadsheet_id: str, tab: TabData, header: list[str], rows: list[list[str]]) -> int:
        """Append ``rows`` (in ``header`` order) below the tab's last row, each value in its column wherever
        that column is now, people's columns left empty: one ``appendCells`` addressed by sheetId.

        Not idempotent: after a lost answer the tab is read again and only the ids still missing are sent."""
        pending = [[cell_text(v) for v in row] for row in rows]
        id_field = header[0]

        def make() -> Any:
            body = {"appendCells": {"sheetId": tab.sheet_id, "fields": tt.APPEND_FIELDS,
                                    "rows": [{"values": tt.row_cells(tab, header, r)} for r in pending]}}
            return self.http.batch_update(spreadsheet_id, {"requests": [body]})

        def recover() -> dict[str, Any] | None:
            now = self.read_tracker(spreadsheet_id, {tab.role: header}).get(tab.role)
            if now is None:
                return None
            at = now.columns.get(id_field, 0)
            present = {r[at] for r in now.rows if at < len(r)}
            still = [r for r in pending if r[0] not in present]
            if not still:
                return {"replies": []}
            pending[:] = still
            return None

        self._once(make, recover, what=f"Appending {len(rows)} rows to {tab.title!r} of spreadsheet {spreadsheet_id}",
                   file_id=spreadsheet_id)
        return len(rows)

    def update_tab_cells(self, spreadsheet_id: str, tab: TabData, cells: list[tuple[int, int, str]]) -> int:
        """Write single cells ``(row n below the header, column index, text)`` by sheetId: one idempotent
        ``batchUpdate``; nothing else in the row (people's cells) is touched."""
        if not cells:
            return 0
        requests = [{"updateCells": {"start": {"sheetId": tab.sheet_id, "rowIndex": tab.row_index(n),
                                               "columnIndex": c},
                                     "rows": [{"values": [tt.string_cell(cell_text(v))]}],
                                     "fields": "userEnteredValue"}} for n, c, v in cells]
        self._call(lambda: self.http.batch_update(spreadsheet_id, {"requests": requests}),
                   what=f"Updating {len(cells)} cells of {tab.title!r} in spreadsheet {spreadsheet_id}",
                   file_id=spreadsheet_id)
        return len(cells)

    def delete_tab_rows(self, spreadsheet_id: str, tab: TabData, row_numbers: list[int]) -> int:
        """Delete rows (n below the header), last first, in one atomic ``batchUpdate``, sent at most once (the
        caller holds the tracker's lease, so the positions are its own fresh read's)."""
        requests = [{"deleteDimension": {"range": {"sheetId": tab.sheet_id, "dimension": "ROWS",
                                                   "startIndex": tab.row_index(n), "endIndex": tab.row_index(n) + 1}}}
                    for n in sorted(set(row_numbers), reverse=True)]
        if requests:  # one attempt: a lost answer is never re-sent (positions may have moved); the next pass
            # finds whatever copies are left and removes them under its own lease
            self._attempt(lambda: self.http.batch_update(spreadsheet_id, {"requests": requests}),
                          f"Removing {len(requests)} duplicated rows of {tab.title!r}", spreadsheet_id)()
        return len(requests)

    def take_lease(self, spreadsheet_id: str, holder: str, expires: str, now: str) -> int | None:
        """The tracker's lease, or None while another run holds it (docs/tracker-identity.md, "Runs that overlap").

        Taking it is one ``addSheet`` of a hidden tab titled :data:`LEASE_TITLE`, which Sheets refuses
        while that title exists: only one run at a time gets it. Its ``ilt.lease`` metadata holds
        ``expires``; a lease past it (its run was killed) is removed by its sheetId, so two runs removing
        the same stale lease never remove a fresh one. Returns the lease's sheetId (for :meth:`drop_lease`).
        """
        for _ in range(2):
            sheet_id = secrets.randbelow(1_000_000_000) + 1_000_000_000
            body = {"requests": [
                {"addSheet": {"properties": {"sheetId": sheet_id, "title": LEASE_TITLE, "hidden": True}}},
                tt.metadata_request(tt.LEASE_KEY, f"{expires} {holder}", {"sheetId": sheet_id})]}
            try:
                self._call(lambda b=body: self.http.batch_update(spreadsheet_id, b),
                           what=f"Taking the lease of spreadsheet {spreadsheet_id}", file_id=spreadsheet_id)
                return sheet_id
            except InvalidRequest:
                stale = self._stale_lease(spreadsheet_id, now)
                if stale is None:
                    return None
                self.drop_lease(spreadsheet_id, stale)
        return None

    def _stale_lease(self, spreadsheet_id: str, now: str) -> int | None:
        answer = self._call(lambda: self.http.fetch_sheet_metadata(spreadsheet_id, params={
            "fields": "sheets(properties(sheetId,title),developerMetadata(metadataKey,metadataValue))"}),
            what=f"Reading the lease of spreadsheet {spreadsheet_id}", file_id=spreadsheet_id)
        for sheet in answer.get("sheets") or []:
            props = sheet.get("properties") or {}
            if props.get("title") != LEASE_TITLE:
                continue
            values = [str(e.get("metadataValue", "")) for e in sheet.get("developerMetadata") or []
                      if e.get("metadataKey") == tt.LEASE_KEY]
            if not values or values[0].split(" ")[0] < now:
                return int(props.get("sheetId", 0))
        return None

    def drop_lease(self, spreadsheet_id: str, sheet_id: int) -> None:
        """Remove the lease tab ``sheet_id`` (gone already: nothing to do)."""
        try:
            body = {"requests": [{"deleteSheet": {"sheetId": sheet_id}}]}
            self._call(lambda: self.http.batch_update(spreadsheet_id, body),
                       what=f"Releasing the lease of spreadsheet {spreadsheet_id}", file_id=spreadsheet_id)
        except InvalidRequest:
            return


LEASE_TITLE = "ilt-bot lease"
"""The hidden tab that exists while a run repairs the tracker (removing rows a race duplicated)."""

