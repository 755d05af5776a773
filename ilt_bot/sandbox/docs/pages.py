"""The Doc as a person sees it in a browser: ``/_sandbox/docs/<document_id>``.

A signed-in reader sees the Doc as accessible HTML. A writer also gets the few edits a person makes
in the agenda Docs: add paragraphs at the end, write in a table cell, add a row to a table. A POST
applies them as one documents.batchUpdate by that person (same rules, same revision bump), then
redirects back to the page.
"""

from __future__ import annotations

import html
from typing import Any
from urllib.parse import quote

from ilt_bot.sandbox.core import DOC_MIME, ApiError, PageRequest, Result, html_page, page
from ilt_bot.sandbox.docs import models, render
from ilt_bot.sandbox.drive import models as drive
from ilt_bot.sandbox.pages import local_links

_CSS = (
    "body{font-family:Arial,sans-serif;max-width:50rem;margin:0 auto;padding:1rem;line-height:1.4;color:#202124}"
    "header{border-bottom:1px solid #dadce0;margin-bottom:1rem}"
    "table{border-collapse:collapse;margin:.5rem 0}td{border:1px solid #5f6368;padding:.3rem;vertical-align:top}"
    ".title{font-size:2rem}.subtitle{font-size:1.3rem;color:#5f6368}a{color:#1155cc}"
    "section.edit{border-top:1px solid #dadce0;margin-top:2rem}form{margin:1rem 0}label{display:block}"
    "textarea{width:100%;min-height:4rem}.error{color:#b3261e}"
)


def _html(title: str, body: str, status: int = 200) -> Result:
    return html_page(
        f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{html.escape(title)}</title>'
        f"<style>{_CSS}</style></head><body>{body}</body></html>",
        status,
    )


def _message(title: str, text: str, status: int) -> Result:
    return _html(title, f"<main><h1>{html.escape(title)}</h1><p>{text}</p></main>", status)


@page("/_sandbox/docs/<document_id>", ("GET", "POST"))
def doc_page(request: PageRequest) -> Result:
    """The Doc rendered as accessible HTML for a signed-in user who may read it (and edit forms for writers).

    Also served at the path of a Doc's ``webViewLink`` (``/document/d/<id>/edit``) on the sandbox's host.
    """
    doc_id = request.path_params["document_id"]
    if request.user is None:
        here = quote(f"/_sandbox/docs/{doc_id}")
        return _message("Sign in required", f'<a href="/_sandbox/login?next={here}">Sign in</a> to open this '
                                            "document.", 401)
    record = drive.get_file(request.store, doc_id)
    doc = models.load(request.store, doc_id) if record is not None else None
    if record is None or doc is None or record.get("mimeType") != DOC_MIME:
        return _message("Not found", "This document does not exist.", 404)
    role = drive.role_of(request.store, request.user, doc_id)
    if role is None:
        return _message("You need access", f"{html.escape(request.user)} cannot open this document.", 403)
    can_edit = drive.is_editor(role)
    error = ""
    if request.method == "POST":
        if not can_edit:
            return _message("You need edit access", f"{html.escape(request.user)} can only view this document.",
                            403)
        try:
            with request.store.transaction():
                doc = models.load(request.store, doc_id) or doc
                requests = _edit_requests(doc, request.form)
                if requests:
                    models.batch_update(doc, requests)
                    models.save(request.store, doc)
                    drive.touch(request.store, doc_id, request.user, request.now)
        except ApiError as refused:
            error = refused.message
        else:
            return Result(status=303, content_type="text/html; charset=utf-8", raw=b"",
                          headers={"Location": f"/_sandbox/docs/{doc_id}"})
    title = html.escape(doc["title"])
    body = local_links(render.content_html(doc["content"], doc.get("lists", {})), request.base_url)
    edit = _edit_forms(doc, error) if can_edit else ""
    return _html(
        f"{doc['title']} - Google Docs",
        f'<header><p><strong>{title}</strong> · signed in as {html.escape(request.user)}</p></header>'
        f'<main><article aria-label="{title}" lang="en">{body}</article>{edit}</main>',
        400 if error else 200,
    )


