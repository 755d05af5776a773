"""Drive v3's search language (the ``q`` parameter of files.list): a parser and an evaluator.

Supported, as Google documents it: ``name``/``fullText``/``mimeType`` with ``=``, ``!=``, ``contains``;
``modifiedTime``/``createdTime``/``viewedByMeTime``/``sharedWithMeTime`` compared with an RFC 3339 string;
``trashed``/``starred``/``sharedWithMe`` ``= true|false``; ``'x' in parents|owners|writers|readers``;
``properties``/``appProperties has { key='k' and value='v' }``; ``visibility``; ``and``, ``or``, ``not``
and parentheses. Strings take single or double quotes, ``\\'`` and ``\\\\`` escapes. Anything else
raises :class:`QueryError`, which the handler turns into Google's 400 ``Invalid Value``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol


class QueryError(ValueError):
    """The query is not valid Drive search syntax."""


@dataclass(frozen=True)
class Token:
    kind: str  # STR, WORD, OP, LPAREN, RPAREN, LBRACE, RBRACE
    value: str


@dataclass(frozen=True)
class Term:
    """``field op value`` (or ``value in field`` with op "in", ``field has {..}`` with op "has")."""

    field: str
    op: str
    value: Any


@dataclass(frozen=True)
class Not:
    node: Node


@dataclass(frozen=True)
class BoolOp:
    op: str  # "and" | "or"
    nodes: tuple[Node, ...]


Node = Term | Not | BoolOp

_OPS = ("!=", "<=", ">=", "=", "<", ">")
_TEXT_FIELDS = {"name": ("=", "!=", "contains"), "fullText": ("contains",), "mimeType": ("=", "!=", "contains")}
_TIME_FIELDS = {"modifiedTime", "createdTime", "viewedByMeTime", "sharedWithMeTime"}
_BOOL_FIELDS = {"trashed", "starred", "sharedWithMe", "hidden"}
_IN_FIELDS = {"parents", "owners", "writers", "readers"}
_HAS_FIELDS = {"properties", "appProperties"}
_VISIBILITY = {"anyoneCanFind", "anyoneWithLink", "domainCanFind", "domainWithLink", "limited"}


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into tokens; strings are unescaped."""
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
        elif ch in "'\"":
            quote, i, buf = ch, i + 1, []
            while True:
                if i >= n:
                    raise QueryError("unterminated string")
                c = text[i]
                if c == "\\":
                    if i + 1 >= n or text[i + 1] not in "'\"\\":
                        raise QueryError("bad escape")
                    buf.append(text[i + 1])
                    i += 2
                elif c == quote:
                    i += 1
                    break
                else:
                    buf.append(c)
                    i += 1
            tokens.append(Token("STR", "".join(buf)))
        elif ch in "(){}":
            kinds = {"(": "LPAREN", ")": "RPAREN", "{": "LBRACE", "}": "RBRACE"}
            tokens.append(Token(kinds[ch], ch))
            i += 1
        elif ch in "=!<>":
            for op in _OPS:
                if text.startswith(op, i):
                    tokens.append(Token("OP", op))
                    i += len(op)
                    break
            else:
                raise QueryError(f"bad operator at {i}")
        else:
            m = re.compile(r"[A-Za-z0-9_.@\-]+").match(text, i)
            if not m:
                raise QueryError(f"unexpected character {ch!r}")
            tokens.append(Token("WORD", m.group(0)))
            i = m.end()
    return tokens


