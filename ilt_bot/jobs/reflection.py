"""The semester-close reflection package: survey, pre-work, team and group reflections, summary (five routines).

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
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from ilt_bot.jobs import DRY_RUN_ID, JobContext, date_label, member_emails, resume_after, tm_responses
from ilt_bot.jobs import pilots as pilot_jobs
from ilt_bot.jobs import semester_data as data
from ilt_bot.jobs.common import (
    THINKING_MAP,
    first_pass_of_day,
    folder,
    make_doc,
    member_by_id,
    principal_emails,
    questions,
    sample_ctx,
    sample_team,
    tracker_rows,
)
from ilt_bot.jobs.thinking_map import closed_cycles as closed_tm_cycles
from ilt_bot.jobs.tracker import ACTION_ITEMS, AGENDA_ITEMS, FEEDBACK, MEETINGS, cell
from ilt_bot.routine import Routine, WorkItem, morning, school_key
from ilt_bot.workspace.api import FileRef, FormAnswer, FormQuestion, FormSpec, Share

if TYPE_CHECKING:
    from ilt_bot.calendar import SchoolYear
    from ilt_bot.config import Config, Member, Semester, Team

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


# --- shared ---------------------------------------------------------------------------------------


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


def _semester(ctx: JobContext, item: WorkItem) -> Semester:
    return item.term if item.term is not None else ctx.config.semester(str(item.semester))


def _previous_semester(config: Config, semester: Semester) -> Semester | None:
    ids = [s.id for s in config.year.semesters]
    index = ids.index(semester.id)
    return config.year.semesters[index - 1] if index > 0 else None


def _goal_texts(config: Config) -> list[str]:
    """The UIP goals as the reflection Docs list them: text, then measure if any."""
    return [f"{g.text} — {g.measure}" if g.measure else str(g.text) for g in config.school.uip_goals]


def _common(ctx: JobContext, semester: Semester) -> dict[str, Any]:
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


def _before_meeting(ctx: JobContext, semester: Semester) -> bool:
    return ctx.now < ctx.year.reflection_meeting(semester).start


# --- stakeholder survey ---------------------------------------------------------------------------


def stakeholder_key(config: Config, semester: str) -> str:
    """``<school>/stakeholder/<semester>``."""
    return school_key(config, "stakeholder", semester)


def survey_spec(config: Config, semester: Semester) -> FormSpec:
    qs = []
    for ref, title, kind in SURVEY:
        if kind == "scale":
            qs.append(FormQuestion(ref, title, kind="scale", required=True, scale_low=1, scale_high=5))
        elif kind == "radio":
            qs.append(FormQuestion(ref, title, kind="radio", options=STAKEHOLDER_ROLES))
        else:
            qs.append(FormQuestion(ref, title))
    return FormSpec(
        title=f"{config.school.name} ILT — {semester.name} stakeholder survey",
        description=("The Instructional Leadership Team reflects on the semester and wants your view from "
                     "outside the team. Answers are anonymous and read at our reflection meeting."),
        questions=tuple(qs),
    )


def survey_rows(semester: str, answer: FormAnswer) -> list[list[str]]:
    """Stakeholder feedback tab rows of one response: one per answered question."""
    rows = []
    for ref, title, _ in SURVEY:
        text = "\n".join(v for v in answer.answers.get(ref, []) if v).strip()
        if text:
            rows.append([f"{answer.response_id}#{ref}", answer.response_id, semester, answer.submitted, "", title,
                         text])
    return rows or [[f"{answer.response_id}#-", answer.response_id, semester, answer.submitted, "", "", ""]]


def sync_survey(ctx: JobContext, semester: str, form: FileRef) -> int:
    tracker = ctx.tracker
    if tracker is None or not tracker.exists or form.id == DRY_RUN_ID:
        return 0
    rows = tracker_rows(ctx, data.STAKEHOLDER)
    known = {cell(r, 1) for r in rows if cell(r, 2) == semester}
    stamps = [cell(r, 3) for r in rows if cell(r, 2) == semester]
    since = resume_after(stamps)
    fresh = [a for a in ctx.workspace.list_responses(form.id, since=since) if a.response_id not in known]
    if fresh:
        tracker.append_once(data.STAKEHOLDER, [r for a in fresh for r in survey_rows(semester, a)])
        ctx.record("would sync" if ctx.dry_run else "sync", stakeholder_key(ctx.config, semester), "responses",
                   f"{len(fresh)} new stakeholder responses")
        ctx.semester_rows = None
    ctx.report.synced_responses += len(fresh)
    return len(fresh)


def stakeholder_item(ctx: JobContext, item: WorkItem) -> None:
    """The semester's stakeholder survey, open until the reflection meeting; answers synced each pass."""
    semester = _semester(ctx, item)
    if not _before_meeting(ctx, semester):
        return
    config = ctx.config
    s_key = stakeholder_key(config, semester.id)
    emails = [str(e).lower() for e in config.stakeholders.emails]
    if not emails:
        report_once(ctx, item.due, s_key, "no stakeholders.emails in the config; no survey")
        return
    spec = survey_spec(config, semester)
    folder_id = folder(ctx, "reflections") if ctx.find(s_key) is None else None

    def message(form: FileRef) -> str:
        return (f"Our ILT reflects on {semester.name} on {date_label(semester.reflection_date)}"
                f" and would value your feedback (5 short questions): {ctx.workspace.form_responder_uri(form.id)}")

    share = [Share(emails, "reader", notify=True, message=message, published_view=True)]
    before = len(ctx.report.created)
    ref = ctx.ensure(s_key, lambda: ctx.workspace.ensure_form(s_key, spec, str(folder_id),
                                                               {"iltbot_semester": semester.id}, share=share),
                     what=spec.title)
    if ref is None or ref.id == DRY_RUN_ID:
        return
    made = len(ctx.report.created) > before  # made (or finished) and shared by ensure_form
    if not made and not any(cell(r, 2) == semester.id for r in tracker_rows(ctx, data.STAKEHOLDER)):
        # Until the first answer arrives (stakeholders the config adds later): no-op if shared.
        ctx.workspace.share(ref.id, emails, "reader", published_view=True, notify=True, message=message(ref))
    sync_survey(ctx, semester.id, ref)