page("/document/d/<document_id>/edit", ("GET", "POST"))(doc_page)


def _tables(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """The body's top-level tables with their indices, as documents.get shows them."""
    content = models.document_json(doc)["body"]["content"]
    return [el for el in content if "table" in el]


def _number(form: dict[str, list[str]], name: str) -> int:
    try:
        return int((form.get(name) or ["0"])[0])
    except ValueError:
        return 0


def _edit_requests(doc: dict[str, Any], form: dict[str, list[str]]) -> list[dict[str, Any]]:
    """The batchUpdate requests a submitted edit form stands for."""
    action = (form.get("action") or [""])[0]
    text = (form.get("text") or [""])[0].replace("\r\n", "\n")
    if action == "append":
        return [{"insertText": {"endOfSegmentLocation": {}, "text": text}}] if text.strip() else []
    tables = _tables(doc)
    number = _number(form, "table")
    if not 1 <= number <= len(tables):
        raise ApiError(400, "Choose a table of this document.")
    table = tables[number - 1]
    location = {"tableStartLocation": {"index": table["startIndex"]},
                "rowIndex": table["table"]["rows"] - 1, "columnIndex": 0}
    if action == "add_row":
        return [{"insertTableRow": {"tableCellLocation": location, "insertBelow": True}}]
    if action == "cell":
        row, column = _number(form, "row"), _number(form, "column")
        if not (1 <= row <= table["table"]["rows"] and 1 <= column <= table["table"]["columns"]):
            raise ApiError(400, "That cell is not in the table.")
        cell = table["table"]["tableRows"][row - 1]["tableCells"][column - 1]
        start, end = cell["content"][0]["startIndex"], cell["endIndex"] - 1
        requests: list[dict[str, Any]] = []
        if end > start:
            requests.append({"deleteContentRange": {"range": {"startIndex": start, "endIndex": end}}})
        if text:
            requests.append({"insertText": {"location": {"index": start}, "text": text.rstrip("\n")}})
        return requests
    raise ApiError(400, "Unknown edit.")


def _edit_forms(doc: dict[str, Any], error: str) -> str:
    parts = ['<section class="edit" aria-labelledby="edit-heading"><h2 id="edit-heading">Edit</h2>']
    if error:
        parts.append(f'<p class="error" role="alert">{html.escape(error)}</p>')
    parts.append(
        '<form method="post"><input type="hidden" name="action" value="append">'
        '<label for="append-text">Add paragraphs at the end (one per line)</label>'
        '<textarea id="append-text" name="text"></textarea><button type="submit">Add</button></form>'
    )
    for number, table in enumerate(_tables(doc), start=1):
        rows, columns = table["table"]["rows"], table["table"]["columns"]
        parts.append(
            f'<form method="post"><fieldset><legend>Table {number}: write in a cell</legend>'
            f'<input type="hidden" name="action" value="cell"><input type="hidden" name="table" value="{number}">'
            f'<label for="t{number}-row">Row (1 to {rows})</label>'
            f'<input id="t{number}-row" name="row" type="number" min="1" max="{rows}" required>'
            f'<label for="t{number}-column">Column (1 to {columns})</label>'
            f'<input id="t{number}-column" name="column" type="number" min="1" max="{columns}" required>'
            f'<label for="t{number}-text">Text</label><textarea id="t{number}-text" name="text"></textarea>'
            f'<button type="submit">Save cell</button></fieldset></form>'
            f'<form method="post"><input type="hidden" name="action" value="add_row">'
            f'<input type="hidden" name="table" value="{number}">'
            f'<button type="submit">Add a row to table {number}</button></form>'
        )
    parts.append("</section>")
    return "".join(parts)
