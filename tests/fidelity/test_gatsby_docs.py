"""Rebuild the real Google Docs recorded by gatsby-source-google-docs on the sandbox and compare.

Two routes, both through the real google-api-python-client on a sandbox server:

- **batchUpdate**: documents.create, then one batchUpdate that types the text (insertText), makes the
  tables (insertTable, then text into each cell), the bullets (tabs + createParagraphBullets) and the
  styles (updateParagraphStyle, updateTextStyle). The result must have the recorded structure: element
  kinds, named styles, bullet levels, text, and every index span (paragraphs, runs, tables, rows, cells).
- **HTML import**: the same document written as plain HTML (h1-h6, p, ul/li, table, b/i/u/a, br, hr) and
  uploaded through Drive with conversion; compared at paragraph level (run boundaries depend on styles
  HTML cannot carry, such as colours and fonts).

An inline image, footnote reference or (for batchUpdate) horizontal rule is rebuilt as one stand-in
character (U+FFFC, one index like the object), so the rest of its document is still compared; section
breaks inside the body cannot be made by either route and such documents are listed as not rebuildable.
Documents whose recorded spans were edited by hand (caveat in ``tests/fidelity/data/gatsby-docs/README.md``)
are compared and listed, not counted. ``ILT_WRITE_GATSBY_MISMATCHES=1`` rewrites ``gatsby_mismatches.md``
next to this file; the figures are kept in ``docs/fidelity.md``.
"""

from __future__ import annotations

import html
import json
import os
from pathlib import Path
from typing import Any

import pytest
from googleapiclient.http import MediaInMemoryUpload

from ilt_bot.sandbox.server import SandboxServer
from tests.conftest import make_service
from tests.fidelity.figures import record
from tests.fidelity.recordings import recordings

USER = "gatsby@fidelity.example.org"
FLOOR = 0.95
"""Share of compared items that must match, per route, over the rebuildable documents."""


class NotRebuildable(Exception):
    pass


def u16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@pytest.fixture(scope="module")
def services(sandbox_module: SandboxServer) -> Any:
    return make_service(sandbox_module, "docs", "v1", USER), make_service(sandbox_module, "drive", "v3", USER)


# ------------------------------------------------------------------------------------------ comparing
def items(content: list[dict[str, Any]], *, runs: bool, where: str = "body") -> dict[tuple, tuple]:
    """A comparable description of a body's structure: {(kind, place): (spans, style, text...)}.

    Runs are placed by their offset in the paragraph's text, so one extra run boundary costs one item,
    not every item after it.
    """
    out: dict[tuple, tuple] = {}
    for n, el in enumerate(content):
        span = (el.get("startIndex", 0), el.get("endIndex"))
        place = f"{where}[{n}]"
        if "sectionBreak" in el:
            out[("sectionBreak", place)] = span
        elif "paragraph" in el:
            para = el["paragraph"]
            text = "".join(_content(e) for e in para["elements"])
            bullet = para.get("bullet")
            level = bullet.get("nestingLevel", 0) if bullet else None
            out[("paragraph", place)] = (*span, para["paragraphStyle"].get("namedStyleType"), level, text)
            if runs and all("textRun" in e for e in para["elements"]):  # a stand-in merges into its runs
                offset = 0
                for e in para["elements"]:
                    out[("run", place, offset)] = (e.get("startIndex", 0), e.get("endIndex"), _content(e))
                    offset += u16(_content(e))
        elif "table" in el:
            table = el["table"]
            out[("table", place)] = (*span, table["rows"], table["columns"])
            for r, row in enumerate(table["tableRows"]):
                out[("row", f"{place}.r{r}")] = (row["startIndex"], row["endIndex"])
                for c, cell in enumerate(row["tableCells"]):
                    out[("cell", f"{place}.r{r}c{c}")] = (cell["startIndex"], cell["endIndex"])
                    out.update(items(cell["content"], runs=runs, where=f"{place}.r{r}c{c}"))
    return out


def compare(expected: dict[tuple, tuple], actual: dict[tuple, tuple]) -> tuple[int, int, list[str]]:
    keys = list(expected) + [k for k in actual if k not in expected]
    matched = sum(1 for k in keys if expected.get(k) == actual.get(k))
    problems = [f"{k}: recorded {expected.get(k)!r}, rebuilt {actual.get(k)!r}" for k in keys
                if expected.get(k) != actual.get(k)]
    return matched, len(keys), problems


def recorded_spans_consistent(content: list[dict[str, Any]]) -> bool:
    for el in content:
        if "paragraph" in el:
            for e in el["paragraph"]["elements"]:
                if "textRun" in e and e["endIndex"] - e.get("startIndex", 0) != u16(e["textRun"]["content"]):
                    return False
        elif "table" in el:
            for row in el["table"]["tableRows"]:
                for cell in row["tableCells"]:
                    if not recorded_spans_consistent(cell["content"]):
                        return False
    return True


