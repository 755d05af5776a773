"""The semester-close reflection package: survey, pre-work, team and group reflections, summary.

Before each semester's reflection meeting (``lead_times``), keys as in the README:

- ``<school>/stakeholder/<semester>``: a survey Form for ``stakeholders.emails`` (responder access, one
  e-mail each); answers go to the tracker's "Stakeholder feedback" tab once each, until the meeting;
- ``<school>/prework/<semester>/<member>``: each ILT member's reflection-for-growth Doc with their own
  data, shared with that member and the principal only;
- ``<school>/team-reflection/<semester>/<team>``: each team lead's team reflection Doc (SLOs, the
  semester's thinking maps: that team's answers, unattributed, prompts, protocol), shared with that lead
  and the principal only;
- ``<school>/reflection/<semester>``: the ILT group reflection Doc, pre-filled with the semester's
  figures (:mod:`ilt_bot.jobs.semester_data`), the protocol and the Adjustments table; from the second
  semester on it opens with the previous semester's adjustments read back and each pilot's results.
  The whole ILT reads it, so of the thinking maps it shows aggregates only: per team, answers out of
  possible per cycle and themes that several responses share, never an answer or who gave it;
- ``<school>/summary/<semester>``: the communication summary for staff and families.

After the meeting, pilots in the Adjustments table get their feedback Forms (:mod:`ilt_bot.jobs.pilots`).

Each routine is in its own module (:mod:`~ilt_bot.jobs.stakeholder`, :mod:`~ilt_bot.jobs.prework`,
:mod:`~ilt_bot.jobs.team_reflection`, :mod:`~ilt_bot.jobs.group_reflection`, :mod:`~ilt_bot.jobs.summary`);
this one holds what they share: the semester's snapshot of rows, the common context, the due rule.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from ilt_bot.jobs import JobContext, date_label, tm_responses
from ilt_bot.jobs import semester_data as data
from ilt_bot.jobs.common import THINKING_MAP, member_by_id, sample_ctx, tracker_rows
from ilt_bot.jobs.thinking_map import closed_cycles as closed_tm_cycles
from ilt_bot.jobs.tracker import ACTION_ITEMS, AGENDA_ITEMS, FEEDBACK, MEETINGS
from ilt_bot.routine import WorkItem, morning

if TYPE_CHECKING:
    from ilt_bot.calendar import SchoolYear
    from ilt_bot.config import Config, Semester


STAKEHOLDER_ROLES = ("Team Specialist", "Instructional Superintendent", "Network partner", "School staff",
                     "Family or community partner", "Other")


SURVEY = (
    ("rating", data.RATING_QUESTION, "scale"),
    ("role", "Your role", "radio"),
    ("well", "What is going well at our school this semester?", "paragraph"),
    ("change", "What should the ILT change or focus on next semester?", "paragraph"),
    ("other", "Anything else you want the ILT to know?", "paragraph"),
)


ROLE_LABELS = {"principal": "Principal", "assistant_principal": "Assistant principal",
               "dean_of_instruction": "Dean of instruction", "senior_lead": "Senior Lead", "team_lead": "Team Lead",
               "coach": "Coach", "specialist": "Specialist", "other": "ILT member"}


PROTOCOL = {
    "successes": "Name the successes of the semester and celebrate them. For each one, name the specific "
                 "actions that led to it, so we can keep doing them.",
    "growth": "Name the growth areas. Before discussing any fix, narrow in on the root cause: ask \u201cwhy?\u201d "
              "until the answer is something within our control, and check it against the data.",
    "adjustments": "Agree on specific adjustments for next semester. Pilot larger changes with a small group of "
                   "willing teachers or teams first, and decide how their feedback is gathered.",
}


def snapshot(ctx: JobContext) -> data.Rows:
    """The tracker tabs the figures use, and the thinking-map answers from their own principal-only
    spreadsheet (:mod:`ilt_bot.jobs.tm_responses`), read once per pass."""
    if ctx.semester_rows is None:
        tabs = (MEETINGS, FEEDBACK, AGENDA_ITEMS, ACTION_ITEMS, data.STAKEHOLDER)
        rows = {tab: tracker_rows(ctx, tab) for tab in tabs}
        rows[THINKING_MAP] = tm_responses.rows(ctx) if ctx.config.teams else []
        ctx.semester_rows = rows
    return ctx.semester_rows


def closed_cycles(ctx: JobContext) -> set[str]:
    """The learning cycles whose thinking-map window is over at ``ctx.now`` (their digests are due)."""
    return closed_tm_cycles(ctx.config, ctx.year, ctx.now)


def report_once(ctx: JobContext, since: datetime | None, key: str, why: str) -> None:
    """Report a problem people must fix on the first day it matters only (not in every pass after)."""
    if since is None or ctx.now - since < timedelta(days=1):
        ctx.skipped(key, why)


def semester_of(ctx: JobContext, item: WorkItem) -> Semester:
    return item.term if item.term is not None else ctx.config.semester(str(item.semester))


def previous_semester(config: Config, semester: Semester) -> Semester | None:
    ids = [s.id for s in config.year.semesters]
    index = ids.index(semester.id)
    return config.year.semesters[index - 1] if index > 0 else None


def _goal_texts(config: Config) -> list[str]:
    """The UIP goals as the reflection Docs list them: text, then measure if any."""
    return [f"{g.text} — {g.measure}" if g.measure else str(g.text) for g in config.school.uip_goals]


def common_context(ctx: JobContext, semester: Semester) -> dict[str, Any]:
    config = ctx.config
    meeting = ctx.year.reflection_meeting(semester)
    return {
        "school": {"name": str(config.school.name), "vision": str(config.school.vision),
                   "ilt_vision": str(config.school.ilt_vision)},
        "semester": {"id": semester.id, "name": semester.name, "start": date_label(semester.start),
                     "end": date_label(semester.end), "reflection": date_label(meeting.date)},
        "uip_goals": _goal_texts(config),
        "teams": [{"name": t.name, "lead": getattr(member_by_id(config, t.lead), "name", t.lead),
                   "slos": [str(s) for s in t.slos], "size": len(t.teachers)} for t in config.teams],
        "protocol": PROTOCOL,
    }


def before_meeting(ctx: JobContext, semester: Semester) -> bool:
    return ctx.now < ctx.year.reflection_meeting(semester).start


def before_reflection(config: Config, year: SchoolYear, semester: Semester, days: int) -> datetime:
    """``days`` school mornings before the semester's reflection meeting (never after it starts)."""
    meeting = year.reflection_meeting(semester)
    return min(morning(config, year, meeting.date - timedelta(days=days)), meeting.start)


def semester_item(config: Config, year: SchoolYear, semester: Semester, kind: str, key: str, days: int,
                   target: str, **about: Any) -> WorkItem:
    day = year.reflection_meeting(semester).date
    return WorkItem(kind, key, before_reflection(config, year, semester, days), target, semester=semester.id,
                    meeting_date=day, term=semester, **about)


def sample_semester(config: Config) -> tuple[JobContext, Semester]:
    ctx = sample_ctx(config)
    semester = config.year.semesters[-1]
    ctx.revisits[semester.id] = None  # no earlier reflection Doc to read back in a check
    return ctx, semester
