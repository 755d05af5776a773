"""Simulated people acting on a sandbox through the surfaces people use (browser Forms, Docs and Sheets APIs).

What they write is :mod:`ilt_bot.demo.phrases` (seeded, so a rerun of the demo answers the same way).
"""

from __future__ import annotations

import html
import re
from typing import Any
from urllib.parse import urlsplit

from ilt_bot.demo.phrases import rng

__all__ = ["People", "cell_text", "form_fields", "rng"]


# --- people acting on a sandbox, through the surfaces people use ------------------------------------


class People:
    """ILT members acting on the sandbox at ``base_url`` as a person would.

    - answer a Form in a browser: sign in at ``/_sandbox/login?email=``, open the responder page,
      post its fields (``entry.<questionId>``), found by the question titles shown on the page;
    - type into an agenda Doc with the Docs API as that member's editor does (insertTableRow, insertText);
    - edit a tracker cell (Sheets API, RAW), trash a file (Drive API).
    """

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")
        self._sessions: dict[str, Any] = {}
        self._services: dict[tuple[str, str], Any] = {}

    # -- browser -------------------------------------------------------------------------------------

    def browser(self, email: str) -> Any:
        """A ``requests`` session signed in as ``email`` (session cookie)."""
        import requests

        if email not in self._sessions:
            session = requests.Session()
            answer = session.get(f"{self.base_url}/_sandbox/login", params={"email": email}, timeout=30,
                                 allow_redirects=False)
            if answer.status_code not in (200, 302, 303):
                raise RuntimeError(f"sign-in as {email} failed: HTTP {answer.status_code}")
            self._sessions[email] = session
        return self._sessions[email]

    def _page_url(self, responder_uri: str) -> str:
        parts = urlsplit(responder_uri)
        return f"{self.base_url}{parts.path}"

    def answer_form(self, responder_uri: str, email: str, answers: dict[str, str]) -> None:
        """Fill and submit the Form: ``answers`` maps the start of a question's title to the answer."""
        session = self.browser(email)
        url = self._page_url(responder_uri)
        page = session.get(url, timeout=30)
        if page.status_code != 200:
            raise RuntimeError(f"{email} cannot open the form: HTTP {page.status_code}")
        fields = form_fields(page.text)
        data: dict[str, str] = {}
        for prefix, value in answers.items():
            name = next((n for title, n in fields if title.startswith(prefix)), None)
            if name is None:
                raise KeyError(f"no question starting with {prefix!r} on the form (questions: {fields})")
            data[name] = value
        if 'name="emailAddress"' in page.text:
            data["emailAddress"] = email
        sent = session.post(url, data=data, timeout=30)
        if sent.status_code != 200:
            raise RuntimeError(f"{email} could not submit the form: HTTP {sent.status_code}")

    # -- APIs as the person --------------------------------------------------------------------------

    def service(self, email: str, api: str, version: str) -> Any:
        from google_auth_httplib2 import AuthorizedHttp
        from googleapiclient.discovery import build

        from ilt_bot.sandbox.identity import sandbox_credentials
        from ilt_bot.workspace.transport import sandbox_http

        if (email, api) not in self._services:
            http = AuthorizedHttp(sandbox_credentials(email), http=sandbox_http(self.base_url))
            self._services[(email, api)] = build(api, version, http=http, static_discovery=True,
                                                 cache_discovery=False)
        return self._services[(email, api)]

    def _table(self, doc_id: str, email: str, first_header: str) -> dict[str, Any]:
        doc = self.service(email, "docs", "v1").documents().get(documentId=doc_id).execute()
        for element in doc["body"]["content"]:
            table = element.get("table")
            if table and cell_text(table["tableRows"][0]["tableCells"][0]) == first_header:
                return element
        raise LookupError(f"no table starting with {first_header!r} in Doc {doc_id}")

    def add_table_row(self, doc_id: str, email: str, first_header: str, cells: list[str]) -> None:
        """Type a row into the table whose first header cell is ``first_header`` (a new row unless the
        last one is still empty), the way an editor does: insertTableRow, then insertText per cell."""
        docs = self.service(email, "docs", "v1").documents()
        element = self._table(doc_id, email, first_header)
        rows = element["table"]["tableRows"]
        last = rows[-1]
        if any(cell_text(c) for c in last["tableCells"]) or len(rows) == 1:
            request = {"insertTableRow": {"tableCellLocation": {
                "tableStartLocation": {"index": element["startIndex"]}, "rowIndex": len(rows) - 1,
                "columnIndex": 0}, "insertBelow": True}}
            docs.batchUpdate(documentId=doc_id, body={"requests": [request]}).execute()
            element = self._table(doc_id, email, first_header)
            last = element["table"]["tableRows"][-1]
        self._fill(doc_id, email, last, cells)

    def set_cell(self, doc_id: str, email: str, first_header: str, row_first_cell: str, column: int,
                 text: str, *, match_column: int = 0) -> None:
        """Replace the text of one cell (row found by its cell in ``match_column``, the first by default)."""
        element = self._table(doc_id, email, first_header)
        row = next(r for r in element["table"]["tableRows"]
                   if cell_text(r["tableCells"][match_column]) == row_first_cell)
        cell = row["tableCells"][column]
        requests: list[dict[str, Any]] = []
        start = cell["content"][0]["startIndex"]
        end = cell["content"][-1]["endIndex"] - 1  # keep the cell's last newline
        if end > start:
            requests.append({"deleteContentRange": {"range": {"startIndex": start, "endIndex": end}}})
        requests.append({"insertText": {"location": {"index": start}, "text": text}})
        self.service(email, "docs", "v1").documents().batchUpdate(
            documentId=doc_id, body={"requests": requests}).execute()

    def _fill(self, doc_id: str, email: str, row: dict[str, Any], cells: list[str]) -> None:
        requests = []
        pairs = list(zip(row["tableCells"], cells, strict=False))
        for cell, text in reversed(pairs):  # from the end, so earlier indexes stay valid
            if text:
                requests.append({"insertText": {"location": {"index": cell["content"][0]["startIndex"]},
                                                "text": text}})
        if requests:
            self.service(email, "docs", "v1").documents().batchUpdate(
                documentId=doc_id, body={"requests": requests}).execute()

    def set_sheet_cell(self, spreadsheet_id: str, email: str, a1: str, value: str) -> None:
        self.service(email, "sheets", "v4").spreadsheets().values().update(
            spreadsheetId=spreadsheet_id, range=a1, valueInputOption="RAW", body={"values": [[value]]}).execute()

    def trash(self, file_id: str, email: str) -> None:
        self.service(email, "drive", "v3").files().update(
            fileId=file_id, body={"trashed": True}, supportsAllDrives=True).execute()


def cell_text(cell: dict[str, Any]) -> str:
    """The text of a Docs table cell (its paragraphs joined), trimmed."""
    out = []
    for element in cell.get("content", []):
        for run in element.get("paragraph", {}).get("elements", []):
            out.append(run.get("textRun", {}).get("content", ""))
    return "".join(out).strip()


def form_fields(page: str) -> list[tuple[str, str]]:
    """(question title, field name) of each question on a responder page, in order."""
    out: list[tuple[str, str]] = []
    for match in re.finditer(r'<(?:label class="label"[^>]*|legend)>(.*?)</(?:label|legend)>'
                             r'((?:(?!<label class="label"|<legend).)*?)name="(entry\.[^".]+)"', page, re.S):
        title = html.unescape(re.sub(r"<[^>]+>.*", "", match.group(1), flags=re.S)).strip()
        out.append((title, match.group(3)))
    return out
