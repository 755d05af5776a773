"""A small, valid PDF of plain text (a Doc's ``application/pdf`` export): Letter pages, Helvetica 11 pt.

PDF 1.4 with one uncompressed content stream per page, so the text stays searchable in the bytes.
Characters outside Windows-1252 (Helvetica's WinAnsiEncoding) print as ``?``.
"""

from __future__ import annotations

import textwrap

PAGE_WIDTH, PAGE_HEIGHT = 612, 792
MARGIN = 72
FONT_SIZE = 11
LEADING = 14
CHARS_PER_LINE = 90
LINES_PER_PAGE = (PAGE_HEIGHT - 2 * MARGIN) // LEADING


def _escape(line: str) -> bytes:
    data = line.encode("cp1252", errors="replace")
    return data.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def _lines(text: str) -> list[str]:
    out: list[str] = []
    for paragraph in text.replace("\r\n", "\n").split("\n"):
        out.extend(textwrap.wrap(paragraph.replace("\t", "    "), CHARS_PER_LINE) or [""])
    while out and not out[-1]:
        out.pop()
    return out or [""]


def _page_stream(lines: list[str]) -> bytes:
    body = [b"BT", f"/F1 {FONT_SIZE} Tf {LEADING} TL {MARGIN} {PAGE_HEIGHT - MARGIN} Td".encode()]
    body.extend(b"(" + _escape(line) + b") Tj T*" for line in lines)
    body.append(b"ET")
    return b"\n".join(body)


def text_to_pdf(text: str, title: str = "") -> bytes:
    """``text`` laid out on as many pages as it needs, as PDF bytes."""
    lines = _lines(text)
    pages = [lines[i:i + LINES_PER_PAGE] for i in range(0, len(lines), LINES_PER_PAGE)]
    first_page = 5  # 1 catalog, 2 pages, 3 font, 4 info; then a page and its content per page
    kids = " ".join(f"{first_page + 2 * i} 0 R" for i in range(len(pages)))
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Title (" + _escape(title) + b") /Producer (ILT Bot sandbox) >>",
    ]
    for i, page in enumerate(pages):
        content = first_page + 2 * i + 1
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_WIDTH} {PAGE_HEIGHT}] "
                       f"/Resources << /Font << /F1 3 0 R >> >> /Contents {content} 0 R >>".encode())
        stream = _page_stream(page)
        objects.append(f"<< /Length {len(stream)} >>\nstream\n".encode() + stream + b"\nendstream")
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + obj + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R /Info 4 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)
