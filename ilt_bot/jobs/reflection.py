"""The semester-close reflection package (issue 6): survey, pre-work, team and group reflections, summary.

Before each semester's reflection meeting (``lead_times``), keys as in design.md:

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
from typing import Any

from ilt_bot import render
from ilt_bot.jobs import DRY_RUN_ID, JobContext, date_label, get, key, member_emails, resume_after, tm_responses
from ilt_bot.jobs import pilots as pilot_jobs
from ilt_bot.jobs import semester_data as data
from ilt_bot.jobs.routine import (
    THINKING_MAP,
    first_pass_of_day,
    folder,
    make_doc,
    member_by_id,
    plan_items,
    principal_emails,
    questions,
    sample_ctx,
    sample_team,
    tracker_rows,
)
from ilt_bot.jobs.tick import handles
from ilt_bot.jobs.tracker import ACTION_ITEMS, AGENDA_ITEMS, FEEDBACK, MEETINGS, TABS, cell
from ilt_bot.workspace.api import FileRef, FormAnswer, FormQuestion, FormSpec, Share

TABS.setdefault(data.STAKEHOLDER, data.SH_COLUMNS)

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
    if "semester_rows" not in ctx.memo:
        tabs = (MEETINGS, FEEDBACK, AGENDA_ITEMS, ACTION_ITEMS, data.STAKEHOLDER)
        rows = {tab: tracker_rows(ctx, tab) for tab in tabs}
        rows[THINKING_MAP] = tm_responses.rows(ctx) if ctx.config.teams else []
        ctx.memo["semester_rows"] = rows
    return ctx.memo["semester_rows"]


def closed_cycles(ctx: JobContext) -> set[str]:
    """The learning cycles whose thinking-map window is over at ``ctx.now`` (their digests are due)."""
    return {str(i.cycle) for i in plan_items(ctx).values() if i.kind == "tm_digest" and i.due <= ctx.now}


def report_once(ctx: JobContext, since: datetime | None, key: str, why: str) -> None:
    """Report a problem people must fix on the first day it matters only (not in every pass after)."""
    if since is None or ctx.now - since < timedelta(days=1):
        ctx.skipped(key, why)


def _semester(ctx: JobContext, item: Any) -> Any:
    return ctx.config.semester(str(get(item, "semester")))


def _previous_semester(config: Any, semester: Any) -> Any:
    ids = [s.id for s in config.year.semesters]
    index = ids.index(semester.id)
    return config.year.semesters[index - 1] if index > 0 else None


def _texts(values: Any) -> list[str]:
    out = []
    for value in values or []:
        text = get(value, "text") or str(value)
        measure = get(value, "measure")
        out.append(f"{text} — {measure}" if measure else str(text))
    return out


def _common(ctx: JobContext, semester: Any) -> dict[str, Any]:
    config = ctx.config
    meeting = ctx.year.reflection_meeting(semester)
    return {
        "school": {"name": str(config.school.name), "vision": str(config.school.vision),
                   "ilt_vision": str(config.school.ilt_vision)},
        "semester": {"id": semester.id, "name": semester.name, "start": date_label(semester.start),
                     "end": date_label(semester.end), "reflection": date_label(meeting.date)},
        "uip_goals": _texts(config.school.uip_goals),
        "teams": [{"name": t.name, "lead": getattr(member_by_id(config, t.lead), "name", t.lead),
                   "slos": [str(s) for s in t.slos], "size": len(t.teachers)} for t in config.teams],
        "protocol": PROTOCOL,
    }


def _before_meeting(ctx: JobContext, semester: Any) -> bool:
    return ctx.now < ctx.year.reflection_meeting(semester).start


# --- stakeholder survey ---------------------------------------------------------------------------


def stakeholder_key(config: Any, semester: str) -> str:
    return key(config, "stakeholder", semester)


def survey_spec(config: Any, semester: Any) -> FormSpec:
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
        ctx.memo.pop("semester_rows", None)
    ctx.report.synced_responses += len(fresh)
    return len(fresh)


@handles("stakeholder_survey")
def stakeholder_item(ctx: JobContext, item: Any) -> None:
    """The semester's stakeholder survey, open until the reflection meeting; answers synced each pass."""
    semester = _semester(ctx, item)
    if not _before_meeting(ctx, semester):
        return
    config = ctx.config
    s_key = stakeholder_key(config, semester.id)
    emails = [str(e).lower() for e in config.stakeholders.emails]
    if not emails:
        report_once(ctx, get(item, "due"), s_key, "no stakeholders.emails in the config; no survey")
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


def _sync_survey_if_any(ctx: JobContext, semester: Any) -> None:
    found = ctx.find(stakeholder_key(ctx.config, semester.id))
    if found is not None and not found.trashed:
        sync_survey(ctx, semester.id, found)


