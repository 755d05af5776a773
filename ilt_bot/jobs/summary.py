"""The semester's communication summary for staff and families (routine ``summary``).

Key ``<school>/summary/<semester>``, made with the group reflection and shared with the ILT (no e-mail).
After the reflection meeting, for ``pilots.PILOT_WINDOW_DAYS``, each pass completes it from the group
reflection's Adjustments table: every row not in the summary yet is added, with a talking point for staff
and one for families (plain language, no internal metrics), into the bot's own section, found by its
marker line (:data:`MARKER`), never by position. People write anywhere else; nothing they wrote is changed.
"""

from __future__ import annotations

import html
import re
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from ilt_bot.jobs import JobContext, member_emails
from ilt_bot.jobs import pilots as pilot_jobs
from ilt_bot.jobs import semester_data as data
from ilt_bot.jobs.common import THINKING_MAP, first_pass_of_day, make_doc
from ilt_bot.jobs.group_reflection import group_key, revisit
from ilt_bot.jobs.reflection import (
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
    from ilt_bot.config import Config, Semester
    from ilt_bot.workspace.api import FileRef

TEMPLATE = "summary.html.j2"
MARKER = "[ILT Bot adds each adjustment typed in the group reflection above this line. Keep this line.]"
_METRIC_TAIL = re.compile(r"\s+(?:from|to|by|at|above|below|of)\s+\d.*$", re.IGNORECASE | re.DOTALL)
_NUMBERED_ASIDE = re.compile(r"\s*\([^)]*\d[^)]*\)")
_PERCENT = re.compile(r"\s*\d[\d.,]*\s*%")


def summary_key(config: Config, semester: str) -> str:
    """``<school>/summary/<semester>``."""
    return school_key(config, "summary", semester)


def plain(text: str) -> str:
    """``text`` without internal metrics: a trailing "from 48% to 60%" clause, asides with numbers, percentages."""
    return " ".join(_PERCENT.sub("", _NUMBERED_ASIDE.sub("", _METRIC_TAIL.sub("", text))).split())


def talking_points(row: dict[str, Any]) -> str:
    """One adjustment as the summary states it: the adjustment, then a line for staff and one for families."""
    what = row["what"]
    staff = f"For staff: {what}."
    if row.get("owner"):
        staff += f" Led by {row['owner']}."
    if row.get("pilot"):
        staff += f" Piloted first{' with ' + row['group'] if row.get('group') else ''}"
        staff += f"; feedback: {row['how']}." if row.get("how") else "."
    families = f"For families and community: next semester, {plain(what)[:1].lower()}{plain(what)[1:]}."
    if row.get("pilot"):
        families += " A few teachers try it first and we listen to them before everyone does it."
    return "\n".join([f"Adjustment: {what}", staff, families])


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
        "family_focus": [plain(g.text) for g in ctx.config.school.uip_goals],
        "marker": MARKER,
    }


def ensure_summary(ctx: JobContext, key: str, semester: Semester) -> FileRef | None:
    return make_doc(ctx, key, f"Reflection summary and talking points — {semester.name}", TEMPLATE,
                    lambda: summary_context(ctx, semester), "reflections",
                    [(member_emails(ctx.config), "writer", False)], "", {"iltbot_semester": semester.id})


def visible_text(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def _norm(text: str) -> str:
    return " ".join(text.casefold().split())


def complete_summary(ctx: JobContext, key: str, semester: Semester, doc: FileRef) -> int:
    """Add the Adjustments rows the summary lacks into its marked section; returns how many were added."""
    group = ctx.find(group_key(ctx.config, semester.id))
    if group is None or group.trashed or ctx.dry_run:
        return 0
    rows = pilot_jobs.adjustments(ctx.workspace.read_doc_tables(group.id))
    if not rows:
        return 0
    text = _norm(visible_text(ctx.workspace.export_html(doc.id)))
    missing = [r for r in rows if _norm(f"Adjustment: {r['what']}") not in text]
    if not missing:
        return 0
    if _norm(MARKER) not in text:
        if first_pass_of_day(ctx):
            ctx.skipped(key, f"its marker line {MARKER!r} was removed, so {len(missing)} adjustments were not "
                             "added; paste the line back where the bot should add them")
        return 0
    block = "\n".join(talking_points(r) for r in missing)
    ctx.workspace.replace_text(doc.id, MARKER, f"{block}\n{MARKER}")
    ctx.record("update", key, "completed", f"{len(missing)} adjustments from the group reflection")
    return len(missing)


def summary_item(ctx: JobContext, item: WorkItem) -> None:
    """Before the meeting: the summary draft. After it: completed from the group reflection's adjustments."""
    semester = semester_of(ctx, item)
    meeting = ctx.year.reflection_meeting(semester)
    if before_meeting(ctx, semester):
        ensure_summary(ctx, item.key, semester)
        return
    if not meeting.end <= ctx.now <= meeting.end + timedelta(days=pilot_jobs.PILOT_WINDOW_DAYS):
        return
    doc = ensure_summary(ctx, item.key, semester)
    if doc is not None:
        complete_summary(ctx, item.key, semester, doc)


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
                  run=summary_item, folder="reflections", template=TEMPLATE, sample_context=sample_summary)
