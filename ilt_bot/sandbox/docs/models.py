"""The Docs v1 document model: storage, UTF-16 indexing and every batchUpdate request.

A document is stored in the API's own shape without indices (``content`` is a list of structural
elements: ``sectionBreak``, ``paragraph``, ``table``). Reading adds ``startIndex``/``endIndex`` in
UTF-16 code units. Editing works on a *linear* form where every index of the document is one unit:
a character (an astral character is one unit two indices wide), an inline object (page break,
horizontal rule, image), or one of the structural markers Google counts (table start, row start,
cell start, table end, section break). A paragraph's style and bullet live on its final newline.
Each request is checked and applied on that form, then the structure is rebuilt from it, so index
arithmetic is the same for every request and matches Google's rules:

- the body starts with a section break ``[0, 1)``;
- a table takes one index for its start, one per row, one per cell and one for its end;
- a paragraph always precedes a table and the body always ends with a paragraph.
"""

from __future__ import annotations

import copy
import re
import secrets
import string
from bisect import bisect_left
from dataclasses import dataclass
from itertools import accumulate
from typing import Any

from ilt_bot.sandbox.core import ApiError
from ilt_bot.sandbox.store import Store

KIND = "document"
"""Store collection holding documents (id = the Drive file id)."""

# --------------------------------------------------------------------------------------------------
# Defaults (as a new Google Doc reports them)

_PT0 = {"unit": "PT"}


def _pt(magnitude: float) -> dict[str, Any]:
    return {"magnitude": magnitude, "unit": "PT"}


def _border() -> dict[str, Any]:
    return {"color": {}, "width": dict(_PT0), "padding": dict(_PT0), "dashStyle": "SOLID"}


def _heading_style(name: str, text: dict[str, Any], above: float, below: float) -> dict[str, Any]:
    return {
        "namedStyleType": name,
        "textStyle": text,
        "paragraphStyle": {
            "namedStyleType": "NORMAL_TEXT",
            "direction": "LEFT_TO_RIGHT",
            "spaceAbove": _pt(above) if above else dict(_PT0),
            "spaceBelow": _pt(below),
            "keepLinesTogether": True,
            "keepWithNext": True,
        },
    }


def _grey(value: float) -> dict[str, Any]:
    return {"color": {"rgbColor": {"red": value, "green": value, "blue": value}}}


def default_named_styles() -> dict[str, Any]:
    """The named styles of a new Google Doc (Arial 11, headings 20/16/14/12/11/11, title 26)."""
    normal = {
        "namedStyleType": "NORMAL_TEXT",
        "textStyle": {
            "bold": False, "italic": False, "underline": False, "strikethrough": False, "smallCaps": False,
            "backgroundColor": {}, "foregroundColor": {"color": {"rgbColor": {}}}, "fontSize": _pt(11),
            "weightedFontFamily": {"fontFamily": "Arial", "weight": 400}, "baselineOffset": "NONE",
        },
        "paragraphStyle": {
            "namedStyleType": "NORMAL_TEXT", "alignment": "START", "lineSpacing": 115,
            "direction": "LEFT_TO_RIGHT", "spacingMode": "COLLAPSE_LISTS",
            "spaceAbove": dict(_PT0), "spaceBelow": dict(_PT0),
            **{f"border{side}": _border() for side in ("Between", "Top", "Bottom", "Left", "Right")},
            "indentFirstLine": dict(_PT0), "indentStart": dict(_PT0), "indentEnd": dict(_PT0),
            "keepLinesTogether": False, "keepWithNext": False, "avoidWidowAndOrphan": True,
            "shading": {"backgroundColor": {}},
        },
    }
    return {
        "styles": [
            normal,
            _heading_style("HEADING_1", {"fontSize": _pt(20)}, 20, 6),
            _heading_style("HEADING_2", {"bold": False, "fontSize": _pt(16)}, 18, 6),
            _heading_style("HEADING_3", {"bold": False, "foregroundColor": _grey(0.2627451), "fontSize": _pt(14)},
                           16, 4),
            _heading_style("HEADING_4", {"foregroundColor": _grey(0.4), "fontSize": _pt(12)}, 14, 4),
            _heading_style("HEADING_5", {"foregroundColor": _grey(0.4), "fontSize": _pt(11)}, 12, 4),
            _heading_style("HEADING_6", {"italic": True, "foregroundColor": _grey(0.4), "fontSize": _pt(11)}, 12, 4),
            _heading_style("TITLE", {"fontSize": _pt(26)}, 0, 3),
            _heading_style(
                "SUBTITLE",
                {"italic": False, "foregroundColor": _grey(0.4), "fontSize": _pt(15),
                 "weightedFontFamily": {"fontFamily": "Arial", "weight": 400}},
                0, 16,
            ),
        ]
    }


def default_document_style() -> dict[str, Any]:
    """The document style of a new Google Doc (US Letter, 1 inch margins)."""
    return {
        "background": {"color": {}},
        "pageNumberStart": 1,
        "marginTop": _pt(72), "marginBottom": _pt(72), "marginRight": _pt(72), "marginLeft": _pt(72),
        "pageSize": {"height": _pt(792), "width": _pt(612)},
        "marginHeader": _pt(36), "marginFooter": _pt(36),
        "useCustomHeaderFooterMargins": True,
        "documentFormat": {"documentMode": "PAGES"},
    }


SECTION_STYLE = {"columnSeparatorStyle": "NONE", "contentDirection": "LEFT_TO_RIGHT", "sectionType": "CONTINUOUS"}
NAMED_STYLE_TYPES = (
    "NORMAL_TEXT", "TITLE", "SUBTITLE", "HEADING_1", "HEADING_2", "HEADING_3", "HEADING_4", "HEADING_5", "HEADING_6",
)
HEADING_TYPES = frozenset(NAMED_STYLE_TYPES[1:])
"""Named styles whose paragraphs get a ``headingId`` (TITLE and SUBTITLE too, as documents.get shows)."""