def _sync_survey_if_any(ctx: JobContext, semester: Semester) -> None:
    found = ctx.find(stakeholder_key(ctx.config, semester.id))
    if found is not None and not found.trashed:
        sync_survey(ctx, semester.id, found)


# --- pre-work -------------------------------------------------------------------------------------


def prework_key(config: Config, semester: str, member: str) -> str:
    """``<school>/prework/<semester>/<member>``."""
    return school_key(config, "prework", semester, member)


def prework_context(ctx: JobContext, semester: Semester, member: Member) -> dict[str, Any]:
    rows = snapshot(ctx)
    mine = data.member_data(rows, ctx.config, semester, member)
    return {**_common(ctx, semester),
            "member": {"name": member.name, "role": ROLE_LABELS.get(member.role, member.role)},
            "mine": mine,
            "meetings": data.meetings(rows, ctx.year, semester)}


def prework_item(ctx: JobContext, item: WorkItem) -> None:
    """The member's reflection-for-growth Doc, for them and the principal only."""
    semester = _semester(ctx, item)
    if not _before_meeting(ctx, semester):
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
             {"iltbot_semester": semester.id})


# --- team reflection ------------------------------------------------------------------------------


def team_reflection_key(config: Config, semester: str, team: str) -> str:
    """``<school>/team-reflection/<semester>/<team>``."""
    return school_key(config, "team-reflection", semester, team)


