"""The Sheets formula interpreter: arithmetic, comparisons, references, named ranges and common functions.

:class:`Formula` parses one formula (``=SUM(A1:A3)*2``) and evaluates it through the
:class:`Cells` of its spreadsheet (``models.Evaluator``), which memoizes cell values and
detects circular references.
"""

from __future__ import annotations

import math
import re
from typing import Any, Protocol

from ilt_bot.sandbox.core import ApiError
from ilt_bot.sandbox.sheets import a1
from ilt_bot.sandbox.sheets.cells import CellError, format_number, tidy
from ilt_bot.sandbox.sheets.grid import Area, grid_area, resolve, title_of

_TOKEN = re.compile(
    r"\s*(?:(?P<num>\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+)"
    r"|(?P<str>\"(?:[^\"]|\"\")*\")"
    r"|(?P<ref>(?:(?:'(?:[^']|'')+'|[A-Za-z_][A-Za-z0-9_ ]*)!)?\$?[A-Za-z]{1,3}\$?\d+(?::\$?[A-Za-z]{1,3}\$?\d+)?"
    r"(?![A-Za-z0-9_(]))"
    r"|(?P<colref>(?:(?:'(?:[^']|'')+'|[A-Za-z_][A-Za-z0-9_]*)!)?\$?[A-Za-z]{1,3}:\$?[A-Za-z]{1,3}(?![A-Za-z0-9_(]))"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_.]*)"
    r"|(?P<op><>|<=|>=|[-+*/^&=<>(),%:;{}]))"
)


class Cells(Protocol):
    """What a formula reads of its spreadsheet (``models.Evaluator``): the document and the cells' values,
    memoized, circular references answered ``#REF!``."""

    doc: dict[str, Any]

    def value(self, sheet: dict[str, Any], r: int, c: int) -> Any: ...


class _FormulaError(Exception):
    def __init__(self, error: CellError) -> None:
        super().__init__(error.message)
        self.error = error


def _fail(kind: str, message: str) -> None:
    raise _FormulaError(CellError(kind, message))