# ------------------------------------------------------------------------------ route 1: batchUpdate
STAND_IN = "\ufffc"
"""Typed where the recorded document has an image, footnote reference or rule (one index, like them)."""


def _content(element: dict[str, Any]) -> str:
    return element["textRun"]["content"] if "textRun" in element else STAND_IN


def _paragraph_text(para: dict[str, Any]) -> str:
    return "".join(_content(e) for e in para["elements"])


def _style_requests(para: dict[str, Any], start: int) -> list[dict[str, Any]]:
    """The paragraph's named style and its runs' text styles, for a paragraph typed at ``start``."""
    styles: list[dict[str, Any]] = []
    named = para["paragraphStyle"].get("namedStyleType", "NORMAL_TEXT")
    if named != "NORMAL_TEXT":
        styles.append({"updateParagraphStyle": {"range": {"startIndex": start, "endIndex": start + 1},
                                                "paragraphStyle": {"namedStyleType": named},
                                                "fields": "namedStyleType"}})
    pos = start
    for e in para["elements"]:
        width = u16(_content(e))
        if "textRun" in e and e["textRun"].get("textStyle"):
            styles.append({"updateTextStyle": {"range": {"startIndex": pos, "endIndex": pos + width},
                                               "textStyle": e["textRun"]["textStyle"],
                                               "fields": ",".join(e["textRun"]["textStyle"])}})
        pos += width
    return styles


def _usable_styles(styles: list[dict[str, Any]], cursor: int) -> list[dict[str, Any]]:
    """Style requests clipped before the body's final newline, which nothing can address (Google refuses it too)."""
    usable = []
    for request in styles:
        kind, body = next(iter(request.items()))
        rng = body["range"]
        if rng["endIndex"] >= cursor:
            if kind == "updateParagraphStyle":
                raise NotRebuildable(f"{kind} of the body's final empty paragraph cannot be requested")
            if rng["startIndex"] >= cursor - 1:
                continue  # only the final newline: it keeps the default style (a mismatch shows it)
            rng["endIndex"] = cursor - 1
        usable.append(request)
    return usable


class _Rebuild:
    """Collects the content requests (text, tables, bullets) and, apart, the style requests applied after."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.styles: list[dict[str, Any]] = []

    def paragraph(self, para: dict[str, Any], at: int, merge: bool) -> int:
        """Types ``para`` at ``at`` (without its newline when ``merge``); returns the index after it."""
        text = _paragraph_text(para)
        typed = text[:-1] if merge else text
        bullet = para.get("bullet")
        tabs = "\t" * bullet.get("nestingLevel", 0) if bullet else ""
        if typed or tabs:
            self.requests.append({"insertText": {"location": {"index": at}, "text": tabs + typed}})
        if bullet:
            end = at + u16(tabs + typed)
            if end == at:
                raise NotRebuildable("an empty bullet merged into the trailing paragraph")
            self.requests.append({"createParagraphBullets": {"range": {"startIndex": at, "endIndex": end},
                                                             "bulletPreset": "BULLET_DISC_CIRCLE_SQUARE"}})
        self.styles.extend(_style_requests(para, at))
        return at + u16(text)

    def table(self, table: dict[str, Any], cursor: int) -> int:
        """Inserts ``table`` before the paragraph ending at ``cursor`` and fills its cells; returns the next index."""
        self.requests.append({"insertTable": {"rows": table["rows"], "columns": table["columns"],
                                              "location": {"index": cursor - 1}}})
        pos = cursor + 1
        for row in table["tableRows"]:
            pos += 1
            for cell in row["tableCells"]:
                pos += 1
                paras = cell["content"]
                if any("paragraph" not in p for p in paras):
                    raise NotRebuildable("a table inside a table cell")
                for n, p in enumerate(paras):
                    pos = self.paragraph(p["paragraph"], pos, merge=n == len(paras) - 1)
        return pos + 1


def rebuild_requests(content: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Requests that turn a new document into ``content`` (positions follow Google's index rules)."""
    rebuild = _Rebuild()
    body = content[1:]
    cursor = 1
    for i, el in enumerate(body):
        following = body[i + 1] if i + 1 < len(body) else None
        if "sectionBreak" in el:
            raise NotRebuildable("a section break inside the body")
        if "paragraph" in el:
            cursor = rebuild.paragraph(el["paragraph"], cursor, merge=following is None or "table" in following)
            continue
        cursor = rebuild.table(el["table"], cursor)
        if following is None:
            raise NotRebuildable("a body ending with a table")
    return rebuild.requests + _usable_styles(rebuild.styles, cursor)


