"""The semester's communication summary draft for staff and families (routine ``summary``).

Key ``<school>/summary/<semester>``, due with the group reflection, shared with the ILT (no e-mail).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ilt_bot.jobs import JobContext, member_emails
from ilt_bot.jobs import semester_data as data
from ilt_bot.jobs.common import THINKING_MAP, make_doc
from ilt_bot.jobs.group_reflection import revisit
from ilt_bot.jobs.reflection import (
    before_meeting,
    closed_cycles,
    common_context,
    sample_semester,
    semester_item,
    semester_of,
    snapshot,
)
from ilt_bot.routine import Routine, WorkItem, school_key

if TYPE_CHECKING:
    from ilt_bot.calendar import SchoolYear
    from ilt_bot.config import Config, Semester


def summary_key(config: Config, semester: str) -> str:
    """``<school>/summary/<semester>``."""
    return school_key(config, "summary", semester)


def summary_context(ctx: JobContext, semester: Semester) -> dict[str, Any]:
    rows = snapshot(ctx)
    tm = data.thinking_maps(rows, ctx.config, ctx.year, semester, THINKING_MAP, closed_cycles(ctx))
    answered, possible = sum(t["answered"] for t in tm), sum(t["possible"] for t in tm)
    return {
        **common_context(ctx, semester),
        "meetings": data.meetings(rows, ctx.year, semester),
        "actions": data.actions(rows, semester),
        "focus": data.focus(rows, ctx.config, semester),
        "tm": {"answered": answered, "possible": possible,
               "rate": round(100 * answered / possible) if possible else None},
        "stakeholders": data.stakeholders(rows, semester.id),
        "revisit": revisit(ctx, semester),
    }


def summary_item(ctx: JobContext, item: WorkItem) -> None:
    """The communication summary draft (staff and families), with the group reflection."""
    semester = semester_of(ctx, item)
    if not before_meeting(ctx, semester):
        return
    s_key = item.key
    make_doc(ctx, s_key, f"Reflection summary and talking points — {semester.name}", "summary.html.j2",
             lambda: summary_context(ctx, semester), "reflections",
             [(member_emails(ctx.config), "writer", False)], "", {"iltbot_semester": semester.id})


def sample_summary(config: Config) -> dict[str, Any]:
    ctx, semester = sample_semester(config)
    context = summary_context(ctx, semester)
    context["tm"] = {"answered": 3, "possible": 4, "rate": 75}
    context["stakeholders"].update(responses=2, average=4.5)
    context["revisit"] = {"semester": "Fall", "found": True, "rows": [{"what": "Walkthroughs"}]}
    return context


def summary_items(config: Config, year: SchoolYear) -> list[WorkItem]:
    days = config.lead_times.agenda_days
    return [semester_item(config, year, s, "summary", summary_key(config, s.id), days,
                           f"communication summary, {s.id}") for s in year.semesters()]


SUMMARY = Routine("summary", key=summary_key, key_form="<school>/summary/<semester>", items=summary_items,
                  run=summary_item, folder="reflections", template="summary.html.j2", sample_context=sample_summary)
