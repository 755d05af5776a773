"""A browser view of a spreadsheet: each tab as an accessible HTML table (``/_sandbox/sheets/<id>``)."""

from __future__ import annotations

from html import escape

from ilt_bot.sandbox.core import PageRequest, Result, html_page, page
from ilt_bot.sandbox.sheets import a1
from ilt_bot.sandbox.sheets import models as m


@page("/_sandbox/sheets/<spreadsheet_id>")
def spreadsheet_page(request: PageRequest) -> Result:
    """Every sheet as a table with column letters and row numbers, for a signed-in reader."""
    spreadsheet_id = request.path_params["spreadsheet_id"]
    if request.user is None:
        return html_page("<!doctype html><title>Sign in</title><p>Sign in at "
                         "<a href=\"/_sandbox/login\">/_sandbox/login</a> to view this spreadsheet.</p>", 401)
    doc = request.store.get(m.KIND, spreadsheet_id)
    drive = m.drive_models()
    if doc is None or drive.get_file(request.store, spreadsheet_id) is None:
        return html_page("<!doctype html><title>Not found</title><p>Spreadsheet not found.</p>", 404)
    if drive.role_of(request.store, request.user, spreadsheet_id) is None:
        return html_page("<!doctype html><title>No access</title><p>You need permission to view this "
                         "spreadsheet.</p>", 403)
    return html_page(render(doc))


def render(doc: dict) -> str:
    """The whole spreadsheet as an HTML document."""
    ev = m.Evaluator(doc)
    title = escape(doc["properties"]["title"])
    parts = [f"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title>",
             "<style>table{border-collapse:collapse}th,td{border:1px solid #ccc;padding:2px 6px}"
             "th{background:#f3f3f3}</style></head><body>", f"<h1>{title}</h1>"]
    sheets = sorted(doc["sheets"], key=lambda s: s["properties"]["index"])
    if len(sheets) > 1:
        parts.append("<nav aria-label=\"Sheets\"><ul>")
        for sheet in sheets:
            parts.append(f"<li><a href=\"#sheet-{sheet['properties']['sheetId']}\">"
                         f"{escape(sheet['properties']['title'])}</a></li>")
        parts.append("</ul></nav>")
    for sheet in sheets:
        sheet_id = sheet["properties"]["sheetId"]
        name = escape(sheet["properties"]["title"])
        rows, cols = m.data_extent(sheet)
        parts.append(f"<section id=\"sheet-{sheet_id}\"><h2>{name}</h2>")
        if rows == 0:
            parts.append("<p>This sheet is empty.</p></section>")
            continue
        parts.append(f"<table><caption>{name}</caption><thead><tr><td></td>")
        parts.extend(f"<th scope=\"col\">{a1.column_letters(c)}</th>" for c in range(cols))
        parts.append("</tr></thead><tbody>")
        for r in range(rows):
            parts.append(f"<tr><th scope=\"row\">{r + 1}</th>")
            for c in range(cols):
                text = ev.formatted(sheet, r, c) or ""
                note = m.get_cell(sheet, r, c).get("n")
                extra = f" title=\"{escape(note)}\"" if note else ""
                parts.append(f"<td{extra}>{escape(text)}</td>")
            parts.append("</tr>")
        parts.append("</tbody></table></section>")
    parts.append("</body></html>")
    return "".join(parts)
