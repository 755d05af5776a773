"""Docs v1 in the sandbox: the document model, its handlers, the Doc content kind and the Doc page."""

from __future__ import annotations

from ilt_bot.sandbox.core import DOC_MIME, ApiError, ContentKind, Media, register_content_kind
from ilt_bot.sandbox.docs import models, pages, pdf, render, responses  # noqa: F401  (registers handlers/pages)
from ilt_bot.sandbox.store import Store

EXPORTS = {
    "text/html": lambda doc: render.to_html(doc).encode("utf-8"),
    "text/plain": lambda doc: render.to_text(doc).encode("utf-8"),
    "text/markdown": lambda doc: render.to_markdown(doc).encode("utf-8"),
    "application/pdf": lambda doc: pdf.text_to_pdf(render.to_text(doc).lstrip("\ufeff"), doc.get("title", "")),
}
GOOGLE_ONLY_EXPORTS = (
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.oasis.opendocument.text",
    "application/rtf",
    "application/epub+zip",
    "application/zip",
)
"""Formats Google exports a Doc to that the sandbox does not (501, so a test notices)."""


def _import_media(store: Store, file_id: str, title: str, media: Media) -> None:
    from ilt_bot.sandbox import html_import

    content_type = media.content_type.split(";")[0].strip().lower()
    charset = "utf-8"
    for part in media.content_type.split(";")[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            charset = value.strip().strip('"')
    try:
        text = media.data.decode(charset, errors="replace")
    except LookupError:
        text = media.data.decode("utf-8", errors="replace")
    if content_type in ("text/html", "application/xhtml+xml"):
        content, lists = html_import.parse_html(text)
    elif content_type == "text/plain":
        content, lists = html_import.plain_text_content(text), {}
    else:
        raise ApiError(400, "The requested conversion is not supported.", reason="badRequest",
                       location="convertTo", location_type="parameter")
    models.replace_content(store, file_id, title, content, lists)


def _export(store: Store, file_id: str, mime_type: str) -> bytes:
    doc = models.load(store, file_id) or models.new_document(file_id, "")
    export = EXPORTS.get(mime_type)
    if export is not None:
        return export(doc)
    if mime_type in GOOGLE_ONLY_EXPORTS:
        raise ApiError(501, f"The sandbox cannot export a Google Doc as {mime_type} (Google can).",
                       reason="notImplemented")
    raise ApiError(400, "The requested conversion is not supported.", reason="badRequest",
                   location="mimeType", location_type="parameter")


def _text(store: Store, file_id: str) -> str:
    doc = models.load(store, file_id)
    return render.to_text(doc) if doc else ""


def _create_empty(store: Store, file_id: str, title: str) -> None:
    models.create_empty(store, file_id, title)


register_content_kind(ContentKind(
    mime_type=DOC_MIME,
    create_empty=_create_empty,
    import_media=_import_media,
    export=_export,
    copy=models.copy_document,
    delete=models.delete,
    rename=models.rename,
    export_formats=(*EXPORTS, *GOOGLE_ONLY_EXPORTS),
    text=_text,
))