def rebuild_by_batch_update(docs: Any, real: dict[str, Any]) -> dict[str, Any]:
    requests = rebuild_requests(real["body"]["content"])
    doc = docs.documents().create(body={"title": real["title"]}).execute()
    if requests:
        docs.documents().batchUpdate(documentId=doc["documentId"], body={"requests": requests}).execute()
    return docs.documents().get(documentId=doc["documentId"]).execute()


# ------------------------------------------------------------------------------ route 2: HTML import
def _run_html(text: str, style: dict[str, Any]) -> str:
    body = "<br>".join(html.escape(part) for part in text.split("\u000b"))
    if "  " in text or text.startswith(" ") or text.endswith(" ") or "\t" in text:
        body = f'<span style="white-space:pre-wrap">{body}</span>'
    for key, tag in (("bold", "b"), ("italic", "i"), ("underline", "u"), ("strikethrough", "s")):
        if style.get(key):
            body = f"<{tag}>{body}</{tag}>"
    if style.get("baselineOffset") in ("SUPERSCRIPT", "SUBSCRIPT"):
        tag = "sup" if style["baselineOffset"] == "SUPERSCRIPT" else "sub"
        body = f"<{tag}>{body}</{tag}>"
    url = (style.get("link") or {}).get("url")
    return f'<a href="{html.escape(url)}">{body}</a>' if url else body


def html_of(content: list[dict[str, Any]]) -> str:
    """The document as the HTML a person would upload to get it."""
    out: list[str] = []
    depth = -1
    for el in content:
        if "sectionBreak" in el:
            if el.get("startIndex"):
                raise NotRebuildable("a section break inside the body")
            continue
        if "table" in el:
            rows = "".join("<tr>" + "".join(f"<td>{html_of(cell['content'])}</td>" for cell in row["tableCells"])
                           + "</tr>" for row in el["table"]["tableRows"])
            out.append("</li></ul>" * (depth + 1))
            depth = -1
            out.append(f"<table>{rows}</table>")
            continue
        para = el["paragraph"]
        parts = []
        for e in para["elements"]:
            if "horizontalRule" in e:
                parts.append("<hr>")
            elif "textRun" in e:
                text = e["textRun"]["content"].rstrip("\n")
                if text:
                    parts.append(_run_html(text, e["textRun"].get("textStyle", {})))
            else:
                parts.append(STAND_IN)
        inner = "".join(parts)
        bullet = para.get("bullet")
        if bullet:
            level = bullet.get("nestingLevel", 0)
            if level > depth:
                out.append("<ul>" * (level - depth))
            elif level < depth:
                out.append("</li></ul>" * (depth - level) + "</li>")
            else:
                out.append("</li>")
            depth = level
            out.append(f"<li>{inner}")
            continue
        out.append("</li></ul>" * (depth + 1))
        depth = -1
        named = para["paragraphStyle"].get("namedStyleType", "NORMAL_TEXT")
        if inner == "<hr>":
            out.append("<hr>")
        elif named.startswith("HEADING_"):
            out.append(f"<h{named[-1]}>{inner}</h{named[-1]}>")
        elif named in ("TITLE", "SUBTITLE"):
            out.append(f'<p class="{named.lower()}">{inner}</p>')
        else:
            out.append(f"<p>{inner}</p>")
    out.append("</li></ul>" * (depth + 1))
    return "".join(out)


def rebuild_by_import(docs: Any, drive: Any, real: dict[str, Any]) -> dict[str, Any]:
    page = f"<html><head><title>{html.escape(real['title'])}</title></head><body>{html_of(real['body']['content'])}"
    media = MediaInMemoryUpload(page.encode("utf-8"), mimetype="text/html")
    made = drive.files().create(body={"name": real["title"], "mimeType": "application/vnd.google-apps.document"},
                                media_body=media, fields="id").execute()
    return docs.documents().get(documentId=made["id"]).execute()


# ------------------------------------------------------------------------------------------- the test
def run_route(route: str, services: Any) -> tuple[int, int, list[str], list[str]]:
    docs, drive = services
    matched = total = 0
    report: list[str] = []
    skipped: list[str] = []
    for path in sorted(recordings("gatsby-docs").glob("*.json")):
        real = json.loads(path.read_text())
        content = real["body"]["content"]
        try:
            if route == "batchUpdate":
                rebuilt = rebuild_by_batch_update(docs, real)
            else:
                rebuilt = rebuild_by_import(docs, drive, real)
        except NotRebuildable as why:
            skipped.append(f"- `{path.name}`: {why}")
            continue
        runs = route == "batchUpdate"
        expected, actual = items(content, runs=runs), items(rebuilt["body"]["content"], runs=runs)
        stand_ins = {k[1] for k, v in expected.items() if k[0] == "paragraph" and STAND_IN in v[-1]}
        actual = {k: v for k, v in actual.items() if not (k[0] == "run" and k[1] in stand_ins)}
        m, t, problems = compare(expected, actual)
        if recorded_spans_consistent(content):
            matched += m
            total += t
            note = ""
        else:
            note = " (not counted: the recorded spans were edited by hand, README caveat)"
        report.append(f"- `{path.name}`: {m}/{t} items match{note}")
        report.extend(f"  - {p}" for p in problems[:12])
        if len(problems) > 12:
            report.append(f"  - ... {len(problems) - 12} more")
    return matched, total, report, skipped


