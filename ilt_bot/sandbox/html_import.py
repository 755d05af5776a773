"""What Drive does to an uploaded HTML file converted to a Google Doc: HTML -> Docs structure.

Built on :class:`html.parser.HTMLParser` (entities decoded by it). The mapping follows Drive's
converter for the common tags: ``h1``-``h6`` become HEADING_1-6 paragraphs, ``p``/``div``/``li``
paragraphs, ``b``/``strong``/``i``/``em``/``u``/``s``/``sup``/``sub``/``code`` text styles (also when set
by inline CSS or ``<style>`` class rules), ``a href`` links, ``br`` a line break (U+000B) inside the
paragraph, ``ul``/``ol`` (nested) bulleted or numbered lists, ``table`` tables (``th`` bold), ``hr`` a
horizontal rule. ``head``, ``title``, ``script`` and ``style`` contribute no text. Whitespace collapses
as a browser collapses it, except under ``<pre>`` or ``white-space: pre|pre-wrap|pre-line``.
Everything else is text: ``{{ x }}``, ``<script>`` written as text, or ``=SUM(A1)`` stay as typed.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

from ilt_bot.sandbox.docs import models

LINK_COLOR = {"color": {"rgbColor": {"red": 0.06666667, "green": 0.33333334, "blue": 0.8}}}
MONOSPACE = {"fontFamily": "Courier New", "weight": 400}

_HEADINGS = {f"h{n}": f"HEADING_{n}" for n in range(1, 7)}
_PARAGRAPHS = {"p", "li", "dt", "dd", "caption", "figcaption", "address", "summary", *_HEADINGS}
_CONTAINERS = {
    "div", "section", "article", "header", "footer", "main", "nav", "aside", "blockquote", "figure", "center",
    "dl", "details", "form", "fieldset", "body", "html", "pre", "ul", "ol", "table", "tr", "td", "th", "thead",
    "tbody", "tfoot",
}
_SKIPPED = {"title", "script", "style", "template", "noscript", "iframe", "object", "svg", "math", "select",
            "textarea", "button"}
_VOID = {"br", "hr", "img", "input", "meta", "link", "wbr", "col", "area", "base", "source", "embed", "param", "track"}
_COLLAPSIBLE = re.compile(r"[ \t\n\r\f]+")
_SAFE_SCHEMES = ("http", "https", "mailto", "ftp", "tel")


@dataclass
class _Para:
    named: str = "NORMAL_TEXT"
    bullet: dict[str, Any] | None = None
    indent: dict[str, Any] | None = None
    elements: list[dict[str, Any]] = field(default_factory=list)
    pending_space: dict[str, Any] | None = None
    """A collapsible space seen after text, kept back until more text follows (with its style)."""

    def add(self, text: str, style: dict[str, Any]) -> None:
        last = self.elements[-1] if self.elements else None
        if last is not None and "textRun" in last and last["textRun"]["textStyle"] == style:
            last["textRun"]["content"] += text
        else:
            self.elements.append({"textRun": {"content": text, "textStyle": copy.deepcopy(style)}})

    @property
    def text_so_far(self) -> str:
        return "".join(e["textRun"]["content"] for e in self.elements if "textRun" in e)

    def ends_line(self) -> bool:
        """True at the paragraph's start or right after a line break (no space is kept there)."""
        if not self.elements:
            return True
        last = self.elements[-1]
        return "textRun" in last and last["textRun"]["content"].endswith(("\u000b", " "))


@dataclass
class _Frame:
    tag: str
    style: dict[str, Any]
    white_space: str
    paragraph: str | None = None
    """Named style a paragraph opened inside this element gets."""
    bullet: dict[str, Any] | None = None
    indent: dict[str, Any] | None = None
    skip: bool = False
    opened: _Para | None = None
    attributes: dict[str, str] = field(default_factory=dict)


@dataclass
class _Table:
    rows: list[list[dict[str, Any]]] = field(default_factory=list)


