"""Sheets rules without HTTP: A1 notation, value parsing, formulas, append's table detection, pages."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from ilt_bot.sandbox.core import ApiError
from ilt_bot.sandbox.sheets import a1, fields
from ilt_bot.sandbox.sheets import models as m
from ilt_bot.sandbox.sheets.grid import first_sheet, resolve


@pytest.mark.parametrize(("text", "sheet", "span"), [
    ("Sheet1!A1:B2", "Sheet1", a1.Span(0, 2, 0, 2)),
    ("'My Tab'!A:C", "My Tab", a1.Span(None, None, 0, 3)),
    ("A1", None, a1.Span(0, 1, 0, 1)),
    ("2:5", None, a1.Span(1, 5, None, None)),
    ("'It''s'!B3", "It's", a1.Span(2, 3, 1, 2)),
    ("Sheet1!A2:C", "Sheet1", a1.Span(1, None, 0, 3)),
    ("B2:A1", None, a1.Span(0, 2, 0, 2)),
    ("🌵 plants 1!A:A", "🌵 plants 1", a1.Span(None, None, 0, 1)),
])
def test_a1_ranges(text: str, sheet: str | None, span: a1.Span) -> None:
    parsed = a1.parse(text, ["Sheet1"])
    assert (parsed.sheet, parsed.span) == (sheet, span)


def test_a1_sheet_only_and_named_ranges() -> None:
    assert a1.parse("'Sheet1'") == a1.ParsedRange("Sheet1", None)
    assert a1.parse("Sheet1", ["Sheet1"]) == a1.ParsedRange("Sheet1", None)
    assert a1.parse("Totals") == a1.ParsedRange(None, None, name="Totals")
    with pytest.raises(a1.RangeError):
        a1.parse("'unterminated!A1")


def test_titles_are_quoted_like_google() -> None:
    assert a1.format_range("Sheet1", 0, 2, 0, 2) == "Sheet1!A1:B2"
    assert a1.format_range("My Tab", 0, 1000, 0, 26) == "'My Tab'!A1:Z1000"
    assert a1.format_range("D3", 3, 4, 3, 4) == "'D3'!D4"
    assert a1.format_range("It's", 0, 1, 0, 1) == "'It''s'!A1"
    assert a1.column_letters(27) == "AB" and a1.column_index("AB") == 27


def _doc_with(rows: list[list[Any]], option: str = "USER_ENTERED") -> dict[str, Any]:
    doc = m.new_spreadsheet("t")
    m.write_values(doc, resolve(doc, "A1"), rows, option)
    return doc


def test_formulas_compute_simple_arithmetic_functions_and_errors() -> None:
    doc = _doc_with([["2", "3", "=A1*B1+1", "=SUM(A1:C1)", '=IF(A1>1,"big","small")', "=A1/0", "=NOPE(1)",
                      '="x"&A1', "=AVERAGE(A1:B1)", "=C1"]])
    got = m.values_get(doc, "A1:J1", render="UNFORMATTED_VALUE")["values"][0]
    assert got == [2, 3, 7, 12, "big", "#DIV/0!", "#NAME?", "x2", 2.5, 7]
    assert m.values_get(doc, "F1", render="FORMULA")["values"] == [["=A1/0"]]


def test_circular_reference_is_an_error_not_a_crash() -> None:
    doc = _doc_with([["=B1", "=A1"]])
    assert m.values_get(doc, "A1:B1")["values"] == [["#REF!", "#REF!"]]


def test_raw_input_is_never_parsed() -> None:
    doc = _doc_with([["=1+1", "12", "TRUE", "2020-01-01"]], option="RAW")
    assert m.values_get(doc, "A1:D1", render="UNFORMATTED_VALUE")["values"] == [["=1+1", "12", "TRUE", "2020-01-01"]]


def test_append_table_is_the_block_around_the_last_value() -> None:
    doc = _doc_with([["a", "", "c"]])
    sheet = first_sheet(doc)
    assert m.find_table(sheet, resolve(doc, "Sheet1")) == (0, 1, 2, 3)
    assert m.find_table(sheet, resolve(doc, "A1")) == (0, 1, 0, 1)
    assert m.find_table(sheet, resolve(doc, "A5")) is None


def test_field_masks_follow_googles_syntax() -> None:
    assert fields.parse_mask("gridProperties/rowCount,title") == [["gridProperties", "rowCount"], ["title"]]
    assert fields.parse_mask("userEnteredFormat(backgroundColor,textFormat.bold)") == [
        ["userEnteredFormat", "backgroundColor"], ["userEnteredFormat", "textFormat", "bold"]]
    target = {"a": {"b": 1, "c": 2}, "d": 3}
    fields.apply_mask(target, {"a": {"b": 9}}, "a.b,d")
    assert target == {"a": {"b": 9, "c": 2}}


def test_unknown_sheet_in_a_range_is_unable_to_parse() -> None:
    doc = m.new_spreadsheet("t")
    with pytest.raises(ApiError, match="Unable to parse range: Nope!A1"):
        resolve(doc, "Nope!A1")


def test_browser_page_shows_each_tab_to_a_reader_only(sandbox: Any, gspread_client: Any) -> None:
    sheet = gspread_client(sandbox, "ana@cedar.example").create("Tracker")
    sheet.sheet1.update([["Name", "<b>x</b>"]], "A1")
    sheet.add_worksheet("Runs", rows=5, cols=2)
    url = f"{sandbox.url}/_sandbox/sheets/{sheet.id}"
    page = requests.get(url, headers={"Authorization": "Bearer sandbox:ana@cedar.example"}, timeout=10)
    assert page.status_code == 200
    assert "<th scope=\"col\">A</th>" in page.text and "&lt;b&gt;x&lt;/b&gt;" in page.text
    assert "<h2>Sheet1</h2>" in page.text and "<h2>Runs</h2>" in page.text
    denied = requests.get(url, headers={"Authorization": "Bearer sandbox:eve@else.example"}, timeout=10)
    assert denied.status_code == 403
