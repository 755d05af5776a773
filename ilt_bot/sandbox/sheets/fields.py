"""Sheets' ``fields`` masks in batchUpdate requests (``updateSheetProperties``, ``repeatCell``,
``updateFilterView``, ``updateDeveloperMetadata``...): parse one, copy the masked fields of a request.

Google's syntax: ``a.b`` or ``a/b`` a nested field, ``,`` between fields, ``a(b,c)`` sub-fields, ``*`` all.
"""

from __future__ import annotations

import copy
import re
from typing import Any


def parse_mask(fields: str) -> list[list[str]]:
    """``a.b,c/d,e(f,g)`` -> [["a","b"], ["c","d"], ["e","f"], ["e","g"]]; ``*`` -> [[]]."""
    paths: list[list[str]] = []

    def walk(text: str, prefix: list[str]) -> None:
        depth, start = 0, 0
        parts = []
        for i, ch in enumerate(text):
            if ch == "(":
                depth += 1
            elif ch == ")":
                depth -= 1
            elif ch == "," and depth == 0:
                parts.append(text[start:i])
                start = i + 1
        parts.append(text[start:])
        for part in (p.strip() for p in parts):
            if not part:
                continue
            if part == "*":
                paths.append(list(prefix))
                continue
            if "(" in part and part.endswith(")"):
                head, _, inner = part.partition("(")
                walk(inner[:-1], prefix + re.split(r"[./]", head))
            else:
                paths.append(prefix + [p for p in re.split(r"[./]", part) if p])

    walk(fields or "", [])
    return paths


def apply_mask(target: dict[str, Any], source: dict[str, Any], fields: str) -> None:
    """Copy the ``fields`` of ``source`` onto ``target`` (a field absent from source is cleared)."""
    for path in parse_mask(fields):
        if not path:
            target.clear()
            target.update(copy.deepcopy(source))
            continue
        src: Any = source
        for key in path:
            src = src.get(key) if isinstance(src, dict) else None
        node = target
        for key in path[:-1]:
            if not isinstance(node.get(key), dict):
                node[key] = {}
            node = node[key]
        if src is None:
            node.pop(path[-1], None)
        else:
            node[path[-1]] = copy.deepcopy(src)
