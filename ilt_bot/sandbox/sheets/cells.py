"""What a cell's value is beside a plain number or text: a formula error (``#DIV/0!``), and a number as
Sheets shows it under a number format. Below both ``models.py`` and ``formulas.py``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

_ERROR_TEXT = {"DIV_ZERO": "#DIV/0!", "NAME": "#NAME?", "REF": "#REF!", "VALUE": "#VALUE!", "ERROR": "#ERROR!",
               "N_A": "#N/A", "NUM": "#NUM!", "NULL_VALUE": "#NULL!"}


class CellError:
    """A formula's error value (``#DIV/0!`` ...)."""

    def __init__(self, kind: str, message: str) -> None:
        self.kind, self.message = kind, message

    def text(self) -> str:
        return _ERROR_TEXT.get(self.kind, "#ERROR!")


def tidy(number: float) -> int | float:
    """A number as Sheets keeps it: an int when whole (below 1e15), else the float."""
    number = float(number)
    return int(number) if number.is_integer() and abs(number) < 1e15 else number


def format_number(value: float, number_format: dict[str, Any] | None) -> str:
    """A number as Sheets shows it under ``number_format`` (general format when None)."""
    kind = (number_format or {}).get("type")
    pattern = (number_format or {}).get("pattern", "")
    if kind in ("DATE", "DATE_TIME", "TIME") and pattern:
        from ilt_bot.sandbox.sheets import date_patterns

        return date_patterns.render(value, pattern)
    if kind in ("DATE", "DATE_TIME", "TIME"):
        moment = datetime(1899, 12, 30) + timedelta(days=float(value))
        if kind == "TIME":
            return moment.strftime("%H:%M:%S")
        day = {"yyyy-mm-dd": "%Y-%m-%d", "yyyy/mm/dd": "%Y/%m/%d"}.get(pattern.split(" ")[0])
        text = moment.strftime(day) if day else f"{moment.month}/{moment.day}/{moment.year}"
        return text + (moment.strftime(" %H:%M:%S") if kind == "DATE_TIME" else "")
    if kind == "PERCENT":
        decimals = len(pattern.split(".")[1]) - 1 if "." in pattern else 0
        return f"{value * 100:.{decimals}f}%"
    if kind == "NUMBER" and pattern:
        decimals = len(pattern.partition(".")[2].rstrip("%")) if "." in pattern else 0
        return f"{value:,.{decimals}f}" if "," in pattern else f"{value:.{decimals}f}"
    if kind == "CURRENCY":
        return f"${value:,.2f}" if value >= 0 else f"-${-value:,.2f}"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    text = f"{value:.10f}".rstrip("0").rstrip(".") if abs(value) >= 1e-10 else f"{value:.2E}"
    if abs(value) >= 1e15:
        text = f"{value:.2E}"
    return text
