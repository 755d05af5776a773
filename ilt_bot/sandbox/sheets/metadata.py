"""Developer metadata: stored where its location lives, so it moves, copies and dies with it.

Google ties metadata to a spreadsheet, a sheet, or one row or column, and "it will remain associated at
those locations as they move around ... If the associated object is deleted then its metadata is deleted
too" (``DeveloperMetadata`` in the Sheets v4 reference). The sandbox keeps each entry inside its owner::

    doc["developerMetadata"]                          the spreadsheet's
    sheet["developerMetadata"]                        a sheet's
    sheet["rowMeta"|"colMeta"][i]["developerMetadata"]  a row's or a column's

so inserts, deletes and moves of rows and columns (which already carry ``rowMeta``/``colMeta``) carry the
metadata along. Entries are stored without their location (``{metadataId, metadataKey, metadataValue?,
visibility}``); the location is computed when read. See docs/tracker-identity.md.
"""

from __future__ import annotations

import copy
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ilt_bot.sandbox.core import ApiError
from ilt_bot.sandbox.sheets import models as m
from ilt_bot.sandbox.sheets.fields import apply_mask
from ilt_bot.sandbox.sheets.grid import Area, bad_request, dims, grid_area, resolve, sheet_by_id, whole_sheet

KEY = "developerMetadata"
VISIBILITIES = ("DOCUMENT", "PROJECT")
_DIM_KEYS = {"ROWS": "rowMeta", "COLUMNS": "colMeta"}
_TYPES = {"rowMeta": "ROW", "colMeta": "COLUMN"}


@dataclass
class Placed:
    """One stored entry and where it lives (``sheet`` None: the spreadsheet; ``axis`` None: the sheet)."""

    entry: dict[str, Any]
    sheet: dict[str, Any] | None = None
    axis: str | None = None
    index: int | None = None

    @property
    def location_type(self) -> str:
        if self.sheet is None:
            return "SPREADSHEET"
        return _TYPES[self.axis] if self.axis else "SHEET"

    @property
    def sheet_id(self) -> int | None:
        return None if self.sheet is None else self.sheet["properties"]["sheetId"]

    def location(self) -> dict[str, Any]:
        """The ``DeveloperMetadataLocation`` as Google answers it (sheetId 0 left out, like every GridRange)."""
        kind = self.location_type
        if kind == "SPREADSHEET":
            return {"locationType": kind, "spreadsheet": True}
        if kind == "SHEET":
            return {"locationType": kind, "sheetId": self.sheet_id}
        dimension = "ROWS" if kind == "ROW" else "COLUMNS"
        rng = m.prune_range({"sheetId": self.sheet_id, "dimension": dimension, "startIndex": self.index,
                             "endIndex": (self.index or 0) + 1})
        return {"locationType": kind, "dimensionRange": rng}

    def resource(self) -> dict[str, Any]:
        """The ``DeveloperMetadata`` resource."""
        out = {"metadataId": self.entry["metadataId"], "metadataKey": self.entry["metadataKey"]}
        if self.entry.get("metadataValue") is not None:
            out["metadataValue"] = self.entry["metadataValue"]
        out["location"] = self.location()
        out["visibility"] = self.entry["visibility"]
        return out

    def holder(self, doc: dict[str, Any]) -> list[dict[str, Any]]:
        """The stored list this entry is in."""
        if self.sheet is None:
            return doc[KEY]
        if self.axis is None:
            return self.sheet[KEY]
        return self.sheet[self.axis][str(self.index)][KEY]


