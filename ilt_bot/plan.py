"""What the bot does when: the year's dated :class:`WorkItem` list (pure; used by ``plan`` and ``tick``).

The plan is the schedule: every item is run by its routine at its due time (docs/architecture.md).
Each routine (``ilt_bot.registry``) owns its due rule; :func:`plan` chains them. Each WorkItem is one
idempotent ``ensure`` named by its ``iltbot_key`` (``cedar/agenda/2026-09-15``). ``tick`` runs every item
whose ``due`` time has passed, so a late or missed run loses nothing.

When items fall due (``lead_times`` in the config; times of day are ``schedule.start``, school time):
- setup (tracker, agenda-item intake Form): before the first agenda and the first school day;
- agenda Doc and feedback Form: ``agenda_days`` before each meeting (never after it starts);
  a due day without school moves to the school day before it (a digest: after it), see
  :func:`ilt_bot.routine.morning`;
- thinking-map Form per team: ``thinking_map_days`` before its learning cycle ends (every
  ``meetings.thinking_map_every`` cycles); the lead's digest ``thinking_map.response_window_days`` later;
- stakeholder survey: ``stakeholder_survey_days`` before the semester's reflection meeting;
- reflection-for-growth pre-work per ILT member: ``reflection_prework_days`` before it;
- team reflection Doc per team: ``team_reflection_days`` before the team reflection date;
- group reflection Doc and communication summary: ``agenda_days`` before the reflection meeting.

Response syncs and the action-item harvest are not items: they are standing steps of every tick.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from ilt_bot import registry
from ilt_bot.calendar import SchoolYear
from ilt_bot.config import Config
from ilt_bot.routine import WorkItem

KINDS: tuple[str, ...] = registry.kinds()
"""The kinds of the registered routines, in plan order."""


def plan(config: Config, year: SchoolYear | None = None, start: date | datetime | None = None,
         end: date | datetime | None = None) -> list[WorkItem]:
    """Every WorkItem of the year due between ``start`` and ``end`` (inclusive; dates are school-local days)."""
    year = year or SchoolYear(config)
    routines = registry.routines()
    order = {routine.kind: i for i, routine in enumerate(routines)}
    items = [item for routine in routines for item in routine.items(config, year)]
    low = _bound(year, start, low=True)
    high = _bound(year, end, low=False)
    chosen = [i for i in items if (low is None or i.due >= low) and (high is None or i.due <= high)]
    return sorted(chosen, key=lambda i: (i.due, order[i.kind], i.key))


def due_items(config: Config, year: SchoolYear | None, now: datetime) -> list[WorkItem]:
    """The WorkItems due at ``now`` (``due <= now``); a naive ``now`` is read in the school's time zone."""
    year = year or SchoolYear(config)
    if now.tzinfo is None:
        now = now.replace(tzinfo=year.tz)
    return plan(config, year, end=now)


def _bound(year: SchoolYear, value: date | datetime | None, *, low: bool) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=year.tz)
    if low:
        return year.at(value, datetime.min.time())
    return year.at(value + timedelta(days=1), datetime.min.time()) - timedelta(microseconds=1)


__all__ = ["WorkItem", "KINDS", "plan", "due_items"]
