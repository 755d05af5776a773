"""Docs v1 operations: read the tables people filled in, and apply edits in one batchUpdate."""

from __future__ import annotations

from typing import Any

from ilt_bot.workspace.api import DocTable
from ilt_bot.workspace.clients import Caller


def element_text(elements: list[dict[str, Any]]) -> str:
    """The text of structural elements (paragraphs, and tables inside them), in order."""
    parts: list[str] = []
    for element in elements or []:
        if "paragraph" in element:
            for piece in element["paragraph"].get("elements", []) or []:
                run = piece.get("textRun")
                if run:
                    parts.append(run.get("content", ""))
        elif "table" in element:
            for row in element["table"].get("tableRows", []) or []:
                for cell in row.get("tableCells", []) or []:
                    parts.append(element_text(cell.get("content", [])))
    return "".join(parts)


def tables_of(document: dict[str, Any]) -> list[DocTable]:
    """Every top-level table in the document body (first tab), cell texts trimmed."""
    body = document.get("body")
    if body is None and document.get("tabs"):
        body = (document["tabs"][0].get("documentTab") or {}).get("body")
    tables: list[DocTable] = []
    for element in (body or {}).get("content", []) or []:
        table = element.get("table")
        if not table:
            continue
        rows = [[element_text(cell.get("content", [])).strip() for cell in row.get("tableCells", []) or []]
                for row in table.get("tableRows", []) or []]
        tables.append(DocTable(rows=rows))
    return tables


class DocsOps:
    """Docs calls for one user."""

    def __init__(self, caller: Caller, service: Any) -> None:
        self.caller = caller
        self.documents = service.documents

    def get(self, doc_id: str) -> dict[str, Any]:
        return self.caller.call(lambda: self.documents().get(documentId=doc_id), what=f"Reading Doc {doc_id}",
                                file_id=doc_id)

    def read_tables(self, doc_id: str) -> list[DocTable]:
        return tables_of(self.get(doc_id))

    def batch_update(self, doc_id: str, requests: list[dict[str, Any]]) -> dict[str, Any]:
        """Every edit in one atomic ``documents.batchUpdate``, applied at most once.

        The Doc's current ``revisionId`` is read first and sent as ``writeControl.requiredRevisionId``:
        if people edit in between, Google refuses the batch (400) instead of applying it over their
        change; if the answer is lost, a changed revision shows it was applied, so it is not re-sent.
        """
        revision = self.get(doc_id).get("revisionId")
        body: dict[str, Any] = {"requests": requests}
        if revision:
            body["writeControl"] = {"requiredRevisionId": revision}

        def recover() -> dict[str, Any] | None:
            now = self.get(doc_id).get("revisionId")
            return {"documentId": doc_id, "replies": [], "writeControl": {"requiredRevisionId": now}} \
                if revision and now != revision else None

        return self.caller.once(lambda: self.documents().batchUpdate(documentId=doc_id, body=body), recover,
                                what=f"Editing Doc {doc_id} ({len(requests)} changes)", file_id=doc_id)