def team_reflection_context(ctx: JobContext, semester: Semester, team: Team) -> dict[str, Any]:
    rows = snapshot(ctx)
    per_team = data.thinking_maps(rows, ctx.config, ctx.year, semester, THINKING_MAP, closed_cycles(ctx))
    tm = next(t for t in per_team if t["id"] == team.id)
    cycles = {c["cycle"] for c in tm["cycles"]}
    answers = []
    for question in questions(ctx.config):
        texts = [cell(r, 7) for r in rows.get(THINKING_MAP, [])
                 if cell(r, 2) == team.id and cell(r, 3).lstrip("c") in cycles and cell(r, 6) == question
                 and cell(r, 7).strip()]
        answers.append({"question": question, "answers": texts})
    lead = member_by_id(ctx.config, team.lead)
    day = semester.team_reflection_date or semester.reflection_date
    return {**_common(ctx, semester),
            "team": {"name": team.name, "lead": lead.name if lead else team.lead, "slos": [str(s) for s in team.slos],
                     "size": len(team.teachers), "teachers": [t.name for t in team.teachers],
                     "reflection": date_label(day)},
            "tm": tm, "tm_answers": answers}


def team_reflection_item(ctx: JobContext, item: WorkItem) -> None:
    """The team's reflection Doc for its lead (and the principal)."""
    semester = _semester(ctx, item)
    day = semester.team_reflection_date or semester.reflection_date
    if ctx.now.date() > day:
        return
    t_key, team = item.key, item.team_config
    if team is None:
        ctx.skipped(t_key, "no such team in the config")
        return
    lead = member_by_id(ctx.config, team.lead)
    own = [str(lead.email).lower()] if lead is not None else []
    principals = [e for e in principal_emails(ctx.config) if e not in own]
    make_doc(ctx, t_key, f"Team reflection — {team.name}, {semester.name}", "team_reflection.html.j2",
             lambda: team_reflection_context(ctx, semester, team), "reflections",
             [(own, "writer", True), (principals, "commenter", False)],
             f"Your team's {semester.name} reflection is ready to prepare with your team.",
             {"iltbot_semester": semester.id, "iltbot_team": team.id})


# --- group reflection -----------------------------------------------------------------------------


def group_key(config: Config, semester: str) -> str:
    """``<school>/reflection/<semester>``."""
    return school_key(config, "reflection", semester)


def revisit(ctx: JobContext, semester: Semester) -> dict[str, Any] | None:
    """The previous semester's adjustments read back from its group reflection Doc, with pilot results."""
    if semester.id not in ctx.revisits:
        ctx.revisits[semester.id] = _revisit(ctx, semester)
    return ctx.revisits[semester.id]


def _revisit(ctx: JobContext, semester: Semester) -> dict[str, Any] | None:
    previous = _previous_semester(ctx.config, semester)
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
        **_common(ctx, semester),
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
        "adjustment_header": pilot_jobs.ADJUSTMENT_HEADER,
        "blank_rows": 4,
    }


def group_reflection_item(ctx: JobContext, item: WorkItem) -> None:
    """The ILT group reflection Doc before the meeting; after it, the pilots' feedback Forms."""
    semester = _semester(ctx, item)
    g_key = group_key(ctx.config, semester.id)
    meeting = ctx.year.reflection_meeting(semester)
    if ctx.now >= meeting.end:
        if ctx.now <= meeting.end + timedelta(days=pilot_jobs.PILOT_WINDOW_DAYS):
            found = ctx.find(g_key)
            if found is not None and not found.trashed:
                pilot_jobs.ensure_pilot_forms(ctx, semester.id, found.id, report=first_pass_of_day(ctx))
        return
    if not _before_meeting(ctx, semester):
        return
    if ctx.find(g_key) is None:
        _sync_survey_if_any(ctx, semester)
    make_doc(ctx, g_key, f"ILT reflection — {semester.name}", "group_reflection.html.j2",
             lambda: group_context(ctx, semester), "reflections",
             [(member_emails(ctx.config), "writer", True)],
             f"Our {semester.name} reflection ({date_label(meeting.date)}) is pre-filled with the semester's data. "
             "Please read it before we meet.",
             {"iltbot_semester": semester.id})