# --- pre-work -------------------------------------------------------------------------------------


def prework_context(ctx: JobContext, semester: Any, member: Any) -> dict[str, Any]:
    rows = snapshot(ctx)
    mine = data.member_data(rows, ctx.config, semester, member)
    return {**_common(ctx, semester),
            "member": {"name": member.name, "role": ROLE_LABELS.get(member.role, member.role)},
            "mine": mine,
            "meetings": data.meetings(rows, ctx.year, semester)}


@handles("prework")
def prework_item(ctx: JobContext, item: Any) -> None:
    """The member's reflection-for-growth Doc, for them and the principal only."""
    semester = _semester(ctx, item)
    if not _before_meeting(ctx, semester):
        return
    member = member_by_id(ctx.config, str(get(item, "member")))
    p_key = str(get(item, "key"))
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


def team_reflection_context(ctx: JobContext, semester: Any, team: Any) -> dict[str, Any]:
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


@handles("team_reflection")
def team_reflection_item(ctx: JobContext, item: Any) -> None:
    """The team's reflection Doc for its lead (and the principal)."""
    semester = _semester(ctx, item)
    day = semester.team_reflection_date or semester.reflection_date
    if ctx.now.date() > day:
        return
    t_key = str(get(item, "key"))
    try:
        team = ctx.config.team(str(get(item, "team")))
    except KeyError:
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


def group_key(config: Any, semester: str) -> str:
    return key(config, "reflection", semester)


def revisit(ctx: JobContext, semester: Any) -> dict[str, Any] | None:
    """The previous semester's adjustments read back from its group reflection Doc, with pilot results."""
    memo = f"revisit:{semester.id}"
    if memo not in ctx.memo:
        ctx.memo[memo] = _revisit(ctx, semester)
    return ctx.memo[memo]


def _revisit(ctx: JobContext, semester: Any) -> dict[str, Any] | None:
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


def group_context(ctx: JobContext, semester: Any) -> dict[str, Any]:
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


@handles("group_reflection")
def group_reflection_item(ctx: JobContext, item: Any) -> None:
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


def summary_context(ctx: JobContext, semester: Any) -> dict[str, Any]:
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


@handles("summary")
def summary_item(ctx: JobContext, item: Any) -> None:
    """The communication summary draft (staff and families), with the group reflection."""
    semester = _semester(ctx, item)
    if not _before_meeting(ctx, semester):
        return
    s_key = str(get(item, "key"))
    make_doc(ctx, s_key, f"Reflection summary and talking points — {semester.name}", "summary.html.j2",
             lambda: summary_context(ctx, semester), "reflections",
             [(member_emails(ctx.config), "writer", False)], "", {"iltbot_semester": semester.id})



# --- sample contexts (``ilt-bot check`` renders every template with one) ----------------------------


def _sample_semester(config: Any) -> tuple[JobContext, Any]:
    ctx = sample_ctx(config)
    semester = config.year.semesters[-1]
    previous = _previous_semester(config, semester)
    if previous is not None:
        ctx.files[group_key(config, previous.id)] = None  # nothing to read back in a check
    return ctx, semester


@render.register_sample_context("prework.html.j2")
def sample_prework(config: Any) -> dict[str, Any]:
    ctx, semester = _sample_semester(config)
    context = prework_context(ctx, semester, config.members[0])
    context["mine"].update(roles=[{"date": "2026-09-08", "role": "Facilitator"}], role_meetings=1,
                           actions=[{"what": "Share <b>data</b>", "meeting": "2026-09-08", "status": "open",
                                     "detail": "in progress"}], actions_closed=0,
                           raised=[{"title": "Calibrate", "placed": "2026-09-22"}])
    return context


@render.register_sample_context("team_reflection.html.j2")
def sample_team_reflection(config: Any) -> dict[str, Any]:
    ctx, semester = _sample_semester(config)
    context = team_reflection_context(ctx, semester, sample_team(config))
    context["tm"]["themes"] = "guided reading (2)"
    if context["tm_answers"]:
        context["tm_answers"][0]["answers"] = ["Planning together"]
    return context


@render.register_sample_context("group_reflection.html.j2")
def sample_group(config: Any) -> dict[str, Any]:
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


@render.register_sample_context("summary.html.j2")
def sample_summary(config: Any) -> dict[str, Any]:
    ctx, semester = _sample_semester(config)
    context = summary_context(ctx, semester)
    context["tm"] = {"answered": 3, "possible": 4, "rate": 75}
    context["stakeholders"].update(responses=2, average=4.5)
    context["revisit"] = {"semester": "Fall", "found": True, "rows": [{"what": "Walkthroughs"}]}
    return context


__all__ = ["stakeholder_key", "survey_spec", "sync_survey", "prework_context", "team_reflection_context",
           "group_context", "summary_context", "group_key", "revisit", "SURVEY"]