class _Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.pos = 0

    def peek(self) -> Token | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self, kind: str | None = None, value: str | None = None) -> Token:
        tok = self.peek()
        if tok is None or (kind and tok.kind != kind) or (value and tok.value.lower() != value):
            raise QueryError(f"expected {value or kind}, got {tok.value if tok else 'end'}")
        self.pos += 1
        return tok

    def at_word(self, word: str) -> bool:
        tok = self.peek()
        return tok is not None and tok.kind == "WORD" and tok.value.lower() == word

    def parse(self) -> Node:
        node = self.or_expr()
        if self.peek() is not None:
            raise QueryError(f"unexpected {self.peek().value!r}")  # type: ignore[union-attr]
        return node

    def or_expr(self) -> Node:
        nodes = [self.and_expr()]
        while self.at_word("or"):
            self.pos += 1
            nodes.append(self.and_expr())
        return nodes[0] if len(nodes) == 1 else BoolOp("or", tuple(nodes))

    def and_expr(self) -> Node:
        nodes = [self.not_expr()]
        while self.at_word("and"):
            self.pos += 1
            nodes.append(self.not_expr())
        return nodes[0] if len(nodes) == 1 else BoolOp("and", tuple(nodes))

    def not_expr(self) -> Node:
        if self.at_word("not"):
            self.pos += 1
            return Not(self.not_expr())
        tok = self.peek()
        if tok is not None and tok.kind == "LPAREN":
            self.pos += 1
            node = self.or_expr()
            self.take("RPAREN")
            return node
        return self.term()

    def term(self) -> Term:
        tok = self.peek()
        if tok is None:
            raise QueryError("unexpected end")
        if tok.kind == "STR":  # 'value' in field
            self.pos += 1
            self.take("WORD", "in")
            fld = self.take("WORD").value
            if fld not in _IN_FIELDS:
                raise QueryError(f"'in' not supported on {fld}")
            return Term(fld, "in", tok.value)
        fld = self.take("WORD").value
        if fld in _HAS_FIELDS:
            return self.has_term(fld)
        op_tok = self.peek()
        if op_tok is None or op_tok.kind not in ("OP", "WORD"):
            raise QueryError("missing operator")
        op = op_tok.value.lower() if op_tok.kind == "WORD" else op_tok.value
        self.pos += 1
        return self.comparison(fld, op)

    def has_term(self, fld: str) -> Term:
        """``properties has { key='k' and value='v' }``."""
        self.take("WORD", "has")
        self.take("LBRACE")
        self.take("WORD", "key")
        self.take("OP", "=")
        key = self.take("STR").value
        self.take("WORD", "and")
        self.take("WORD", "value")
        self.take("OP", "=")
        value = self.take("STR").value
        self.take("RBRACE")
        return Term(fld, "has", (key, value))

    def comparison(self, fld: str, op: str) -> Term:
        """``field op value`` once the field and operator are read."""
        if fld in _TEXT_FIELDS:
            if op not in _TEXT_FIELDS[fld]:
                raise QueryError(f"operator {op} not supported on {fld}")
            return Term(fld, op, self.take("STR").value)
        if fld in _TIME_FIELDS:
            if op not in _OPS:
                raise QueryError(f"operator {op} not supported on {fld}")
            return Term(fld, op, parse_time(self.take("STR").value))
        if fld in _BOOL_FIELDS:
            if op not in ("=", "!="):
                raise QueryError(f"operator {op} not supported on {fld}")
            word = self.take("WORD").value.lower()
            if word not in ("true", "false"):
                raise QueryError("expected true or false")
            return Term(fld, op, word == "true")
        if fld == "visibility":
            value = self.take("STR").value
            if op not in ("=", "!=") or value not in _VISIBILITY:
                raise QueryError("bad visibility term")
            return Term(fld, op, value)
        raise QueryError(f"unknown field {fld}")

def parse(text: str) -> Node | None:
    """Parse a ``q`` string; None for an empty query. Raises :class:`QueryError`."""
    tokens = tokenize(text)
    if not tokens:
        return None
    return _Parser(tokens).parse()


def parse_time(text: str) -> datetime:
    """An RFC 3339 time as Drive accepts it (``2026-09-01T12:00:00``, optional fraction and zone, UTC default)."""
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise QueryError(f"bad time {text!r}") from exc
    if "T" not in value and len(value) != 10:
        raise QueryError(f"bad time {text!r}")
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class Subject(Protocol):
    """What the evaluator may ask about one file (the models provide it, with the viewer in mind)."""

    def text(self, field: str) -> str: ...

    def time(self, field: str) -> datetime | None: ...

    def flag(self, field: str) -> bool: ...

    def members(self, field: str) -> set[str]: ...

    def props(self, field: str) -> dict[str, str]: ...

    def visibility(self) -> str: ...


def _contains_words(haystack: str, needle: str) -> bool:
    """Drive's ``contains`` on names: case-insensitive prefix match of the words of the name."""
    hay, sub = haystack.lower(), needle.lower()
    if not sub:
        return True
    start = hay.find(sub)
    while start != -1:
        if start == 0 or not hay[start - 1].isalnum():
            return True
        start = hay.find(sub, start + 1)
    return False


def _compare(left: Any, op: str, right: Any) -> bool:
    if op == "=":
        return bool(left == right)
    if op == "!=":
        return bool(left != right)
    if left is None:
        return False
    return {"<": left < right, "<=": left <= right, ">": left > right, ">=": left >= right}[op]


def evaluate(node: Node | None, subject: Subject) -> bool:
    """Whether the file described by ``subject`` matches ``node`` (None matches everything)."""
    if node is None:
        return True
    if isinstance(node, BoolOp):
        if node.op == "and":
            return all(evaluate(n, subject) for n in node.nodes)
        return any(evaluate(n, subject) for n in node.nodes)
    if isinstance(node, Not):
        return not evaluate(node.node, subject)
    fld, op, value = node.field, node.op, node.value
    if fld in _TEXT_FIELDS:
        text = subject.text(fld)
        if op == "contains":
            if fld == "mimeType":
                return value.lower() in text.lower()
            return _contains_words(text, value) if fld == "name" else value.lower() in text.lower()
        return _compare(text, op, value)
    if fld in _TIME_FIELDS:
        moment = subject.time(fld)
        if moment is None:
            return op == "!="
        return _compare(moment, op, value)
    if fld in _BOOL_FIELDS:
        return _compare(subject.flag(fld), op, value)
    if op == "in":
        return value.lower() in {m.lower() for m in subject.members(fld)}
    if op == "has":
        key, val = value
        return subject.props(fld).get(key) == val
    if fld == "visibility":
        return _compare(subject.visibility(), op, value)
    raise QueryError(f"cannot evaluate {fld}")  # pragma: no cover - the parser refuses it first


def parent_ids(node: Node | None) -> list[str] | None:
    """The folder ids a match must be in, when the query is a conjunction with an ``in parents`` term."""
    if isinstance(node, Term) and node.op == "in" and node.field == "parents":
        return [node.value]
    if isinstance(node, BoolOp) and node.op == "and":
        for child in node.nodes:
            found = parent_ids(child)
            if found is not None:
                return found
    return None
