"""The Docs document model on its own: invariants under random edits, and edge cases of each request."""

from __future__ import annotations

import copy
import random
from typing import Any

import pytest

from ilt_bot.sandbox.core import ApiError
from ilt_bot.sandbox.docs import models


def u16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def check_indices(content: list[dict[str, Any]], start: int) -> int:
    """Assert Google's index rules on a documents.get body; returns its end."""
    pos = start
    for n, el in enumerate(content):
        assert el.get("startIndex", 0) == pos, el
        if "sectionBreak" in el:
            pos += 1
        elif "paragraph" in el:
            elements = el["paragraph"]["elements"]
            for e in elements:
                assert e.get("startIndex", 0) == pos
                pos += u16(e["textRun"]["content"]) if "textRun" in e else 1
                assert e["endIndex"] == pos
            text = "".join(e["textRun"]["content"] for e in elements if "textRun" in e)
            assert text.endswith("\n") and "\n" not in text[:-1], text
            assert all(a["textRun"]["textStyle"] != b["textRun"]["textStyle"]
                       for a, b in zip(elements, elements[1:], strict=False)
                       if "textRun" in a and "textRun" in b), "equal neighbouring runs must merge"
        else:
            assert n > 0 and "paragraph" in content[n - 1], "a paragraph comes before every table"
            table = el["table"]
            pos += 1
            assert table["rows"] == len(table["tableRows"])
            for row in table["tableRows"]:
                assert row["startIndex"] == pos
                pos += 1
                assert len(row["tableCells"]) == table["columns"]
                for cell in row["tableCells"]:
                    assert cell["startIndex"] == pos
                    assert cell["content"] and "paragraph" in cell["content"][-1]
                    pos = check_indices(cell["content"], pos + 1)
                    assert cell["endIndex"] == pos
                assert row["endIndex"] == pos
            pos += 1
        assert el["endIndex"] == pos
    return pos


def check(doc: dict[str, Any]) -> None:
    content = models.document_json(doc)["body"]["content"]
    assert "sectionBreak" in content[0] and "paragraph" in content[-1]
    check_indices(content, 0)
    assert models.structure(models.linearize(doc["content"])) == doc["content"]


def random_request(rng: random.Random, doc: dict[str, Any]) -> dict[str, Any]:
    end = models.body_end(doc)
    index = rng.randrange(0, end + 2) if rng.random() < .15 else rng.randrange(1, end)
    other = rng.randrange(0, end + 2) if rng.random() < .15 else rng.randrange(1, end)
    low, high = sorted((index, other))
    words = ["a", "bc ", "😀", "\n", "x\ny", "\t", "{{ v }}", "é"]
    kind = rng.choice(["insertText", "insertText", "insertText", "deleteContentRange", "deleteContentRange",
                       "insertTable", "replaceAllText", "updateTextStyle", "updateParagraphStyle",
                       "createParagraphBullets", "deleteParagraphBullets", "insertTableRow", "deleteTableRow",
                       "insertTableColumn", "deleteTableColumn", "insertPageBreak"])
    rng_ = {"startIndex": low, "endIndex": high}
    cell = {"tableStartLocation": {"index": index}, "rowIndex": rng.randrange(0, 3),
            "columnIndex": rng.randrange(0, 3)}
    return {kind: {
        "insertText": {"location": {"index": index}, "text": rng.choice(words)},
        "deleteContentRange": {"range": rng_},
        "insertTable": {"rows": rng.randrange(1, 3), "columns": rng.randrange(1, 3), "location": {"index": index}},
        "replaceAllText": {"containsText": {"text": rng.choice(["a", "b", "A", "a\n", "\n"]),
                                            "matchCase": rng.random() < .5},
                           "replaceText": rng.choice(["", "zz", "😀", "q\nr"])},
        "updateTextStyle": {"range": rng_, "textStyle": {"bold": True}, "fields": rng.choice(["bold", "bold,italic"])},
        "updateParagraphStyle": {"range": rng_, "paragraphStyle": {"namedStyleType": "HEADING_2"},
                                 "fields": "namedStyleType"},
        "createParagraphBullets": {"range": rng_, "bulletPreset": "BULLET_DISC_CIRCLE_SQUARE"},
        "deleteParagraphBullets": {"range": rng_},
        "insertTableRow": {"tableCellLocation": cell, "insertBelow": rng.random() < .5},
        "deleteTableRow": {"tableCellLocation": cell},
        "insertTableColumn": {"tableCellLocation": cell, "insertRight": rng.random() < .5},
        "deleteTableColumn": {"tableCellLocation": cell},
        "insertPageBreak": {"location": {"index": index}},
    }[kind]}


@pytest.mark.parametrize("seed", range(4))
def test_random_edits_keep_googles_invariants_or_change_nothing(seed: int) -> None:
    rng = random.Random(seed)
    doc = models.new_document("d", "Fuzz")
    applied = refused = 0
    for _ in range(150):
        requests = [random_request(rng, doc) for _ in range(1 if rng.random() < .7 else 3)]
        before = copy.deepcopy(doc)
        try:
            models.batch_update(doc, requests)
        except ApiError as error:
            assert error.code == 400, error.message
            assert doc == before, "a refused batch changes nothing"
            refused += 1
            continue
        applied += 1
        check(doc)
    assert applied > 40 and refused > 10


