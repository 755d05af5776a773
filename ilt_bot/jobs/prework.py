"""Each ILT member's reflection-for-growth Doc before the semester's reflection (routine ``prework``).

Key ``<school>/prework/<semester>/<member>``, due ``lead_times.reflection_prework_days`` before the
reflection meeting, with the member's own data (and, for a Senior/Team Lead, a link to their coaching
agreement to revisit); shared with that member and the principal only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ilt_bot.jobs import JobContext, date_label
from ilt_bot.jobs import semester_data as data
from ilt_bot.jobs.coaching_agreement import LEAD_ROLES, agreement_link, coaching_agreement_key
from ilt_bot.jobs.common import THINKING_MAP, make_doc, principal_emails
from ilt_bot.jobs.reflection import (
    ROLE_LABELS,
    before_meeting,
    closed_cycles,
    common_context,
    sample_semester,
    semester_item,
    semester_of,
    snapshot,
)
from ilt_bot.keys import school_key
from ilt_bot.routine import Routine, WorkItem

if TYPE_CHECKING:
    from ilt_bot.calendar import SchoolYear
    from ilt_bot.config import Config, Member, Semester


def prework_key(config: Config, semester: str, member: str) -> str:
    """``<school>/prework/<semester>/<member>``."""
    return school_key(config, "prework", semester, member)


def prework_context(ctx: JobContext, semester: Semester, member: Member) -> dict[str, Any]:
    rows = snapshot(ctx)
    mine = data.member_data(rows, ctx.config, semester, member)
    return {**common_context(ctx, semester),
            "member": {"name": member.name, "role": ROLE_LABELS.get(member.role, member.role)},
            "mine": mine,
            "meetings": data.meetings(rows, ctx.year, semester),
            "led_teams": led_teams(ctx, rows, semester, member),
            "coaching_agreement": agreement_link(ctx, member) if member.role in LEAD_ROLES else None}


def led_teams(ctx: JobContext, rows: data.Rows, semester: Semester, member: Member) -> list[dict[str, Any]]:
    """The thinking-map summary of each team ``member`` leads (participation and shared themes, no answer):
    the pre-work is the member's and the principal's only, as the team's digests are (docs/privacy.md)."""
    led = {t.id for t in ctx.config.teams if t.lead == member.id}
    if not led:
        return []
    per_team = data.thinking_maps(rows, ctx.config, ctx.year, semester, THINKING_MAP, closed_cycles(ctx))
    return [t for t in per_team if t["id"] in led]


def prework_item(ctx: JobContext, item: WorkItem) -> None:
    """The member's reflection-for-growth Doc, for them and the principal only."""
    semester = semester_of(ctx, item)
    if not before_meeting(ctx, semester):
        return
    member = item.member_config
    p_key = item.key
    if member is None:
        ctx.skipped(p_key, "no such ILT member in the config")
        return
    own = [str(member.email).lower()]
    principals = [e for e in principal_emails(ctx.config) if e not in own]
    make_doc(ctx, p_key, f"Reflection for growth — {member.name}, {semester.name}", "prework.html.j2",
             lambda: prework_context(ctx, semester, member), "reflections",
             [(own, "writer", True), (principals, "commenter", False)],
             f"Your reflection for growth before our {semester.name} reflection meeting "
             f"({date_label(semester.reflection_date)}): your own data and a few prompts to complete on your own.",
             {"iltbot_semester": semester.id}, private=True)


def sample_prework(config: Config) -> dict[str, Any]:
    ctx, semester = sample_semester(config)
    ctx.files[coaching_agreement_key(config, config.members[0].id)] = None  # nothing to look up
    context = prework_context(ctx, semester, config.members[0])
    context["coaching_agreement"] = "https://docs.google.com/document/d/sample/edit"
    context["mine"].update(roles=[{"date": "2026-09-08", "role": "Facilitator"}], role_meetings=1,
                           actions=[{"what": "Share <b>data</b>", "meeting": "2026-09-08", "status": "open",
                                     "detail": "in progress"}], actions_closed=0,
                           raised=[{"title": "Calibrate", "placed": "2026-09-22"}])
    return context


def prework_items(config: Config, year: SchoolYear) -> list[WorkItem]:
    days = config.lead_times.reflection_prework_days
    return [semester_item(config, year, s, "prework", prework_key(config, s.id, m.id), days, f"{m.name}, {s.id}",
                           member=m.id, member_config=m) for s in year.semesters() for m in config.members]


PREWORK = Routine("prework", key=prework_key, key_form="<school>/prework/<semester>/<member>", items=prework_items,
                  run=prework_item, folder="reflections", template="prework.html.j2", sample_context=sample_prework)
