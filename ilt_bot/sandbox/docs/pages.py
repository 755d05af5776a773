"""The Doc as a person sees it in a browser: ``/_sandbox/docs/<document_id>`` (read only)."""

from __future__ import annotations

import html

from ilt_bot.sandbox.core import DOC_MIME, PageRequest, Result, html_page, page
from ilt_bot.sandbox.docs import models, render
from ilt_bot.sandbox.drive import models as drive

_CSS = (
    "body{font-family:Arial,sans-serif;max-width:50rem;margin:0 auto;padding:1rem;line-height:1.4;color:#202124}"
    "header{border-bottom:1px solid #dadce0;margin-bottom:1rem}"
    "table{border-collapse:collapse;margin:.5rem 0}td{border:1px solid #5f6368;padding:.3rem;vertical-align:top}"
    ".title{font-size:2rem}.subtitle{font-size:1.3rem;color:#5f6368}a{color:#1155cc}"
)


def _message(title: str, text: str, status: int) -> Result:
    return html_page(
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
        f"<style>{_CSS}</style></head><body><main><h1>{html.escape(title)}</h1><p>{text}</p></main></body></html>",
        status,
    )


@page("/_sandbox/docs/<document_id>")
def doc_page(request: PageRequest) -> Result:
    """The Doc rendered as accessible HTML for a signed-in user who may read it.

    Also served at the path of a Doc's ``webViewLink`` (``/document/d/<id>/edit``) on the sandbox's host.
    """
    doc_id = request.path_params["document_id"]
    if request.user is None:
        return _message("Sign in required",
                        'Sign in first: <a href="/_sandbox/login?email=you@example.org">/_sandbox/login?email=…</a>',
                        401)
    record = drive.get_file(request.store, doc_id)
    doc = models.load(request.store, doc_id) if record is not None else None
    if record is None or doc is None or record.get("mimeType") != DOC_MIME:
        return _message("Not found", "This document does not exist.", 404)
    if drive.role_of(request.store, request.user, doc_id) is None:
        return _message("You need access", f"{html.escape(request.user)} cannot open this document.", 403)
    title = html.escape(doc["title"])
    body = render.content_html(doc["content"], doc.get("lists", {}))
    return html_page(
        f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{title} - Google Docs</title>'
        f"<style>{_CSS}</style></head><body>"
        f'<header><p><strong>{title}</strong> · signed in as {html.escape(request.user)}</p></header>'
        f'<main><article aria-label="{title}" lang="en">{body}</article></main></body></html>'
    )


page("/document/d/<document_id>/edit")(doc_page)
