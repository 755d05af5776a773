"""The reflection meeting's agenda: the semester's reflection protocol, time-boxed, linking the package.

The agenda routine (:mod:`ilt_bot.jobs.agenda`) calls :func:`agenda_template` for every meeting; for a
reflection meeting (``Meeting.kind == "reflection"``) it adds the protocol and the package to the context
and chooses ``reflection_agenda.html.j2``. The protocol follows the district guide "Evaluate Results,
Assess Needs and Adjust": revisit UIP goals, team SLOs and key roles; celebrate successes and the actions
behind them; root causes before solutions; agree adjustments and pilots; plan communication. The group
reflection Doc is linked (the whole ILT may open it); pre-work and team reflections are private to their
owner and the principal, so the agenda names them and each person opens their own (docs/privacy.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ilt_bot.jobs import semester_data as data
from ilt_bot.jobs.group_reflection import ensure_group_doc, revisit
from ilt_bot.jobs.prework import prework_key
from ilt_bot.jobs.reflection import snapshot
from ilt_bot.jobs.team_reflection import team_reflection_key

if TYPE_CHECKING:
    from ilt_bot.calendar import Meeting
    from ilt_bot.config import Config, Semester
    from ilt_bot.jobs import JobContext

TEMPLATE = "reflection_agenda.html.j2"

SECTIONS = (
    ("Welcome, norms and purpose", 5),
    ("Revisit our UIP goals, team SLOs and key roles", 20),
    ("Celebrate successes and the actions behind them", 15),
    ("Growth areas: root causes before solutions", 25),
    ("Agree on adjustments and pilots", 20),
    ("Plan communication", 10),
    ("Close: feedback on the meeting", 5),
)
"""The protocol's sections and their share of the meeting (percent, summing to 100)."""


def section_minutes(total: int) -> list[dict[str, Any]]:
    """Each protocol section with its minutes out of ``total`` (they add up to ``total`` exactly)."""
    out, used = [], 0
    for n, (title, share) in enumerate(SECTIONS):
        minutes = total - used if n == len(SECTIONS) - 1 else round(total * share / 100)
        used += minutes
        out.append({"title": title, "minutes": minutes})
    return out


def is_reflection(meeting: Meeting) -> bool:
    return meeting.kind == "reflection" and meeting.semester is not None


def package_view(ctx: JobContext, semester: Semester) -> dict[str, Any]:
    """The semester's reflection package as the agenda links it (private Docs named, not linked)."""
    config = ctx.config
    group = ensure_group_doc(ctx, semester)
    prework = [m.name for m in config.members if _exists(ctx, prework_key(config, semester.id, m.id))]
    teams = [{"team": t.name, "lead": _name(config, t.lead)} for t in config.teams
             if _exists(ctx, team_reflection_key(config, semester.id, t.id))]
    stakeholders = data.stakeholders(snapshot(ctx), semester.id)
    return {
        "semester": semester.name,
        "group_doc_url": group.web_link if group is not None else None,
        "prework": prework,
        "team_reflections": teams,
        "stakeholders": {"responses": stakeholders["responses"], "average": stakeholders["average"]},
        "revisit": revisit(ctx, semester),
    }


def _exists(ctx: JobContext, key: str) -> bool:
    found = ctx.find(key)
    return found is not None and not found.trashed


def _name(config: Config, member_id: str) -> str:
    return next((m.name for m in config.members if m.id == member_id), member_id)


def agenda_template(ctx: JobContext, meeting: Meeting, context: dict[str, Any], default: str) -> str:
    """The agenda's template: ``default``, or for a reflection meeting the protocol (context filled in)."""
    if not is_reflection(meeting):
        return default
    semester = ctx.config.semester(str(meeting.semester))
    minutes = int((meeting.end - meeting.start).total_seconds() // 60)
    context["reflection"] = {**package_view(ctx, semester), "minutes": minutes,
                             "sections": section_minutes(minutes)}
    return TEMPLATE


def sample_reflection(context: dict[str, Any]) -> dict[str, Any]:
    """A reflection agenda context with every section filled (for tests and ``ilt-bot check``)."""
    revisit_rows = [{"what": "Walkthroughs", "pilot": True, "group": "K-2", "owner": "A", "how": "form",
                     "results": {"form": True, "responses": 2, "average": 4.5, "working": ["Quick"], "change": []}}]
    return {**context, "reflection": {
        "semester": "Spring 2027", "group_doc_url": "https://docs.google.com/document/d/g/edit",
        "prework": ["A member"], "team_reflections": [{"team": "K-2", "lead": "A member"}],
        "stakeholders": {"responses": 3, "average": 4.3},
        "revisit": {"semester": "Fall 2026", "found": True, "rows": revisit_rows},
        "minutes": 180, "sections": section_minutes(180)}}


__all__ = ["TEMPLATE", "SECTIONS", "section_minutes", "is_reflection", "package_view", "agenda_template",
           "sample_reflection"]
