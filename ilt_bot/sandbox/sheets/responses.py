"""Sheets v4 handlers: translate a :class:`Call` into model operations and Google's JSON answers."""

from __future__ import annotations

import copy
from typing import Any

from ilt_bot.sandbox.core import ApiError, Call, implements
from ilt_bot.sandbox.sheets import batch, filter_views, links, metadata
from ilt_bot.sandbox.sheets import models as m
from ilt_bot.sandbox.sheets.fields import parse_mask
from ilt_bot.sandbox.sheets.grid import Area, bad_request, sheet_by_id, sheet_by_title


def _id(call: Call) -> str:
    return str(call.param("spreadsheetId"))


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _body(call: Call) -> dict[str, Any]:
    body = call.body or {}
    if not isinstance(body, dict):
        raise bad_request("Invalid JSON payload received. Expected an object.")
    return body


def _wants_grid(call: Call) -> bool:
    """Grid data is answered when a field mask asks for ``sheets.data`` (or all of ``sheets``), else when
    ``includeGridData`` is set ("ignored if a field mask was set in the request": spreadsheets.get)."""
    fields = call.query.get("fields")
    if fields:
        return any(path[:1] in ([], ["*"]) or path in (["sheets"], ["sheets", "*"]) or path[:2] == ["sheets", "data"]
                   for path in parse_mask(str(fields)))
    return bool(call.query.get("includeGridData"))


def _save(call: Call, doc: dict[str, Any]) -> None:
    m.save(call.store, _id(call), doc, user=call.user, now=call.now)


def _resource(doc: dict[str, Any], spreadsheet_id: str, **options: Any) -> dict[str, Any]:
    """The Spreadsheet resource with its developer metadata, filter views and cells' hyperlinks."""
    resource = m.spreadsheet_resource(doc, spreadsheet_id, **options)
    return links.decorate(filter_views.decorate(doc, metadata.decorate(doc, resource)))


def _filters(body: dict[str, Any], key: str = "dataFilters") -> list[dict[str, Any]]:
    filters = body.get(key) or []
    if not isinstance(filters, list) or not all(isinstance(f, dict) for f in filters):
        raise bad_request(f"Invalid {key}: expected a list of DataFilter objects.")
    return filters


@implements("sheets.spreadsheets.create")
def spreadsheets_create(call: Call) -> dict[str, Any]:
    spreadsheet_id, doc = m.create(call.store, user=call.user, body=_body(call), now=call.now)
    return _resource(doc, spreadsheet_id, include_grid=False)


@implements("sheets.spreadsheets.get")
def spreadsheets_get(call: Call) -> dict[str, Any]:
    doc = m.load(call.store, call.user, _id(call))
    return _resource(doc, _id(call), include_grid=_wants_grid(call),
                                  ranges=_list(call.query.get("ranges")))


@implements("sheets.spreadsheets.getByDataFilter")
def spreadsheets_get_by_data_filter(call: Call) -> dict[str, Any]:
    doc = m.load(call.store, call.user, _id(call))
    body = _body(call)
    ranges = [area.a1() for i, flt in enumerate(_filters(body))
              for area in metadata.areas(doc, flt, f"Invalid dataFilters[{i}]: ")]
    include = bool(body.get("includeGridData")) or _wants_grid(call)
    if body.get("dataFilters") and not ranges:
        return {**_resource(doc, _id(call)), "sheets": []}
    return _resource(doc, _id(call), include_grid=include, ranges=ranges)


@implements("sheets.spreadsheets.developerMetadata.get")
def developer_metadata_get(call: Call) -> dict[str, Any]:
    doc = m.load(call.store, call.user, _id(call))
    return metadata.get(doc, int(call.param("metadataId")))


@implements("sheets.spreadsheets.developerMetadata.search")
def developer_metadata_search(call: Call) -> dict[str, Any]:
    doc = m.load(call.store, call.user, _id(call))
    return metadata.search(doc, _filters(_body(call)))


@implements("sheets.spreadsheets.batchUpdate")
def spreadsheets_batch_update(call: Call) -> dict[str, Any]:
    doc = m.load(call.store, call.user, _id(call), write=True)
    body = _body(call)
    replies, renamed = batch.apply(doc, body.get("requests") or [], user=call.user, spreadsheet_id=_id(call))
    _save(call, doc)
    if renamed is not None:
        _rename_drive_file(call, renamed)
    answer: dict[str, Any] = {"spreadsheetId": _id(call), "replies": replies}
    if body.get("includeSpreadsheetInResponse"):
        answer["updatedSpreadsheet"] = _resource(
            doc, _id(call), include_grid=bool(body.get("responseIncludeGridData")),
            ranges=body.get("responseRanges") or None)
    return answer


def _rename_drive_file(call: Call, title: str) -> None:
    """updateSpreadsheetProperties.title renames the Drive file too."""
    drive = m.drive_models()
    record = drive.get_file(call.store, _id(call))
    if record is not None and record.get("name") != title:
        record["name"] = title
        drive.save_file(call.store, record)


