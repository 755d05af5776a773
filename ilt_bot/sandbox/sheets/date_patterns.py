"""Date and time number-format patterns rendered as Sheets renders them (en_US).

Tokens, from the Sheets API guide "Date and number formats" (Date and time format patterns): ``d``/``dd``
day, ``ddd``/``dddd`` weekday name, ``m``/``mm`` month (minute when right after an hour or right before
seconds), ``mmm``/``mmmm``/``mmmmm`` month name, ``y``/``yy`` two-digit and ``yyyy`` four-digit year,
``h``/``hh`` hour (12-hour when the pattern has ``AM/PM`` or ``A/P``), ``s``/``ss`` seconds, ``.0``/``.00``
fractions of a second, ``"text"`` and ``\\x`` literals; anything else is shown as written.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

_TOKEN = re.compile(r'"[^"]*"|\\.|am/pm|a/p|y+|m+|d+|h+|s+|\.0+|.', re.IGNORECASE)
_EPOCH = datetime(1899, 12, 30)


def render(serial: float, pattern: str) -> str:
    """``serial`` (days since 1899-12-30) shown under a date/time ``pattern``."""
    moment = _EPOCH + timedelta(days=float(serial))
    moment = _EPOCH + timedelta(milliseconds=round((moment - _EPOCH).total_seconds() * 1000))
    tokens = _TOKEN.findall(pattern)
    twelve = any(t.lower() in ("am/pm", "a/p") for t in tokens)
    out = []
    for i, token in enumerate(tokens):
        out.append(_one(token, moment, twelve, _is_minute(tokens, i)))
    return "".join(out)


def _is_minute(tokens: list[str], i: int) -> bool:
    """``m``/``mm`` mean minutes right after an hour token or right before a seconds token."""
    if not tokens[i].lower().startswith("m") or len(tokens[i]) > 2:
        return False
    before = next((t for t in reversed(tokens[:i]) if t[0].isalpha()), "")
    after = next((t for t in tokens[i + 1:] if t[0].isalpha()), "")
    return before[:1].lower() == "h" or after[:1].lower() == "s"


def _one(token: str, moment: datetime, twelve: bool, minute: bool) -> str:
    lower = token.lower()
    if token.startswith('"'):
        return token[1:-1]
    if token.startswith("\\"):
        return token[1:]
    if lower in ("am/pm", "a/p"):
        text = "AM" if moment.hour < 12 else "PM"
        text = text if lower == "am/pm" else text[0]
        return text if token[0].isupper() else text.lower()
    if lower[0] in "hs." or (lower[0] == "m" and minute):
        return _time_part(lower, moment, twelve)
    if lower[0] in "ymd":
        return _date_part(lower, moment)
    return token


def _date_part(token: str, moment: datetime) -> str:
    kind, width = token[0], len(token)
    if kind == "y":
        return f"{moment.year % 100:02d}" if width <= 2 else f"{moment.year:04d}"
    if kind == "d":
        if width >= 3:
            return moment.strftime("%A" if width >= 4 else "%a")
        return f"{moment.day:0{width}d}"
    if width >= 3:
        name = moment.strftime("%B")
        return name[0] if width == 5 else name if width == 4 else name[:3]
    return f"{moment.month:0{width}d}"


def _time_part(token: str, moment: datetime, twelve: bool) -> str:
    width = min(len(token), 2)
    if token[0] == "h":
        return f"{moment.hour % 12 or 12 if twelve else moment.hour:0{width}d}"
    if token[0] == "m":
        return f"{moment.minute:0{width}d}"
    if token[0] == "s":
        return f"{moment.second:0{width}d}"
    if token.startswith(".0"):
        return "." + f"{moment.microsecond / 1_000_000:.{len(token) - 1}f}"[2:]
    return token
