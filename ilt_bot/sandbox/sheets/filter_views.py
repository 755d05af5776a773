"""Filter views: a person's saved sort/filter that changes nobody else's view of the data.

Kept per sheet in ``sheet["filterViews"]``; answered as Google's ``FilterView`` (Sheets v4 reference:
``AddFilterViewRequest``, ``UpdateFilterViewRequest``, ``DeleteFilterViewRequest``,
``DuplicateFilterViewRequest``): the id is random unless given, a taken id is an error, and responses
carry both ``criteria`` and ``filterSpecs``.
"""

from __future__ import annotations

import copy
import secrets
from typing import Any

from ilt_bot.sandbox.sheets import models as m
from ilt_bot.sandbox.sheets.fields import apply_mask
from ilt_bot.sandbox.sheets.grid import bad_request, dims, grid_area, sheet_by_id

KEY = "filterViews"


def _bad(ctx: dict[str, Any], message: str) -> Exception:
    return bad_request(ctx["where"] + message)


def _all(doc: dict[str, Any]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    return [(sheet, view) for sheet in doc["sheets"] for view in sheet.get(KEY) or []]


def _find(doc: dict[str, Any], ctx: dict[str, Any], view_id: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    for sheet, view in _all(doc):
        if view["filterViewId"] == view_id:
            return sheet, view
    raise _bad(ctx, f"No filter with id: {view_id}")


def _new_id(doc: dict[str, Any]) -> int:
    used = {view["filterViewId"] for _, view in _all(doc)}
    while True:
        candidate = secrets.randbelow(2_147_483_646) + 1
        if candidate not in used:
            return candidate


def _normalised(doc: dict[str, Any], ctx: dict[str, Any], view: dict[str, Any]) -> tuple[dict[str, Any],
                                                                                             dict[str, Any]]:
    """(sheet, stored view): the range checked and pruned, criteria and filterSpecs in step."""
    view = copy.deepcopy(view)
    grid = view.get("range") or {}
    sheet = sheet_by_id(doc, grid.get("sheetId") or 0)
    if sheet is None:
        raise _bad(ctx, f"No grid with id: {grid.get('sheetId') or 0}")
    rows, cols = dims(sheet)
    area = grid_area(doc, grid)
    if area.r1 > rows or area.c1 > cols:
        raise _bad(ctx, f"Range ({area.a1()}) exceeds grid limits. Max rows: {rows}, max columns: {cols}")
    view["range"] = m.prune_range({**grid, "sheetId": sheet["properties"]["sheetId"]})
    if view.get("filterSpecs"):
        view["criteria"] = {str(s.get("columnIndex") or 0): s.get("filterCriteria") or {}
                            for s in view["filterSpecs"]}
    elif view.get("criteria"):
        view["filterSpecs"] = [{"columnIndex": int(k), "filterCriteria": v} for k, v in view["criteria"].items()]
    return sheet, view


def add(doc: dict[str, Any], req: dict[str, Any], ctx: dict[str, Any]) -> dict[str, Any]:
    sheet, view = _normalised(doc, ctx, req.get("filter") or {})
    if view.get("filterViewId") is None:
        view["filterViewId"] = _new_id(doc)
    elif any(v["filterViewId"] == view["filterViewId"] for _, v in _all(doc)):
        raise _bad(ctx, f"A filter view with id {view['filterViewId']} already exists.")
    sheet.setdefault(KEY, []).append(view)
    return {"addFilterView": {"filter": copy.deepcopy(view)}}


def update(doc: dict[str, Any], req: dict[str, Any], ctx: dict[str, Any]) -> None:
    incoming = req.get("filter") or {}
    if not req.get("fields"):
        raise _bad(ctx, "At least one field must be updated, but none were specified.")
    sheet, view = _find(doc, ctx, incoming.get("filterViewId"))
    changed = copy.deepcopy(view)
    apply_mask(changed, incoming, req["fields"])
    changed["filterViewId"] = view["filterViewId"]
    if "filterSpecs" in str(req["fields"]) or req["fields"] == "*":
        changed.pop("criteria", None)
    new_sheet, changed = _normalised(doc, ctx, changed)
    sheet[KEY].remove(view)
    new_sheet.setdefault(KEY, []).append(changed)


def delete(doc: dict[str, Any], req: dict[str, Any], ctx: dict[str, Any]) -> None:
    sheet, view = _find(doc, ctx, req.get("filterId"))
    sheet[KEY].remove(view)


def duplicate(doc: dict[str, Any], req: dict[str, Any], ctx: dict[str, Any]) -> dict[str, Any]:
    sheet, view = _find(doc, ctx, req.get("filterId"))
    copied = {**copy.deepcopy(view), "filterViewId": _new_id(doc)}
    if view.get("title"):
        copied["title"] = f"Copy of {view['title']}"
    sheet[KEY].append(copied)
    return {"duplicateFilterView": {"filter": copy.deepcopy(copied)}}


def rehome(doc: dict[str, Any], sheet: dict[str, Any]) -> None:
    """A copied sheet's filter views point at the copy, under fresh ids."""
    sid = sheet["properties"]["sheetId"]
    for view in sheet.get(KEY) or []:
        view["filterViewId"] = _new_id(doc)
        view["range"] = m.prune_range({**view["range"], "sheetId": sid})


def decorate(doc: dict[str, Any], resource: dict[str, Any]) -> dict[str, Any]:
    """Add each sheet's ``filterViews`` to a Spreadsheet resource."""
    for out in resource.get("sheets") or []:
        sheet = sheet_by_id(doc, out["properties"]["sheetId"])
        if sheet is not None and sheet.get(KEY):
            out[KEY] = copy.deepcopy(sheet[KEY])
    return resource
