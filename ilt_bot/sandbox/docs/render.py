"""A document as HTML, plain text or Markdown (files.export and the browser page).

The HTML is made to come back unchanged through :mod:`ilt_bot.sandbox.html_import` (the bot edits the
exported HTML of a template Doc and uploads it again): headings are ``h1``-``h6`` (TITLE and SUBTITLE
are ``p.title``/``p.subtitle``, as in Google's export), lists are nested ``ul``/``ol``, text styles are
inline CSS, and runs whose spaces a browser would collapse carry ``white-space:pre-wrap``.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import Any

from ilt_bot.sandbox.docs import models

_STYLE_CSS = (
    "body{font-family:Arial,sans-serif;font-size:11pt;line-height:1.15}"
    "p,li,h1,h2,h3,h4,h5,h6{margin:0}"
    "table{border-collapse:collapse}td,th{border:1px solid #000;padding:5pt;vertical-align:top}"
    ".title{font-size:26pt}.subtitle{font-size:15pt;color:#666666}"
)


def to_html(doc: dict[str, Any]) -> str:
    """files.export as text/html: a whole HTML document."""
    body = content_html(doc["content"], doc.get("lists", {}))
    return (
        '<html><head><meta content="text/html; charset=UTF-8" http-equiv="content-type">'
        f'<style type="text/css">{_STYLE_CSS}</style></head>'
        f'<body class="doc-content">{body}</body></html>'
    )


def content_html(content: list[dict[str, Any]], lists: dict[str, Any]) -> str:
    """HTML for a list of structural elements (the body, or a table cell)."""
    out: list[str] = []
    i = 0
    while i < len(content):
        element = content[i]
        if "paragraph" in element and element["paragraph"].get("bullet"):
            list_id = element["paragraph"]["bullet"]["listId"]
            j = i
            while (j < len(content) and "paragraph" in content[j]
                   and (content[j]["paragraph"].get("bullet") or {}).get("listId") == list_id):
                j += 1
            out.append(_list_html([c["paragraph"] for c in content[i:j]], lists.get(list_id, {})))
            i = j
            continue
        if "paragraph" in element:
            out.append(_paragraph_html(element["paragraph"]))
        elif "table" in element:
            out.append(_table_html(element["table"], lists))
        i += 1
    return "".join(out)


def _list_html(paragraphs: list[dict[str, Any]], list_props: dict[str, Any]) -> str:
    out: list[str] = []
    open_tags: list[str] = []
    for para in paragraphs:
        level = int(para["bullet"].get("nestingLevel", 0))
        if len(open_tags) > level + 1:
            while len(open_tags) > level + 1:
                out.append(f"</li></{open_tags.pop()}>")
            out.append("</li>")
        elif len(open_tags) == level + 1:
            out.append("</li>")
        while len(open_tags) < level + 1:
            tag = "ol" if models.is_numbered(list_props, len(open_tags)) else "ul"
            out.append(f"<{tag}>")
            open_tags.append(tag)
        out.append(f"<li>{_inline_html(para['elements'])}")
    while open_tags:
        out.append(f"</li></{open_tags.pop()}>")
    return "".join(out)


def _paragraph_html(para: dict[str, Any]) -> str:
    elements = para["elements"]
    names = [next(iter(k for k in el if k not in ("startIndex", "endIndex"))) for el in elements]
    text_only = [el for el in elements if "textRun" in el and el["textRun"]["content"] != "\n"]
    if not text_only and "horizontalRule" in names:
        return "<hr>"
    if not text_only and "pageBreak" in names:
        return '<hr style="page-break-before:always;display:none;">'
    style = para.get("paragraphStyle", {})
    named = style.get("namedStyleType", "NORMAL_TEXT")
    inner = _inline_html(elements)
    if named.startswith("HEADING_"):
        level = named[-1]
        anchor = f' id="{html.escape(style["headingId"])}"' if style.get("headingId") else ""
        return f"<h{level}{anchor}>{inner}</h{level}>"
    if named in ("TITLE", "SUBTITLE"):
        return f'<p class="{named.lower()}">{inner}</p>'
    return f"<p>{inner}</p>"


def _inline_html(elements: list[dict[str, Any]]) -> str:
    out = []
    for el in elements:
        if "textRun" not in el:
            continue
        text = el["textRun"]["content"]
        if text.endswith("\n"):
            text = text[:-1]
        if not text:
            continue
        out.append(_run_html(text, el["textRun"].get("textStyle", {})))
    if out and out[-1].endswith(("<br></span>", "<br></span></a>")):
        out.append("<br>")  # a browser (and the import) drops one <br> ending a block
    return "".join(out)


def _run_html(text: str, style: dict[str, Any]) -> str:
    css = []
    if style.get("bold"):
        css.append("font-weight:700")
    if style.get("italic"):
        css.append("font-style:italic")
    decorations = [name for key, name in (("underline", "underline"), ("strikethrough", "line-through"))
                   if style.get(key)]
    if decorations:
        css.append("text-decoration:" + " ".join(decorations))
    elif style.get("link"):
        css.append("text-decoration:none")
    offset = style.get("baselineOffset")
    if offset in ("SUPERSCRIPT", "SUBSCRIPT"):
        css.append("vertical-align:" + ("super" if offset == "SUPERSCRIPT" else "sub"))
    if "  " in text or "\t" in text or text[0] == " " or text[-1] == " " or "\u000b " in text or " \u000b" in text:
        css.append("white-space:pre-wrap")
    body = "<br>".join(_escape(part) for part in text.split("\u000b"))
    span = f'<span style="{";".join(css)}">{body}</span>' if css else f"<span>{body}</span>"
    url = (style.get("link") or {}).get("url")
    if url and _SAFE_LINK.match(url):
        return f'<a href="{html.escape(url)}">{span}</a>'
    return span


_SAFE_LINK = re.compile(r"(?i)(https?:|mailto:|ftp:|tel:|#)")


def _escape(text: str) -> str:
    """Text as Google's export escapes it (``&``, ``<``, ``>`` and ``"``)."""
    return html.escape(text, quote=False).replace('"', "&quot;")


