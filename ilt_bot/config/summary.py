"""What ``ilt-bot check`` reports about a valid config: the school, its people and its year at a glance."""

from __future__ import annotations

from typing import Any

from ilt_bot.calendar import SchoolYear
from ilt_bot.config.models import Config


def config_summary(config: Config) -> dict[str, Any]:
    """The school, its people, meetings, cycles and workspace, as ``check --json`` prints them."""
    year = SchoolYear(config)
    meetings = year.meetings()
    pattern = config.meetings
    return {
        "config": str(config.source) if config.source else None,
        "school": config.school.id,
        "school_name": config.school.name,
        "year": config.year.label,
        "timezone": config.school.timezone,
        "members": len(config.members),
        "teams": len(config.teams),
        "teachers": sum(len(t.teachers) for t in config.teams),
        "meetings": len(meetings),
        "first_meeting": meetings[0].date.isoformat() if meetings else None,
        "last_meeting": meetings[-1].date.isoformat() if meetings else None,
        "pattern": f"{pattern.frequency} on {pattern.weekday} at {pattern.time.strftime('%H:%M')}",
        "cycles": len(year.cycles()),
        "semesters": [s.id for s in config.year.semesters],
        "backend": config.workspace.backend,
        "bot_user": config.workspace.bot_user,
        "warnings": cycle_warnings(config, year),
    }


def cycle_warnings(config: Config, year: SchoolYear) -> list[str]:
    """A learning cycle ending after its semester's reflection: its thinking map goes out early instead."""
    reflections = {s.id: s.reflection_date for s in config.year.semesters}
    out = []
    for cycle in year.cycles():
        reflection = reflections.get(cycle.semester or "")
        if reflection is not None and cycle.end > reflection:
            out.append(f"learning cycle {cycle.id} ends {cycle.end}, after the {cycle.semester} reflection on "
                       f"{reflection}: its thinking map goes out early enough for its digest to be in the "
                       "reflection; end the cycle before the reflection to give it its full length")
    return out