def _write_report(sections: dict[str, tuple[int, int, list[str], list[str]]]) -> None:
    lines = ["# Gatsby documents rebuilt on the sandbox: mismatches", "",
             "Written by `ILT_WRITE_GATSBY_MISMATCHES=1 pytest tests/fidelity/test_gatsby_docs.py`.", "",
             "Known causes: in codes.json and horizontal-rule.json Google keeps a paragraph's newline in a run of",
             "its own although it reports the same (empty) textStyle as the text before it; nothing in the answer",
             "explains the split, so the sandbox merges equal neighbouring runs. links.json, texts.json and",
             "empty.json were edited by hand after capture (README), so their later spans cannot match.", ""]
    for route, (matched, total, report, skipped) in sections.items():
        lines += [f"## {route}", "", f"Matched {matched}/{total} items ({matched / max(total, 1):.1%}).", "",
                  *report, "", "Not rebuildable by this route:", "", *skipped, ""]
    (Path(__file__).parent / "gatsby_mismatches.md").write_text("\n".join(lines))


_RESULTS: dict[str, tuple[int, int, list[str], list[str]]] = {}


@pytest.mark.parametrize("route", ["batchUpdate", "HTML import"])
def test_gatsby_documents_rebuild_with_recorded_structure(services: Any, route: str) -> None:
    matched, total, report, skipped = run_route(route, services)
    _RESULTS[route] = (matched, total, report, skipped)
    record(f"gatsby documents, {route} route", matched, total, "compared items")
    if os.environ.get("ILT_WRITE_GATSBY_MISMATCHES") and len(_RESULTS) == 2:
        _write_report(_RESULTS)
    assert total > 60, "too little was compared to mean anything"
    assert matched / total >= FLOOR, "\n".join(report)


# ---------------------------------------------------------------------------------------------- shapes
def paths(value: Any, prefix: str = "") -> set[str]:
    """Every key path in a JSON value (list items, ids and table nesting collapsed)."""
    out: set[str] = set()
    prefix = prefix.replace(".table.tableRows[].tableCells[].content[]", "")  # a cell holds body content
    if isinstance(value, dict):
        for key, item in value.items():
            name = "<id>" if key.startswith(("kix.", "h.")) else key
            out.add(f"{prefix}.{name}".replace(".table.tableRows[].tableCells[].content[]", ""))
            out |= paths(item, f"{prefix}.{name}")
    elif isinstance(value, list):
        for item in value:
            out |= paths(item, f"{prefix}[]")
    return out


NEWER_THAN_THE_RECORDINGS = {".documentStyle.documentFormat", ".documentStyle.documentFormat.documentMode"}
"""Fields Google added after 2021 (present in the discovery document the sandbox follows)."""


def test_documents_get_uses_only_fields_google_returned(services: Any) -> None:
    docs, drive = services
    recorded: set[str] = set()
    for path in recordings("gatsby-docs").glob("*.json"):
        recorded |= paths(json.loads(path.read_text()))
    page = ("<h1>Agenda</h1><p class='title'>T</p><p>Hello <b>bold</b> <a href='https://example.org'>link</a></p>"
            "<ol><li>one<ul><li>two</li></ul></li></ol><table><tr><th>Role</th><th>Who</th></tr>"
            "<tr><td>a</td><td>b</td></tr></table><hr>")
    made = drive.files().create(body={"name": "Shapes", "mimeType": "application/vnd.google-apps.document"},
                                media_body=MediaInMemoryUpload(page.encode(), mimetype="text/html"),
                                fields="id").execute()
    ours = paths(docs.documents().get(documentId=made["id"]).execute())
    unknown = ours - recorded - NEWER_THAN_THE_RECORDINGS
    assert not unknown, sorted(unknown)
    for needed in (".body.content[].paragraph.elements[].textRun.textStyle.link.url",
                   ".body.content[].table.tableRows[].tableCells[].tableCellStyle.contentAlignment",
                   ".lists.<id>.listProperties.nestingLevels[].glyphType", ".namedStyles.styles[].paragraphStyle",
                   ".body.content[].paragraph.bullet.nestingLevel", ".revisionId", ".suggestionsViewMode"):
        assert needed in ours