def _table_html(table: dict[str, Any], lists: dict[str, Any]) -> str:
    rows = []
    for row in table["tableRows"]:
        cells = "".join(f"<td>{content_html(cell['content'], lists)}</td>" for cell in row["tableCells"])
        rows.append(f"<tr>{cells}</tr>")
    return f"<table><tbody>{''.join(rows)}</tbody></table>"


# --------------------------------------------------------------------------------------------------
# Plain text and Markdown


def _paragraphs(content: list[dict[str, Any]]) -> Iterator[tuple[str, dict[str, Any] | None]]:
    """('paragraph', p) and ('table', t) in order."""
    for element in content:
        if "paragraph" in element:
            yield "paragraph", element["paragraph"]
        elif "table" in element:
            yield "table", element["table"]


def _text(para: dict[str, Any]) -> str:
    parts = []
    for el in para["elements"]:
        if "textRun" in el:
            parts.append(el["textRun"]["content"])
        elif "horizontalRule" in el:
            parts.append("________________")
    return "".join(parts).rstrip("\n")


class _Counters:
    """Numbers of numbered list items, per list and nesting level."""

    def __init__(self, lists: dict[str, Any]) -> None:
        self.lists = lists
        self.seen: dict[tuple[str, int], int] = {}

    def marker(self, bullet: dict[str, Any], numbered_marker: str = "{n}.") -> str:
        list_id, level = bullet["listId"], int(bullet.get("nestingLevel", 0))
        props = self.lists.get(list_id, {})
        for key in [k for k in self.seen if k[0] == list_id and k[1] > level]:
            del self.seen[key]
        if not models.is_numbered(props, level):
            return "*"
        levels = props["listProperties"]["nestingLevels"]
        start = int(levels[level].get("startNumber", 1))
        self.seen[(list_id, level)] = self.seen.get((list_id, level), start - 1) + 1
        return numbered_marker.format(n=self.seen[(list_id, level)])