class DocsHTMLParser(HTMLParser):
    """Collects paragraphs, tables and lists while the HTML is fed in."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.content: list[dict[str, Any]] = []
        self.lists: dict[str, Any] = {}
        self.containers: list[list[dict[str, Any]]] = [self.content]
        self.stack: list[_Frame] = [_Frame("#root", {}, "normal")]
        self.para: _Para | None = None
        self.tables: list[_Table] = []
        self.list_stack: list[tuple[str, int]] = []  # (list id, level)
        self.css: dict[str, dict[str, str]] = {}
        self.css_text: list[str] = []
        self.skip_depth = 0
        self._skip_tag = ""

    # ---------------------------------------------------------------------------------------------
    @property
    def frame(self) -> _Frame:
        return self.stack[-1]

    def flush(self, *, keep_empty: bool = False) -> None:
        """Close the open paragraph (an empty one is dropped unless ``keep_empty``)."""
        para = self.para
        self.para = None
        if para is not None and para.elements and "textRun" in para.elements[-1]:
            last = para.elements[-1]["textRun"]
            if last["content"].endswith("\u000b"):  # a <br> ending a block adds no line in a browser
                last["content"] = last["content"][:-1]
                if not last["content"]:
                    para.elements.pop()
                    keep_empty = True
        if para is None or (not para.elements and not keep_empty):
            return
        text_style: dict[str, Any] = {}
        if para.elements and "textRun" in para.elements[-1]:  # the newline is styled like the text before it,
            text_style = para.elements[-1]["textRun"]["textStyle"]  # but a link does not reach it
            if "link" in text_style:
                text_style = {k: v for k, v in text_style.items() if k not in ("link", "underline", "foregroundColor")}
        para.add("\n", text_style)
        style = models.paragraph_style(para.named)
        if para.indent:
            style.update(copy.deepcopy(para.indent))
        body: dict[str, Any] = {"elements": para.elements, "paragraphStyle": style}
        if para.bullet:
            body["bullet"] = copy.deepcopy(para.bullet)
        self.containers[-1].append({"paragraph": body})

    def _context(self) -> tuple[str, dict[str, Any] | None, dict[str, Any] | None]:
        """Named style, bullet and indent a paragraph opened here inherits from its enclosing elements."""
        for frame in reversed(self.stack):
            if frame.paragraph is not None:
                return frame.paragraph, frame.bullet, frame.indent
        return "NORMAL_TEXT", None, None

    def open_paragraph(self) -> _Para:
        if self.para is None:
            self.para = _Para(*self._context())
        return self.para

    # ---------------------------------------------------------------------------------------------
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {k: v or "" for k, v in attrs}
        if self.skip_depth:
            if tag not in _VOID:
                self.skip_depth += 1
            return
        if tag in _SKIPPED:
            self.skip_depth = 1
            self._skip_tag = tag
            return
        if tag == "br":
            para = self.open_paragraph()
            para.pending_space = None
            para.add("\u000b", self.frame.style)
            return
        if tag == "hr":
            self.flush()
            css = self._css(attributes)
            name = "pageBreak" if "always" in css.get("page-break-before", css.get("break-before", "")) else \
                "horizontalRule"
            self.containers[-1].append({"paragraph": {
                "elements": [{name: {"textStyle": {}}}, {"textRun": {"content": "\n", "textStyle": {}}}],
                "paragraphStyle": models.paragraph_style()}})
            return
        if tag in _VOID:
            return
        self._push(tag, attributes)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID and not self.skip_depth:
            self.handle_endtag(tag)

    def _push(self, tag: str, attributes: dict[str, str]) -> None:
        parent = self.frame
        css = self._css(attributes)
        style = _apply_tag_style(dict(parent.style), tag, attributes)
        style = _apply_css_style(style, css)
        white_space = css.get("white-space", "pre" if tag == "pre" else parent.white_space)
        frame = _Frame(tag, style, white_space, attributes=attributes)
        classes = attributes.get("class", "").split()
        if tag in _PARAGRAPHS or tag in _CONTAINERS:
            self.flush()
        if tag in _HEADINGS:
            frame.paragraph = _HEADINGS[tag]
        elif tag == "p" and "title" in classes:
            frame.paragraph = "TITLE"
        elif tag == "p" and "subtitle" in classes:
            frame.paragraph = "SUBTITLE"
        elif tag in ("ul", "ol"):
            self._open_list(tag, attributes)
        elif tag == "li":
            if not self.list_stack:
                self._open_list("ul", {})
                frame.tag = "li+list"
            list_id, level = self.list_stack[-1]
            frame.paragraph = "NORMAL_TEXT"
            frame.bullet = {"listId": list_id, "textStyle": {}}
            if level:
                frame.bullet["nestingLevel"] = level
            entry = self.lists[list_id]["listProperties"]["nestingLevels"][level]
            frame.indent = {"indentFirstLine": entry["indentFirstLine"], "indentStart": entry["indentStart"]}
        elif tag == "table":
            self.tables.append(_Table())
        elif tag == "tr" and self.tables:
            self.tables[-1].rows.append([])
        elif tag in ("td", "th") and self.tables:
            table = self.tables[-1]
            if not table.rows:
                table.rows.append([])
            cell: dict[str, Any] = {"content": [], "tableCellStyle": models.default_cell_style()}
            table.rows[-1].append(cell)
            self.containers.append(cell["content"])
            frame.paragraph = "NORMAL_TEXT"
        if tag in ("p", "li", *_HEADINGS) or frame.paragraph is not None and tag not in ("td", "th"):
            named, bullet, indent = self._context()  # a <p> inside an <li> keeps the bullet
            self.para = _Para(frame.paragraph or named, frame.bullet or bullet, frame.indent or indent)
            frame.opened = self.para
        if tag == "pre":
            frame.skip = True  # a newline right after <pre> is not content
        self.stack.append(frame)

    def _open_list(self, tag: str, attributes: dict[str, str]) -> None:
        numbered = tag == "ol"
        if self.list_stack:
            list_id, level = self.list_stack[-1]
            level = min(level + 1, 8)
        else:
            list_id, level = models.new_list_id(), 0
            preset = "NUMBERED_DECIMAL_ALPHA_ROMAN" if numbered else "BULLET_DISC_CIRCLE_SQUARE"
            self.lists[list_id] = models.list_properties(preset)
        levels = self.lists[list_id]["listProperties"]["nestingLevels"]
        entry = levels[level]
        if numbered and "glyphSymbol" in entry:
            entry.pop("glyphSymbol")
            entry["glyphType"] = "DECIMAL"
            entry["glyphFormat"] = f"%{level}."
        elif not numbered and "glyphType" in entry:
            entry.pop("glyphType")
            entry["glyphSymbol"] = "\u25cf\u25cb\u25a0"[level % 3]
            entry["glyphFormat"] = f"%{level}"
            entry["bulletAlignment"] = "START"
        start = attributes.get("start", "")
        if numbered and start.strip().lstrip("-").isdigit():
            entry["startNumber"] = int(start)
        self.list_stack.append((list_id, level))

    def handle_endtag(self, tag: str) -> None:
        if self.skip_depth:
            if tag not in _VOID:
                self.skip_depth -= 1
                if self.skip_depth == 0 and tag == "style":
                    self._parse_css("".join(self.css_text))
                    self.css_text = []
            return
        if tag in _VOID:
            return
        # close up to the matching open element; inline elements left open inside it are opened again
        # after it, as a browser does with <b>bold <i>both</b> italic</i>
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag.split("+")[0] == tag:
                reopen = []
                if tag not in _PARAGRAPHS and tag not in _CONTAINERS:
                    reopen = [f for f in self.stack[depth + 1:] if f.tag not in _PARAGRAPHS | _CONTAINERS]
                    if len(reopen) != len(self.stack) - depth - 1:
                        reopen = []
                while len(self.stack) > depth:
                    self._pop()
                for frame in reopen:
                    self._push(frame.tag, frame.attributes)
                return

    def _pop(self) -> None:
        frame = self.stack.pop()
        tag = frame.tag.split("+")[0]
        if frame.opened is not None and self.para is frame.opened:
            self.flush(keep_empty=True)
        elif tag in _PARAGRAPHS or tag in _CONTAINERS:
            self.flush()
        if tag in ("ul", "ol") or frame.tag == "li+list":
            if self.list_stack:
                self.list_stack.pop()
        elif tag in ("td", "th") and self.tables:
            self.containers.pop()
        elif tag == "table" and self.tables:
            self._emit_table(self.tables.pop())

    def _emit_table(self, table: _Table) -> None:
        rows = [row for row in table.rows if row]
        if not rows:
            return
        columns = max(len(row) for row in rows)
        table_rows = []
        for row in rows:
            cells = list(row)
            while len(cells) < columns:
                cells.append({"content": [], "tableCellStyle": models.default_cell_style()})
            table_rows.append({"tableCells": cells, "tableRowStyle": {"minRowHeight": {"unit": "PT"}}})
        self.containers[-1].append({"table": {
            "rows": len(table_rows), "columns": columns, "tableRows": table_rows,
            "tableStyle": {"tableColumnProperties": [{"widthType": "EVENLY_DISTRIBUTED"} for _ in range(columns)]},
        }})

    def handle_data(self, data: str) -> None:
        if self.skip_depth:
            if getattr(self, "_skip_tag", "") == "style":
                self.css_text.append(data)
            return
        frame = self.frame
        if frame.skip:
            frame.skip = False
            if data.startswith("\r\n"):
                data = data[2:]
            elif data.startswith("\n"):
                data = data[1:]
        if not data:
            return
        style = frame.style
        if frame.white_space in ("pre", "pre-wrap", "pre-line"):
            self._add_preformatted(data, style, frame.white_space)
            return
        if self.para is None and not data.strip(" \t\n\r\f"):
            return
        para = self.open_paragraph()
        for i, piece in enumerate(_COLLAPSIBLE.split(data)):
            if i and (not para.ends_line() or para.pending_space is not None):  # whitespace stood here
                para.pending_space = para.pending_space or style
            if piece:
                if para.pending_space is not None:
                    if not para.ends_line():
                        para.add(" ", para.pending_space)
                    para.pending_space = None
                para.add(piece, style)

    def _add_preformatted(self, data: str, style: dict[str, Any], mode: str) -> None:
        data = data.replace("\r\n", "\n").replace("\r", "\n")
        lines = data.split("\n")
        for i, line in enumerate(lines):
            if i:
                named = self.open_paragraph()
                self.flush(keep_empty=True)
                self.para = _Para(named.named, named.bullet, named.indent)
            if mode == "pre-line":
                line = re.sub(r"[ \t\f]+", " ", line)
            if line:
                para = self.open_paragraph()
                if para.pending_space is not None:
                    para.add(" ", para.pending_space)
                    para.pending_space = None
                para.add(line, style)

    # ---------------------------------------------------------------------------------------------
    def _css(self, attributes: dict[str, str]) -> dict[str, str]:
        css: dict[str, str] = {}
        for name in attributes.get("class", "").split():
            css.update(self.css.get(name, {}))
        css.update(_declarations(attributes.get("style", "")))
        return css

    def _parse_css(self, text: str) -> None:
        text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
        for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", text):
            declarations = _declarations(body)
            for selector in selectors.split(","):
                selector = selector.strip()
                if re.fullmatch(r"\.[A-Za-z_][\w-]*", selector):
                    self.css.setdefault(selector[1:], {}).update(declarations)

    def close(self) -> None:
        super().close()
        while len(self.stack) > 1:
            self._pop()
        self.flush()


def _declarations(text: str) -> dict[str, str]:
    out = {}
    for part in text.split(";"):
        if ":" in part:
            name, value = part.split(":", 1)
            out[name.strip().lower()] = value.strip().lower()
    return out


def _apply_tag_style(style: dict[str, Any], tag: str, attributes: dict[str, str]) -> dict[str, Any]:
    if tag in ("b", "strong", "th"):
        style["bold"] = True
    elif tag in ("i", "em", "cite", "var", "dfn"):
        style["italic"] = True
    elif tag in ("u", "ins"):
        style["underline"] = True
    elif tag in ("s", "strike", "del"):
        style["strikethrough"] = True
    elif tag == "sup":
        style["baselineOffset"] = "SUPERSCRIPT"
    elif tag == "sub":
        style["baselineOffset"] = "SUBSCRIPT"
    elif tag in ("code", "tt", "kbd", "samp"):
        style["weightedFontFamily"] = dict(MONOSPACE)
    elif tag == "a":
        url = _safe_url(attributes.get("href", ""))
        if url:
            style["link"] = {"url": url}
            style["underline"] = True
            style["foregroundColor"] = copy.deepcopy(LINK_COLOR)
    return style


def _apply_css_style(style: dict[str, Any], css: dict[str, str]) -> dict[str, Any]:
    weight = css.get("font-weight")
    if weight:
        if weight in ("bold", "bolder") or weight.isdigit() and int(weight) >= 600:
            style["bold"] = True
        else:
            style.pop("bold", None)
    font_style = css.get("font-style")
    if font_style:
        if font_style in ("italic", "oblique"):
            style["italic"] = True
        else:
            style.pop("italic", None)
    decoration = css.get("text-decoration") or css.get("text-decoration-line")
    if decoration:
        if "underline" in decoration:
            style["underline"] = True
        if "line-through" in decoration:
            style["strikethrough"] = True
        if decoration == "none":
            style.pop("underline", None)
            style.pop("strikethrough", None)
    align = css.get("vertical-align")
    if align in ("super", "sub"):
        style["baselineOffset"] = "SUPERSCRIPT" if align == "super" else "SUBSCRIPT"
    elif align == "baseline":
        style.pop("baselineOffset", None)
    return style


def _safe_url(href: str) -> str | None:
    href = href.strip()
    if not href:
        return None
    try:
        scheme = urlsplit(href).scheme.lower()
    except ValueError:
        return None
    return href if scheme in _SAFE_SCHEMES else None


def parse_html(html: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Body content (without the leading section break) and the lists of an HTML document."""
    parser = DocsHTMLParser()
    parser.feed(html)
    parser.close()
    used = set()
    _collect_list_ids(parser.content, used)
    lists = {k: v for k, v in parser.lists.items() if k in used}
    return parser.content, lists


def _collect_list_ids(content: list[dict[str, Any]], used: set[str]) -> None:
    for element in content:
        if "paragraph" in element and element["paragraph"].get("bullet"):
            used.add(element["paragraph"]["bullet"]["listId"])
        elif "table" in element:
            for row in element["table"]["tableRows"]:
                for cell in row["tableCells"]:
                    _collect_list_ids(cell["content"], used)


def plain_text_content(text: str) -> list[dict[str, Any]]:
    """A text/plain upload: one paragraph per line, text as is."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if text.endswith("\n"):
        text = text[:-1]
    return [
        {"paragraph": {"elements": [{"textRun": {"content": line + "\n", "textStyle": {}}}],
                       "paragraphStyle": models.paragraph_style()}}
        for line in text.split("\n")
    ]