class Formula:
    """Parses and evaluates one formula (``=SUM(A1:A3)*2``) against the spreadsheet."""

    def __init__(self, text: str, ev: Cells, sheet: dict[str, Any]) -> None:
        self.ev, self.sheet = ev, sheet
        self.tokens = self._tokenize(text[1:] if text.startswith("=") else text)
        self.pos = 0

    @staticmethod
    def _tokenize(text: str) -> list[tuple[str, str]]:
        tokens, pos = [], 0
        while pos < len(text):
            if text[pos:].strip() == "":
                break
            m = _TOKEN.match(text, pos)
            if not m or m.end() == pos:
                return [("bad", text)]
            kind = m.lastgroup or "bad"
            tokens.append((kind, m.group(kind)))
            pos = m.end()
        return tokens

    def run(self) -> Any:
        try:
            if any(kind == "bad" for kind, _ in self.tokens) or not self.tokens:
                _fail("ERROR", "Formula parse error.")
            value = self.expr()
            if self.pos != len(self.tokens):
                _fail("ERROR", "Formula parse error.")
            if isinstance(value, list):
                value = value[0][0] if value and value[0] else None
            return "" if value is None else value
        except _FormulaError as exc:
            return exc.error
        except (RecursionError, ArithmeticError, ValueError, TypeError, IndexError):
            return CellError("ERROR", "Formula parse error.")

    # -- parser
    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self, text: str | None = None) -> tuple[str, str]:
        token = self.peek()
        if token is None or (text is not None and token[1] != text):
            _fail("ERROR", "Formula parse error.")
        self.pos += 1
        return token  # type: ignore[return-value]

    def expr(self) -> Any:
        left = self.concat()
        while (t := self.peek()) and t[1] in ("=", "<>", "<", ">", "<=", ">="):
            self.take()
            right = self.concat()
            left = _compare(t[1], self.scalar(left), self.scalar(right))
        return left

    def concat(self) -> Any:
        left = self.additive()
        while (t := self.peek()) and t[1] == "&":
            self.take()
            right = self.additive()
            left = _text(self.scalar(left)) + _text(self.scalar(right))
        return left

    def additive(self) -> Any:
        left = self.term()
        while (t := self.peek()) and t[1] in ("+", "-"):
            self.take()
            right = self.term()
            a, b = _num(self.scalar(left)), _num(self.scalar(right))
            left = tidy(a + b if t[1] == "+" else a - b)
        return left

    def term(self) -> Any:
        left = self.power()
        while (t := self.peek()) and t[1] in ("*", "/"):
            self.take()
            right = self.power()
            a, b = _num(self.scalar(left)), _num(self.scalar(right))
            if t[1] == "/" and b == 0:
                _fail("DIV_ZERO", "Function DIVIDE parameter 2 cannot be zero.")
            left = tidy(a * b if t[1] == "*" else a / b)
        return left

    def power(self) -> Any:
        left = self.unary()
        while (t := self.peek()) and t[1] == "^":
            self.take()
            right = self.unary()
            left = tidy(float(_num(self.scalar(left)) ** _num(self.scalar(right))))
        return left

    def unary(self) -> Any:
        t = self.peek()
        if t and t[1] in ("-", "+"):
            self.take()
            value = _num(self.scalar(self.unary()))
            return -value if t[1] == "-" else value
        value = self.primary()
        while (t := self.peek()) and t[1] == "%":
            self.take()
            value = tidy(_num(self.scalar(value)) / 100)
        return value

    def primary(self) -> Any:
        kind, text = self.take()
        if kind == "num":
            return tidy(float(text))
        if kind == "str":
            return text[1:-1].replace('""', '"')
        if kind in ("ref", "colref"):
            return self.reference(text)
        if kind == "name":
            nxt = self.peek()
            if nxt and nxt[1] == "(":
                return self.call(text.upper())
            if text.upper() in ("TRUE", "FALSE"):
                return text.upper() == "TRUE"
            named = next((n for n in self.ev.doc.get("namedRanges", []) if n["name"] == text), None)
            if named is None:
                _fail("NAME", f"Unknown range name: '{text}'.")
            area = grid_area(self.ev.doc, named["range"]).clamped()
            return self.area_values(area)
        if text == "(":
            value = self.expr()
            self.take(")")
            return value
        _fail("ERROR", "Formula parse error.")
        return None  # pragma: no cover

    def reference(self, text: str) -> list[list[Any]]:
        try:
            area = resolve(self.ev.doc, text if "!" in text else f"{a1.quote_title(title_of(self.sheet))}!{text}")
        except ApiError:
            _fail("REF", f"Unresolved sheet name '{text.rpartition('!')[0]}'.")
        return self.area_values(area.clamped())

    def area_values(self, area: Area) -> list[list[Any]]:
        return [[self.ev.value(area.sheet, r, c) for c in range(area.c0, area.c1)] for r in range(area.r0, area.r1)]

    def scalar(self, value: Any) -> Any:
        if isinstance(value, list):
            value = value[0][0] if value and value[0] else None
        if isinstance(value, CellError):
            raise _FormulaError(value)
        return value

    def args(self) -> list[Any]:
        self.take("(")
        args: list[Any] = []
        if self.peek() and self.peek()[1] == ")":  # type: ignore[index]
            self.take(")")
            return args
        while True:
            args.append(self.expr())
            t = self.take()
            if t[1] == ")":
                return args
            if t[1] not in (",", ";"):
                _fail("ERROR", "Formula parse error.")

    def call(self, name: str) -> Any:
        if name == "IFERROR":
            self.take("(")
            start = self.pos
            try:
                value = self.scalar(self.expr())
            except _FormulaError:
                value = None
                self.pos = start
                depth = 0
                while (t := self.peek()) and not (depth == 0 and t[1] in (",", ")")):
                    depth += {"(": 1, ")": -1}.get(t[1], 0)
                    self.take()
                fallback = True
            else:
                fallback = False
            other: Any = ""
            if self.peek() and self.peek()[1] == ",":  # type: ignore[index]
                self.take(",")
                other = self.expr()
            self.take(")")
            return self.scalar(other) if fallback else value
        args = self.args()
        func = _FUNCTIONS.get(name)
        if func is None:
            _fail("NAME", f"Unknown function: '{name}'.")
        return func(self, args)  # type: ignore[misc]


def _flat(args: list[Any]) -> list[Any]:
    out: list[Any] = []
    for arg in args:
        if isinstance(arg, list):
            out.extend(v for row in arg for v in row)
        else:
            out.append(arg)
    return out


