"""Every routine the bot runs, listed once (docs/architecture.md, "The routine registry").

``plan`` chains the routines' ``items``, the tick looks a due item's routine up with :func:`by_kind`,
``ilt-bot check`` renders each routine's template with its sample context. Adding a routine is one
module exporting a :class:`~ilt_bot.routine.Routine` and one line in :data:`ROUTINES`.
"""

from __future__ import annotations

from ilt_bot.jobs.agenda import AGENDA, FEEDBACK_FORM
from ilt_bot.jobs.calendar_event import CALENDAR_EVENT
from ilt_bot.jobs.coaching_agreement import COACHING_AGREEMENT
from ilt_bot.jobs.group_reflection import GROUP_REFLECTION
from ilt_bot.jobs.kickoff import KICKOFF
from ilt_bot.jobs.peer_observation import PEER_OBSERVATION
from ilt_bot.jobs.prework import PREWORK
from ilt_bot.jobs.qualities import QUALITIES
from ilt_bot.jobs.setup import INTAKE_FORM, TRACKER
from ilt_bot.jobs.stakeholder import STAKEHOLDER_SURVEY
from ilt_bot.jobs.summary import SUMMARY
from ilt_bot.jobs.team_reflection import TEAM_REFLECTION
from ilt_bot.jobs.thinking_map import THINKING_MAP_FORM
from ilt_bot.jobs.tm_digest import TM_DIGEST
from ilt_bot.jobs.vision_input import VISION_INPUT
from ilt_bot.render import SampleContext
from ilt_bot.routine import Routine

ROUTINES: tuple[Routine, ...] = (
    TRACKER,
    INTAKE_FORM,
    AGENDA,
    FEEDBACK_FORM,
    THINKING_MAP_FORM,
    TM_DIGEST,
    STAKEHOLDER_SURVEY,
    PREWORK,
    TEAM_REFLECTION,
    GROUP_REFLECTION,
    SUMMARY,
    CALENDAR_EVENT,
    QUALITIES,
    VISION_INPUT,
    PEER_OBSERVATION,
    COACHING_AGREEMENT,
    KICKOFF,
)
"""The routines, in the order ``plan`` lists items due at the same time."""


def routines() -> tuple[Routine, ...]:
    """The registered routines (read at call time, so a test may extend :data:`ROUTINES`)."""
    return ROUTINES


def kinds() -> tuple[str, ...]:
    return tuple(r.kind for r in routines())


def by_kind(kind: str) -> Routine:
    """The routine of WorkItems of ``kind`` (KeyError naming the known kinds if none)."""
    for routine in routines():
        if routine.kind == kind:
            return routine
    raise KeyError(f"no routine for kind {kind!r} (known: {', '.join(kinds())})")


def tracker_tabs() -> dict[str, list[str]]:
    """Every tracker tab the routines declare (title -> header row), in registry order."""
    tabs: dict[str, list[str]] = {}
    for routine in routines():
        for title, header in routine.tabs.items():
            tabs.setdefault(title, list(header))
    return tabs


def sample_contexts() -> dict[str, SampleContext]:
    """Template name -> the sample context ``ilt-bot check`` renders it with."""
    return {r.template: r.sample_context for r in routines() if r.template and r.sample_context is not None}