def default_cell_style() -> dict[str, Any]:
    """A new table cell's style."""
    return {
        "rowSpan": 1, "columnSpan": 1, "backgroundColor": {},
        "paddingLeft": _pt(5), "paddingRight": _pt(5), "paddingTop": _pt(5), "paddingBottom": _pt(5),
        "contentAlignment": "TOP",
    }


def paragraph_style(named: str = "NORMAL_TEXT") -> dict[str, Any]:
    """A paragraph style as documents.get shows it (heading paragraphs carry a ``headingId``)."""
    style: dict[str, Any] = {"namedStyleType": named, "direction": "LEFT_TO_RIGHT"}
    if named in HEADING_TYPES:
        style = {"headingId": new_heading_id(), **style}
    return style


def new_heading_id() -> str:
    return "h." + "".join(secrets.choice(string.ascii_lowercase + string.digits) for _ in range(12))


def new_list_id() -> str:
    return "kix." + "".join(secrets.choice(string.ascii_lowercase + string.digits) for _ in range(12))


def new_revision_id() -> str:
    """An opaque revision id shaped like Google's (``ALm37B...``)."""
    alphabet = string.ascii_letters + string.digits + "-_"
    return "ALm37B" + "".join(secrets.choice(alphabet) for _ in range(80))


def empty_paragraph(named: str = "NORMAL_TEXT") -> dict[str, Any]:
    """A paragraph holding only its newline."""
    return {"paragraph": {"elements": [{"textRun": {"content": "\n", "textStyle": {}}}],
                          "paragraphStyle": paragraph_style(named)}}


def empty_table(rows: int, columns: int) -> dict[str, Any]:
    """A rows x columns table of empty cells, as insertTable creates it."""
    return {"table": {
        "rows": rows, "columns": columns,
        "tableRows": [
            {"tableCells": [{"content": [empty_paragraph()], "tableCellStyle": default_cell_style()}
                            for _ in range(columns)],
             "tableRowStyle": {"minRowHeight": dict(_PT0)}}
            for _ in range(rows)
        ],
        "tableStyle": {"tableColumnProperties": [{"widthType": "EVENLY_DISTRIBUTED"} for _ in range(columns)]},
    }}


# --------------------------------------------------------------------------------------------------
# Lists (bullet presets)

_DISC, _CIRCLE, _SQUARE = "\u25cf", "\u25cb", "\u25a0"
_PRESETS: dict[str, tuple[tuple[str, str], ...]] = {
    # (glyph type or symbol, format) for levels 0, 1, 2 (repeated for 3..8)
    "BULLET_DISC_CIRCLE_SQUARE": (("sym", _DISC), ("sym", _CIRCLE), ("sym", _SQUARE)),
    "BULLET_DIAMONDX_ARROW3D_SQUARE": (("sym", "\u2756"), ("sym", "\u27a2"), ("sym", _SQUARE)),
    "BULLET_CHECKBOX": (("sym", "\u274f"), ("sym", "\u274f"), ("sym", "\u274f")),
    "BULLET_ARROW_DIAMOND_DISC": (("sym", "\u2794"), ("sym", "\u25c6"), ("sym", _DISC)),
    "BULLET_STAR_CIRCLE_SQUARE": (("sym", "\u2605"), ("sym", _CIRCLE), ("sym", _SQUARE)),
    "BULLET_ARROW3D_CIRCLE_SQUARE": (("sym", "\u27a2"), ("sym", _CIRCLE), ("sym", _SQUARE)),
    "BULLET_LEFTTRIANGLE_DIAMOND_DISC": (("sym", "\u25c4"), ("sym", "\u25c6"), ("sym", _DISC)),
    "BULLET_DIAMONDX_HOLLOWDIAMOND_SQUARE": (("sym", "\u2756"), ("sym", "\u25c7"), ("sym", _SQUARE)),
    "BULLET_DIAMOND_CIRCLE_SQUARE": (("sym", "\u25c6"), ("sym", _CIRCLE), ("sym", _SQUARE)),
    "NUMBERED_DECIMAL_ALPHA_ROMAN": (("DECIMAL", "%{}."), ("ALPHA", "%{}."), ("ROMAN", "%{}.")),
    "NUMBERED_DECIMAL_ALPHA_ROMAN_PARENS": (("DECIMAL", "%{})"), ("ALPHA", "%{})"), ("ROMAN", "%{})")),
    "NUMBERED_DECIMAL_NESTED": (("DECIMAL", "nested"), ("DECIMAL", "nested"), ("DECIMAL", "nested")),
    "NUMBERED_UPPERALPHA_ALPHA_ROMAN": (("UPPER_ALPHA", "%{}."), ("ALPHA", "%{}."), ("ROMAN", "%{}.")),
    "NUMBERED_UPPERROMAN_UPPERALPHA_DECIMAL": (("UPPER_ROMAN", "%{}."), ("UPPER_ALPHA", "%{}."), ("DECIMAL", "%{}.")),
    "NUMBERED_ZERODECIMAL_ALPHA_ROMAN": (("ZERO_DECIMAL", "%{}."), ("ALPHA", "%{}."), ("ROMAN", "%{}.")),
}
BULLET_PRESETS = tuple(_PRESETS)


