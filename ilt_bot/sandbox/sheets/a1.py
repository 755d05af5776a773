"""A1 notation as the Sheets API reads and writes it.

``Sheet1!A1:B2``, ``'My Tab'!A:C``, ``A1``, ``2:5``, ``Sheet1`` (the whole sheet), ``'It''s'!B3``,
R1C1 cells (``Sheet1!R1C1:R2C3``, read as ``Sheet1!A1:C2``, as Google's A1-notation reference allows)
and named ranges (``Totals`` or ``Sheet1!Totals``). Indexes are 0-based and end-exclusive, like a
``GridRange``; ``None`` means unbounded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_CELL = re.compile(r"^\$?([A-Za-z]{1,3})?\$?([0-9]+)?$")
_R1C1 = re.compile(r"^[Rr]([0-9]+)[Cc]([0-9]+)$")
_SIMPLE_TITLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_LOOKS_LIKE_REF = re.compile(r"^(?:[A-Za-z]{1,3}[0-9]*|[0-9]+|R[0-9]+C[0-9]+)$", re.IGNORECASE)


class RangeError(ValueError):
    """The text is not a range Sheets understands (``Unable to parse range: ...``)."""


@dataclass(frozen=True)
class Span:
    """Rows and columns of a range; ``None`` bounds are open (whole rows or columns)."""

    start_row: int | None = None
    end_row: int | None = None
    start_col: int | None = None
    end_col: int | None = None


@dataclass(frozen=True)
class ParsedRange:
    """A range as written: the sheet title (None: the first sheet) and either a span or a name."""

    sheet: str | None
    span: Span | None
    """None means the whole sheet (or, with ``name``, the named range)."""
    name: str | None = None
    """A named range's name when the text was not cell notation."""


def column_index(letters: str) -> int:
    """``A`` -> 0, ``Z`` -> 25, ``AA`` -> 26."""
    value = 0
    for char in letters.upper():
        value = value * 26 + (ord(char) - 64)
    return value - 1


def column_letters(index: int) -> str:
    """0 -> ``A``, 26 -> ``AA``."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def split_sheet(text: str) -> tuple[str | None, str | None]:
    """Split ``'My Tab'!A1`` into (``My Tab``, ``A1``); a bare token returns (None, token)."""
    text = text.strip()
    if text.startswith("'"):
        i, title = 1, []
        while i < len(text):
            if text[i] == "'":
                if i + 1 < len(text) and text[i + 1] == "'":
                    title.append("'")
                    i += 2
                    continue
                rest = text[i + 1 :]
                if rest == "":
                    return "".join(title), None
                if rest.startswith("!"):
                    return "".join(title), rest[1:]
                raise RangeError(text)
            title.append(text[i])
            i += 1
        raise RangeError(text)
    if "!" in text:
        title, _, cells = text.rpartition("!")
        return title, cells
    return None, text


def _cell(token: str) -> tuple[int | None, int | None]:
    r1c1 = _R1C1.match(token)
    if r1c1:
        row, col = int(r1c1.group(1)) - 1, int(r1c1.group(2)) - 1
        if row < 0 or col < 0:
            raise RangeError(token)
        return row, col
    match = _CELL.match(token)
    if not match or not (match.group(1) or match.group(2)):
        raise RangeError(token)
    col = column_index(match.group(1)) if match.group(1) else None
    row = int(match.group(2)) - 1 if match.group(2) else None
    if row is not None and row < 0:
        raise RangeError(token)
    return row, col


def parse_cells(text: str) -> Span:
    """``A1:B2`` / ``A:C`` / ``2:5`` / ``A1`` / ``A2:C`` into a :class:`Span`."""
    if ":" in text:
        first, _, second = text.partition(":")
        r0, c0 = _cell(first)
        r1, c1 = _cell(second)
        if r0 is not None and r1 is not None and r0 > r1:
            r0, r1 = r1, r0
        if c0 is not None and c1 is not None and c0 > c1:
            c0, c1 = c1, c0
        return Span(r0, r1 + 1 if r1 is not None else None, c0, c1 + 1 if c1 is not None else None)
    row, col = _cell(text)
    if row is None or col is None:
        raise RangeError(text)
    return Span(row, row + 1, col, col + 1)


def is_cell_notation(text: str) -> bool:
    try:
        parse_cells(text)
    except RangeError:
        return False
    return True


def parse(text: str, sheet_titles: list[str] | None = None) -> ParsedRange:
    """Parse a range; ``sheet_titles`` lets a bare ``Sheet1`` name a sheet rather than a named range.

    A bare token that reads as cells (``A1``, ``B:C``) is cells even when a sheet has that title, as in
    Google (such a sheet must be quoted: ``'A1'``)."""
    sheet, cells = split_sheet(text)
    if sheet is None:
        token = cells or ""
        if is_cell_notation(token):
            return ParsedRange(None, parse_cells(token))
        if sheet_titles is not None and token in sheet_titles:
            return ParsedRange(token, None)
        if not token:
            raise RangeError(text)
        return ParsedRange(None, None, name=token)
    if cells is None or cells == "":
        return ParsedRange(sheet, None)
    if is_cell_notation(cells):
        return ParsedRange(sheet, parse_cells(cells))
    return ParsedRange(sheet, None, name=cells)


def quote_title(title: str) -> str:
    """A sheet title as Google writes it in a range: bare when simple, else quoted with ``''``."""
    if _SIMPLE_TITLE.match(title) and not _LOOKS_LIKE_REF.match(title):
        return title
    return "'" + title.replace("'", "''") + "'"


def cell_name(row: int, col: int) -> str:
    return f"{column_letters(col)}{row + 1}"


def format_range(title: str, start_row: int, end_row: int, start_col: int, end_col: int) -> str:
    """Google's normalized form: ``Sheet1!A1:B2``, ``Sheet1!D4`` for one cell, ``'My Tab'!A1:Z1000``."""
    first = cell_name(start_row, start_col)
    if end_row - start_row <= 1 and end_col - start_col <= 1:
        return f"{quote_title(title)}!{first}"
    return f"{quote_title(title)}!{first}:{cell_name(end_row - 1, end_col - 1)}"