def _sheets(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return sorted(doc["sheets"], key=lambda s: s["properties"]["index"])


def everything(doc: dict[str, Any]) -> Iterator[Placed]:
    """Every entry: the spreadsheet's, then per sheet (in tab order) the sheet's, rows', columns'."""
    for entry in doc.get(KEY) or []:
        yield Placed(entry)
    for sheet in _sheets(doc):
        yield from in_sheet(sheet)


def in_sheet(sheet: dict[str, Any]) -> Iterator[Placed]:
    for entry in sheet.get(KEY) or []:
        yield Placed(entry, sheet)
    for axis in ("rowMeta", "colMeta"):
        for index in sorted(int(i) for i, meta in sheet[axis].items() if meta.get(KEY)):
            for entry in sheet[axis][str(index)][KEY]:
                yield Placed(entry, sheet, axis, index)


def dimension_entries(sheet: dict[str, Any], axis: str, index: int) -> list[dict[str, Any]]:
    """The ``DeveloperMetadata`` of one row or column (for ``GridData.rowMetadata``/``columnMetadata``)."""
    entries = (sheet[axis].get(str(index)) or {}).get(KEY) or []
    return [Placed(e, sheet, axis, index).resource() for e in entries]


def new_id(doc: dict[str, Any]) -> int:
    used = {p.entry["metadataId"] for p in everything(doc)}
    while True:
        candidate = secrets.randbelow(2_147_483_646) + 1
        if candidate not in used:
            return candidate


def renumber(doc: dict[str, Any], sheet: dict[str, Any]) -> None:
    """A copied sheet's metadata gets fresh ids (metadataId is unique in a spreadsheet)."""
    used = {p.entry["metadataId"] for p in everything(doc)} | {p.entry["metadataId"] for p in in_sheet(sheet)}
    for placed in in_sheet(sheet):
        while placed.entry["metadataId"] in used:
            placed.entry["metadataId"] = secrets.randbelow(2_147_483_646) + 1
        used.add(placed.entry["metadataId"])


# ---- locations from requests ----------------------------------------------------------------


def _bad(where: str, message: str) -> ApiError:
    return bad_request(where + message)


def target(doc: dict[str, Any], location: dict[str, Any] | None, where: str) -> Placed:
    """Where a ``DeveloperMetadataLocation`` in a request points (an empty :class:`Placed`, entry {})."""
    location = location or {}
    given = [k for k in ("spreadsheet", "sheetId", "dimensionRange")
             if location.get(k) is not None and location.get(k) is not False]
    if len(given) != 1:
        raise _bad(where, "Developer metadata location must specify exactly one of spreadsheet, sheetId or "
                          "dimensionRange.")
    if given[0] == "spreadsheet":
        return Placed({})
    if given[0] == "sheetId":
        return Placed({}, _sheet(doc, location["sheetId"], where))
    rng = location["dimensionRange"]
    sheet = _sheet(doc, rng.get("sheetId") or 0, where)
    axis = _DIM_KEYS.get(rng.get("dimension") or "")
    if axis is None:
        raise _bad(where, "dimensionRange.dimension must be ROWS or COLUMNS.")
    start, end = rng.get("startIndex"), rng.get("endIndex")
    if start is None or end is None or end - start != 1:
        raise _bad(where, "Developer metadata dimensionRange must represent a single row or column; it cannot "
                          "be unbounded or span multiple rows or columns.")
    rows, cols = dims(sheet)
    if not 0 <= start < (rows if axis == "rowMeta" else cols):
        raise _bad(where, f"dimensionRange.startIndex ({start}) is outside the sheet's "
                          f"{'rows' if axis == 'rowMeta' else 'columns'} ({rows if axis == 'rowMeta' else cols}).")
    return Placed({}, sheet, axis, start)


def _sheet(doc: dict[str, Any], sheet_id: Any, where: str) -> dict[str, Any]:
    sheet = sheet_by_id(doc, sheet_id)
    if sheet is None:
        raise _bad(where, f"No grid with id: {sheet_id}")
    return sheet


def _store(doc: dict[str, Any], place: Placed, entry: dict[str, Any]) -> Placed:
    if place.sheet is None:
        doc.setdefault(KEY, []).append(entry)
    elif place.axis is None:
        place.sheet.setdefault(KEY, []).append(entry)
    else:
        place.sheet[place.axis].setdefault(str(place.index), {}).setdefault(KEY, []).append(entry)
    return Placed(entry, place.sheet, place.axis, place.index)


def _unstore(doc: dict[str, Any], placed: Placed) -> None:
    holder = placed.holder(doc)
    holder.remove(placed.entry)
    if placed.axis is not None and not holder:
        meta = placed.sheet[placed.axis][str(placed.index)]  # type: ignore[index]
        meta.pop(KEY)
        if not meta:
            placed.sheet[placed.axis].pop(str(placed.index))  # type: ignore[index]


# ---- lookups --------------------------------------------------------------------------------


def _same_place(a: Placed, b: Placed) -> bool:
    return (a.location_type, a.sheet_id, a.index) == (b.location_type, b.sheet_id, b.index)


def _intersects(found: Placed, place: Placed) -> bool:
    """Google's INTERSECTING_LOCATION: a sheet meets its rows and columns; a row meets every column."""
    if place.sheet is None or found.sheet is not place.sheet:
        return _same_place(found, place)
    if place.axis is None:
        return True
    if found.axis is None:
        return False
    return found.axis != place.axis or found.index == place.index


def _check_lookup(lookup: dict[str, Any], where: str) -> None:
    strategy = lookup.get("locationMatchingStrategy")
    kind = lookup.get("locationType")
    if strategy and not lookup.get("metadataLocation"):
        raise _bad(where, "locationMatchingStrategy requires a metadataLocation.")
    if kind and strategy == "EXACT_LOCATION":
        raise _bad(where, "locationType must be left unspecified when locationMatchingStrategy is EXACT_LOCATION.")
    location = lookup.get("metadataLocation") or {}
    if kind == "SPREADSHEET" and (strategy == "INTERSECTING_LOCATION" or (location and not location.get(
            "spreadsheet"))):
        raise _bad(where, "locationType cannot be SPREADSHEET with an INTERSECTING_LOCATION strategy or a "
                          "non-spreadsheet metadataLocation.")


def lookup(doc: dict[str, Any], spec: dict[str, Any], where: str = "") -> list[Placed]:
    """The entries a ``DeveloperMetadataLookup`` selects (every given field must match)."""
    _check_lookup(spec, where)
    place = target(doc, spec["metadataLocation"], where) if spec.get("metadataLocation") else None
    exact = spec.get("locationMatchingStrategy") == "EXACT_LOCATION"
    found = []
    for placed in everything(doc):
        entry = placed.entry
        if any(spec.get(k) is not None and spec[k] != entry.get(k)
               for k in ("metadataId", "metadataKey", "metadataValue")):
            continue
        if spec.get("visibility") not in (None, "DEVELOPER_METADATA_VISIBILITY_UNSPECIFIED", entry["visibility"]):
            continue
        if spec.get("locationType") not in (None, "DEVELOPER_METADATA_LOCATION_TYPE_UNSPECIFIED",
                                            placed.location_type):
            continue
        if place is not None and not (_same_place(placed, place) if exact else _intersects(placed, place)):
            continue
        found.append(placed)
    return found


def matching(doc: dict[str, Any], data_filter: dict[str, Any], where: str = "") -> list[Placed]:
    """Entries a ``DataFilter`` selects: a lookup, or the rows/columns meeting an a1Range or gridRange."""
    if data_filter.get("developerMetadataLookup") is not None:
        return lookup(doc, data_filter["developerMetadataLookup"], where)
    area = _filter_area(doc, data_filter, where)
    rows, cols = dims(area.sheet)
    whole = (area.r0, area.c0) == (0, 0) and area.r1 >= rows and area.c1 >= cols
    found = []
    for placed in in_sheet(area.sheet):
        if placed.axis is None:
            hit = whole
        else:
            lo, hi = (area.r0, area.r1) if placed.axis == "rowMeta" else (area.c0, area.c1)
            hit = lo <= (placed.index or 0) < hi
        if hit:
            found.append(placed)
    return found


def _filter_area(doc: dict[str, Any], data_filter: dict[str, Any], where: str) -> Area:
    if data_filter.get("a1Range"):
        return resolve(doc, data_filter["a1Range"])
    if data_filter.get("gridRange") is not None:
        return grid_area(doc, data_filter["gridRange"], where=where)
    raise _bad(where, "A DataFilter must set one of a1Range, gridRange or developerMetadataLookup.")


def areas(doc: dict[str, Any], data_filter: dict[str, Any], where: str = "") -> list[Area]:
    """The ranges a ``DataFilter`` selects for values: a row's metadata its whole row, a column's its
    whole column, a sheet's the sheet; spreadsheet metadata selects no range."""
    if data_filter.get("developerMetadataLookup") is None:
        return [_filter_area(doc, data_filter, where)]
    out = []
    for placed in lookup(doc, data_filter["developerMetadataLookup"], where):
        if placed.sheet is None:
            continue
        rows, cols = dims(placed.sheet)
        i = placed.index or 0
        if placed.axis is None:
            out.append(whole_sheet(placed.sheet))
        elif placed.axis == "rowMeta":
            out.append(Area(placed.sheet, i, i + 1, 0, cols))
        else:
            out.append(Area(placed.sheet, 0, rows, i, i + 1))
    return out


# ---- batchUpdate requests -------------------------------------------------------------------


def _entry(doc: dict[str, Any], given: dict[str, Any], where: str) -> dict[str, Any]:
    if not given.get("metadataKey"):
        raise _bad(where, "developerMetadata.metadataKey is required: developer metadata must always have a key.")
    if given.get("visibility") not in VISIBILITIES:
        raise _bad(where, "developerMetadata.visibility must be DOCUMENT or PROJECT: developer metadata must "
                          "always have a visibility.")
    metadata_id = given.get("metadataId")
    if metadata_id is None:
        metadata_id = new_id(doc)
    elif not isinstance(metadata_id, int) or metadata_id <= 0:
        raise _bad(where, f"developerMetadata.metadataId ({metadata_id}) must be positive.")
    elif any(p.entry["metadataId"] == metadata_id for p in everything(doc)):
        raise _bad(where, f"Developer metadata with ID {metadata_id} already exists; metadataId must be unique "
                          "in the spreadsheet (leave it out to have one assigned).")
    entry = {"metadataId": metadata_id, "metadataKey": given["metadataKey"], "visibility": given["visibility"]}
    if given.get("metadataValue") is not None:
        entry["metadataValue"] = given["metadataValue"]
    return entry


def create(doc: dict[str, Any], req: dict[str, Any], ctx: dict[str, Any]) -> dict[str, Any]:
    """createDeveloperMetadata: reply ``{"developerMetadata": <created, with its id and location>}``."""
    where = ctx["where"]
    given = req.get("developerMetadata") or {}
    place = target(doc, given.get("location"), where)
    placed = _store(doc, place, _entry(doc, given, where))
    return {"createDeveloperMetadata": {"developerMetadata": placed.resource()}}


def update(doc: dict[str, Any], req: dict[str, Any], ctx: dict[str, Any]) -> dict[str, Any]:
    """updateDeveloperMetadata: every entry any filter matches takes the masked fields (location moves it)."""
    where = ctx["where"]
    filters = req.get("dataFilters") or []
    if not filters:
        raise _bad(where, "At least one dataFilter must be specified.")
    fields = req.get("fields")
    if not fields:
        raise _bad(where, "At least one field must be updated, but none were specified.")
    incoming = req.get("developerMetadata") or {}
    selected: list[Placed] = []
    for flt in filters:
        selected.extend(p for p in matching(doc, flt, where) if not any(p.entry is s.entry for s in selected))
    updated = []
    for placed in selected:
        current = {**placed.entry, "location": placed.location()}
        apply_mask(current, incoming, fields)
        current.setdefault("metadataId", placed.entry["metadataId"])
        if current["metadataId"] != placed.entry["metadataId"]:
            raise _bad(where, "developerMetadata.metadataId cannot be updated.")
        place = target(doc, _request_location(current.get("location")), where)
        entry = {"metadataId": placed.entry["metadataId"], "metadataKey": current.get("metadataKey"),
                 "visibility": current.get("visibility"), "metadataValue": current.get("metadataValue")}
        if not entry["metadataKey"] or entry["visibility"] not in VISIBILITIES:
            raise _bad(where, "Developer metadata must always have a metadataKey and a visibility.")
        if entry["metadataValue"] is None:
            entry.pop("metadataValue")
        _unstore(doc, placed)
        updated.append(_store(doc, place, entry).resource())
    return {"updateDeveloperMetadata": {"developerMetadata": updated} if updated else {}}


def _request_location(location: dict[str, Any] | None) -> dict[str, Any]:
    """A read-back location as a request location (``locationType`` is read-only, so dropped)."""
    out = {k: v for k, v in (location or {}).items() if k != "locationType"}
    if "dimensionRange" in out:
        out["dimensionRange"] = {"sheetId": 0, "startIndex": 0, **out["dimensionRange"]}
    return out


def delete(doc: dict[str, Any], req: dict[str, Any], ctx: dict[str, Any]) -> dict[str, Any]:
    """deleteDeveloperMetadata: reply lists what was deleted."""
    where = ctx["where"]
    if not req.get("dataFilter"):
        raise _bad(where, "dataFilter is required.")
    deleted = []
    for placed in matching(doc, req["dataFilter"], where):
        deleted.append(placed.resource())
        _unstore(doc, placed)
    return {"deleteDeveloperMetadata": {"deletedDeveloperMetadata": deleted} if deleted else {}}


# ---- reading --------------------------------------------------------------------------------


def get(doc: dict[str, Any], metadata_id: int) -> dict[str, Any]:
    """developerMetadata.get: the entry, or Google's 404."""
    for placed in everything(doc):
        if placed.entry["metadataId"] == metadata_id:
            return placed.resource()
    raise ApiError(404, f"No developer metadata with ID: {metadata_id}", status="NOT_FOUND")


def search(doc: dict[str, Any], filters: list[dict[str, Any]]) -> dict[str, Any]:
    """developerMetadata.search: each match once, with every request filter that matched it."""
    matched: list[tuple[Placed, list[dict[str, Any]]]] = []
    for i, flt in enumerate(filters):
        for placed in matching(doc, flt, f"Invalid dataFilters[{i}]: "):
            for seen, hits in matched:
                if seen.entry is placed.entry:
                    hits.append(copy.deepcopy(flt))
                    break
            else:
                matched.append((placed, [copy.deepcopy(flt)]))
    if not matched:
        return {}
    return {"matchedDeveloperMetadata": [{"developerMetadata": p.resource(), "dataFilters": hits}
                                         for p, hits in matched]}


def decorate(doc: dict[str, Any], resource: dict[str, Any]) -> dict[str, Any]:
    """Add developer metadata to a Spreadsheet resource: its own, each sheet's, each row's and column's."""
    if doc.get(KEY):
        resource[KEY] = [Placed(e).resource() for e in doc[KEY]]
    for out in resource.get("sheets") or []:
        sheet = sheet_by_id(doc, out["properties"]["sheetId"])
        if sheet is None:
            continue
        if sheet.get(KEY):
            out[KEY] = [Placed(e, sheet).resource() for e in sheet[KEY]]
        for grid in out.get("data") or []:
            _decorate_grid(sheet, grid)
    return resource


def _decorate_grid(sheet: dict[str, Any], grid: dict[str, Any]) -> None:
    for axis, name, start in (("rowMeta", "rowMetadata", grid.get("startRow") or 0),
                              ("colMeta", "columnMetadata", grid.get("startColumn") or 0)):
        for offset, meta in enumerate(grid.get(name) or []):
            if KEY in meta:
                meta[KEY] = dimension_entries(sheet, axis, start + offset)