def list_properties(preset: str) -> dict[str, Any]:
    """``{"listProperties": {"nestingLevels": [9 levels]}}`` for a bullet preset."""
    levels = []
    for level in range(9):
        kind, fmt = _PRESETS[preset][level % 3]
        entry: dict[str, Any] = {"bulletAlignment": "START"}
        if kind == "sym":
            entry["glyphSymbol"] = fmt
            entry["glyphFormat"] = f"%{level}"
        else:
            entry["glyphType"] = kind
            if fmt == "nested":
                entry["glyphFormat"] = "".join(f"%{n}." for n in range(level + 1))
            else:
                entry["glyphFormat"] = fmt.format(level)
            if kind in ("ROMAN", "UPPER_ROMAN"):
                entry["bulletAlignment"] = "END"
        entry["indentFirstLine"] = _pt(18 + 36 * level)
        entry["indentStart"] = _pt(36 + 36 * level)
        entry["textStyle"] = {"underline": False}
        entry["startNumber"] = 1
        levels.append(entry)
    return {"listProperties": {"nestingLevels": levels}}


def is_numbered(list_props: dict[str, Any], level: int = 0) -> bool:
    """Whether ``level`` of a list shows numbers (a glyphType) rather than a symbol."""
    levels = list_props.get("listProperties", {}).get("nestingLevels", [])
    if level >= len(levels):
        return False
    glyph = levels[level].get("glyphType")
    return bool(glyph) and glyph not in ("NONE", "GLYPH_TYPE_UNSPECIFIED")


# --------------------------------------------------------------------------------------------------
# Storage


def new_document(doc_id: str, title: str) -> dict[str, Any]:
    """A blank document record: a section break and one empty paragraph."""
    return {
        "documentId": doc_id,
        "title": title,
        "revisionId": new_revision_id(),
        "content": [{"sectionBreak": {"sectionStyle": dict(SECTION_STYLE)}}, empty_paragraph()],
        "lists": {},
    }


def load(store: Store, doc_id: str) -> dict[str, Any] | None:
    return store.get(KIND, doc_id)


def save(store: Store, doc: dict[str, Any]) -> None:
    store.put(KIND, doc["documentId"], doc)


def create_empty(store: Store, doc_id: str, title: str) -> dict[str, Any]:
    """Store a blank document under ``doc_id`` and return it."""
    doc = new_document(doc_id, title)
    save(store, doc)
    return doc


def replace_content(store: Store, doc_id: str, title: str, content: list[dict[str, Any]],
                    lists: dict[str, Any]) -> dict[str, Any]:
    """Store a document made elsewhere (HTML import): ``content`` without the leading section break."""
    doc = new_document(doc_id, title)
    doc["content"] = normalize([doc["content"][0], *content])
    doc["lists"] = lists
    save(store, doc)
    return doc


def copy_document(store: Store, source_id: str, new_doc_id: str, new_title: str) -> None:
    """files.copy of a Doc: same content under a new id and title."""
    source = load(store, source_id)
    doc = copy.deepcopy(source) if source else new_document(new_doc_id, new_title)
    doc.update(documentId=new_doc_id, title=new_title, revisionId=new_revision_id())
    save(store, doc)


def rename(store: Store, doc_id: str, title: str) -> None:
    doc = load(store, doc_id)
    if doc is not None:
        doc["title"] = title
        save(store, doc)


def delete(store: Store, doc_id: str) -> None:
    store.delete(KIND, doc_id)


