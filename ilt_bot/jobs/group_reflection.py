"""The ILT group reflection Doc of the semester, and after it the pilots (routine ``group_reflection``).

Key ``<school>/reflection/<semester>``, due ``lead_times.agenda_days`` before the reflection meeting,
pre-filled with the semester's figures (:mod:`ilt_bot.jobs.semester_data`), the protocol and the
Adjustments table; from the second semester on it opens with the previous semester's adjustments read
back and each pilot's results. The whole ILT reads it, so of the thinking maps it shows aggregates
only. After the meeting, pilots in its Adjustments table get their Forms (:mod:`ilt_bot.jobs.pilots`).
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from ilt_bot.jobs import DRY_RUN_ID, JobContext, date_label, member_emails
from ilt_bot.jobs import pilots as pilot_jobs
from ilt_bot.jobs import semester_data as data
from ilt_bot.jobs.common import THINKING_MAP, first_pass_of_day, make_doc
from ilt_bot.jobs.goals import TABS as GOAL_TABS
from ilt_bot.jobs.goals import goals_context
from ilt_bot.jobs.reflection import (
    ROLE_LABELS,
    before_meeting,
    closed_cycles,
    common_context,
    previous_semester,
    sample_semester,
    semester_item,
    semester_of,
    snapshot,
)
from ilt_bot.jobs.stakeholder import sync_survey_if_any
from ilt_bot.keys import school_key
from ilt_bot.routine import Routine, WorkItem

if TYPE_CHECKING:
    from ilt_bot.calendar import SchoolYear
    from ilt_bot.config import Config, Semester
    from ilt_bot.workspace.api import FileRef


def group_key(config: Config, semester: str) -> str:
    """``<school>/reflection/<semester>``."""
    return school_key(config, "reflection", semester)


def revisit(ctx: JobContext, semester: Semester) -> dict[str, Any] | None:
    """The previous semester's adjustments read back from its group reflection Doc, with pilot results."""
    if semester.id not in ctx.revisits:
        ctx.revisits[semester.id] = _revisit(ctx, semester)
    return ctx.revisits[semester.id]


def _revisit(ctx: JobContext, semester: Semester) -> dict[str, Any] | None:
    previous = previous_semester(ctx.config, semester)
    if previous is None:
        return None
    found = ctx.find(group_key(ctx.config, previous.id))
    if found is None or found.trashed or found.id == DRY_RUN_ID:
        return {"semester": previous.name, "found": False, "rows": []}
    rows = []
    for adjustment in pilot_jobs.adjustments(ctx.workspace.read_doc_tables(found.id)):
        rows.append({**adjustment, "results": pilot_jobs.results(ctx, previous.id, adjustment)})
    return {"semester": previous.name, "found": True, "rows": rows}


def group_context(ctx: JobContext, semester: Semester) -> dict[str, Any]:
    rows = snapshot(ctx)
    config = ctx.config
    meetings_cfg = config.meetings
    return {
        **common_context(ctx, semester),
        "members": [{"name": m.name, "role": ROLE_LABELS.get(m.role, m.role)} for m in config.members],
        "meeting_roles": [r.replace("_", " ").capitalize() for r in meetings_cfg.roles],
        "agreements": [f"{a.text} ({a.kind.replace('_', '-')})" for a in config.school.coaching_agreements],
        "norms": [str(n) for n in config.school.norms],
        "revisit": revisit(ctx, semester),
        "meetings": data.meetings(rows, ctx.year, semester),
        "feedback": data.feedback_over_time(rows, semester),
        "actions": data.actions(rows, semester),
        "focus": data.focus(rows, config, semester),
        "thinking_maps": data.thinking_maps(rows, config, ctx.year, semester, THINKING_MAP, closed_cycles(ctx)),
        "stakeholders": data.stakeholders(rows, semester.id),
        "goals": goals_context(ctx, trend=True),
        "adjustment_header": pilot_jobs.ADJUSTMENT_HEADER,
        "blank_rows": 4,
    }


def group_reflection_item(ctx: JobContext, item: WorkItem) -> None:
    """The ILT group reflection Doc before the meeting; after it, the pilots' feedback Forms."""
    semester = semester_of(ctx, item)
    g_key = group_key(ctx.config, semester.id)
    meeting = ctx.year.reflection_meeting(semester)
    if ctx.now >= meeting.end:
        if ctx.now <= meeting.end + timedelta(days=pilot_jobs.PILOT_WINDOW_DAYS):
            found = ctx.find(g_key)
            if found is not None and not found.trashed:
                pilot_jobs.ensure_pilot_forms(ctx, semester.id, found.id, report=first_pass_of_day(ctx))
        return
    if not before_meeting(ctx, semester):
        return
    ensure_group_doc(ctx, semester)


def ensure_group_doc(ctx: JobContext, semester: Semester) -> FileRef | None:
    """The semester's group reflection Doc, made once (the reflection meeting's agenda links it)."""
    g_key = group_key(ctx.config, semester.id)
    meeting = ctx.year.reflection_meeting(semester)
    if ctx.find(g_key) is None:
        sync_survey_if_any(ctx, semester)
    return make_doc(ctx, g_key, f"ILT reflection — {semester.name}", "group_reflection.html.j2",
                   lambda: group_context(ctx, semester), "reflections",
                   [(member_emails(ctx.config), "writer", True)],
                   f"Our {semester.name} reflection ({date_label(meeting.date)}) is pre-filled with the semester's "
                   "data. Please read it before we meet.",
                   {"iltbot_semester": semester.id})


def sample_group(config: Config) -> dict[str, Any]:
    ctx, semester = sample_semester(config)
    context = group_context(ctx, semester)
    results = {"form": True, "responses": 2, "average": 4.5, "working": ["Quick"], "change": ["Fewer"]}
    context["revisit"] = {"semester": "Fall", "found": True, "rows": [
        {"what": "Walkthroughs", "pilot": True, "group": "K-2", "owner": "A", "how": "form", "results": results},
        {"what": "Data early", "pilot": False, "group": "", "owner": "B", "how": "", "results": None}]}
    context["feedback"] = [{"month": "September 2026", "responses": 3, "groups": [
        {"name": "Plus", "themes": [{"theme": "clear roles", "count": 2, "examples": ["Clear roles", "clear roles!"]}],
         "answers": ["Clear roles", "clear roles!", "Good pace"]},
        {"name": "Delta", "themes": [], "answers": ["More time"]}]}]
    context["actions"]["open_items"] = [{"what": "Share data", "who": "A", "due": "Friday", "meeting": "2026-09-08"}]
    context["stakeholders"].update(responses=1, ratings=1, average=4.0,
                                   groups=[{"question": "What is going well?", "answers": ["Data"], "themes": []}])
    return context


def group_reflection_items(config: Config, year: SchoolYear) -> list[WorkItem]:
    days = config.lead_times.agenda_days
    return [semester_item(config, year, s, "group_reflection", group_key(config, s.id), days,
                           f"ILT reflection {year.reflection_meeting(s).date.isoformat()}") for s in year.semesters()]


GROUP_REFLECTION = Routine("group_reflection", key=group_key, key_form="<school>/reflection/<semester>",
                           items=group_reflection_items, run=group_reflection_item, folder="reflections",
                           template="group_reflection.html.j2", sample_context=sample_group, tabs=GOAL_TABS)