def _numbers(args: list[Any]) -> list[float]:
    values = []
    for arg in args:
        if isinstance(arg, list):
            for v in (v for row in arg for v in row):
                if isinstance(v, CellError):
                    raise _FormulaError(v)
                if isinstance(v, int | float) and not isinstance(v, bool):
                    values.append(v)
        else:
            if isinstance(arg, CellError):
                raise _FormulaError(arg)
            values.append(_num(arg))
    return values


def _num(value: Any) -> float:
    if value is None or value == "":
        return 0
    if isinstance(value, bool):
        return 1 if value else 0
    if isinstance(value, int | float):
        return value
    try:
        return tidy(float(str(value).replace(",", "")))
    except ValueError:
        _fail("VALUE", f"Function ADD parameter 1 expects number values. But '{value}' is a text and cannot be "
                       "coerced to a number.")
    return 0  # pragma: no cover


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return format_number(value, None)
    return str(value)


def _compare(op: str, a: Any, b: Any) -> bool:
    def key(v: Any) -> tuple[int, Any]:
        if v is None:
            return (0, 0)
        if isinstance(v, bool):
            return (2, v)
        if isinstance(v, int | float):
            return (0, v)
        return (1, str(v).lower())

    ka, kb = key(a), key(b)
    if a is None and isinstance(b, str):
        ka = (1, "")
    if b is None and isinstance(a, str):
        kb = (1, "")
    return {"=": ka == kb, "<>": ka != kb, "<": ka < kb, ">": ka > kb, "<=": ka <= kb, ">=": ka >= kb}[op]


def _if(f: Formula, args: list[Any]) -> Any:
    if not args:
        _fail("N_A", "Wrong number of arguments to IF.")
    cond = f.scalar(args[0])
    truthy = bool(_num(cond)) if not isinstance(cond, str) else cond.upper() == "TRUE"
    if truthy:
        return f.scalar(args[1]) if len(args) > 1 else True
    return f.scalar(args[2]) if len(args) > 2 else False


def _round(f: Formula, args: list[Any]) -> Any:
    value = _num(f.scalar(args[0]))
    places = int(_num(f.scalar(args[1]))) if len(args) > 1 else 0
    factor = 10**places
    return tidy(math.floor(abs(value) * factor + 0.5) / factor * (1 if value >= 0 else -1))


_FUNCTIONS: dict[str, Any] = {
    "SUM": lambda f, a: tidy(float(sum(_numbers(a)))),
    "AVERAGE": lambda f, a: tidy(sum(n := _numbers(a)) / len(n)) if _numbers(a) else _fail(
        "DIV_ZERO", "Evaluation of function AVERAGE caused a divide by zero error."),
    "MIN": lambda f, a: tidy(min(_numbers(a), default=0)),
    "MAX": lambda f, a: tidy(max(_numbers(a), default=0)),
    "COUNT": lambda f, a: sum(1 for v in _flat(a) if isinstance(v, int | float) and not isinstance(v, bool)),
    "COUNTA": lambda f, a: sum(1 for v in _flat(a) if v not in (None, "")),
    "COUNTBLANK": lambda f, a: sum(1 for v in _flat(a) if v in (None, "")),
    "IF": _if,
    "AND": lambda f, a: all(bool(_num(v)) for v in _flat(a) if v is not None),
    "OR": lambda f, a: any(bool(_num(v)) for v in _flat(a) if v is not None),
    "NOT": lambda f, a: not bool(_num(f.scalar(a[0]))),
    "CONCATENATE": lambda f, a: "".join(_text(v) for v in _flat(a)),
    "CONCAT": lambda f, a: "".join(_text(f.scalar(v)) for v in a),
    "LEN": lambda f, a: len(_text(f.scalar(a[0]))),
    "UPPER": lambda f, a: _text(f.scalar(a[0])).upper(),
    "LOWER": lambda f, a: _text(f.scalar(a[0])).lower(),
    "TRIM": lambda f, a: " ".join(_text(f.scalar(a[0])).split()),
    "ROUND": _round,
    "ABS": lambda f, a: abs(_num(f.scalar(a[0]))),
    "ISBLANK": lambda f, a: f.scalar(a[0]) in (None, ""),
    "HYPERLINK": lambda f, a: _text(f.scalar(a[1] if len(a) > 1 else a[0])),
}