def to_text(doc: dict[str, Any]) -> str:
    """files.export as text/plain: Google's shape (a BOM, CRLF line ends, ``*``/``1.`` list markers)."""
    counters = _Counters(doc.get("lists", {}))
    lines = list(_text_lines(doc["content"], counters))
    return "\ufeff" + "\r\n".join(lines)


def _text_lines(content: list[dict[str, Any]], counters: _Counters) -> Iterator[str]:
    for kind, item in _paragraphs(content):
        if kind == "table":
            for row in item["tableRows"]:
                for cell in row["tableCells"]:
                    yield from _text_lines(cell["content"], counters)
            continue
        text = _text(item).replace("\u000b", "\r\n")
        bullet = item.get("bullet")
        if bullet:
            indent = "    " * int(bullet.get("nestingLevel", 0))
            text = f"{indent}{counters.marker(bullet)} {text}"
        yield text


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")


def to_markdown(doc: dict[str, Any]) -> str:
    """files.export as text/markdown."""
    counters = _Counters(doc.get("lists", {}))
    blocks: list[str] = []
    previous_bullet = False
    for kind, item in _paragraphs(doc["content"]):
        if kind == "table":
            blocks.append(_md_table(item))
            previous_bullet = False
            continue
        text = _md_inline(item["elements"])
        bullet = item.get("bullet")
        named = item.get("paragraphStyle", {}).get("namedStyleType", "NORMAL_TEXT")
        if bullet:
            indent = "    " * int(bullet.get("nestingLevel", 0))
            line = f"{indent}{counters.marker(bullet)} {text}"
            if previous_bullet:
                blocks[-1] += "\n" + line
            else:
                blocks.append(line)
            previous_bullet = True
            continue
        previous_bullet = False
        if not text.strip():
            continue
        if named.startswith("HEADING_"):
            text = "#" * int(named[-1]) + " " + text
        elif named == "TITLE":
            text = "# " + text
        elif named == "SUBTITLE":
            text = "## " + text
        blocks.append(text)
    return "\n\n".join(blocks) + "\n"


def _md_inline(elements: list[dict[str, Any]]) -> str:
    parts = []
    for el in elements:
        if "horizontalRule" in el:
            parts.append("---")
            continue
        if "textRun" not in el:
            continue
        text = el["textRun"]["content"].rstrip("\n")
        if not text:
            continue
        style = el["textRun"].get("textStyle", {})
        core = _MD_SPECIAL.sub(r"\\\1", text.strip()).replace("\u000b", "  \n")
        if core:
            if style.get("bold") and style.get("italic"):
                core = f"***{core}***"
            elif style.get("bold"):
                core = f"**{core}**"
            elif style.get("italic"):
                core = f"*{core}*"
            if style.get("strikethrough"):
                core = f"~~{core}~~"
            url = (style.get("link") or {}).get("url")
            if url:
                core = f"[{core}]({url})"
        lead = text[: len(text) - len(text.lstrip())]
        trail = text[len(text.rstrip()):]
        parts.append(lead + core + trail)
    return "".join(parts)


def _md_table(table: dict[str, Any]) -> str:
    rows = []
    for row in table["tableRows"]:
        cells = []
        for cell in row["tableCells"]:
            texts = [_md_inline(p["elements"]) for kind, p in _paragraphs(cell["content"]) if kind == "paragraph"]
            cells.append(" <br> ".join(t for t in texts if t).replace("\n", " "))
        rows.append("| " + " | ".join(cells) + " |")
    if not rows:
        return ""
    columns = table["columns"]
    rows.insert(1, "| " + " | ".join([":---"] * columns) + " |")
    return "\n".join(rows)
