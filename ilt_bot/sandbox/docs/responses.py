"""Docs v1 handlers: documents.create, documents.get, documents.batchUpdate."""

from __future__ import annotations

from typing import Any

from ilt_bot.sandbox.core import DOC_MIME, ApiError, Call, implements
from ilt_bot.sandbox.docs import models
from ilt_bot.sandbox.drive import models as drive

NOT_FOUND = "Requested entity was not found."
DENIED = "The caller does not have permission"


def open_document(call: Call, *, write: bool) -> tuple[dict[str, Any], bool]:
    """The document named by the call and whether the caller may edit it (404/403 as Google answers)."""
    doc_id = call.param("documentId")
    record = drive.get_file(call.store, doc_id)
    doc = models.load(call.store, doc_id) if record is not None else None
    if record is None or doc is None or record.get("mimeType") != DOC_MIME:
        raise ApiError(404, NOT_FOUND)
    role = drive.role_of(call.store, call.user, doc_id)
    if role is None:
        raise ApiError(403, DENIED)
    can_edit = drive.is_editor(role)
    if write and not can_edit:
        raise ApiError(403, DENIED)
    return doc, can_edit


@implements("docs.documents.create")
def documents_create(call: Call) -> dict[str, Any]:
    """A blank document: only ``title`` is used, as with Google (it lands in the caller's My Drive)."""
    title = ((call.body or {}).get("title") or "").strip() or "Untitled document"
    record = drive.create_file(call.store, owner=call.user, name=title, mime_type=DOC_MIME, now=call.now)
    doc = models.create_empty(call.store, record["id"], record["name"])
    return models.document_json(doc)


@implements("docs.documents.get")
def documents_get(call: Call) -> dict[str, Any]:
    doc, can_edit = open_document(call, write=False)
    return models.document_json(
        doc,
        include_tabs=bool(call.query.get("includeTabsContent")),
        suggestions_view_mode=call.query.get("suggestionsViewMode"),
        can_edit=can_edit,
    )


@implements("docs.documents.batchUpdate")
def documents_batch_update(call: Call) -> dict[str, Any]:
    doc, _ = open_document(call, write=True)
    body = call.body or {}
    replies = models.batch_update(doc, list(body.get("requests") or []), body.get("writeControl"))
    models.save(call.store, doc)
    drive.touch(call.store, doc["documentId"], call.user, call.now)
    return {"replies": replies, "writeControl": {"requiredRevisionId": doc["revisionId"]},
            "documentId": doc["documentId"]}
