"""``CellData.hyperlink``: "A hyperlink this cell points to, if any ... To set it, use a =HYPERLINK formula ...
A cell-level link can also be set from the userEnteredFormat.textFormat field" (Sheets v4 reference,
CellData); read-only, so it is added to answers, never stored."""

from __future__ import annotations

import re
from typing import Any

_HYPERLINK = re.compile(r'^=\s*HYPERLINK\(\s*"([^"]*)"', re.IGNORECASE)


def decorate(resource: dict[str, Any]) -> dict[str, Any]:
    """Add ``hyperlink`` to each cell of a Spreadsheet resource whose formula is a ``HYPERLINK``."""
    for sheet in resource.get("sheets") or []:
        for grid in sheet.get("data") or []:
            for row in grid.get("rowData") or []:
                for cell in row.get("values") or []:
                    found = _HYPERLINK.match((cell.get("userEnteredValue") or {}).get("formulaValue") or "")
                    link = ((cell.get("userEnteredFormat") or {}).get("textFormat") or {}).get("link") or {}
                    if found:
                        cell["hyperlink"] = found.group(1)
                    elif link.get("uri"):
                        cell["hyperlink"] = link["uri"]
    return resource
