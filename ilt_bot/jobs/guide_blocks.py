"""What the guides' routines add to a meeting's agenda, in one dict (docs/guides.md).

:func:`agenda_blocks` is the one call the agenda routine makes; ``agenda.html.j2`` shows each block in
its own clearly marked section when present:

- ``qualities``: the qualities synthesis, in the first agenda ``practice.qualities_days`` after the Form
  opened and at the first meeting of each later semester (revisited mid-year);
- ``vision_input``: the answers of the vision-input round read at this meeting (purpose section); at a
  semester's reflection meeting, every round of the semester;
- ``peer_observation``: at the first meeting of a learning cycle, the cycle's observation pairs and a
  slot to calibrate on what the previous cycle's pairs saw;
- ``office_hours``: ``practice.office_hours``, when set;
- ``difficult_conversation``: a practice slot every ``practice.difficult_conversation_every`` meetings.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from ilt_bot.jobs.peer_observation import cycle_pairs, pair_names
from ilt_bot.jobs.qualities import qualities_items, sample_synthesis, synthesis
from ilt_bot.jobs.vision_input import QUESTIONS as VISION_QUESTIONS
from ilt_bot.jobs.vision_input import round_view
from ilt_bot.routine import prepared

if TYPE_CHECKING:
    from datetime import date

    from ilt_bot.calendar import Meeting, SchoolYear
    from ilt_bot.config import Config
    from ilt_bot.jobs import JobContext


BLOCKS = ("qualities", "vision_input", "peer_observation", "office_hours", "difficult_conversation")
"""The keys of :func:`agenda_blocks` (each None when it does not apply to a meeting)."""


def no_blocks() -> dict[str, Any]:
    """Every block absent (an agenda context made without a pass, e.g. in a test)."""
    return dict.fromkeys(BLOCKS)


def qualities_meetings(config: Config, year: SchoolYear) -> set[date]:
    """The meetings whose agenda shows the qualities synthesis: "soon after" the Form, then each later
    semester's first meeting."""
    opened = [i.due for i in qualities_items(config, year)]
    if not opened:
        return set()
    ready = opened[0] + timedelta(days=config.practice.qualities_days)
    meetings = year.meetings()
    days = set()
    soon = next((m for m in meetings if prepared(config, year, m, config.lead_times.agenda_days) >= ready), None)
    if soon is not None:
        days.add(soon.date)
    for semester in year.semesters()[1:]:
        first = next((m for m in meetings if m.date >= semester.start), None)
        if first is not None:
            days.add(first.date)
    return days


def peer_view(config: Config, year: SchoolYear, meeting: Meeting) -> dict[str, Any] | None:
    """At the first meeting of a learning cycle: its pairs, and which cycle's pairs calibrate now."""
    cycle = year.cycle_of(meeting.date)
    if cycle is None or not config.practice.peer_observation:
        return None
    firsts = [m for m in year.meetings() if cycle.contains(m.date)]
    if not firsts or firsts[0].date != meeting.date:
        return None
    pairs = [pair_names(p) for p in cycle_pairs(config, cycle.index)]
    return {"cycle": cycle.index + 1, "pairs": pairs, "calibrate": cycle.index if cycle.index > 0 else None} if pairs \
        else None


def difficult_conversation(config: Config, meeting: Meeting) -> bool:
    every = config.practice.difficult_conversation_every
    return every > 0 and meeting.number % every == 0


def agenda_blocks(ctx: JobContext, meeting: Meeting) -> dict[str, Any]:
    """The guides' blocks of ``meeting``'s agenda (keys absent or None when they do not apply)."""
    config, year = ctx.config, ctx.year
    return {
        "qualities": synthesis(ctx) if meeting.date in qualities_meetings(config, year) else None,
        "vision_input": round_view(ctx, meeting),
        "peer_observation": peer_view(config, year, meeting),
        "office_hours": config.practice.office_hours.strip() or None,
        "difficult_conversation": difficult_conversation(config, meeting),
    }


def sample_blocks(config: Config) -> dict[str, Any]:
    """Every block filled, for ``ilt-bot check``."""
    return {
        "qualities": sample_synthesis(config),
        "vision_input": {"responses": 2, "rounds": ["Tue Oct 20, 2026"],
                         "questions": [{"question": title, "answers": ["More <b>time</b> together"]}
                                       for _ref, title in VISION_QUESTIONS]},
        "peer_observation": {"cycle": 2, "pairs": ["A & B", "C & D"], "calibrate": 1},
        "office_hours": config.practice.office_hours.strip() or "Thursdays 7:30 AM",
        "difficult_conversation": True,
    }
