"""spreadsheets.batchUpdate: one function per request kind, applied in order to one document.

The server runs the whole call in one store transaction, and these functions work on the loaded
document, so a failing request leaves the spreadsheet untouched (Google's all-or-nothing rule).
"""

from __future__ import annotations

import copy
import re
import secrets
from collections.abc import Callable
from typing import Any

from ilt_bot.sandbox.core import ApiError
from ilt_bot.sandbox.sheets import filter_views, metadata
from ilt_bot.sandbox.sheets import models as m
from ilt_bot.sandbox.sheets.cells import CellError
from ilt_bot.sandbox.sheets.fields import apply_mask
from ilt_bot.sandbox.sheets.grid import Area, bad_request, dims, grid_area, sheet_by_id, whole_sheet

Context = dict[str, Any]
"""{"user": email, "spreadsheet_id": id, "where": "Invalid requests[i].kind: ", "store": Store}."""


def _fail(ctx: Context, message: str) -> ApiError:
    return bad_request(ctx["where"] + message)


def _sheet(doc: dict[str, Any], ctx: Context, sheet_id: Any) -> dict[str, Any]:
    sheet = sheet_by_id(doc, sheet_id or 0)
    if sheet is None:
        raise _fail(ctx, f"No grid with id: {sheet_id or 0}")
    return sheet


def _area(doc: dict[str, Any], ctx: Context, grid: dict[str, Any] | None) -> Area:
    grid = grid or {}
    _sheet(doc, ctx, grid.get("sheetId"))
    area = grid_area(doc, grid, where=ctx["where"])
    rows, cols = dims(area.sheet)
    if area.r1 > rows or area.c1 > cols or area.r0 < 0 or area.c0 < 0:
        raise _fail(ctx, f"Range ({area.a1()}) exceeds grid limits. Max rows: {rows}, max columns: {cols}")
    return area


def _cells(area: Area) -> list[tuple[int, int]]:
    return [(r, c) for r in range(area.r0, area.r1) for c in range(area.c0, area.c1)]


def _reindex(doc: dict[str, Any]) -> None:
    for i, sheet in enumerate(sorted(doc["sheets"], key=lambda s: s["properties"]["index"])):
        sheet["properties"]["index"] = i


def _move_sheet(doc: dict[str, Any], sheet: dict[str, Any], index: int) -> None:
    ordered = [s for s in sorted(doc["sheets"], key=lambda s: s["properties"]["index"]) if s is not sheet]
    index = max(0, min(index, len(ordered)))
    ordered.insert(index, sheet)
    for i, s in enumerate(ordered):
        s["properties"]["index"] = i


def _check_title(doc: dict[str, Any], ctx: Context, title: str, sheet: dict[str, Any] | None = None) -> None:
    for other in doc["sheets"]:
        if other is not sheet and other["properties"]["title"].lower() == title.lower():
            raise _fail(ctx, f'A sheet with the name "{title}" already exists. Please enter another name.')
    if not title.strip():
        raise _fail(ctx, "Sheet name can't be empty.")


def _color_pair(props: dict[str, Any], name: str) -> None:
    """Keep ``tabColor`` and ``tabColorStyle`` (likewise backgroundColor...) in step, as Google does."""
    style = name + "Style"
    if style in props:
        rgb = (props[style] or {}).get("rgbColor")
        if not props[style] or (rgb is None and "themeColor" not in (props[style] or {})):
            props.pop(style, None)
            props.pop(name, None)
        elif rgb is not None:
            props[style] = {"rgbColor": _quantize(rgb)}
            props[name] = _quantize(rgb)
    elif name in props and props[name]:
        props[name] = _quantize(props[name])
        props[style] = {"rgbColor": dict(props[name])}


