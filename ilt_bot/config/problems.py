"""TOML and pydantic errors turned into :class:`Problem`s: the field path, what is wrong, how to fix it.

Unknown fields and wrong choices get a did-you-mean hint; custom validators raise
``ValueError("what is wrong || how to fix it")`` (:data:`FIX_SEP`).
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Iterable, Iterator
from typing import Annotated, Any, Literal, get_args, get_origin

from pydantic import BaseModel, ValidationError

from ilt_bot.errors import Problem

FIX_SEP = " || "
"""Custom validators raise ``ValueError("what is wrong || how to fix it")``."""


def toml_problem(exc: tomllib.TOMLDecodeError) -> Problem:
    text = str(exc)
    found = re.search(r"\(at line (\d+), column (\d+)\)", text)
    what = re.sub(r"\s*\(at line \d+, column \d+\)", "", text) or "invalid TOML"
    if found:
        line, col = found.groups()
        return Problem(f"line {line}, column {col}", f"TOML syntax error: {what}",
                       "fix the TOML at that position (strings need quotes, dates look like 2026-09-15, "
                       "each table [name] appears once)")
    return Problem("(file)", f"TOML syntax error: {what}", "fix the TOML syntax")



def merge_typos(problems: list[Problem]) -> list[Problem]:
    """Drop "x is required" when a misspelt sibling ("unknown field 'xx', did you mean 'x'?") explains it."""
    explained = set()
    for p in problems:
        found = re.match(r"did you mean '([^']+)'\?", p.fix) if p.message.startswith("unknown field") else None
        if found:
            parent = p.path.rpartition(".")[0]
            explained.add(f"{parent}.{found.group(1)}" if parent else found.group(1))
    return [p for p in problems if not (p.message == "is required" and p.path in explained)]


def _path(prefix: str, loc: Iterable[int | str]) -> str:
    out = prefix
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def _model_at(annotation: Any, loc: tuple[int | str, ...]) -> type[BaseModel] | None:
    """The pydantic model found by following ``loc`` from ``annotation`` (for field-name hints)."""
    current = annotation
    for part in loc:
        current = unwrap(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(str(part))
            if field is None:
                return None
            current = field.annotation
        elif get_origin(current) in (list, tuple) and isinstance(part, int):
            current = get_args(current)[0]
        elif get_origin(current) is dict:
            current = get_args(current)[1]
        else:
            return None
    current = unwrap(current)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def unwrap(annotation: Any) -> Any:
    """Strip Annotated[...] and Optional[...] around a type."""
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
            continue
        args = [a for a in get_args(annotation) if a is not type(None)]
        if origin is not None and origin not in (list, tuple, dict, Literal) and len(args) == 1:
            annotation = args[0]
            continue
        return annotation


def unknown_field(path: str, name: str, known: list[str]) -> Problem:
    close = difflib.get_close_matches(name, known, n=1)
    fix = f"did you mean {close[0]!r}?" if close else "remove it; known fields here: " + ", ".join(known)
    return Problem(path, f"unknown field {name!r}", fix)


_TYPE_FIXES = {
    "date": "write a TOML date without quotes, like 2026-09-15",
    "time": "write a time like \"15:30\" (or 15:30:00 without quotes)",
    "int": "write a whole number, like 60",
    "bool": "write true or false (no quotes)",
    "string": "write text in double quotes",
    "list": "write a list in square brackets, like [\"a\", \"b\"]",
    "dict": "write a table, like { key = \"value\" } or a [section]",
    "model": "write a table, like { key = \"value\" } or a [section]",
}


def problems_from(exc: ValidationError, prefix: str, annotation: Any) -> Iterator[Problem]:
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        kind = err["type"]
        # Tagged unions and Optional add their own locations ("function-after[...]", "str"); drop them.
        loc = tuple(p for p in loc if isinstance(p, int) or not (("[" in p) or p in {"str", "int", "date"}))
        path = _path(prefix, loc)
        if kind == "missing":
            yield Problem(path, "is required", f"add `{loc[-1] if loc else prefix} = ...` (see config.example.toml)")
        elif kind == "extra_forbidden":
            model = _model_at(annotation, loc[:-1])
            known = list(model.model_fields) if model else []
            yield unknown_field(path, str(loc[-1]), known)
        elif kind == "literal_error":
            expected = err.get("ctx", {}).get("expected", "")
            options = re.findall(r"'([^']*)'", expected)
            close = difflib.get_close_matches(str(err["input"]), options, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            yield Problem(path, f"{err['input']!r} is not allowed", f"{hint}use one of: {expected}")
        elif kind == "value_error":
            text = str(err.get("ctx", {}).get("error", err["msg"]))
            what, _, fix = text.partition(FIX_SEP)
            yield Problem(path, what, fix)
        elif kind == "string_pattern_mismatch":
            yield Problem(path, f"{err['input']!r} has the wrong form", _pattern_fix(loc))
        elif kind in ("too_short", "too_long"):
            yield Problem(path, err["msg"].lower(), "see config.example.toml for a complete example")
        elif kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
            yield Problem(path, f"{err['input']!r}: {err['msg'].lower()}", "choose a value in the allowed range")
        else:
            family = kind.split("_")[0]
            fix = _TYPE_FIXES.get(family) or _TYPE_FIXES.get(kind.replace("_type", ""), "see config.example.toml")
            shown = err.get("input")
            yield Problem(path, f"{shown!r}: {err['msg'][:1].lower()}{err['msg'][1:]}", fix)


def _pattern_fix(loc: tuple[int | str, ...]) -> str:
    name = str(next((p for p in reversed(loc) if isinstance(p, str)), ""))
    if name == "label":
        return 'write the school year like "2026-27"'
    if name == "domain":
        return 'write the Google Workspace domain, like "cedarheights.example.org"'
    if name == "sandbox_url":
        return 'write a URL like "http://127.0.0.1:8765"'
    if name == "id" and "cycles" in loc:
        return 'name cycles c1, c2, c3 ...'
    return 'use lowercase letters, digits and dashes, like "k2-literacy" or "ana-ruiz"'

