"""Catch-up: work that fell due while no tick ran is done late while its window is open, else reported.

The tick runs every item whose due time has passed (``plan.due_items``), so an item due during an outage
is made by the first pass after it, if the routine's **window** for it is still open (a thinking map:
until its learning cycle ends). Once the window has closed, an artifact that was never made is not made
any more: it is reported as **missed** (Runs tab result ``missed``, ``ilt-bot status``), never dropped
silently. See RELIABILITY.md ("Hardening").
"""

from __future__ import annotations

from datetime import datetime

from ilt_bot.jobs import JobContext

MISSED = "missed"
"""The Runs tab result (and ``status`` attention kind) of an artifact whose window closed unmade."""


def report_missed(ctx: JobContext, key: str, due: datetime, window_end: datetime, what: str) -> None:
    """Record that ``key`` (``what``) was due at ``due`` and its window closed at ``window_end`` unmade."""
    why = (f"{what} was due {due:%a %b %d %H:%M} but no run made it before {window_end:%a %b %d %H:%M}, when its "
           "window closed (was the bot stopped?); it is not made late. Check the bot's schedule and logs")
    text = f"{key}: {MISSED}: {why}"
    if text in ctx.report.skipped:
        return
    ctx.report.skipped.append(text)
    ctx.record(MISSED, key, MISSED, why)
