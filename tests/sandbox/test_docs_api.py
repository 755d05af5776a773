"""Docs v1 on the sandbox, through the real google-api-python-client (documents.create/get/batchUpdate)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from googleapiclient.errors import HttpError

from ilt_bot.sandbox.server import SandboxServer
from tests.conftest import make_service

ANA = "ana@cedar.example.org"
BOB = "bob@cedar.example.org"
EVE = "eve@elsewhere.example.org"


@pytest.fixture
def server(sandbox: SandboxServer) -> SandboxServer:
    """The shared per-test sandbox (tests/conftest.py)."""
    return sandbox


def service(server: SandboxServer, api: str, version: str, user: str) -> Any:
    return make_service(server, api, version, user)


@pytest.fixture
def docs(server: SandboxServer) -> Any:
    return service(server, "docs", "v1", ANA).documents()


def error_of(call: Any) -> tuple[int, dict[str, Any]]:
    with pytest.raises(HttpError) as caught:
        call.execute()
    return caught.value.resp.status, json.loads(caught.value.content)["error"]


def new_doc(docs: Any, text: str = "") -> str:
    doc_id = docs.create(body={"title": "Agenda"}).execute()["documentId"]
    if text:
        update(docs, doc_id, {"insertText": {"location": {"index": 1}, "text": text}})
    return doc_id


def update(docs: Any, doc_id: str, *requests: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return docs.batchUpdate(documentId=doc_id, body={"requests": list(requests), **extra}).execute()


def body(docs: Any, doc_id: str) -> list[dict[str, Any]]:
    return docs.get(documentId=doc_id).execute()["body"]["content"]


def texts(content: list[dict[str, Any]]) -> list[str]:
    return ["".join(e["textRun"]["content"] for e in el["paragraph"]["elements"] if "textRun" in e)
            for el in content if "paragraph" in el]


def spans(content: list[dict[str, Any]]) -> list[tuple[int, int]]:
    return [(el.get("startIndex", 0), el["endIndex"]) for el in content]


# ------------------------------------------------------------------------------------------ create/get
def test_create_makes_a_blank_doc_in_my_drive(server: SandboxServer, docs: Any) -> None:
    doc = docs.create(body={"title": "Team agenda", "body": {"content": []}}).execute()
    assert doc["title"] == "Team agenda"
    assert doc["revisionId"]
    assert doc["body"]["content"][0] == {"endIndex": 1, "sectionBreak": {"sectionStyle": {
        "columnSeparatorStyle": "NONE", "contentDirection": "LEFT_TO_RIGHT", "sectionType": "CONTINUOUS"}}}
    assert doc["body"]["content"][1] == {"startIndex": 1, "endIndex": 2, "paragraph": {
        "elements": [{"startIndex": 1, "endIndex": 2, "textRun": {"content": "\n", "textStyle": {}}}],
        "paragraphStyle": {"namedStyleType": "NORMAL_TEXT", "direction": "LEFT_TO_RIGHT"}}}
    assert doc["namedStyles"]["styles"][0]["namedStyleType"] == "NORMAL_TEXT"
    assert "lists" not in doc
    drive = service(server, "drive", "v3", ANA)
    record = drive.files().get(fileId=doc["documentId"], fields="name,mimeType,parents").execute()
    assert record["name"] == "Team agenda"
    assert record["mimeType"] == "application/vnd.google-apps.document"
    root = drive.files().get(fileId="root", fields="id").execute()["id"]
    assert record["parents"] == [root]


def test_untitled_when_no_title(docs: Any) -> None:
    assert docs.create(body={}).execute()["title"] == "Untitled document"


def test_unknown_document_is_404_and_a_strangers_doc_is_403(server: SandboxServer, docs: Any) -> None:
    doc_id = new_doc(docs, "private\n")
    assert error_of(docs.get(documentId="1nope")) == (404, {
        "code": 404, "message": "Requested entity was not found.", "status": "NOT_FOUND"})
    stranger = service(server, "docs", "v1", EVE).documents()
    assert error_of(stranger.get(documentId=doc_id)) == (403, {
        "code": 403, "message": "The caller does not have permission", "status": "PERMISSION_DENIED"})
    status, _ = error_of(stranger.batchUpdate(documentId=doc_id, body={"requests": [
        {"insertText": {"location": {"index": 1}, "text": "x"}}]}))
    assert status == 403


def test_a_reader_can_read_without_revision_id_but_not_write(server: SandboxServer, docs: Any) -> None:
    doc_id = new_doc(docs, "shared\n")
    drive = service(server, "drive", "v3", ANA)
    drive.permissions().create(fileId=doc_id, body={"type": "user", "role": "reader", "emailAddress": BOB},
                               sendNotificationEmail=False).execute()
    reader = service(server, "docs", "v1", BOB).documents()
    seen = reader.get(documentId=doc_id).execute()
    assert texts(seen["body"]["content"]) == ["shared\n", "\n"]
    assert "revisionId" not in seen
    status, error = error_of(reader.batchUpdate(documentId=doc_id, body={"requests": [
        {"insertText": {"location": {"index": 1}, "text": "x"}}]}))
    assert (status, error["status"]) == (403, "PERMISSION_DENIED")
    drive.permissions().create(fileId=doc_id, body={"type": "user", "role": "writer", "emailAddress": BOB},
                               sendNotificationEmail=False).execute()
    update(reader, doc_id, {"insertText": {"location": {"index": 1}, "text": "Bob: "}})
    assert texts(body(docs, doc_id))[0] == "Bob: shared\n"


def test_tabs_content(docs: Any) -> None:
    doc_id = new_doc(docs, "Hello\n")
    doc = docs.get(documentId=doc_id, includeTabsContent=True, suggestionsViewMode="SUGGESTIONS_INLINE").execute()
    assert "body" not in doc
    assert doc["title"] == "Agenda"
    (tab,) = doc["tabs"]
    assert tab["tabProperties"] == {"tabId": "t.0", "title": "Tab 1", "index": 0}
    assert texts(tab["documentTab"]["body"]["content"]) == ["Hello\n", "\n"]
    assert "namedStyles" in tab["documentTab"]
    assert doc["suggestionsViewMode"] == "SUGGESTIONS_INLINE"


# ---------------------------------------------------------------------------------------- insertText
def test_indices_count_utf16_code_units(docs: Any) -> None:
    doc_id = new_doc(docs, "Hi 😀 there\nnext")
    content = body(docs, doc_id)
    assert spans(content) == [(0, 1), (1, 13), (13, 18)]
    assert texts(content) == ["Hi 😀 there\n", "next\n"]
    update(docs, doc_id, {"insertText": {"location": {"index": 6}, "text": "!"}})  # right after the emoji
    assert texts(body(docs, doc_id))[0] == "Hi 😀! there\n"
    status, error = error_of(docs.batchUpdate(documentId=doc_id, body={"requests": [
        {"deleteContentRange": {"range": {"startIndex": 4, "endIndex": 5}}}]}))  # half of the emoji
    assert status == 400
    assert error["message"].startswith("Invalid requests[0].deleteContentRange:")


def test_insert_must_be_inside_a_paragraph(docs: Any) -> None:
    doc_id = new_doc(docs, "abc\n")
    update(docs, doc_id, {"insertTable": {"rows": 1, "columns": 1, "location": {"index": 1}}})
    table = body(docs, doc_id)[2]
    assert "table" in table
    status, error = error_of(docs.batchUpdate(documentId=doc_id, body={"requests": [
        {"insertText": {"location": {"index": table["startIndex"]}, "text": "x"}}]}))
    assert (status, error) == (400, {"code": 400, "status": "INVALID_ARGUMENT", "message": (
        "Invalid requests[0].insertText: The insertion index must be inside the bounds of an existing paragraph. "
        "You can still create new paragraphs by inserting newlines.")})
    end = body(docs, doc_id)[-1]["endIndex"]
    status, error = error_of(docs.batchUpdate(documentId=doc_id, body={"requests": [
        {"insertText": {"location": {"index": end}, "text": "x"}}]}))
    assert error["message"] == (f"Invalid requests[0].insertText: Index {end} must be less than the end index of "
                                f"the referenced segment, {end}.")


def test_end_of_segment_and_newlines_make_paragraphs(docs: Any) -> None:
    doc_id = new_doc(docs, "Title\n")
    update(docs, doc_id,
           {"updateParagraphStyle": {"range": {"startIndex": 1, "endIndex": 2},
                                     "paragraphStyle": {"namedStyleType": "HEADING_1"}, "fields": "namedStyleType"}},
           {"insertText": {"endOfSegmentLocation": {}, "text": "one\ntwo"}})
    content = body(docs, doc_id)
    assert texts(content) == ["Title\n", "one\n", "two\n"]
    assert content[1]["paragraph"]["paragraphStyle"]["namedStyleType"] == "HEADING_1"
    assert content[1]["paragraph"]["paragraphStyle"]["headingId"].startswith("h.")
    assert content[2]["paragraph"]["paragraphStyle"]["namedStyleType"] == "NORMAL_TEXT"


# ----------------------------------------------------------------------------- atomicity, revisions
def test_a_failing_request_rolls_back_the_whole_batch(server: SandboxServer, docs: Any) -> None:
    doc_id = new_doc(docs, "keep\n")
    before = docs.get(documentId=doc_id).execute()
    drive = service(server, "drive", "v3", ANA)
    version = drive.files().get(fileId=doc_id, fields="version").execute()["version"]
    status, error = error_of(docs.batchUpdate(documentId=doc_id, body={"requests": [
        {"insertText": {"location": {"index": 1}, "text": "lost "}},
        {"replaceAllText": {"containsText": {"text": "keep"}, "replaceText": "gone"}},
        {"insertText": {"location": {"index": 999}, "text": "x"}},
    ]}))
    assert status == 400
    assert error["message"].startswith("Invalid requests[2].insertText: Index 999 must be less than")
    assert docs.get(documentId=doc_id).execute() == before
    assert drive.files().get(fileId=doc_id, fields="version").execute()["version"] == version


def test_required_revision_id(server: SandboxServer, docs: Any) -> None:
    doc_id = new_doc(docs)
    first = docs.get(documentId=doc_id).execute()["revisionId"]
    drive = service(server, "drive", "v3", ANA)
    modified = drive.files().get(fileId=doc_id, fields="modifiedTime,version").execute()
    reply = update(docs, doc_id, {"insertText": {"location": {"index": 1}, "text": "a"}},
                   writeControl={"requiredRevisionId": first})
    second = reply["writeControl"]["requiredRevisionId"]
    assert second != first
    assert reply["documentId"] == doc_id and reply["replies"] == [{}]
    assert docs.get(documentId=doc_id).execute()["revisionId"] == second
    after = drive.files().get(fileId=doc_id, fields="modifiedTime,version,lastModifyingUser").execute()
    assert int(after["version"]) > int(modified["version"])
    assert after["lastModifyingUser"]["emailAddress"] == ANA
    status, error = error_of(docs.batchUpdate(documentId=doc_id, body={
        "requests": [{"insertText": {"location": {"index": 1}, "text": "b"}}],
        "writeControl": {"requiredRevisionId": first}}))
    assert status == 400
    assert "does not match the latest revision" in error["message"]
    assert texts(body(docs, doc_id)) == ["a\n"]


def test_unknown_and_unimplemented_requests(docs: Any) -> None:
    doc_id = new_doc(docs)
    status, error = error_of(docs.batchUpdate(documentId=doc_id, body={"requests": [{"frobnicate": {}}]}))
    assert status == 400 and "frobnicate" in error["message"]
    status, error = error_of(docs.batchUpdate(documentId=doc_id, body={"requests": [
        {"createHeader": {"type": "DEFAULT"}}]}))
    assert status == 501 and "createHeader" in error["message"]


# ----------------------------------------------------------------------------------------- deleting
def test_delete_merges_paragraphs_and_refuses_the_last_newline(docs: Any) -> None:
    doc_id = new_doc(docs, "first\nsecond\n")
    update(docs, doc_id, {"deleteContentRange": {"range": {"startIndex": 4, "endIndex": 9}}})
    assert texts(body(docs, doc_id)) == ["fircond\n", "\n"]
    end = body(docs, doc_id)[-1]["endIndex"]
    status, error = error_of(docs.batchUpdate(documentId=doc_id, body={"requests": [
        {"deleteContentRange": {"range": {"startIndex": 1, "endIndex": end}}}]}))
    assert error["message"] == ("Invalid requests[0].deleteContentRange: The range cannot include the newline "
                                "character at the end of the segment.")
    status, error = error_of(docs.batchUpdate(documentId=doc_id, body={"requests": [
        {"deleteContentRange": {"range": {"startIndex": 3, "endIndex": 3}}}]}))
    assert error["message"] == "Invalid requests[0].deleteContentRange: The range should not be empty."
    update(docs, doc_id, {"deleteContentRange": {"range": {"startIndex": 1, "endIndex": end - 1}}})
    assert texts(body(docs, doc_id)) == ["\n"]


def test_tables_follow_googles_index_rules(docs: Any) -> None:
    doc_id = new_doc(docs)
    update(docs, doc_id, {"insertTable": {"rows": 2, "columns": 3, "location": {"index": 1}}})
    content = body(docs, doc_id)
    assert [next(k for k in el if k not in ("startIndex", "endIndex")) for el in content] == [
        "sectionBreak", "paragraph", "table", "paragraph"]
    table = content[2]
    assert (table["startIndex"], table["endIndex"]) == (2, 2 + 2 + 2 + 2 * 3 * 2)
    rows = table["table"]["tableRows"]
    assert table["table"]["rows"] == 2 and table["table"]["columns"] == 3
    assert [(r["startIndex"], r["endIndex"]) for r in rows] == [(3, 10), (10, 17)]
    assert [(c["startIndex"], c["endIndex"]) for c in rows[0]["tableCells"]] == [(4, 6), (6, 8), (8, 10)]
    assert rows[0]["tableCells"][0]["content"][0]["startIndex"] == 5
    assert rows[0]["tableCells"][0]["tableCellStyle"]["rowSpan"] == 1
    # fill the cells last to first so earlier indices hold
    cells = [c["content"][0]["startIndex"] for r in rows for c in r["tableCells"]]
    update(docs, doc_id, *[{"insertText": {"location": {"index": at}, "text": f"c{n}"}}
                           for n, at in reversed(list(enumerate(cells)))])
    table = body(docs, doc_id)[2]["table"]
    assert [texts(c["content"]) for c in table["tableRows"][1]["tableCells"]] == [["c3\n"], ["c4\n"], ["c5\n"]]


def test_table_deletions_google_refuses_and_allows(docs: Any) -> None:
    doc_id = new_doc(docs, "before\n")
    update(docs, doc_id, {"insertTable": {"rows": 1, "columns": 2, "location": {"index": 7}}})
    content = body(docs, doc_id)
    table = content[2]
    cell = table["table"]["tableRows"][0]["tableCells"][0]
    refused = "Invalid requests[0].deleteContentRange: Invalid deletion range. Cannot delete the requested range."
    for start, end in [
        (table["startIndex"], table["startIndex"] + 3),  # the table's start only
        (cell["content"][0]["startIndex"], cell["endIndex"]),  # a cell's final newline
        (6, 8),  # the newline before the table and the table's start
        (table["endIndex"] - 2, table["endIndex"] + 1),  # the table's end
    ]:
        status, error = error_of(docs.batchUpdate(documentId=doc_id, body={"requests": [
            {"deleteContentRange": {"range": {"startIndex": start, "endIndex": end}}}]}))
        assert (status, error["message"]) == (400, refused), (start, end)
    update(docs, doc_id, {"deleteContentRange": {"range": {"startIndex": table["startIndex"],
                                                           "endIndex": table["endIndex"]}}})
    assert texts(body(docs, doc_id)) == ["before\n", "\n", "\n"]  # the table sat in "before|\n" + "\n"
    assert all("table" not in el for el in body(docs, doc_id))


def test_table_rows_and_columns(docs: Any) -> None:
    doc_id = new_doc(docs)
    update(docs, doc_id, {"insertTable": {"rows": 1, "columns": 2, "location": {"index": 1}}},
           {"insertText": {"location": {"index": 5}, "text": "A"}})
    location = {"tableStartLocation": {"index": 2}, "rowIndex": 0, "columnIndex": 0}
    update(docs, doc_id, {"insertTableRow": {"tableCellLocation": location, "insertBelow": True}},
           {"insertTableRow": {"tableCellLocation": location, "insertBelow": False}},
           {"insertTableColumn": {"tableCellLocation": location, "insertRight": True}})
    table = body(docs, doc_id)[2]["table"]
    assert (table["rows"], table["columns"]) == (3, 3)
    assert [[texts(c["content"])[0] for c in r["tableCells"]] for r in table["tableRows"]] == [
        ["\n", "\n", "\n"], ["A\n", "\n", "\n"], ["\n", "\n", "\n"]]
    assert len(table["tableStyle"]["tableColumnProperties"]) == 3
    update(docs, doc_id, {"deleteTableRow": {"tableCellLocation": {**location, "rowIndex": 1}}},
           {"deleteTableColumn": {"tableCellLocation": location}})
    table = body(docs, doc_id)[2]["table"]
    assert (table["rows"], table["columns"]) == (2, 2)
    assert all(texts(c["content"]) == ["\n"] for r in table["tableRows"] for c in r["tableCells"])
    status, error = error_of(docs.batchUpdate(documentId=doc_id, body={"requests": [
        {"insertTableRow": {"tableCellLocation": {**location, "tableStartLocation": {"index": 1}}}}]}))
    assert status == 400 and error["message"].startswith("Invalid requests[0].insertTableRow:")


# ------------------------------------------------------------------------------- text, styles, lists
def test_replace_all_text(docs: Any) -> None:
    doc_id = new_doc(docs, "Date: {{date}}\nAgain {{DATE}} and {{date}}\n")
    reply = update(docs, doc_id,
                   {"replaceAllText": {"containsText": {"text": "{{date}}", "matchCase": True},
                                       "replaceText": "Sept 15 😀"}},
                   {"replaceAllText": {"containsText": {"text": "{{date}}"}, "replaceText": "later"}},
                   {"replaceAllText": {"containsText": {"text": "absent"}, "replaceText": "x"}})
    assert reply["replies"] == [{"replaceAllText": {"occurrencesChanged": 2}},
                                {"replaceAllText": {"occurrencesChanged": 1}}, {"replaceAllText": {}}]
    content = body(docs, doc_id)
    assert texts(content) == ["Date: Sept 15 😀\n", "Again later and Sept 15 😀\n", "\n"]
    assert spans(content)[1:] == [(1, 18), (18, 45), (45, 46)]


def test_text_and_paragraph_styles_need_a_field_mask(docs: Any) -> None:
    doc_id = new_doc(docs, "Read the guide\n")
    status, error = error_of(docs.batchUpdate(documentId=doc_id, body={"requests": [
        {"updateTextStyle": {"range": {"startIndex": 1, "endIndex": 5}, "textStyle": {"bold": True}}}]}))
    assert (status, error["message"]) == (400, "Invalid requests[0].updateTextStyle: At least one field must be "
                                               "listed in 'fields'. (Use '*' to indicate all fields.)")
    update(docs, doc_id,
           {"updateTextStyle": {"range": {"startIndex": 1, "endIndex": 5}, "textStyle": {"bold": True},
                                "fields": "bold"}},
           {"updateTextStyle": {"range": {"startIndex": 10, "endIndex": 15},
                                "textStyle": {"link": {"url": "https://example.org/guide"}}, "fields": "link"}},
           {"updateParagraphStyle": {"range": {"startIndex": 3, "endIndex": 4},
                                     "paragraphStyle": {"namedStyleType": "TITLE", "alignment": "CENTER"},
                                     "fields": "namedStyleType,alignment"}})
    para = body(docs, doc_id)[1]["paragraph"]
    runs = [(e["startIndex"], e["endIndex"], e["textRun"]["content"], e["textRun"]["textStyle"])
            for e in para["elements"]]
    assert runs == [(1, 5, "Read", {"bold": True}), (5, 10, " the ", {}),
                    (10, 15, "guide", {"link": {"url": "https://example.org/guide"}}), (15, 16, "\n", {})]
    assert para["paragraphStyle"]["namedStyleType"] == "TITLE"
    assert para["paragraphStyle"]["alignment"] == "CENTER"
    assert para["paragraphStyle"]["headingId"].startswith("h.")
    update(docs, doc_id, {"updateTextStyle": {"range": {"startIndex": 1, "endIndex": 15}, "textStyle": {},
                                              "fields": "bold,link"}})
    assert [e["textRun"]["textStyle"] for e in body(docs, doc_id)[1]["paragraph"]["elements"]] == [{}]


def test_bullets_from_leading_tabs(docs: Any) -> None:
    doc_id = new_doc(docs, "Norms\nListen\n\tAsk\n\t\tWait\nEnd\n")
    update(docs, doc_id, {"createParagraphBullets": {"range": {"startIndex": 7, "endIndex": 23},
                                                     "bulletPreset": "NUMBERED_DECIMAL_ALPHA_ROMAN"}})
    doc = docs.get(documentId=doc_id).execute()
    content = doc["body"]["content"]
    assert texts(content) == ["Norms\n", "Listen\n", "Ask\n", "Wait\n", "End\n", "\n"]
    assert spans(content)[1:] == [(1, 7), (7, 14), (14, 18), (18, 23), (23, 27), (27, 28)]
    bullets = [el["paragraph"].get("bullet") for el in content[1:]]
    assert bullets[0] is None and bullets[4] is None
    list_id = bullets[1]["listId"]
    assert [b.get("nestingLevel", 0) for b in bullets[1:4]] == [0, 1, 2]
    assert {b["listId"] for b in bullets[1:4]} == {list_id}
    levels = doc["lists"][list_id]["listProperties"]["nestingLevels"]
    assert [lv["glyphType"] for lv in levels[:3]] == ["DECIMAL", "ALPHA", "ROMAN"]
    update(docs, doc_id, {"deleteParagraphBullets": {"range": {"startIndex": 7, "endIndex": 15}}})
    doc = docs.get(documentId=doc_id).execute()
    assert [bool(el["paragraph"].get("bullet")) for el in doc["body"]["content"][1:]] == [
        False, False, False, True, False, False]