def test_invariants_hold_for_imported_html() -> None:
    from ilt_bot.sandbox import html_import

    content, lists = html_import.parse_html(
        "<table><tr><td><table><tr><td>nested</td></tr></table></td></tr></table><ul><li>a<ol><li>b</li></ol></li>"
        "</ul><hr><table><tr><td></td><td><h2>x</h2></td></tr></table>")
    doc = models.new_document("d", "T")
    doc["content"] = models.normalize([doc["content"][0], *content])
    doc["lists"] = lists
    check(doc)


def doc_with(text: str) -> dict[str, Any]:
    doc = models.new_document("d", "T")
    models.batch_update(doc, [{"insertText": {"location": {"index": 1}, "text": text}}])
    return doc


def refusal(doc: dict[str, Any], *requests: dict[str, Any]) -> str:
    with pytest.raises(ApiError) as caught:
        models.batch_update(doc, list(requests))
    assert caught.value.code == 400
    return caught.value.message


def test_inserting_inside_a_surrogate_pair_is_refused() -> None:
    doc = doc_with("😀\n")
    assert "surrogate pair" in refusal(doc, {"insertText": {"location": {"index": 2}, "text": "x"}})


def test_control_and_private_use_characters_are_stripped() -> None:
    doc = doc_with("a\u0001b\u000c\ue000c\u000bd\te\r\n")
    assert models.plain_text(doc) == "abc\u000bd\te\n\n"


def test_inserted_text_takes_the_style_before_it() -> None:
    doc = doc_with("ab\n")
    models.batch_update(doc, [{"updateTextStyle": {"range": {"startIndex": 1, "endIndex": 2},
                                                   "textStyle": {"bold": True}, "fields": "bold"}},
                              {"insertText": {"location": {"index": 2}, "text": "X"}},
                              {"insertText": {"location": {"index": 1}, "text": "Y"}}])
    runs = [(e["textRun"]["content"], e["textRun"]["textStyle"])
            for e in doc["content"][1]["paragraph"]["elements"]]
    assert runs == [("YaX", {"bold": True}), ("b\n", {})]


def test_requests_need_their_arguments() -> None:
    doc = doc_with("abc\n")
    assert refusal(doc, {"insertText": {"text": "x"}}).startswith("Invalid requests[0].insertText:")
    assert "bullet preset" in refusal(doc, {"createParagraphBullets": {"range": {"startIndex": 1, "endIndex": 2}}})
    assert refusal(doc, {"insertTable": {"rows": 0, "columns": 1, "location": {"index": 1}}}).startswith(
        "Invalid requests[0].insertTable:")
    assert refusal(doc, {"updateParagraphStyle": {"range": {"startIndex": 1, "endIndex": 2},
                                                  "paragraphStyle": {}, "fields": "nope"}}).startswith(
        "Invalid requests[0].updateParagraphStyle:")
    assert refusal(doc, {"insertText": {"location": {"index": 1, "segmentId": "kix.header"}, "text": "x"}})
    assert refusal(doc) == "Must specify at least one request."
    assert refusal(doc, {}) == "Invalid requests[0]: No request set."


def test_required_revision_and_unimplemented_kinds() -> None:
    doc = doc_with("abc\n")
    with pytest.raises(ApiError) as caught:
        models.batch_update(doc, [{"insertText": {"location": {"index": 1}, "text": "x"}}],
                            {"requiredRevisionId": "ALm37Bstale"})
    assert (caught.value.code, caught.value.status) == (400, "FAILED_PRECONDITION")
    with pytest.raises(ApiError) as caught:
        models.batch_update(doc, [{"insertInlineImage": {"uri": "https://example.org/x.png",
                                                         "location": {"index": 1}}}])
    assert caught.value.code == 501 and "insertInlineImage" in caught.value.message


def test_reader_view_and_tab_view() -> None:
    doc = doc_with("abc\n")
    reader = models.document_json(doc, can_edit=False)
    assert "revisionId" not in reader and reader["suggestionsViewMode"] == "PREVIEW_WITHOUT_SUGGESTIONS"
    tabbed = models.document_json(doc, include_tabs=True)
    assert tabbed["tabs"][0]["documentTab"]["body"] == models.document_json(doc)["body"]


def test_page_breaks_outside_tables_only_and_search_stays_in_paragraphs() -> None:
    doc = doc_with("ab\ncd\n")
    models.batch_update(doc, [{"insertPageBreak": {"location": {"index": 2}}}])
    assert [next(iter(e)) for e in doc["content"][1]["paragraph"]["elements"]] == ["textRun", "pageBreak", "textRun"]
    models.batch_update(doc, [{"insertTable": {"rows": 1, "columns": 1, "endOfSegmentLocation": {}}}])
    cell_start = models.document_json(doc)["body"]["content"][4]["table"]["tableRows"][0]["tableCells"][0][
        "content"][0]["startIndex"]
    assert "inside a table" in refusal(doc, {"insertPageBreak": {"location": {"index": cell_start}}})
    reply = models.batch_update(doc, [{"replaceAllText": {"containsText": {"text": "b\nc"}, "replaceText": "-"}}])
    assert reply == [{"replaceAllText": {}}]
