"""HTML uploaded through Drive becomes a Google Doc; Docs export to HTML/text/Markdown; the Doc page."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests
from googleapiclient.errors import HttpError
from googleapiclient.http import MediaInMemoryUpload

from ilt_bot.sandbox.server import SandboxServer
from tests.conftest import make_service

ANA = "ana@cedar.example.org"
BOB = "bob@cedar.example.org"
DOC = "application/vnd.google-apps.document"


@pytest.fixture
def server(sandbox: SandboxServer) -> SandboxServer:
    """The shared per-test sandbox (tests/conftest.py)."""
    return sandbox


def service(server: SandboxServer, api: str, version: str, user: str = ANA) -> Any:
    return make_service(server, api, version, user)


def upload(server: SandboxServer, page: str, mimetype: str = "text/html", name: str = "Imported") -> str:
    drive = service(server, "drive", "v3")
    media = MediaInMemoryUpload(page.encode("utf-8"), mimetype=mimetype)
    return drive.files().create(body={"name": name, "mimeType": DOC}, media_body=media, fields="id").execute()["id"]


def get(server: SandboxServer, doc_id: str) -> dict[str, Any]:
    return service(server, "docs", "v1").documents().get(documentId=doc_id).execute()


def paragraphs(doc: dict[str, Any]) -> list[tuple[str, str, int | None]]:
    """(named style, text, bullet level) of each body paragraph."""
    out = []
    for el in doc["body"]["content"]:
        if "paragraph" in el:
            para = el["paragraph"]
            text = "".join(e["textRun"]["content"] for e in para["elements"] if "textRun" in e)
            bullet = para.get("bullet")
            out.append((para["paragraphStyle"]["namedStyleType"], text,
                        bullet.get("nestingLevel", 0) if bullet else None))
    return out


def runs(doc: dict[str, Any], n: int) -> list[tuple[str, dict[str, Any]]]:
    para = [el for el in doc["body"]["content"] if "paragraph" in el][n]["paragraph"]
    return [(e["textRun"]["content"], e["textRun"]["textStyle"]) for e in para["elements"] if "textRun" in e]


# -------------------------------------------------------------------------------------------- import
def test_headings_paragraphs_and_inline_styles(server: SandboxServer) -> None:
    doc = get(server, upload(server, """<!doctype html><html><head><title>Ignored title</title>
        <style>p { color: red }</style><script>alert("x")</script></head><body>
        <h1>Agenda</h1><h3>Norms</h3>
        <p>Start   <b>on</b>
           <strong>time</strong>, <i>listen</i> &amp; <u>ask</u> <a href="https://example.org/a?b=1&amp;c=2">here</a></p>
        <div>Line one<br>line two</div>
        <p></p>
        <h6>Small</h6>
        </body></html>"""))
    assert paragraphs(doc) == [
        ("HEADING_1", "Agenda\n", None), ("HEADING_3", "Norms\n", None),
        ("NORMAL_TEXT", "Start on time, listen & ask here\n", None),
        ("NORMAL_TEXT", "Line one\u000bline two\n", None),
        ("NORMAL_TEXT", "\n", None), ("HEADING_6", "Small\n", None)]
    styled = runs(doc, 2)
    assert styled[:2] == [("Start ", {}), ("on", {"bold": True})]
    assert styled[3] == ("time", {"bold": True})
    assert ("listen", {"italic": True}) in styled and ("ask", {"underline": True}) in styled
    link = next(style for text, style in styled if text == "here")
    assert link["link"] == {"url": "https://example.org/a?b=1&c=2"}
    assert doc["body"]["content"][1]["paragraph"]["paragraphStyle"]["headingId"].startswith("h.")
    assert doc["title"] == "Imported"


def test_template_syntax_and_markup_in_text_stay_plain_text(server: SandboxServer) -> None:
    doc = get(server, upload(server, "<p>{{ meeting.date }} {% if x %}</p><p>&lt;script&gt;alert(1)&lt;/script&gt;"
                                     "</p><p>=SUM(A1:A3)</p><p><a href='javascript:alert(1)'>no link</a></p>"))
    assert [text for _, text, _ in paragraphs(doc)] == [
        "{{ meeting.date }} {% if x %}\n", "<script>alert(1)</script>\n", "=SUM(A1:A3)\n", "no link\n"]
    assert runs(doc, 3) == [("no link\n", {})]


def test_nested_lists(server: SandboxServer) -> None:
    doc = get(server, upload(server, """<ul><li>Plus<ul><li>what worked</li><li>why</li></ul></li>
        <li>Delta</li></ul><ol start="3"><li>first</li><li>second<ol><li>sub</li></ol></li></ol>"""))
    assert paragraphs(doc) == [
        ("NORMAL_TEXT", "Plus\n", 0), ("NORMAL_TEXT", "what worked\n", 1), ("NORMAL_TEXT", "why\n", 1),
        ("NORMAL_TEXT", "Delta\n", 0), ("NORMAL_TEXT", "first\n", 0), ("NORMAL_TEXT", "second\n", 0),
        ("NORMAL_TEXT", "sub\n", 1)]
    bullets = [el["paragraph"]["bullet"] for el in doc["body"]["content"][1:]]
    assert len({b["listId"] for b in bullets[:4]}) == 1
    assert bullets[4]["listId"] == bullets[6]["listId"] != bullets[0]["listId"]
    unordered = doc["lists"][bullets[0]["listId"]]["listProperties"]["nestingLevels"]
    ordered = doc["lists"][bullets[4]["listId"]]["listProperties"]["nestingLevels"]
    assert unordered[0]["glyphSymbol"] == "\u25cf" and "glyphType" not in unordered[0]
    assert ordered[0]["glyphType"] == "DECIMAL" and ordered[0]["startNumber"] == 3
    assert ordered[1]["glyphType"] == "ALPHA"


def test_tables(server: SandboxServer) -> None:
    doc = get(server, upload(server, """<p>Roles</p><table><thead><tr><th>Role</th><th>Who</th></tr></thead>
        <tbody><tr><td>Facilitator</td><td><p>Ana</p><p>Bob</p></td></tr><tr><td>Timekeeper</td></tr></tbody>
        </table>"""))
    content = doc["body"]["content"]
    assert [next(k for k in el if k not in ("startIndex", "endIndex")) for el in content] == [
        "sectionBreak", "paragraph", "table", "paragraph"]
    table = content[2]["table"]
    assert (table["rows"], table["columns"]) == (3, 2)
    cells = [[["".join(e["textRun"]["content"] for e in p["paragraph"]["elements"]) for p in c["content"]]
              for c in r["tableCells"]] for r in table["tableRows"]]
    assert cells == [[["Role\n"], ["Who\n"]], [["Facilitator\n"], ["Ana\n", "Bob\n"]], [["Timekeeper\n"], ["\n"]]]
    header = table["tableRows"][0]["tableCells"][0]["content"][0]["paragraph"]["elements"][0]["textRun"]
    assert header["textStyle"] == {"bold": True}
    assert content[2]["startIndex"] == content[1]["endIndex"] == 7
    assert content[3]["startIndex"] == content[2]["endIndex"]


def test_a_table_first_gets_a_paragraph_before_it(server: SandboxServer) -> None:
    doc = get(server, upload(server, "<table><tr><td>x</td></tr></table>"))
    content = doc["body"]["content"]
    assert "paragraph" in content[1] and content[1]["endIndex"] == 2
    assert content[2]["startIndex"] == 2 and "table" in content[2]


def test_whitespace_collapses_like_a_browser_except_pre(server: SandboxServer) -> None:
    doc = get(server, upload(server, "<p>  a \n\t b  <b> c </b> </p><pre>\nkeep   this\n  and this</pre>"
                                     "<p><span style='white-space:pre-wrap'>  two  spaces </span></p>"))
    assert [text for _, text, _ in paragraphs(doc)] == [
        "a b c\n", "keep   this\n", "  and this\n", "  two  spaces \n"]


def test_plain_text_upload_and_unsupported_conversion(server: SandboxServer) -> None:
    doc = get(server, upload(server, "line one\r\nline two\n", mimetype="text/plain"))
    assert [text for _, text, _ in paragraphs(doc)] == ["line one\n", "line two\n"]
    with pytest.raises(HttpError) as caught:
        upload(server, "%PDF-1.4", mimetype="application/pdf")
    assert caught.value.resp.status == 400


# -------------------------------------------------------------------------------------------- export
ROUND_TRIP = """<h1>Agenda <i>for</i> Sept 15</h1><p class="title">Title</p><p>Opening  with   spaces and a tab\t!</p>
<p><b>Bold</b> and <a href="https://example.org/x">a link</a> and <s>gone</s> x<sup>2</sup></p>
<ul><li>one<ul><li>one.a</li></ul></li><li>two</li></ul><ol><li>first</li></ol>
<table><tr><td>Role</td><td>Who</td></tr><tr><td><p>a</p><p>b</p></td><td></td></tr></table>
<p>Break<br>here</p><p>ends with a break<br><br></p><p><br></p><hr><p>{{ next_meeting }} &lt;b&gt; 😀</p>"""


def structure(doc: dict[str, Any]) -> list[Any]:
    """Everything but ids: kinds, spans, styles, text."""
    def strip(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k not in ("listId", "headingId")}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value
    return strip(doc["body"]["content"])


def test_html_export_imports_back_to_the_same_document(server: SandboxServer) -> None:
    original = upload(server, ROUND_TRIP)
    drive = service(server, "drive", "v3")
    exported = drive.files().export(fileId=original, mimeType="text/html").execute().decode("utf-8")
    assert "<script" not in exported
    again = upload(server, exported)
    assert structure(get(server, again)) == structure(get(server, original))
    first, second = get(server, original), get(server, again)
    assert len(first["lists"]) == len(second["lists"]) == 2


def test_text_and_markdown_exports(server: SandboxServer) -> None:
    doc_id = upload(server, ROUND_TRIP)
    drive = service(server, "drive", "v3")
    text = drive.files().export(fileId=doc_id, mimeType="text/plain").execute().decode("utf-8")
    assert text.startswith("\ufeffAgenda for Sept 15\r\nTitle\r\n")
    assert "\r\n* one\r\n    * one.a\r\n* two\r\n1. first\r\n" in text
    markdown = drive.files().export(fileId=doc_id, mimeType="text/markdown").execute().decode("utf-8")
    assert markdown.startswith("# Agenda *for* Sept 15\n\n# Title\n")
    assert "**Bold** and [a link](https://example.org/x)" in markdown
    assert "| Role | Who |" in markdown
    assert "\\{\\{" not in markdown and "{{ next\\_meeting }}" in markdown
    docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    with pytest.raises(HttpError) as caught:
        drive.files().export(fileId=doc_id, mimeType=docx).execute()
    assert caught.value.resp.status == 501


def test_pdf_export_is_a_real_pdf_of_the_text(server: SandboxServer) -> None:
    """Google exports a Doc as ``application/pdf`` (Drive's export formats for Docs); the sandbox makes a
    small valid PDF of the document's text: ``%PDF-`` header, the words inside, ``%%EOF`` at the end."""
    doc_id = upload(server, "<h1>Agenda (Sept 15)</h1><p>Norms and celebrations</p>" + "<p>Line</p>" * 80)
    data = service(server, "drive", "v3").files().export(fileId=doc_id, mimeType="application/pdf").execute()
    assert data.startswith(b"%PDF-1.4") and data.rstrip().endswith(b"%%EOF")
    assert b"(Agenda \\(Sept 15\\)) Tj" in data and b"(Norms and celebrations) Tj" in data
    assert b"/Count 2" in data  # 80 more lines need a second page
    xref = int(data.rsplit(b"startxref", 1)[1].split()[0])
    assert data[xref:].startswith(b"xref")


def test_copy_and_rename_through_drive(server: SandboxServer) -> None:
    doc_id = upload(server, "<h2>Template</h2><p>{{ date }}</p>")
    drive = service(server, "drive", "v3")
    copy = drive.files().copy(fileId=doc_id, body={"name": "Agenda 2026-09-15"}).execute()
    copied = get(server, copy["id"])
    assert copied["title"] == "Agenda 2026-09-15"
    assert structure(copied) == structure(get(server, doc_id))
    drive.files().update(fileId=doc_id, body={"name": "Renamed"}).execute()
    assert get(server, doc_id)["title"] == "Renamed"


# ---------------------------------------------------------------------------------------------- page
def test_doc_page_for_readers_only(server: SandboxServer) -> None:
    doc_id = upload(server, "<h1>Agenda</h1><p>Hello <b>team</b> &lt;b&gt;</p><ul><li>item</li></ul>")
    url = f"{server.url}/_sandbox/docs/{doc_id}"
    page = requests.get(url, headers={"Authorization": f"Bearer sandbox:{ANA}"}, timeout=10)
    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/html")
    assert '<html lang="en">' in page.text and "<title>Imported - Google Docs</title>" in page.text
    assert "<h1" in page.text and "Agenda</span></h1>" in page.text
    assert "&lt;b&gt;" in page.text and "<li><span>item</span>" in page.text
    assert requests.get(url, headers={"Authorization": f"Bearer sandbox:{BOB}"}, timeout=10).status_code == 403
    assert requests.get(url, timeout=10).status_code == 401
    missing = requests.get(f"{server.url}/_sandbox/docs/1nope", headers={"Authorization": f"Bearer sandbox:{ANA}"},
                           timeout=10)
    assert missing.status_code == 404
    drive = service(server, "drive", "v3")
    drive.permissions().create(fileId=doc_id, body={"type": "user", "role": "reader", "emailAddress": BOB},
                               sendNotificationEmail=False).execute()
    session = requests.Session()
    session.get(f"{server.url}/_sandbox/login", params={"email": BOB}, timeout=10)
    assert session.get(url, timeout=10).status_code == 200
    link = drive.files().get(fileId=doc_id, fields="webViewLink").execute()["webViewLink"]
    path = link.split("docs.google.com", 1)[1].split("?")[0]
    assert "Agenda</span></h1>" in session.get(server.url + path, timeout=10).text


def test_error_body_shape_is_googles(server: SandboxServer) -> None:
    docs = service(server, "docs", "v1").documents()
    with pytest.raises(HttpError) as caught:
        docs.get(documentId="1missing").execute()
    assert json.loads(caught.value.content) == {"error": {"code": 404, "message": "Requested entity was not found.",
                                                          "status": "NOT_FOUND"}}


def test_exported_template_text_comes_back_for_jinja(server: SandboxServer) -> None:
    from ilt_bot.render import jinja_from_exported_html

    typed = '{{ "Yes" if count > 1 else "No" }} & {% for n in norms %}{{ n }}{% endfor %}'
    doc_id = service(server, "docs", "v1").documents().create(body={"title": "Template"}).execute()["documentId"]
    service(server, "docs", "v1").documents().batchUpdate(documentId=doc_id, body={"requests": [
        {"insertText": {"location": {"index": 1}, "text": typed}}]}).execute()
    exported = service(server, "drive", "v3").files().export(fileId=doc_id, mimeType="text/html").execute()
    exported = exported.decode("utf-8")
    assert "&quot;Yes&quot;" in exported and "count &gt; 1" in exported and " &amp; " in exported
    assert typed.replace(" & ", " &amp; ") in jinja_from_exported_html(exported)


def test_misnested_inline_tags_are_repaired_like_a_browser(server: SandboxServer) -> None:
    doc = get(server, upload(server, "<p>Up <b>bold <i>both</b> italic</i> plain<br></p><p><br></p>"))
    assert runs(doc, 0) == [("Up ", {}), ("bold ", {"bold": True}), ("both", {"bold": True, "italic": True}),
                            (" italic", {"italic": True}), (" plain\n", {})]
    assert [text for _, text, _ in paragraphs(doc)] == ["Up bold both italic plain\n", "\n"]


def test_a_writer_edits_the_doc_in_the_browser(server: SandboxServer) -> None:
    doc_id = upload(server, "<h1>Agenda</h1><table><tr><th>What</th><th>Who</th></tr><tr><td></td><td></td></tr>"
                            "</table>")
    drive = service(server, "drive", "v3")
    drive.permissions().create(fileId=doc_id, body={"type": "user", "role": "writer", "emailAddress": BOB},
                               sendNotificationEmail=False).execute()
    before = get(server, doc_id)["revisionId"]
    browser = requests.Session()
    browser.get(f"{server.url}/_sandbox/login", params={"email": BOB}, timeout=10)
    url = f"{server.url}/_sandbox/docs/{doc_id}"
    assert "Table 1: write in a cell" in browser.get(url, timeout=10).text
    assert browser.post(url, data={"action": "cell", "table": "1", "row": "2", "column": "1",
                                   "text": "Share <data> 😀"}, timeout=10).status_code == 200  # after the redirect
    browser.post(url, data={"action": "add_row", "table": "1"}, timeout=10)
    browser.post(url, data={"action": "cell", "table": "1", "row": "3", "column": "2", "text": "Ana"}, timeout=10)
    browser.post(url, data={"action": "append", "text": "Notes\r\nsecond line"}, timeout=10)
    doc = get(server, doc_id)
    table = next(el["table"] for el in doc["body"]["content"] if "table" in el)
    cells = [["".join(e["textRun"]["content"] for p in c["content"] for e in p["paragraph"]["elements"])
              for c in r["tableCells"]] for r in table["tableRows"]]
    assert cells == [["What\n", "Who\n"], ["Share <data> 😀\n", "\n"], ["\n", "Ana\n"]]
    assert [text for _, text, _ in paragraphs(doc)][-2:] == ["Notes\n", "second line\n"]
    assert doc["revisionId"] != before
    record = drive.files().get(fileId=doc_id, fields="lastModifyingUser").execute()
    assert record["lastModifyingUser"]["emailAddress"] == BOB
    bad = browser.post(url, data={"action": "cell", "table": "1", "row": "9", "column": "1", "text": "x"},
                       timeout=10)
    assert bad.status_code == 400 and "That cell is not in the table." in bad.text
    reader = requests.Session()
    drive.permissions().create(fileId=doc_id, body={"type": "user", "role": "reader",
                                                    "emailAddress": "cy@cedar.example.org"},
                               sendNotificationEmail=False).execute()
    reader.get(f"{server.url}/_sandbox/login", params={"email": "cy@cedar.example.org"}, timeout=10)
    assert "write in a cell" not in reader.get(url, timeout=10).text
    assert reader.post(url, data={"action": "append", "text": "x"}, timeout=10).status_code == 403