def normalize(content: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Make a content list valid the way Google does: a paragraph before every table and at the end,
    at least one paragraph in every cell."""
    out: list[dict[str, Any]] = []
    for element in content:
        if "table" in element:
            if not out or "paragraph" not in out[-1]:
                out.append(empty_paragraph())
            for row in element["table"]["tableRows"]:
                for cell in row["tableCells"]:
                    cell["content"] = normalize(cell.get("content") or [])
        out.append(element)
    if not out or "paragraph" not in out[-1]:
        out.append(empty_paragraph())
    return out


# --------------------------------------------------------------------------------------------------
# Reading: indices and the documents.get shape


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def with_indices(content: list[dict[str, Any]], start: int = 0) -> tuple[list[dict[str, Any]], int]:
    """A copy of ``content`` with startIndex/endIndex on every element (0 is omitted, as Google does)."""
    out = []
    pos = start
    for element in content:
        if "sectionBreak" in element:
            item = _span(pos, pos + 1, {"sectionBreak": copy.deepcopy(element["sectionBreak"])})
            pos += 1
        elif "paragraph" in element:
            para = copy.deepcopy(element["paragraph"])
            first = pos
            elements = []
            for el in para["elements"]:
                width = utf16_len(el["textRun"]["content"]) if "textRun" in el else 1
                elements.append(_span(pos, pos + width, el))
                pos += width
            para["elements"] = elements
            item = _span(first, pos, {"paragraph": para})
        else:
            table = element["table"]
            first = pos
            pos += 1
            rows = []
            for row in table["tableRows"]:
                row_start = pos
                pos += 1
                cells = []
                for cell in row["tableCells"]:
                    cell_start = pos
                    inner, pos = with_indices(cell["content"], pos + 1)
                    cells.append(_span(cell_start, pos, {"content": inner,
                                                         "tableCellStyle": copy.deepcopy(cell["tableCellStyle"])}))
                rows.append(_span(row_start, pos, {"tableCells": cells,
                                                   "tableRowStyle": copy.deepcopy(row.get("tableRowStyle", {}))}))
            pos += 1
            item = _span(first, pos, {"table": {"rows": len(rows), "columns": table["columns"], "tableRows": rows,
                                                "tableStyle": copy.deepcopy(table.get("tableStyle", {}))}})
        out.append(item)
    return out, pos


def _span(start: int, end: int, body: dict[str, Any]) -> dict[str, Any]:
    item: dict[str, Any] = {} if start == 0 else {"startIndex": start}
    item["endIndex"] = end
    item.update(body)
    return item


def body_end(doc: dict[str, Any]) -> int:
    """The body's end index (one past its final newline)."""
    return with_indices(doc["content"])[1]


def document_json(doc: dict[str, Any], *, include_tabs: bool = False, suggestions_view_mode: str | None = None,
                  can_edit: bool = True) -> dict[str, Any]:
    """The documents.get answer. Readers without edit access get no ``revisionId``, as with Google."""
    content, _ = with_indices(doc["content"])
    tab: dict[str, Any] = {"body": {"content": content}, "documentStyle": default_document_style(),
                           "namedStyles": default_named_styles()}
    if doc.get("lists"):
        tab["lists"] = copy.deepcopy(doc["lists"])
    mode = suggestions_view_mode
    if not mode or mode == "DEFAULT_FOR_CURRENT_ACCESS":
        mode = "SUGGESTIONS_INLINE" if can_edit else "PREVIEW_WITHOUT_SUGGESTIONS"
    answer: dict[str, Any] = {"title": doc["title"]}
    if include_tabs:
        answer["tabs"] = [{"tabProperties": {"tabId": "t.0", "title": "Tab 1", "index": 0}, "documentTab": tab}]
    else:
        answer.update(tab)
    if can_edit:
        answer["revisionId"] = doc["revisionId"]
    answer["suggestionsViewMode"] = mode
    answer["documentId"] = doc["documentId"]
    return answer


# --------------------------------------------------------------------------------------------------
# The linear form

CHAR, OBJ, TABLE, ROW, CELL, TABLE_END, SECTION = "C", "O", "TS", "RS", "CS", "TE", "SB"
_INLINE = (CHAR, OBJ)


@dataclass(slots=True)
class Unit:
    """One position run of the document: a character, an inline object or a structural marker."""

    kind: str
    ch: str = ""
    style: Any = None
    """Text style (characters, objects) or the marker's own style (table, row, cell, section)."""
    extra: Any = None
    """A newline's ``{"paragraphStyle", "bullet"?}``; an object's ``(name, body)``; a table's column count."""

    @property
    def width(self) -> int:
        return 2 if self.kind == CHAR and ord(self.ch) > 0xFFFF else 1

    @property
    def is_newline(self) -> bool:
        return self.kind == CHAR and self.ch == "\n"


def linearize(content: list[dict[str, Any]]) -> list[Unit]:
    units: list[Unit] = []
    for element in content:
        if "sectionBreak" in element:
            units.append(Unit(SECTION, style=element["sectionBreak"].get("sectionStyle", {})))
        elif "paragraph" in element:
            para = element["paragraph"]
            for el in para["elements"]:
                if "textRun" in el:
                    style = el["textRun"].get("textStyle", {})
                    units.extend(Unit(CHAR, ch, style) for ch in el["textRun"]["content"])
                else:
                    name = next(k for k in el if k not in ("startIndex", "endIndex"))
                    body = dict(el[name])
                    units.append(Unit(OBJ, style=body.pop("textStyle", {}), extra=(name, body)))
            last = units[-1]
            last.extra = {"paragraphStyle": para.get("paragraphStyle", {})}
            if "bullet" in para:
                last.extra["bullet"] = para["bullet"]
        else:
            table = element["table"]
            units.append(Unit(TABLE, style=table.get("tableStyle", {}), extra=table["columns"]))
            for row in table["tableRows"]:
                units.append(Unit(ROW, style=row.get("tableRowStyle", {})))
                for cell in row["tableCells"]:
                    units.append(Unit(CELL, style=cell.get("tableCellStyle", {})))
                    units.extend(linearize(cell["content"]))
            units.append(Unit(TABLE_END))
    return units


def structure(units: list[Unit]) -> list[dict[str, Any]]:
    content, i = _parse(units, 0)
    if i != len(units):  # pragma: no cover - guarded by request validation
        raise ApiError(500, "Internal error encountered.")
    return content


def _parse(units: list[Unit], i: int) -> tuple[list[dict[str, Any]], int]:
    content: list[dict[str, Any]] = []
    n = len(units)
    while i < n and units[i].kind not in (ROW, CELL, TABLE_END):
        unit = units[i]
        if unit.kind == SECTION:
            content.append({"sectionBreak": {"sectionStyle": unit.style}})
            i += 1
        elif unit.kind == TABLE:
            table, i = _parse_table(units, i)
            content.append(table)
        else:
            para, i = _parse_paragraph(units, i)
            content.append(para)
    return content, i


def _parse_paragraph(units: list[Unit], i: int) -> tuple[dict[str, Any], int]:
    elements: list[dict[str, Any]] = []
    text: list[str] = []
    style: Any = None
    while True:
        unit = units[i]
        if unit.kind == OBJ:
            if text:
                elements.append({"textRun": {"content": "".join(text), "textStyle": style}})
                text = []
            name, body = unit.extra
            elements.append({name: {**body, "textStyle": unit.style}})
        elif unit.kind == CHAR:
            if text and unit.style != style:
                elements.append({"textRun": {"content": "".join(text), "textStyle": style}})
                text = []
            if not text:
                style = unit.style
            text.append(unit.ch)
        else:  # pragma: no cover - a paragraph always ends with its newline
            raise ApiError(500, "Internal error encountered.")
        i += 1
        if unit.is_newline:
            break
    if text:
        elements.append({"textRun": {"content": "".join(text), "textStyle": style}})
    para: dict[str, Any] = {"elements": elements, "paragraphStyle": unit.extra["paragraphStyle"]}
    if unit.extra.get("bullet"):
        para["bullet"] = unit.extra["bullet"]
    return {"paragraph": para}, i


def _parse_table(units: list[Unit], i: int) -> tuple[dict[str, Any], int]:
    start = units[i]
    i += 1
    rows = []
    while units[i].kind == ROW:
        row_style = units[i].style
        i += 1
        cells = []
        while units[i].kind == CELL:
            cell_style = units[i].style
            inner, i = _parse(units, i + 1)
            cells.append({"content": inner, "tableCellStyle": cell_style})
        rows.append({"tableCells": cells, "tableRowStyle": row_style})
    i += 1  # TABLE_END
    return {"table": {"rows": len(rows), "columns": start.extra, "tableRows": rows, "tableStyle": start.style}}, i


# --------------------------------------------------------------------------------------------------
# batchUpdate


class Editor:
    """A document opened for one batchUpdate: requests mutate the linear form, ``finish`` stores it."""

    def __init__(self, doc: dict[str, Any]) -> None:
        self.doc = doc
        self.units = linearize(doc["content"])
        self.lists: dict[str, Any] = doc.setdefault("lists", {})
        self._pos: list[int] | None = None
        self.where = ""

    # positions ---------------------------------------------------------------------------------
    @property
    def pos(self) -> list[int]:
        """Start index of every unit, plus the end index as the last entry."""
        if self._pos is None:
            self._pos = [0, *accumulate(u.width for u in self.units)]
        return self._pos

    def changed(self) -> None:
        self._pos = None

    @property
    def end(self) -> int:
        return self.pos[-1]

    def unit_at(self, index: int) -> int | None:
        """The unit starting at ``index`` (len(units) at the end), None inside a surrogate pair."""
        k = bisect_left(self.pos, index)
        if k < len(self.pos) and self.pos[k] == index:
            return k
        return None

    # errors ------------------------------------------------------------------------------------
    def invalid(self, message: str) -> ApiError:
        return ApiError(400, f"Invalid {self.where}: {message}")

    def check_segment(self, where: dict[str, Any]) -> None:
        segment = where.get("segmentId") or ""
        if segment:
            raise self.invalid(f"The segment ID '{segment}' was not found in the document.")
        tab = where.get("tabId") or ""
        if tab and tab != "t.0":
            raise self.invalid(f"The tab with ID '{tab}' was not found in the document.")

    def check_range(self, rng: dict[str, Any] | None, *, allow_last_newline: bool = False) -> tuple[int, int]:
        """Unit positions (k_start, k_end) of a Range, after Google's bound checks."""
        if rng is None:
            raise self.invalid("The range must be specified.")
        self.check_segment(rng)
        start, end = int(rng.get("startIndex", 0)), int(rng.get("endIndex", 0))
        if end > self.end or (end == self.end and not allow_last_newline):
            raise self.invalid(f"Index {end} must be less than the end index of the referenced segment, {self.end}.")
        if start >= end:
            raise self.invalid("The range should not be empty.")
        if start < 1:
            raise self.invalid("The start index must be greater than or equal to 1.")
        ks, ke = self.unit_at(start), self.unit_at(end)
        if ks is None or ke is None:
            raise self.invalid("The range cannot split a surrogate pair.")
        return ks, ke

    def insertion_point(self, req: dict[str, Any]) -> int:
        """The unit position of ``location`` / ``endOfSegmentLocation``, inside an existing paragraph."""
        location, eos = req.get("location"), req.get("endOfSegmentLocation")
        if (location is None) == (eos is None):
            raise self.invalid("Exactly one of location or endOfSegmentLocation must be set.")
        if eos is not None:
            self.check_segment(eos)
            return len(self.units) - 1
        self.check_segment(location)
        index = int(location.get("index", 0))
        if index >= self.end:
            raise self.invalid(f"Index {index} must be less than the end index of the referenced segment, {self.end}.")
        k = self.unit_at(index)
        if k is None:
            raise self.invalid("The insertion index cannot be within a surrogate pair.")
        if index < 1 or self.units[k].kind not in _INLINE:
            raise self.invalid("The insertion index must be inside the bounds of an existing paragraph. "
                               "You can still create new paragraphs by inserting newlines.")
        return k

    # helpers -----------------------------------------------------------------------------------
    def paragraph_end(self, k: int) -> int:
        """The newline unit ending the paragraph that holds unit ``k``."""
        while not self.units[k].is_newline:
            k += 1
        return k

    def paragraph_start(self, k: int) -> int:
        while k > 0 and self.units[k - 1].kind in _INLINE and not self.units[k - 1].is_newline:
            k -= 1
        return k

    def paragraphs_in(self, ks: int, ke: int) -> list[int]:
        """Newline units of every paragraph overlapping units [ks, ke)."""
        ends = []
        last = ke - 1
        open_end = self.units[last].kind in _INLINE  # the range ends inside a paragraph: include it whole
        for k in range(ks, len(self.units)):
            if k > last and not open_end:
                break
            if self.units[k].is_newline:
                ends.append(k)
                if k >= last:
                    break
        return ends

    def insert_units(self, k: int, text: str, style: Any, para: dict[str, Any]) -> int:
        """Insert ``text`` at unit ``k``; each newline ends a paragraph styled like ``para``. Returns the count."""
        new = []
        for ch in text:
            unit = Unit(CHAR, ch, style)
            if ch == "\n":
                unit.extra = _copy_paragraph(para)
            new.append(unit)
        self.units[k:k] = new
        self.changed()
        return len(new)

    def inherited_style(self, k: int) -> Any:
        """Text style for text inserted at unit ``k``: the preceding character's, else the following one's."""
        before = self.units[k - 1] if k > 0 else None
        if before is not None and before.kind in _INLINE and not before.is_newline:
            return before.style
        return self.units[k].style

    # finishing -------------------------------------------------------------------------------------
    def finish(self) -> None:
        self.doc["content"] = structure(self.units)
        used = {u.extra["bullet"]["listId"] for u in self.units if u.is_newline and u.extra.get("bullet")}
        self.doc["lists"] = {k: v for k, v in self.lists.items() if k in used}


def _copy_paragraph(para: dict[str, Any]) -> dict[str, Any]:
    out = {"paragraphStyle": dict(para["paragraphStyle"])}
    if "headingId" in out["paragraphStyle"]:
        out["paragraphStyle"]["headingId"] = new_heading_id()
    if para.get("bullet"):
        out["bullet"] = copy.deepcopy(para["bullet"])
    return out


_STRIPPED = re.compile("[\u0000-\u0008\u000c-\u001f\ue000-\uf8ff]")


def _insert_text(ed: Editor, req: dict[str, Any]) -> dict[str, Any]:
    k = ed.insertion_point(req)
    text = _STRIPPED.sub("", req.get("text", ""))
    if text:
        para = ed.units[ed.paragraph_end(k)].extra
        ed.insert_units(k, text, ed.inherited_style(k), para)
    return {}


def _delete_content_range(ed: Editor, req: dict[str, Any]) -> dict[str, Any]:
    rng = req.get("range")
    if rng is not None and int(rng.get("endIndex", 0)) == ed.end and int(rng.get("startIndex", 0)) < ed.end:
        ed.check_segment(rng)
        raise ed.invalid("The range cannot include the newline character at the end of the segment.")
    ks, ke = ed.check_range(rng)
    units = ed.units
    refused = ed.invalid("Invalid deletion range. Cannot delete the requested range.")
    depth = 0
    for k in range(ks, ke):
        unit = units[k]
        if unit.kind == SECTION:
            raise refused
        if unit.kind == TABLE:
            depth += 1
        elif unit.kind == TABLE_END:
            if depth == 0:
                raise refused
            depth -= 1
        elif unit.kind in (ROW, CELL):
            if depth == 0:
                raise refused
        elif unit.is_newline and depth == 0:
            following = units[k + 1] if k + 1 < len(units) else None
            if following is not None and following.kind in (ROW, CELL, TABLE_END):
                raise refused  # a table cell's final newline
            if following is not None and following.kind in (TABLE, SECTION) and k + 1 >= ke:
                raise refused  # the newline before a table or section break, without the element
    if depth:
        raise refused
    del units[ks:ke]
    ed.changed()
    return {}


def _replace_all_text(ed: Editor, req: dict[str, Any]) -> dict[str, Any]:
    criteria = req.get("containsText") or {}
    needle = criteria.get("text", "")
    if not needle:
        raise ed.invalid("The text to search for must not be empty.")
    match_case = bool(criteria.get("matchCase", False))
    replacement = _STRIPPED.sub("", req.get("replaceText", ""))
    for tab in (req.get("tabsCriteria") or {}).get("tabIds", []):
        if tab != "t.0":
            raise ed.invalid(f"The tab with ID '{tab}' was not found in the document.")
    # a match never crosses a paragraph end or a table boundary
    haystack = "".join(u.ch if u.kind == CHAR and u.ch != "\n" else "\x00" for u in ed.units)
    if not match_case:
        haystack, needle = _fold(haystack), _fold(needle)
    matches = []
    at = haystack.find(needle)
    while at >= 0:
        matches.append(at)
        at = haystack.find(needle, at + len(needle))
    for at in reversed(matches):
        style = ed.units[at].style
        para = ed.units[ed.paragraph_end(at)].extra
        del ed.units[at:at + len(needle)]
        ed.insert_units(at, replacement, style, para)
    ed.changed()
    return {"replaceAllText": {"occurrencesChanged": len(matches)} if matches else {}}


def _fold(text: str) -> str:
    """Lower-case character by character, keeping positions aligned."""
    return "".join(c if len(low := c.lower()) != 1 else low for c in text)


def _fields(ed: Editor, req: dict[str, Any], allowed: dict[str, Any]) -> list[str] | None:
    """The names in a ``fields`` mask (None means ``*``)."""
    names = [f.strip() for f in (req.get("fields") or "").split(",") if f.strip()]
    if not names:
        raise ed.invalid("At least one field must be listed in 'fields'. (Use '*' to indicate all fields.)")
    if "*" in names:
        return None
    tops = []
    for name in names:
        top = name.split(".", 1)[0]
        if top not in allowed:
            raise ed.invalid(f"Invalid field: {name}")
        tops.append(top)
    return tops


def _masked(old: dict[str, Any], new: dict[str, Any], names: list[str] | None) -> dict[str, Any]:
    if names is None:
        return copy.deepcopy(new)
    out = dict(old)
    for name in names:
        if name in new:
            out[name] = copy.deepcopy(new[name])
        else:
            out.pop(name, None)
    return out


_TEXT_STYLE_FIELDS = dict.fromkeys(
    ("backgroundColor", "baselineOffset", "bold", "fontSize", "foregroundColor", "italic", "link", "smallCaps",
     "strikethrough", "underline", "weightedFontFamily"))
_PARAGRAPH_STYLE_FIELDS = dict.fromkeys(
    ("alignment", "avoidWidowAndOrphan", "borderBetween", "borderBottom", "borderLeft", "borderRight", "borderTop",
     "direction", "headingId", "indentEnd", "indentFirstLine", "indentStart", "keepLinesTogether", "keepWithNext",
     "lineSpacing", "namedStyleType", "pageBreakBefore", "shading", "spaceAbove", "spaceBelow", "spacingMode",
     "tabStops"))


def _update_text_style(ed: Editor, req: dict[str, Any]) -> dict[str, Any]:
    names = _fields(ed, req, _TEXT_STYLE_FIELDS)
    ks, ke = ed.check_range(req.get("range"))
    new = req.get("textStyle") or {}
    if "link" in new and not any(new["link"].get(k) for k in ("url", "bookmarkId", "headingId", "bookmark",
                                                                "heading", "tabId")):
        new = {k: v for k, v in new.items() if k != "link"}
    cache: dict[int, dict[str, Any]] = {}
    for k in range(ks, ke):
        unit = ed.units[k]
        if unit.kind in _INLINE:
            key = id(unit.style)
            if key not in cache:
                cache[key] = _masked(unit.style or {}, new, names)
            unit.style = cache[key]
    return {}


def _update_paragraph_style(ed: Editor, req: dict[str, Any]) -> dict[str, Any]:
    names = _fields(ed, req, _PARAGRAPH_STYLE_FIELDS)
    ks, ke = ed.check_range(req.get("range"))
    new = dict(req.get("paragraphStyle") or {})
    new.pop("headingId", None)
    named = new.get("namedStyleType")
    if named is not None and named not in NAMED_STYLE_TYPES:
        raise ed.invalid(f"Invalid named style type: {named}")
    for k in ed.paragraphs_in(ks, ke):
        extra = ed.units[k].extra
        old = extra["paragraphStyle"]
        style = _masked(old, new, [n for n in names if n != "headingId"] if names else None)
        style.setdefault("namedStyleType", "NORMAL_TEXT")
        style.setdefault("direction", "LEFT_TO_RIGHT")
        if style["namedStyleType"] in HEADING_TYPES:
            heading = old.get("headingId") if old.get("namedStyleType") == style["namedStyleType"] else None
            style = {"headingId": heading or new_heading_id(), **{k2: v for k2, v in style.items()
                                                                  if k2 != "headingId"}}
        else:
            style.pop("headingId", None)
        extra = dict(extra)
        extra["paragraphStyle"] = style
        ed.units[k].extra = extra
    return {}


def _create_paragraph_bullets(ed: Editor, req: dict[str, Any]) -> dict[str, Any]:
    preset = req.get("bulletPreset") or "BULLET_GLYPH_PRESET_UNSPECIFIED"
    if preset not in _PRESETS:
        raise ed.invalid("A bullet preset must be specified.")
    ks, ke = ed.check_range(req.get("range"))
    ends = ed.paragraphs_in(ks, ke)
    list_id = new_list_id()
    props = list_properties(preset)
    ed.lists[list_id] = props
    levels = props["listProperties"]["nestingLevels"]
    for end in reversed(ends):  # right to left: removing tabs does not move earlier paragraphs
        start = ed.paragraph_start(end)
        tabs = 0
        while ed.units[start + tabs].kind == CHAR and ed.units[start + tabs].ch == "\t":
            tabs += 1
        level = min(tabs, 8)
        bullet: dict[str, Any] = {"listId": list_id, "textStyle": {}}
        if level:
            bullet["nestingLevel"] = level
        para = dict(ed.units[end].extra)
        style = dict(para["paragraphStyle"])
        style["indentFirstLine"] = dict(levels[level]["indentFirstLine"])
        style["indentStart"] = dict(levels[level]["indentStart"])
        para["paragraphStyle"] = style
        para["bullet"] = bullet
        ed.units[end].extra = para
        if tabs:
            del ed.units[start:start + tabs]
            ed.changed()
    return {}


def _delete_paragraph_bullets(ed: Editor, req: dict[str, Any]) -> dict[str, Any]:
    ks, ke = ed.check_range(req.get("range"))
    for k in ed.paragraphs_in(ks, ke):
        extra = ed.units[k].extra
        if extra.get("bullet"):
            ed.units[k].extra = {key: value for key, value in extra.items() if key != "bullet"}
    return {}


def _insert_table(ed: Editor, req: dict[str, Any]) -> dict[str, Any]:
    rows, columns = int(req.get("rows", 0)), int(req.get("columns", 0))
    if rows < 1 or columns < 1:
        raise ed.invalid("The number of rows and columns must be greater than 0.")
    if columns > 20:
        raise ed.invalid("The number of columns must be at most 20.")
    k = ed.insertion_point(req)
    para = ed.units[ed.paragraph_end(k)].extra
    newline = Unit(CHAR, "\n", ed.inherited_style(k), _copy_paragraph(para))
    table = linearize([empty_table(rows, columns)])
    ed.units[k:k] = [newline, *table]
    ed.changed()
    return {}


@dataclass
class _Table:
    start: int
    end: int  # unit index of TABLE_END
    rows: list[tuple[int, list[tuple[int, int]]]]
    """(row unit, [(cell unit, cell end unit exclusive)])"""


def _table_at(ed: Editor, req: dict[str, Any]) -> tuple[_Table, int, int]:
    location = req.get("tableCellLocation")
    if not location:
        raise ed.invalid("The table cell location must be specified.")
    start = location.get("tableStartLocation") or {}
    ed.check_segment(start)
    index = int(start.get("index", 0))
    k = ed.unit_at(index) if 0 <= index < ed.end else None
    if k is None or ed.units[k].kind != TABLE:
        raise ed.invalid(f"The provided table start location is invalid: no table starts at index {index}.")
    table = _scan_table(ed.units, k)
    row, column = int(location.get("rowIndex", 0)), int(location.get("columnIndex", 0))
    if not 0 <= row < len(table.rows):
        raise ed.invalid(f"The row index {row} is out of bounds for a table with {len(table.rows)} rows.")
    if not 0 <= column < len(table.rows[row][1]):
        raise ed.invalid(f"The column index {column} is out of bounds for a table with "
                         f"{len(table.rows[row][1])} columns.")
    return table, row, column


def _scan_table(units: list[Unit], k: int) -> _Table:
    rows: list[tuple[int, list[tuple[int, int]]]] = []
    i = k + 1
    depth = 0
    cell_start = -1
    while True:
        unit = units[i]
        if depth == 0 and unit.kind in (ROW, CELL, TABLE_END):
            if cell_start >= 0:
                rows[-1][1].append((cell_start, i))
                cell_start = -1
            if unit.kind == ROW:
                rows.append((i, []))
            elif unit.kind == CELL:
                cell_start = i
            else:
                return _Table(k, i, rows)
        elif unit.kind == TABLE:
            depth += 1
        elif unit.kind == TABLE_END:
            depth -= 1
        i += 1


def _empty_cell_units(style: dict[str, Any]) -> list[Unit]:
    cell_style = {**copy.deepcopy(style), "rowSpan": 1, "columnSpan": 1}
    return [Unit(CELL, style=cell_style), *linearize([empty_paragraph()])]


def _insert_table_row(ed: Editor, req: dict[str, Any]) -> dict[str, Any]:
    table, row, _ = _table_at(ed, req)
    row_unit, cells = table.rows[row]
    new = [Unit(ROW, style=copy.deepcopy(ed.units[row_unit].style))]
    for cell_start, _end in cells:
        new.extend(_empty_cell_units(ed.units[cell_start].style))
    at = (table.rows[row + 1][0] if row + 1 < len(table.rows) else table.end) if req.get("insertBelow") else row_unit
    ed.units[at:at] = new
    ed.changed()
    return {}


def _delete_table_row(ed: Editor, req: dict[str, Any]) -> dict[str, Any]:
    table, row, _ = _table_at(ed, req)
    if len(table.rows) == 1:
        del ed.units[table.start:table.end + 1]
    else:
        first = table.rows[row][0]
        last = table.rows[row + 1][0] if row + 1 < len(table.rows) else table.end
        del ed.units[first:last]
    ed.changed()
    return {}


def _insert_table_column(ed: Editor, req: dict[str, Any]) -> dict[str, Any]:
    table, _, column = _table_at(ed, req)
    right = bool(req.get("insertRight"))
    for _row_unit, cells in reversed(table.rows):
        ref_start, ref_end = cells[min(column, len(cells) - 1)]
        at = ref_end if right else ref_start
        ed.units[at:at] = _empty_cell_units(ed.units[ref_start].style)
    head = ed.units[table.start]
    head.extra = head.extra + 1
    props = list(head.style.get("tableColumnProperties", []))
    props.insert(column + (1 if right else 0), {"widthType": "EVENLY_DISTRIBUTED"})
    head.style = {**head.style, "tableColumnProperties": props}
    ed.changed()
    return {}


def _delete_table_column(ed: Editor, req: dict[str, Any]) -> dict[str, Any]:
    table, _, column = _table_at(ed, req)
    if ed.units[table.start].extra == 1:
        del ed.units[table.start:table.end + 1]
        ed.changed()
        return {}
    for _row_unit, cells in reversed(table.rows):
        if column < len(cells):
            start, end = cells[column]
            del ed.units[start:end]
    head = ed.units[table.start]
    head.extra = head.extra - 1
    props = list(head.style.get("tableColumnProperties", []))
    if column < len(props):
        props.pop(column)
    head.style = {**head.style, "tableColumnProperties": props}
    ed.changed()
    return {}


def _insert_page_break(ed: Editor, req: dict[str, Any]) -> dict[str, Any]:
    k = ed.insertion_point(req)
    depth = sum(1 if u.kind == TABLE else -1 if u.kind == TABLE_END else 0 for u in ed.units[:k])
    if depth:
        raise ed.invalid("Page breaks cannot be inserted inside a table.")
    ed.units[k:k] = [Unit(OBJ, style=ed.inherited_style(k), extra=("pageBreak", {}))]
    ed.changed()
    return {}


APPLY = {
    "insertText": _insert_text,
    "deleteContentRange": _delete_content_range,
    "replaceAllText": _replace_all_text,
    "updateTextStyle": _update_text_style,
    "updateParagraphStyle": _update_paragraph_style,
    "createParagraphBullets": _create_paragraph_bullets,
    "deleteParagraphBullets": _delete_paragraph_bullets,
    "insertTable": _insert_table,
    "insertTableRow": _insert_table_row,
    "deleteTableRow": _delete_table_row,
    "insertTableColumn": _insert_table_column,
    "deleteTableColumn": _delete_table_column,
    "insertPageBreak": _insert_page_break,
}
"""Implemented request kinds; the other kinds of the discovery document's ``Request`` answer 501."""


def batch_update(doc: dict[str, Any], requests: list[dict[str, Any]],
                 write_control: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Apply ``requests`` to ``doc`` in order, all or nothing; returns the replies.

    ``doc`` is changed only when every request succeeded (the caller stores it); any failing request
    raises :class:`ApiError` and leaves ``doc`` as it was.
    """
    control = write_control or {}
    required = control.get("requiredRevisionId")
    if required and required != doc["revisionId"]:
        raise ApiError(400, f"The required revision ID {required} does not match the latest revision of the "
                            "document.", status="FAILED_PRECONDITION")
    if not requests:
        raise ApiError(400, "Must specify at least one request.")
    work = copy.deepcopy(doc)
    ed = Editor(work)
    replies = []
    for n, request in enumerate(requests):
        kinds = [k for k in request if request[k] is not None]
        if not kinds:
            raise ApiError(400, f"Invalid requests[{n}]: No request set.")
        if len(kinds) > 1:
            raise ApiError(400, f"Invalid value at 'requests[{n}]' (oneof), oneof field 'request' is already set. "
                                f"Cannot overwrite '{kinds[0]}' with '{kinds[1]}'.")
        kind = kinds[0]
        apply = APPLY.get(kind)
        if apply is None:
            raise ApiError(501, f"Invalid requests[{n}].{kind}: the sandbox does not implement {kind} yet.")
        ed.where = f"requests[{n}].{kind}"
        replies.append(apply(ed, request[kind] or {}))
    ed.finish()
    work["revisionId"] = new_revision_id()
    doc.clear()
    doc.update(work)
    return replies


def plain_text(doc: dict[str, Any]) -> str:
    """Every character of the body in order (tables cell by cell), for searches and tests."""
    return "".join(u.ch for u in linearize(doc["content"]) if u.kind == CHAR)