@implements("sheets.spreadsheets.sheets.copyTo")
def sheets_copy_to(call: Call) -> dict[str, Any]:
    source = m.load(call.store, call.user, _id(call))
    sheet = sheet_by_id(source, int(call.param("sheetId")))
    if sheet is None:
        raise ApiError(404, f"No sheet with id: {call.param('sheetId')}", status="NOT_FOUND")
    target_id = _body(call).get("destinationSpreadsheetId")
    if not target_id:
        raise bad_request("Invalid destinationSpreadsheetId.")
    target = m.load(call.store, call.user, target_id, write=True)
    new = copy.deepcopy(sheet)
    title = f"Copy of {sheet['properties']['title']}"
    n = 2
    while sheet_by_title(target, title):
        title = f"Copy {n} of {sheet['properties']['title']}"
        n += 1
    new_id = m.new_sheet_id(target)
    new["properties"].update({"sheetId": new_id, "title": title, "index": len(target["sheets"])})
    new["charts"], new["protectedRanges"] = [], []
    for grid in new["merges"]:
        grid["sheetId"] = new_id
    if new.get("basicFilter"):
        new["basicFilter"]["range"]["sheetId"] = new_id
    filter_views.rehome(target, new)
    target["sheets"].append(new)
    metadata.renumber(target, new)
    m.save(call.store, target_id, target, user=call.user, now=call.now)
    return m.sheet_properties(new)


# ---- values ----------------------------------------------------------------------------------


def _render_options(call: Call, prefix: str = "") -> tuple[str, str]:
    render = call.query.get(f"{prefix}ValueRenderOption" if prefix else "valueRenderOption") or "FORMATTED_VALUE"
    dt_key = f"{prefix}DateTimeRenderOption" if prefix else "dateTimeRenderOption"
    return render, call.query.get(dt_key) or "SERIAL_NUMBER"


@implements("sheets.spreadsheets.values.get")
def values_get(call: Call) -> dict[str, Any]:
    doc = m.load(call.store, call.user, _id(call))
    render, dt = _render_options(call)
    return m.values_get(doc, str(call.param("range")), major=call.query.get("majorDimension") or "ROWS",
                        render=render, dt_render=dt)


@implements("sheets.spreadsheets.values.batchGet")
def values_batch_get(call: Call) -> dict[str, Any]:
    doc = m.load(call.store, call.user, _id(call))
    render, dt = _render_options(call)
    ev = m.Evaluator(doc)
    major = call.query.get("majorDimension") or "ROWS"
    ranges = [m.values_get(doc, str(r), major=major, render=render, dt_render=dt, ev=ev)
              for r in _list(call.query.get("ranges"))]
    answer: dict[str, Any] = {"spreadsheetId": _id(call)}
    if ranges:
        answer["valueRanges"] = ranges
    return answer


@implements("sheets.spreadsheets.values.update")
def values_update(call: Call) -> dict[str, Any]:
    doc = m.load(call.store, call.user, _id(call), write=True)
    render, dt = _render_options(call, "response")
    result = m.values_update(doc, str(call.param("range")), _body(call),
                             option=call.query.get("valueInputOption"),
                             include_values=bool(call.query.get("includeValuesInResponse")), render=render,
                             dt_render=dt)
    _save(call, doc)
    return {"spreadsheetId": _id(call), **result}


@implements("sheets.spreadsheets.values.append")
def values_append(call: Call) -> dict[str, Any]:
    doc = m.load(call.store, call.user, _id(call), write=True)
    render, dt = _render_options(call, "response")
    result = m.values_append(doc, _id(call), str(call.param("range")), _body(call),
                             option=call.query.get("valueInputOption"),
                             insert=call.query.get("insertDataOption") or "OVERWRITE",
                             include_values=bool(call.query.get("includeValuesInResponse")), render=render,
                             dt_render=dt)
    _save(call, doc)
    return result


@implements("sheets.spreadsheets.values.clear")
def values_clear(call: Call) -> dict[str, Any]:
    doc = m.load(call.store, call.user, _id(call), write=True)
    cleared = m.values_clear(doc, str(call.param("range")))
    _save(call, doc)
    return {"spreadsheetId": _id(call), "clearedRange": cleared}


@implements("sheets.spreadsheets.values.batchClear")
def values_batch_clear(call: Call) -> dict[str, Any]:
    doc = m.load(call.store, call.user, _id(call), write=True)
    cleared = [m.values_clear(doc, str(r)) for r in _body(call).get("ranges") or []]
    _save(call, doc)
    answer: dict[str, Any] = {"spreadsheetId": _id(call)}
    if cleared:
        answer["clearedRanges"] = cleared
    return answer