def _quantize(color: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for key in ("red", "green", "blue", "alpha"):
        value = color.get(key)
        if value:
            q = round(round(float(value) * 255) / 255, 8)
            out[key] = int(q) if q.is_integer() else q
    return out


def _format(fmt: dict[str, Any]) -> dict[str, Any]:
    fmt = copy.deepcopy(fmt)
    for name in ("backgroundColor",):
        _color_pair(fmt, name)
    text = fmt.get("textFormat")
    if isinstance(text, dict):
        _color_pair(text, "foregroundColor")
    return fmt


# ---- requests -------------------------------------------------------------------------------


def add_sheet(doc: dict[str, Any], req: dict[str, Any], ctx: Context) -> dict[str, Any]:
    props = copy.deepcopy(req.get("properties") or {})
    title = props.get("title") or m.next_sheet_title(doc)
    _check_title(doc, ctx, title)
    sheet_id = props.get("sheetId")
    if sheet_id is None:
        sheet_id = m.new_sheet_id(doc)
    elif sheet_by_id(doc, sheet_id) is not None:
        raise _fail(ctx, f"A sheet with the id {sheet_id} already exists.")
    props.update({"title": title, "sheetId": sheet_id})
    _color_pair(props, "tabColor")
    index = props.pop("index", None)
    sheet = m.new_sheet(props, index=len(doc["sheets"]))
    doc["sheets"].append(sheet)
    if index is not None:
        _move_sheet(doc, sheet, index)
    return {"addSheet": {"properties": m.sheet_properties(sheet)}}


def delete_sheet(doc: dict[str, Any], req: dict[str, Any], ctx: Context) -> None:
    sheet = _sheet(doc, ctx, req.get("sheetId"))
    if len(doc["sheets"]) == 1:
        raise _fail(ctx, "You can't remove all the sheets in a document.")
    doc["sheets"].remove(sheet)
    sid = sheet["properties"]["sheetId"]
    doc["namedRanges"] = [n for n in doc.get("namedRanges", []) if (n["range"].get("sheetId") or 0) != sid]
    _reindex(doc)


def update_sheet_properties(doc: dict[str, Any], req: dict[str, Any], ctx: Context) -> None:
    props = req.get("properties") or {}
    fields = req.get("fields")
    if not fields:
        raise _fail(ctx, "At least one field must be updated, but none were specified.")
    sheet = _sheet(doc, ctx, props.get("sheetId"))
    current = sheet["properties"]
    old_rows, old_cols = dims(sheet)
    updated = copy.deepcopy(current)
    apply_mask(updated, props, fields)
    updated["sheetId"] = current["sheetId"]
    if updated.get("title") != current["title"]:
        _check_title(doc, ctx, updated.get("title") or "", sheet)
    grid = updated.setdefault("gridProperties", {})
    grid.setdefault("rowCount", old_rows)
    grid.setdefault("columnCount", old_cols)
    _color_pair(updated, "tabColor")
    if updated.get("hidden") and all(s["properties"].get("hidden") or s is sheet for s in doc["sheets"]):
        raise _fail(ctx, "You can't hide all the sheets in a document.")
    index = updated.get("index", current["index"])
    updated["index"] = current["index"]
    new_rows, new_cols = grid["rowCount"], grid["columnCount"]
    sheet["properties"] = updated
    grid["rowCount"], grid["columnCount"] = old_rows, old_cols
    if (new_rows, new_cols) != (old_rows, old_cols):
        try:
            m.resize(doc, sheet, new_rows, new_cols)
        except ApiError as exc:
            raise _fail(ctx, exc.message.removeprefix("Invalid requests[0].updateSheetProperties: ")) from None
        _drop_dimension_meta_beyond(sheet)
    if index != current["index"]:
        _move_sheet(doc, sheet, index)


def _drop_dimension_meta_beyond(sheet: dict[str, Any]) -> None:
    """Rows/columns cut off by shrinking the grid take their properties and developer metadata along."""
    rows, cols = dims(sheet)
    for key, limit in (("rowMeta", rows), ("colMeta", cols)):
        sheet[key] = {i: meta for i, meta in sheet[key].items() if int(i) < limit}


def update_spreadsheet_properties(doc: dict[str, Any], req: dict[str, Any], ctx: Context) -> None:
    fields = req.get("fields")
    if not fields:
        raise _fail(ctx, "At least one field must be updated, but none were specified.")
    old_title = doc["properties"]["title"]
    apply_mask(doc["properties"], req.get("properties") or {}, fields)
    if not doc["properties"].get("title"):
        doc["properties"]["title"] = old_title
    if doc["properties"]["title"] != old_title:
        ctx.setdefault("renamed", doc["properties"]["title"])


def duplicate_sheet(doc: dict[str, Any], req: dict[str, Any], ctx: Context) -> dict[str, Any]:
    source = _sheet(doc, ctx, req.get("sourceSheetId"))
    title = req.get("newSheetName") or f"Copy of {source['properties']['title']}"
    _check_title(doc, ctx, title)
    new_id = req.get("newSheetId")
    if new_id is None:
        new_id = m.new_sheet_id(doc)
    elif sheet_by_id(doc, new_id) is not None:
        raise _fail(ctx, f"A sheet with the id {new_id} already exists.")
    sheet = copy.deepcopy(source)
    sheet["properties"].update({"sheetId": new_id, "title": title, "index": len(doc["sheets"])})
    sheet["properties"].pop("hidden", None)
    for grid in sheet["merges"]:
        grid["sheetId"] = new_id
    for pr in sheet["protectedRanges"]:
        pr["range"]["sheetId"] = new_id
        pr["protectedRangeId"] = secrets.randbelow(2_000_000_000) + 1
    if sheet.get("basicFilter"):
        sheet["basicFilter"]["range"]["sheetId"] = new_id
    sheet["charts"] = []
    filter_views.rehome(doc, sheet)
    doc["sheets"].append(sheet)
    metadata.renumber(doc, sheet)
    index = req.get("insertSheetIndex")
    _move_sheet(doc, sheet, index if index is not None else len(doc["sheets"]))
    return {"duplicateSheet": {"properties": m.sheet_properties(sheet)}}


def _write_cell_fields(sheet: dict[str, Any], r: int, c: int, data: dict[str, Any], fields: str) -> None:
    """Apply one CellData under a field mask to the stored cell."""
    stored = m.get_cell(sheet, r, c)
    current: dict[str, Any] = {}
    if stored.get("v"):
        current["userEnteredValue"] = stored["v"]
    if stored.get("f"):
        current["userEnteredFormat"] = stored["f"]
    if stored.get("n"):
        current["note"] = stored["n"]
    if stored.get("dv"):
        current["dataValidation"] = stored["dv"]
    incoming = copy.deepcopy(data)
    if "userEnteredFormat" in incoming and isinstance(incoming["userEnteredFormat"], dict):
        incoming["userEnteredFormat"] = _format(incoming["userEnteredFormat"])
    apply_mask(current, incoming, fields)
    if "userEnteredFormat" in current and isinstance(current["userEnteredFormat"], dict):
        current["userEnteredFormat"] = _format(current["userEnteredFormat"])
    m.put_cell(sheet, r, c, {"v": current.get("userEnteredValue"), "f": current.get("userEnteredFormat"),
                             "n": current.get("note"), "dv": current.get("dataValidation")})


def repeat_cell(doc: dict[str, Any], req: dict[str, Any], ctx: Context) -> None:
    area = _area(doc, ctx, req.get("range"))
    fields = req.get("fields") or ""
    if not fields:
        raise _fail(ctx, "At least one field must be updated, but none were specified.")
    for r, c in _cells(area):
        _write_cell_fields(area.sheet, r, c, req.get("cell") or {}, fields)


def update_cells(doc: dict[str, Any], req: dict[str, Any], ctx: Context) -> None:
    rows = req.get("rows") or []
    fields = req.get("fields") or ""
    if not fields:
        raise _fail(ctx, "At least one field must be updated, but none were specified.")
    if req.get("range"):
        area = _area(doc, ctx, req["range"])
    else:
        start = req.get("start") or {}
        sheet = _sheet(doc, ctx, start.get("sheetId"))
        height = len(rows)
        width = max((len(row.get("values") or []) for row in rows), default=0)
        area = Area(sheet, start.get("rowIndex") or 0, (start.get("rowIndex") or 0) + height,
                      start.get("columnIndex") or 0, (start.get("columnIndex") or 0) + width)
        m.check_grid(area)
    for i, r in enumerate(range(area.r0, area.r1)):
        values = (rows[i].get("values") or []) if i < len(rows) else []
        for j, c in enumerate(range(area.c0, area.c1)):
            _write_cell_fields(area.sheet, r, c, values[j] if j < len(values) else {}, fields)


def append_cells(doc: dict[str, Any], req: dict[str, Any], ctx: Context) -> None:
    sheet = _sheet(doc, ctx, req.get("sheetId"))
    rows = req.get("rows") or []
    last_row, _ = m.data_extent(sheet, values_only=False)
    need = last_row + len(rows)
    width = max((len(row.get("values") or []) for row in rows), default=0)
    n_rows, n_cols = dims(sheet)
    if need > n_rows or width > n_cols:
        m.resize(doc, sheet, max(need, n_rows), max(width, n_cols))
    start = {"sheetId": sheet["properties"]["sheetId"], "rowIndex": last_row, "columnIndex": 0}
    update_cells(doc, {"rows": rows, "fields": req.get("fields") or "*", "start": start}, ctx)


def set_basic_filter(doc: dict[str, Any], req: dict[str, Any], ctx: Context) -> None:
    flt = copy.deepcopy(req.get("filter") or {})
    area = _area(doc, ctx, flt.get("range"))
    flt["range"] = {"sheetId": area.sheet["properties"]["sheetId"], "startRowIndex": area.r0,
                    "endRowIndex": area.r1, "startColumnIndex": area.c0, "endColumnIndex": area.c1}
    area.sheet["basicFilter"] = flt


def clear_basic_filter(doc: dict[str, Any], req: dict[str, Any], ctx: Context) -> None:
    _sheet(doc, ctx, req.get("sheetId")).pop("basicFilter", None)


def _grid(area: Area) -> dict[str, Any]:
    return {"sheetId": area.sheet["properties"]["sheetId"], "startRowIndex": area.r0, "endRowIndex": area.r1,
            "startColumnIndex": area.c0, "endColumnIndex": area.c1}


def add_chart(doc: dict[str, Any], req: dict[str, Any], ctx: Context) -> dict[str, Any]:
    chart = copy.deepcopy(req.get("chart") or {})
    if not chart.get("spec"):
        raise _fail(ctx, "Chart spec is required.")
    chart["chartId"] = chart.get("chartId") or secrets.randbelow(2_000_000_000) + 1
    position = chart.get("position") or {}
    anchor = ((position.get("overlayPosition") or {}).get("anchorCell") or {}).get("sheetId")
    if position.get("newSheet"):
        sheet_reply = add_sheet(doc, {"properties": {"title": f"Chart{len(doc['sheets']) + 1}",
                                                     "sheetType": "OBJECT"}}, ctx)
        sheet = sheet_by_id(doc, sheet_reply["addSheet"]["properties"]["sheetId"])
        chart["position"] = {"sheetId": sheet["properties"]["sheetId"]}  # type: ignore[index]
    else:
        sheet = _sheet(doc, ctx, position.get("sheetId", anchor))
        if not position:
            chart["position"] = {"overlayPosition": {"anchorCell": {"sheetId": sheet["properties"]["sheetId"]},
                                                     "widthPixels": 600, "heightPixels": 371}}
    sheet["charts"].append(chart)  # type: ignore[index]
    return {"addChart": {"chart": copy.deepcopy(chart)}}


def _find_chart(doc: dict[str, Any], chart_id: Any) -> tuple[dict[str, Any], dict[str, Any]] | None:
    for sheet in doc["sheets"]:
        for chart in sheet["charts"]:
            if chart["chartId"] == chart_id:
                return sheet, chart
    return None


def update_chart_spec(doc: dict[str, Any], req: dict[str, Any], ctx: Context) -> None:
    found = _find_chart(doc, req.get("chartId"))
    if found is None:
        raise _fail(ctx, f"No chart with id: {req.get('chartId')}")
    found[1]["spec"] = copy.deepcopy(req.get("spec") or {})


def delete_embedded_object(doc: dict[str, Any], req: dict[str, Any], ctx: Context) -> None:
    found = _find_chart(doc, req.get("objectId"))
    if found is None:
        raise _fail(ctx, f"No object with id: {req.get('objectId')}")
    found[0]["charts"].remove(found[1])


def add_protected_range(doc: dict[str, Any], req: dict[str, Any], ctx: Context) -> dict[str, Any]:
    pr = copy.deepcopy(req.get("protectedRange") or {})
    area = _area(doc, ctx, pr.get("range"))
    grid = {k: v for k, v in (pr.get("range") or {}).items() if v is not None}
    grid["sheetId"] = area.sheet["properties"]["sheetId"]
    stored: dict[str, Any] = {"protectedRangeId": pr.get("protectedRangeId") or secrets.randbelow(2_000_000_000) + 1,
                              "range": grid}
    if pr.get("description"):
        stored["description"] = pr["description"]
    if pr.get("warningOnly"):
        stored["warningOnly"] = True
    stored["requestingUserCanEdit"] = True
    editors = pr.get("editors") or {}
    users = [u for u in editors.get("users") or [] if u]
    if ctx["user"] not in users and "@" in ctx["user"]:
        users.insert(0, ctx["user"])
    stored["editors"] = {k: v for k, v in {"users": users, "groups": editors.get("groups") or []}.items() if v}
    area.sheet["protectedRanges"].append(stored)
    reply = copy.deepcopy(stored)
    reply["range"] = m.prune_range(reply["range"])
    reply["editors"] = {}
    return {"addProtectedRange": {"protectedRange": reply}}


def delete_protected_range(doc: dict[str, Any], req: dict[str, Any], ctx: Context) -> None:
    for sheet in doc["sheets"]:
        for pr in sheet["protectedRanges"]:
            if pr["protectedRangeId"] == req.get("protectedRangeId"):
                sheet["protectedRanges"].remove(pr)
                return
    raise _fail(ctx, f"No protected range with id: {req.get('protectedRangeId')}")


def _dim_range(doc: dict[str, Any], ctx: Context, rng: dict[str, Any]) -> tuple[dict[str, Any], str, int, int]:
    sheet = _sheet(doc, ctx, rng.get("sheetId"))
    dimension = rng.get("dimension")
    if dimension not in ("ROWS", "COLUMNS"):
        raise _fail(ctx, "range.dimension must be ROWS or COLUMNS.")
    rows, cols = dims(sheet)
    limit = rows if dimension == "ROWS" else cols
    start = rng.get("startIndex") or 0
    end = rng.get("endIndex") if rng.get("endIndex") is not None else limit
    if start < 0 or end < start:
        raise _fail(ctx, f"range.startIndex ({start}) must be less than range.endIndex ({end}).")
    return sheet, dimension, start, end


def append_dimension(doc: dict[str, Any], req: dict[str, Any], ctx: Context) -> None:
    sheet = _sheet(doc, ctx, req.get("sheetId"))
    length = req.get("length") or 0
    if length <= 0:
        raise _fail(ctx, "length must be greater than zero.")
    rows, cols = dims(sheet)
    if req.get("dimension") == "ROWS":
        m.resize(doc, sheet, rows + length, cols)
    elif req.get("dimension") == "COLUMNS":
        m.resize(doc, sheet, rows, cols + length)
    else:
        raise _fail(ctx, "dimension must be ROWS or COLUMNS.")


def insert_dimension(doc: dict[str, Any], req: dict[str, Any], ctx: Context) -> None:
    sheet, dimension, start, end = _dim_range(doc, ctx, req.get("range") or {})
    try:
        m.insert_span(doc, sheet, dimension, start, end)
    except ApiError as exc:
        raise _fail(ctx, exc.message.split(": ", 1)[-1]) from None


def delete_dimension(doc: dict[str, Any], req: dict[str, Any], ctx: Context) -> None:
    sheet, dimension, start, end = _dim_range(doc, ctx, req.get("range") or {})
    try:
        m.delete_span(doc, sheet, dimension, start, end)
    except ApiError as exc:
        raise _fail(ctx, exc.message.split(": ", 1)[-1]) from None


def move_dimension(doc: dict[str, Any], req: dict[str, Any], ctx: Context) -> None:
    """moveDimension: rows/columns with their cells, sizes, hidden flags and developer metadata."""
    sheet, dimension, start, end = _dim_range(doc, ctx, req.get("source") or {})
    rows, cols = dims(sheet)
    limit = rows if dimension == "ROWS" else cols
    dest = req.get("destinationIndex")
    if dest is None or not 0 <= dest <= limit or end > limit:
        raise _fail(ctx, f"destinationIndex ({dest}) must be between 0 and the sheet's size ({limit}), and the "
                         f"source within it.")
    order = list(range(limit))
    moved, rest = order[start:end], order[:start] + order[end:]
    at = dest if dest <= start else max(start, dest - (end - start))
    new_of = {old: new for new, old in enumerate(rest[:at] + moved + rest[at:])}
    axis = 0 if dimension == "ROWS" else 1
    cells = {}
    for key, cell in sheet["cells"].items():
        rc = list(m.parse_key(key))
        rc[axis] = new_of[rc[axis]]
        cells[f"{rc[0]},{rc[1]}"] = cell
    sheet["cells"] = cells
    meta_key = "rowMeta" if dimension == "ROWS" else "colMeta"
    sheet[meta_key] = {str(new_of[int(i)]): meta for i, meta in sheet[meta_key].items() if int(i) < limit}
    _remap_ranges(doc, sheet, dimension, new_of)


def _remap_ranges(doc: dict[str, Any], sheet: dict[str, Any], dimension: str, new_of: dict[int, int]) -> None:
    """Bounded GridRanges of ``sheet`` whose cells stay together after a move follow them."""
    lo, hi = ("startRowIndex", "endRowIndex") if dimension == "ROWS" else ("startColumnIndex", "endColumnIndex")
    sid = sheet["properties"]["sheetId"]

    def remap(grid: dict[str, Any]) -> None:
        if (grid.get("sheetId") or 0) != sid or grid.get(lo) is None or grid.get(hi) is None:
            return
        moved = sorted(new_of[i] for i in range(grid[lo], grid[hi]) if i in new_of)
        if moved and moved[-1] - moved[0] == len(moved) - 1:
            grid[lo], grid[hi] = moved[0], moved[-1] + 1

    grids = list(sheet["merges"]) + [pr["range"] for pr in sheet["protectedRanges"]]
    grids += [v["range"] for v in sheet.get("filterViews") or []] + [n["range"] for n in doc.get("namedRanges", [])]
    if sheet.get("basicFilter"):
        grids.append(sheet["basicFilter"]["range"])
    for grid in grids:
        remap(grid)


def update_dimension_properties(doc: dict[str, Any], req: dict[str, Any], ctx: Context) -> None:
    rng = req.get("range") or req.get("dataSourceSheetRange") or {}
    sheet, dimension, start, end = _dim_range(doc, ctx, rng)
    fields = req.get("fields")
    if not fields:
        raise _fail(ctx, "At least one field must be updated, but none were specified.")
    key = "rowMeta" if dimension == "ROWS" else "colMeta"
    for i in range(start, end):
        meta = sheet[key].get(str(i), {})
        kept = meta.pop(metadata.KEY, None)
        apply_mask(meta, req.get("properties") or {}, fields)
        meta.pop(metadata.KEY, None)
        if kept:
            meta[metadata.KEY] = kept
        if meta:
            sheet[key][str(i)] = meta
        else:
            sheet[key].pop(str(i), None)


def auto_resize_dimensions(doc: dict[str, Any], req: dict[str, Any], ctx: Context) -> None:
    sheet, dimension, start, end = _dim_range(doc, ctx, req.get("dimensions") or {})
    ev = m.Evaluator(doc)
    rows, cols = dims(sheet)
    for i in range(start, end):
        if dimension == "COLUMNS":
            texts = [ev.formatted(sheet, r, i) or "" for r in range(m.data_extent(sheet)[0])]
            longest = max((len(t) for t in texts), default=0)
            size = max(longest * 7 + 10, 20) if longest else m.DEFAULT_COL_PX
            sheet["colMeta"].setdefault(str(i), {})["pixelSize"] = size
        else:
            texts = [ev.formatted(sheet, i, c) or "" for c in range(cols)]
            lines = max((t.count("\n") + 1 for t in texts if t), default=1)
            sheet["rowMeta"].setdefault(str(i), {})["pixelSize"] = m.DEFAULT_ROW_PX * lines


def _overlaps(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return (a["startRowIndex"] < b["endRowIndex"] and b["startRowIndex"] < a["endRowIndex"]
            and a["startColumnIndex"] < b["endColumnIndex"] and b["startColumnIndex"] < a["endColumnIndex"])


def merge_cells(doc: dict[str, Any], req: dict[str, Any], ctx: Context) -> None:
    area = _area(doc, ctx, req.get("range"))
    kind = req.get("mergeType") or "MERGE_ALL"
    if kind == "MERGE_ROWS":
        pieces = [Area(area.sheet, r, r + 1, area.c0, area.c1) for r in range(area.r0, area.r1)]
    elif kind == "MERGE_COLUMNS":
        pieces = [Area(area.sheet, area.r0, area.r1, c, c + 1) for c in range(area.c0, area.c1)]
    else:
        pieces = [area]
    for piece in pieces:
        grid = _grid(piece)
        if piece.r1 - piece.r0 < 1 or piece.c1 - piece.c0 < 1 or (piece.r1 - piece.r0 == 1 and
                                                                      piece.c1 - piece.c0 == 1):
            continue
        kept = []
        for existing in area.sheet["merges"]:
            inside = (grid["startRowIndex"] <= existing["startRowIndex"] and existing["endRowIndex"] <= grid[
                "endRowIndex"] and grid["startColumnIndex"] <= existing["startColumnIndex"] and existing[
                "endColumnIndex"] <= grid["endColumnIndex"])
            if inside:
                continue
            if _overlaps(existing, grid):
                raise _fail(ctx, "You can't merge cells that are already partially merged.")
            kept.append(existing)
        area.sheet["merges"] = kept
        for r, c in _cells(piece):
            if (r, c) != (piece.r0, piece.c0):
                cell = dict(m.get_cell(area.sheet, r, c))
                cell.pop("v", None)
                m.put_cell(area.sheet, r, c, cell)
        area.sheet["merges"].append(grid)


def unmerge_cells(doc: dict[str, Any], req: dict[str, Any], ctx: Context) -> None:
    area = _area(doc, ctx, req.get("range"))
    grid = _grid(area)
    area.sheet["merges"] = [g for g in area.sheet["merges"] if not _overlaps(g, grid)]


_NAME = re.compile(r"^[A-Za-z_\\][A-Za-z0-9_.]*$")


def add_named_range(doc: dict[str, Any], req: dict[str, Any], ctx: Context) -> dict[str, Any]:
    named = copy.deepcopy(req.get("namedRange") or {})
    name = named.get("name") or ""
    if not _NAME.match(name) or m.a1.is_cell_notation(name) or name.upper() in ("TRUE", "FALSE"):
        raise _fail(ctx, f"The range name \"{name}\" is not valid.")
    if any(n["name"].lower() == name.lower() for n in doc["namedRanges"]):
        raise _fail(ctx, f"A range with the name \"{name}\" already exists.")
    area = _area(doc, ctx, named.get("range"))
    grid = {k: v for k, v in (named.get("range") or {}).items() if v is not None}
    grid["sheetId"] = area.sheet["properties"]["sheetId"]
    stored = {"namedRangeId": named.get("namedRangeId") or str(secrets.randbelow(2_000_000_000) + 1),
              "name": name, "range": grid}
    doc["namedRanges"].append(stored)
    return {"addNamedRange": {"namedRange": {**stored, "range": m.prune_range(grid)}}}


def _named(doc: dict[str, Any], ctx: Context, named_id: Any) -> dict[str, Any]:
    for named in doc["namedRanges"]:
        if named["namedRangeId"] == named_id:
            return named
    raise _fail(ctx, f"No named range with id: {named_id}")


def delete_named_range(doc: dict[str, Any], req: dict[str, Any], ctx: Context) -> None:
    doc["namedRanges"].remove(_named(doc, ctx, req.get("namedRangeId")))


def update_named_range(doc: dict[str, Any], req: dict[str, Any], ctx: Context) -> None:
    incoming = req.get("namedRange") or {}
    named = _named(doc, ctx, incoming.get("namedRangeId"))
    if not req.get("fields"):
        raise _fail(ctx, "At least one field must be updated, but none were specified.")
    apply_mask(named, incoming, req["fields"])
    named["namedRangeId"] = incoming.get("namedRangeId")
    if "range" in named:
        named["range"] = {k: v for k, v in named["range"].items() if v is not None}


def _sort_key(value: Any, descending: bool) -> tuple[int, Any]:
    if value is None or value == "":
        return (3, 0)
    if isinstance(value, CellError):
        return (2, value.text())
    if isinstance(value, bool):
        return (2, int(value))
    if isinstance(value, int | float):
        return (0, value)
    return (1, str(value).lower())


def sort_range(doc: dict[str, Any], req: dict[str, Any], ctx: Context) -> None:
    area = _area(doc, ctx, req.get("range"))
    specs = req.get("sortSpecs") or []
    ev = m.Evaluator(doc)
    sheet = area.sheet
    rows = []
    for r in range(area.r0, area.r1):
        rows.append(([ev.value(sheet, r, spec.get("dimensionIndex", 0)) for spec in specs],
                     [m.get_cell(sheet, r, c) for c in range(area.c0, area.c1)]))
    for i in reversed(range(len(specs))):
        descending = specs[i].get("sortOrder") == "DESCENDING"
        blanks = [row for row in rows if row[0][i] in (None, "")]
        rest = [row for row in rows if row[0][i] not in (None, "")]
        rest.sort(key=lambda row, i=i, d=descending: _sort_key(row[0][i], d), reverse=descending)
        rows = rest + blanks
    for offset, (_, cells) in enumerate(rows):
        for j, cell in enumerate(cells):
            m.put_cell(sheet, area.r0 + offset, area.c0 + j, copy.deepcopy(cell))


def find_replace(doc: dict[str, Any], req: dict[str, Any], ctx: Context) -> dict[str, Any]:
    find = req.get("find")
    if not find:
        raise _fail(ctx, "find must not be empty.")
    replacement = req.get("replacement") or ""
    flags = 0 if req.get("matchCase") else re.IGNORECASE
    pattern = find if req.get("searchByRegex") else re.escape(find)
    if req.get("matchEntireCell"):
        pattern = f"^(?:{pattern})$"
    try:
        regex = re.compile(pattern, flags)
    except re.error:
        raise _fail(ctx, f"Invalid regular expression: {find}") from None
    if req.get("range"):
        areas = [_area(doc, ctx, req["range"])]
    elif req.get("sheetId") is not None:
        areas = [whole_sheet(_sheet(doc, ctx, req["sheetId"]))]
    else:
        areas = [whole_sheet(s) for s in doc["sheets"]]
    counts = {"valuesChanged": 0, "formulasChanged": 0, "rowsChanged": 0, "sheetsChanged": 0,
              "occurrencesChanged": 0}
    for area in areas:
        rows_changed, sheet_changed = set(), False
        for key, cell in list(area.sheet["cells"].items()):
            r, c = m.parse_key(key)
            if not (area.r0 <= r < area.r1 and area.c0 <= c < area.c1):
                continue
            uev = cell.get("v") or {}
            if "stringValue" in uev:
                field, text = "stringValue", uev["stringValue"]
            elif "formulaValue" in uev and req.get("includeFormulas"):
                field, text = "formulaValue", uev["formulaValue"]
            else:
                continue
            new, n = regex.subn(replacement.replace("\\", "\\\\") if not req.get("searchByRegex")
                                else replacement.replace("$", "\\"), text)
            if n:
                counts["occurrencesChanged"] += n
                counts["formulasChanged" if field == "formulaValue" else "valuesChanged"] += 1
                rows_changed.add(r)
                sheet_changed = True
                m.put_cell(area.sheet, r, c, {**cell, "v": {field: new}})
        counts["rowsChanged"] += len(rows_changed)
        counts["sheetsChanged"] += int(sheet_changed)
    return {"findReplace": {k: v for k, v in counts.items() if v}}


def _groups_key(dimension: str) -> str:
    return "rowGroups" if dimension == "ROWS" else "columnGroups"


def _groups(sheet: dict[str, Any], dimension: str) -> list[dict[str, Any]]:
    return [{"range": m.prune_range(g["range"]), "depth": g["depth"]} for g in sheet[_groups_key(dimension)]]


def add_dimension_group(doc: dict[str, Any], req: dict[str, Any], ctx: Context) -> dict[str, Any]:
    sheet, dimension, start, end = _dim_range(doc, ctx, req.get("range") or {})
    groups = sheet[_groups_key(dimension)]
    depth = 1 + sum(1 for g in groups if g["range"]["startIndex"] <= start and end <= g["range"]["endIndex"])
    if any(g["range"]["startIndex"] == start and g["range"]["endIndex"] == end for g in groups):
        raise _fail(ctx, "A group with this range already exists.")
    groups.append({"range": {"sheetId": sheet["properties"]["sheetId"], "dimension": dimension,
                             "startIndex": start, "endIndex": end}, "depth": depth})
    groups.sort(key=lambda g: (g["depth"], g["range"]["startIndex"]))
    control = "rowGroupControlAfter" if dimension == "ROWS" else "columnGroupControlAfter"
    sheet["properties"]["gridProperties"].setdefault(control, True)
    return {"addDimensionGroup": {"dimensionGroups": _groups(sheet, dimension)}}


def delete_dimension_group(doc: dict[str, Any], req: dict[str, Any], ctx: Context) -> dict[str, Any]:
    sheet, dimension, start, end = _dim_range(doc, ctx, req.get("range") or {})
    key = _groups_key(dimension)
    matches = [g for g in sheet[key] if g["range"]["startIndex"] == start and g["range"]["endIndex"] == end]
    if not matches:
        raise _fail(ctx, "No group with the given range exists.")
    sheet[key].remove(max(matches, key=lambda g: g["depth"]))
    groups = _groups(sheet, dimension)
    return {"deleteDimensionGroup": {"dimensionGroups": groups} if groups else {}}


def _paste_cell(cell: dict[str, Any], paste_type: str) -> dict[str, Any] | None:
    """What of ``cell`` a paste of ``paste_type`` carries (None: leave the target alone)."""
    if paste_type == "PASTE_VALUES":
        return {"v": cell.get("v")}
    if paste_type == "PASTE_FORMAT":
        return {"f": cell.get("f")}
    if paste_type == "PASTE_NO_BORDERS":
        fmt = dict(cell.get("f") or {})
        fmt.pop("borders", None)
        return {**cell, "f": fmt}
    if paste_type == "PASTE_FORMULA":
        return {"v": cell.get("v")}
    if paste_type == "PASTE_DATA_VALIDATION":
        return {"dv": cell.get("dv")}
    return dict(cell)


def copy_paste(doc: dict[str, Any], req: dict[str, Any], ctx: Context) -> None:
    source = _area(doc, ctx, req.get("source"))
    dest = _area(doc, ctx, req.get("destination"))
    paste_type = req.get("pasteType") or "PASTE_NORMAL"
    transpose = req.get("pasteOrientation") == "TRANSPOSE"
    height, width = source.r1 - source.r0, source.c1 - source.c0
    if transpose:
        height, width = width, height
    snapshot = {(r, c): copy.deepcopy(m.get_cell(source.sheet, r, c)) for r, c in _cells(source)}
    out_h = max(height, (dest.r1 - dest.r0) // height * height if height else 0)
    out_w = max(width, (dest.c1 - dest.c0) // width * width if width else 0)
    m.check_grid(Area(dest.sheet, dest.r0, dest.r0 + out_h, dest.c0, dest.c0 + out_w))
    for i in range(out_h):
        for j in range(out_w):
            si, sj = i % height, j % width
            if transpose:
                si, sj = sj, si
            cell = snapshot[(source.r0 + si, source.c0 + sj)]
            part = _paste_cell(cell, paste_type)
            target = dict(m.get_cell(dest.sheet, dest.r0 + i, dest.c0 + j))
            if paste_type == "PASTE_NORMAL":
                target = part or {}
            else:
                target.update(part or {})
            m.put_cell(dest.sheet, dest.r0 + i, dest.c0 + j, target)


def cut_paste(doc: dict[str, Any], req: dict[str, Any], ctx: Context) -> None:
    source = _area(doc, ctx, req.get("source"))
    coord = req.get("destination") or {}
    dest_sheet = _sheet(doc, ctx, coord.get("sheetId"))
    r0, c0 = coord.get("rowIndex") or 0, coord.get("columnIndex") or 0
    height, width = source.r1 - source.r0, source.c1 - source.c0
    m.check_grid(Area(dest_sheet, r0, r0 + height, c0, c0 + width))
    paste_type = req.get("pasteType") or "PASTE_NORMAL"
    snapshot = {(r, c): copy.deepcopy(m.get_cell(source.sheet, r, c)) for r, c in _cells(source)}
    for r, c in snapshot:
        m.put_cell(source.sheet, r, c, {})
    for (r, c), cell in snapshot.items():
        part = _paste_cell(cell, paste_type) or {}
        m.put_cell(dest_sheet, r0 + r - source.r0, c0 + c - source.c0, part)


def set_data_validation(doc: dict[str, Any], req: dict[str, Any], ctx: Context) -> None:
    area = _area(doc, ctx, req.get("range"))
    rule = copy.deepcopy(req.get("rule"))
    for r, c in _cells(area):
        cell = dict(m.get_cell(area.sheet, r, c))
        cell["dv"] = rule
        m.put_cell(area.sheet, r, c, cell)


def update_borders(doc: dict[str, Any], req: dict[str, Any], ctx: Context) -> None:
    area = _area(doc, ctx, req.get("range"))
    for r, c in _cells(area):
        sides = {}
        if r == area.r0 and req.get("top"):
            sides["top"] = req["top"]
        if r == area.r1 - 1 and req.get("bottom"):
            sides["bottom"] = req["bottom"]
        if c == area.c0 and req.get("left"):
            sides["left"] = req["left"]
        if c == area.c1 - 1 and req.get("right"):
            sides["right"] = req["right"]
        if r < area.r1 - 1 and req.get("innerHorizontal"):
            sides["bottom"] = req["innerHorizontal"]
        if c < area.c1 - 1 and req.get("innerVertical"):
            sides["right"] = req["innerVertical"]
        if sides:
            cell = dict(m.get_cell(area.sheet, r, c))
            fmt = dict(cell.get("f") or {})
            fmt["borders"] = {**(fmt.get("borders") or {}), **copy.deepcopy(sides)}
            cell["f"] = fmt
            m.put_cell(area.sheet, r, c, cell)


def add_conditional_format_rule(doc: dict[str, Any], req: dict[str, Any], ctx: Context) -> None:
    rule = copy.deepcopy(req.get("rule") or {})
    ranges = rule.get("ranges") or []
    if not ranges:
        raise _fail(ctx, "rule.ranges must not be empty.")
    sheet = _area(doc, ctx, ranges[0]).sheet
    rules = sheet["conditionalFormats"]
    rules.insert(min(req.get("index") or 0, len(rules)), rule)


def delete_conditional_format_rule(doc: dict[str, Any], req: dict[str, Any], ctx: Context) -> dict[str, Any]:
    sheet = _sheet(doc, ctx, req.get("sheetId"))
    index = req.get("index") or 0
    if index >= len(sheet["conditionalFormats"]):
        raise _fail(ctx, f"No conditional format on sheet: {sheet['properties']['sheetId']} at index: {index}")
    rule = sheet["conditionalFormats"].pop(index)
    return {"deleteConditionalFormatRule": {"rule": rule}}


HANDLERS: dict[str, Callable[[dict[str, Any], dict[str, Any], Context], dict[str, Any] | None]] = {
    "addSheet": add_sheet,
    "deleteSheet": delete_sheet,
    "updateSheetProperties": update_sheet_properties,
    "updateSpreadsheetProperties": update_spreadsheet_properties,
    "duplicateSheet": duplicate_sheet,
    "repeatCell": repeat_cell,
    "updateCells": update_cells,
    "appendCells": append_cells,
    "setBasicFilter": set_basic_filter,
    "clearBasicFilter": clear_basic_filter,
    "addChart": add_chart,
    "updateChartSpec": update_chart_spec,
    "deleteEmbeddedObject": delete_embedded_object,
    "addProtectedRange": add_protected_range,
    "deleteProtectedRange": delete_protected_range,
    "appendDimension": append_dimension,
    "insertDimension": insert_dimension,
    "deleteDimension": delete_dimension,
    "updateDimensionProperties": update_dimension_properties,
    "moveDimension": move_dimension,
    "createDeveloperMetadata": metadata.create,
    "updateDeveloperMetadata": metadata.update,
    "deleteDeveloperMetadata": metadata.delete,
    "addFilterView": filter_views.add,
    "updateFilterView": filter_views.update,
    "deleteFilterView": filter_views.delete,
    "duplicateFilterView": filter_views.duplicate,
    "autoResizeDimensions": auto_resize_dimensions,
    "mergeCells": merge_cells,
    "unmergeCells": unmerge_cells,
    "addNamedRange": add_named_range,
    "deleteNamedRange": delete_named_range,
    "updateNamedRange": update_named_range,
    "sortRange": sort_range,
    "findReplace": find_replace,
    "addDimensionGroup": add_dimension_group,
    "deleteDimensionGroup": delete_dimension_group,
    "copyPaste": copy_paste,
    "cutPaste": cut_paste,
    "setDataValidation": set_data_validation,
    "updateBorders": update_borders,
    "addConditionalFormatRule": add_conditional_format_rule,
    "deleteConditionalFormatRule": delete_conditional_format_rule,
}


def apply(doc: dict[str, Any], requests: list[dict[str, Any]], *, user: str, spreadsheet_id: str) -> tuple[
        list[dict[str, Any]], str | None]:
    """Apply ``requests`` in order; returns (replies, new title if the spreadsheet was renamed)."""
    replies: list[dict[str, Any]] = []
    ctx: Context = {"user": user, "spreadsheet_id": spreadsheet_id}
    if not requests:
        raise bad_request("Must specify at least one request.")
    for i, request in enumerate(requests):
        if not isinstance(request, dict) or len(request) != 1:
            raise bad_request(f"Invalid requests[{i}]: Exactly one request kind must be set.")
        kind, body = next(iter(request.items()))
        handler = HANDLERS.get(kind)
        if handler is None:
            raise ApiError(501, f"The sandbox does not implement batchUpdate request '{kind}' (requests[{i}]).",
                           status="UNIMPLEMENTED")
        ctx["where"] = f"Invalid requests[{i}].{kind}: "
        reply = handler(doc, body or {}, ctx)
        replies.append(reply or {})
    return replies, ctx.get("renamed")
