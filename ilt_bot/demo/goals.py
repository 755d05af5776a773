"""The demo's data lead typing goal checkpoints into the tracker's Goals tab, as a person does in Sheets.

On the first school day on or after each checkpoint date, the principal adds a column headed by the
checkpoint's label and types a value in each goal row (a step from the baseline toward the target, with
some noise); a team SLO row without numbers gets its baseline and target typed first. Values go in with
the Sheets API as that person (``values.batchUpdate``, RAW), never through the bot.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from ilt_bot.demo.people import People, rng
from ilt_bot.jobs.goals import GOALS, HEADER, number
from ilt_bot.workspace.sheets import column_letter

if TYPE_CHECKING:
    from ilt_bot.calendar import SchoolYear

CHECKPOINTS = ((10, 1, "Oct BOY"), (1, 25, "Jan MOY"), (4, 20, "Apr interim"))
"""(month, day, label) of the year's data checkpoints."""


def checkpoint_on(year: SchoolYear, day: date) -> tuple[str, float] | None:
    """The checkpoint typed on ``day`` (label, share of the year gone), if ``day`` is its first school day."""
    start, end = year.year.start, year.year.end
    for month, dom, label in CHECKPOINTS:
        when = date(start.year if month >= start.month else end.year, month, dom)
        first = next((d for d in (when.fromordinal(when.toordinal() + k) for k in range(14))
                      if year.is_school_day(d)), None)
        if first == day:
            return label, (day - start).days / max(1, (end - start).days)
    return None


def _format(value: float, like: str) -> str:
    text = f"{value:.0f}" if abs(value) >= 10 else f"{value:.1f}"
    return text + ("%" if "%" in like else "")


def _row_cells(row: list[str], label: str, share: float, index: int) -> dict[int, str]:
    """Cells (column index -> value) the person types in one goal row for this checkpoint."""
    goal = row[0] if row else ""
    base = number(row[1]) if len(row) > 1 else None
    target = number(row[2]) if len(row) > 2 else None
    cells: dict[int, str] = {}
    if target is None:
        target = number(goal)
        if target is None:
            return cells
        base = round(target * 0.75)
        like = "%" if "%" in goal else ""
        cells = {1: _format(base, like), 2: _format(target, like)}
    like = row[2] if len(row) > 2 and row[2] else cells.get(2, "")
    base = target * 0.75 if base is None else base
    noise = rng("goal", goal, label).uniform(0.5, 1.3)
    cells[index] = _format(base + (target - base) * min(1.0, share * noise), like)
    return cells


def type_checkpoint(people: People, spreadsheet_id: str, email: str, label: str, share: float) -> int:
    """Add the checkpoint column ``label`` with a value per goal row; returns the values typed (0 if there)."""
    sheets: Any = people.service(email, "sheets", "v4").spreadsheets()
    values = sheets.values().get(spreadsheetId=spreadsheet_id, range=GOALS).execute().get("values", [])
    if not values or label in values[0]:
        return 0
    index = max(len(values[0]), len(HEADER))
    data = [{"range": f"{GOALS}!{column_letter(index)}1", "values": [[label]]}]
    for number_, row in enumerate(values[1:], start=2):
        for column, value in _row_cells(row, label, share, index).items():
            data.append({"range": f"{GOALS}!{column_letter(column)}{number_}", "values": [[value]]})
    sheets.values().batchUpdate(spreadsheetId=spreadsheet_id,
                                body={"valueInputOption": "RAW", "data": data}).execute()
    return len(data) - 1


__all__ = ["CHECKPOINTS", "checkpoint_on", "type_checkpoint"]