@implements("sheets.spreadsheets.values.batchUpdate")
def values_batch_update(call: Call) -> dict[str, Any]:
    doc = m.load(call.store, call.user, _id(call), write=True)
    body = _body(call)
    option = body.get("valueInputOption")
    if option not in ("RAW", "USER_ENTERED"):
        raise bad_request("Invalid valueInputOption: INPUT_VALUE_OPTION_UNSPECIFIED")
    render = body.get("responseValueRenderOption") or "FORMATTED_VALUE"
    dt = body.get("responseDateTimeRenderOption") or "SERIAL_NUMBER"
    responses = []
    for item in body.get("data") or []:
        if not item.get("range"):
            raise bad_request("Invalid data[0]: range is required.")
        result = m.values_update(doc, item["range"], {k: v for k, v in item.items() if k != "range"},
                                 option=option, include_values=bool(body.get("includeValuesInResponse")),
                                 render=render, dt_render=dt)
        responses.append({"spreadsheetId": _id(call), **result})
    _save(call, doc)
    answer: dict[str, Any] = {"spreadsheetId": _id(call)}
    touched = [r for r in responses if r.get("updatedCells")]
    if touched:
        answer["totalUpdatedRows"] = sum(r["updatedRows"] for r in touched)
        answer["totalUpdatedColumns"] = max(r["updatedColumns"] for r in touched)
        answer["totalUpdatedCells"] = sum(r["updatedCells"] for r in touched)
        answer["totalUpdatedSheets"] = len({r["updatedRange"].rpartition("!")[0] for r in touched})
    if responses:
        answer["responses"] = responses
    return answer


# ---- values by data filter -------------------------------------------------------------------


def _matched_areas(doc: dict[str, Any], flt: dict[str, Any], i: int) -> list[Area]:
    return metadata.areas(doc, flt, f"Invalid dataFilters[{i}]: ")


@implements("sheets.spreadsheets.values.batchGetByDataFilter")
def values_batch_get_by_data_filter(call: Call) -> dict[str, Any]:
    """One MatchedValueRange per range a filter selects (a row's metadata: the whole row)."""
    doc = m.load(call.store, call.user, _id(call))
    body = _body(call)
    ev = m.Evaluator(doc)
    options = {"major": body.get("majorDimension") or "ROWS",
               "render": body.get("valueRenderOption") or "FORMATTED_VALUE",
               "dt_render": body.get("dateTimeRenderOption") or "SERIAL_NUMBER", "ev": ev}
    matched = []
    for i, flt in enumerate(_filters(body)):
        for area in _matched_areas(doc, flt, i):
            matched.append({"valueRange": m.values_get(doc, area.a1(), **options), "dataFilters": [flt]})
    answer: dict[str, Any] = {"spreadsheetId": _id(call)}
    if matched:
        answer["valueRanges"] = matched
    return answer


@implements("sheets.spreadsheets.values.batchUpdateByDataFilter")
def values_batch_update_by_data_filter(call: Call) -> dict[str, Any]:
    """Write each DataFilterValueRange to every range its filter selects; values larger than a range fail."""
    doc = m.load(call.store, call.user, _id(call), write=True)
    body = _body(call)
    option = body.get("valueInputOption")
    if option not in ("RAW", "USER_ENTERED"):
        raise bad_request("Invalid valueInputOption: INPUT_VALUE_OPTION_UNSPECIFIED")
    render = body.get("responseValueRenderOption") or "FORMATTED_VALUE"
    dt = body.get("responseDateTimeRenderOption") or "SERIAL_NUMBER"
    responses = []
    for i, item in enumerate(body.get("data") or []):
        flt = item.get("dataFilter") or {}
        values = {k: v for k, v in item.items() if k in ("values", "majorDimension")}
        for area in _matched_areas(doc, flt, i):
            result = m.values_update(doc, area.a1(), values, option=option,
                                     include_values=bool(body.get("includeValuesInResponse")), render=render,
                                     dt_render=dt)
            responses.append({**result, "dataFilter": flt})
    _save(call, doc)
    answer: dict[str, Any] = {"spreadsheetId": _id(call)}
    touched = [r for r in responses if r.get("updatedCells")]
    if touched:
        answer["totalUpdatedRows"] = sum(r["updatedRows"] for r in touched)
        answer["totalUpdatedColumns"] = max(r["updatedColumns"] for r in touched)
        answer["totalUpdatedCells"] = sum(r["updatedCells"] for r in touched)
        answer["totalUpdatedSheets"] = len({r["updatedRange"].rpartition("!")[0] for r in touched})
    if responses:
        answer["responses"] = responses
    return answer


@implements("sheets.spreadsheets.values.batchClearByDataFilter")
def values_batch_clear_by_data_filter(call: Call) -> dict[str, Any]:
    doc = m.load(call.store, call.user, _id(call), write=True)
    cleared = [m.values_clear(doc, area.a1()) for i, flt in enumerate(_filters(_body(call)))
               for area in _matched_areas(doc, flt, i)]
    _save(call, doc)
    answer: dict[str, Any] = {"spreadsheetId": _id(call)}
    if cleared:
        answer["clearedRanges"] = cleared
    return answer