# --- communication summary ------------------------------------------------------------------------


def summary_key(config: Config, semester: str) -> str:
    """``<school>/summary/<semester>``."""
    return school_key(config, "summary", semester)


def summary_context(ctx: JobContext, semester: Semester) -> dict[str, Any]:
    rows = snapshot(ctx)
    tm = data.thinking_maps(rows, ctx.config, ctx.year, semester, THINKING_MAP, closed_cycles(ctx))
    answered, possible = sum(t["answered"] for t in tm), sum(t["possible"] for t in tm)
    return {
        **_common(ctx, semester),
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
    semester = _semester(ctx, item)
    if not _before_meeting(ctx, semester):
        return
    s_key = item.key
    make_doc(ctx, s_key, f"Reflection summary and talking points — {semester.name}", "summary.html.j2",
             lambda: summary_context(ctx, semester), "reflections",
             [(member_emails(ctx.config), "writer", False)], "", {"iltbot_semester": semester.id})



# --- sample contexts (``ilt-bot check`` renders every template with one) ----------------------------


def _sample_semester(config: Config) -> tuple[JobContext, Semester]:
    ctx = sample_ctx(config)
    semester = config.year.semesters[-1]
    previous = _previous_semester(config, semester)
    if previous is not None:
        ctx.files[group_key(config, previous.id)] = None  # nothing to read back in a check
    return ctx, semester


def sample_prework(config: Config) -> dict[str, Any]:
    ctx, semester = _sample_semester(config)
    context = prework_context(ctx, semester, config.members[0])
    context["mine"].update(roles=[{"date": "2026-09-08", "role": "Facilitator"}], role_meetings=1,
                           actions=[{"what": "Share <b>data</b>", "meeting": "2026-09-08", "status": "open",
                                     "detail": "in progress"}], actions_closed=0,
                           raised=[{"title": "Calibrate", "placed": "2026-09-22"}])
    return context


def sample_team_reflection(config: Config) -> dict[str, Any]:
    ctx, semester = _sample_semester(config)
    context = team_reflection_context(ctx, semester, sample_team(config))
    context["tm"]["themes"] = "guided reading (2)"
    if context["tm_answers"]:
        context["tm_answers"][0]["answers"] = ["Planning together"]
    return context


def sample_group(config: Config) -> dict[str, Any]:
    ctx, semester = _sample_semester(config)
    context = group_context(ctx, semester)
    results = {"form": True, "responses": 2, "average": 4.5, "working": ["Quick"], "change": ["Fewer"]}
    context["revisit"] = {"semester": "Fall", "found": True, "rows": [
        {"what": "Walkthroughs", "pilot": True, "group": "K-2", "owner": "A", "how": "form", "results": results},
        {"what": "Data early", "pilot": False, "group": "", "owner": "B", "how": "", "results": None}]}
    context["feedback"] = [{"month": "September 2026", "responses": 3, "themes": {"Plus": "clear roles (2)"}}]
    context["actions"]["open_items"] = [{"what": "Share data", "who": "A", "due": "Friday", "meeting": "2026-09-08"}]
    context["stakeholders"].update(responses=1, ratings=1, average=4.0,
                                   groups=[{"question": "What is going well?", "answers": ["Data"]}])
    return context


def sample_summary(config: Config) -> dict[str, Any]:
    ctx, semester = _sample_semester(config)
    context = summary_context(ctx, semester)
    context["tm"] = {"answered": 3, "possible": 4, "rate": 75}
    context["stakeholders"].update(responses=2, average=4.5)
    context["revisit"] = {"semester": "Fall", "found": True, "rows": [{"what": "Walkthroughs"}]}
    return context


# --- the routines: due rules ---------------------------------------------------------------------------


def _before(config: Config, year: SchoolYear, semester: Semester, days: int) -> datetime:
    """``days`` school mornings before the semester's reflection meeting (never after it starts)."""
    meeting = year.reflection_meeting(semester)
    return min(morning(config, year, meeting.date - timedelta(days=days)), meeting.start)


def _semester_item(config: Config, year: SchoolYear, semester: Semester, kind: str, key: str, days: int,
                   target: str, **about: Any) -> WorkItem:
    day = year.reflection_meeting(semester).date
    return WorkItem(kind, key, _before(config, year, semester, days), target, semester=semester.id,
                    meeting_date=day, term=semester, **about)


def stakeholder_items(config: Config, year: SchoolYear) -> list[WorkItem]:
    days = config.lead_times.stakeholder_survey_days
    return [_semester_item(config, year, s, "stakeholder_survey", stakeholder_key(config, s.id), days,
                           f"stakeholders, {s.id}") for s in year.semesters()]


def prework_items(config: Config, year: SchoolYear) -> list[WorkItem]:
    days = config.lead_times.reflection_prework_days
    return [_semester_item(config, year, s, "prework", prework_key(config, s.id, m.id), days, f"{m.name}, {s.id}",
                           member=m.id, member_config=m) for s in year.semesters() for m in config.members]


def team_reflection_items(config: Config, year: SchoolYear) -> list[WorkItem]:
    items = []
    for semester in year.semesters():
        day = semester.team_reflection_date or year.reflection_meeting(semester).date
        due = morning(config, year, day - timedelta(days=config.lead_times.team_reflection_days))
        items += [WorkItem("team_reflection", team_reflection_key(config, semester.id, t.id), due,
                           f"team {t.id}, {semester.id}", semester=semester.id, team=t.id, meeting_date=day,
                           term=semester, team_config=t) for t in config.teams]
    return items


def group_reflection_items(config: Config, year: SchoolYear) -> list[WorkItem]:
    days = config.lead_times.agenda_days
    return [_semester_item(config, year, s, "group_reflection", group_key(config, s.id), days,
                           f"ILT reflection {year.reflection_meeting(s).date.isoformat()}") for s in year.semesters()]


def summary_items(config: Config, year: SchoolYear) -> list[WorkItem]:
    days = config.lead_times.agenda_days
    return [_semester_item(config, year, s, "summary", summary_key(config, s.id), days,
                           f"communication summary, {s.id}") for s in year.semesters()]


STAKEHOLDER_SURVEY = Routine("stakeholder_survey", key=stakeholder_key, key_form="<school>/stakeholder/<semester>",
                             items=stakeholder_items, run=stakeholder_item, folder="reflections",
                             tabs={data.STAKEHOLDER: data.SH_COLUMNS})
PREWORK = Routine("prework", key=prework_key, key_form="<school>/prework/<semester>/<member>", items=prework_items,
                  run=prework_item, folder="reflections", template="prework.html.j2", sample_context=sample_prework)
TEAM_REFLECTION = Routine("team_reflection", key=team_reflection_key,
                          key_form="<school>/team-reflection/<semester>/<team>", items=team_reflection_items,
                          run=team_reflection_item, folder="reflections", template="team_reflection.html.j2",
                          sample_context=sample_team_reflection)
GROUP_REFLECTION = Routine("group_reflection", key=group_key, key_form="<school>/reflection/<semester>",
                           items=group_reflection_items, run=group_reflection_item, folder="reflections",
                           template="group_reflection.html.j2", sample_context=sample_group)
SUMMARY = Routine("summary", key=summary_key, key_form="<school>/summary/<semester>", items=summary_items,
                  run=summary_item, folder="reflections", template="summary.html.j2", sample_context=sample_summary)


__all__ = ["STAKEHOLDER_SURVEY", "PREWORK", "TEAM_REFLECTION", "GROUP_REFLECTION", "SUMMARY", "stakeholder_key",
           "prework_key", "team_reflection_key", "group_key", "summary_key", "survey_spec", "sync_survey",
           "prework_context", "team_reflection_context", "group_context", "summary_context", "revisit", "SURVEY"]
