"""The agenda Doc of each ILT meeting, and its feedback Form (routines ``agenda`` and ``feedback_form``).

Key ``<school>/agenda/<meeting date>``, made ``lead_times.agenda_days`` before the meeting in the
Agendas folder from ``agenda.html.j2``, shared as editor with the ILT (one notification each, with a
short message and the link). Building it also makes the meeting's feedback Form (linked at the close),
closes the previous meeting's Form, places the submitted items and carries the open action items.
It opens with the meeting's objective; every section carries its minutes (:mod:`ilt_bot.config.timebox`),
and the previous meeting's deltas, with those still open, get a "We heard / We will" table
(:mod:`ilt_bot.jobs.deltas`); see docs/agenda.md.
An agenda that exists is never rewritten; one a person trashed is reported and not recreated.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any

from ilt_bot import render
from ilt_bot.calendar import Meeting
from ilt_bot.config.timebox import DATA_PROTOCOL_STEPS, THINKING_MAP_STEPS, steps, timebox
from ilt_bot.jobs import JobContext, date_label, feedback_style, member_emails, member_name
from ilt_bot.jobs.actions import ACTION_COLUMNS, open_actions
from ilt_bot.jobs.common import environment
from ilt_bot.jobs.deltas import DELTA_COLUMNS, DELTAS, TABLE_COLUMNS, answered_at, open_deltas, record_deltas
from ilt_bot.jobs.feedback import (
    STYLE_LABELS,
    close_feedback_form,
    ensure_feedback_form,
    feedback_key,
    feedback_review,
)
from ilt_bot.jobs.folders import ensure_meeting_folders, root_folder
from ilt_bot.jobs.goals import goals_context
from ilt_bot.jobs.guide_blocks import agenda_blocks, no_blocks, sample_blocks
from ilt_bot.jobs.intake import ensure_intake_form, item_view, mark_placed, pending_items
from ilt_bot.jobs.meeting_calendar import cancelled_in_calendar
from ilt_bot.jobs.reflection_agenda import agenda_template
from ilt_bot.jobs.tracker import MEETINGS, cell, col, share_tracker
from ilt_bot.keys import school_key
from ilt_bot.routine import Routine, WorkItem, prepared
from ilt_bot.workspace.api import FileRef, Share, is_building

if TYPE_CHECKING:
    from ilt_bot.calendar import SchoolYear
    from ilt_bot.config import Config, ScopeEntry, UipGoal


# --- what the agenda shows of the config and the calendar -----------------------------------------


def goal_text(goal: UipGoal) -> str:
    """A UIP goal as the agenda lists it: its text, then its measure if any."""
    return " — ".join([goal.text, goal.measure] if goal.measure else [goal.text])


def role_label(role: str) -> str:
    """``note_taker`` -> ``Note taker``."""
    return role.replace("_", " ").capitalize()


def role_holders(config: Config, meeting: Meeting) -> list[dict[str, str]]:
    """This meeting's roles as ``[{role, name}]``, in the configured order (the calendar's rotation)."""
    return [{"role": role_label(role), "name": member_name(config, member_id)}
            for role, member_id in meeting.roles.items() if member_id]


STRAND_LABELS = {"data": "Data", "observation_feedback": "Observation and feedback",
                 "professional_learning": "Professional learning"}


def focus_view(year: SchoolYear, meeting: Meeting) -> dict[str, str] | None:
    """The month's focus area, strand and professional-learning activity from the scope and sequence."""
    focus = meeting.focus or year.focus_on(meeting.date)
    if focus is None:
        return None
    entry = scope_entry(year.config, meeting.date)
    return {"month": f"{meeting.date:%B}", "area": focus.focus_area,
            "strand": STRAND_LABELS.get(focus.strand, focus.strand), "activity": focus.activity,
            "guiding_questions": list(entry.guiding_questions) if entry else [],
            "bring": list(entry.bring) if entry else []}


def scope_entry(config: Config, day: date) -> ScopeEntry | None:
    """The scope-and-sequence entry of ``day``'s month (its guiding questions and artifacts to bring)."""
    month = f"{day:%Y-%m}"
    return next((e for e in config.scope_sequence if month in e.months), None)


def has_data_protocol(meeting: Meeting, focus: dict[str, str] | None) -> bool:
    """Data months' meetings carry the data protocol (not the semester reflection: the reflection is the work)."""
    return meeting.kind != "reflection" and focus is not None and focus.get("strand") == STRAND_LABELS["data"]


def meeting_minutes(config: Config, meeting: Meeting, focus: dict[str, str] | None) -> dict[str, int]:
    """Section -> minutes of this meeting's agenda, adding up to its duration (``ilt_bot.config.timebox``)."""
    return timebox(config.agenda, int(meeting.duration.total_seconds() // 60), reflection=meeting.kind == "reflection",
                   data_protocol=has_data_protocol(meeting, focus),
                   thinking_map=bool(thinking_map_due(config, meeting))).minutes


def data_protocol_view(config: Config, minutes: dict[str, int]) -> dict[str, Any] | None:
    """The data protocol's timed steps (ATLAS Looking at Data) and what to bring, on data-protocol days."""
    if "data_protocol" not in minutes:
        return None
    split = steps(minutes["data_protocol"], DATA_PROTOCOL_STEPS)
    return {"steps": [{"name": name, "minutes": m, "prompt": prompt}
                      for (name, _, prompt), m in zip(DATA_PROTOCOL_STEPS, split, strict=True)],
            "bring": list(config.agenda.data_protocol_bring)}


def objective(meeting: Meeting, focus: dict[str, str] | None, items: list[dict[str, str]],
              deltas: dict[str, Any]) -> str:
    """The meeting's objective (Meeting Wise): what the ILT will have done by its end."""
    if meeting.kind == "reflection":
        parts = ["reflect on the semester: what we set out to do, what changed for teachers and students, "
                 "and what we adjust next"]
    elif focus is not None:
        parts = [f"move our focus forward ({focus['area']}): {focus['activity']}"]
    else:
        parts = ["move our work on the UIP goals forward"]
    if items:
        parts.append("decide on the items members brought: " + "; ".join(i["title"] for i in items))
    if deltas.get("open"):
        count = len(deltas["open"])
        parts.append(f"answer {count} {'delta' if count == 1 else 'deltas'} from our feedback")
    parts.append("leave with next steps that each have an owner and a date")
    text = "; ".join(parts)
    return text[0].upper() + text[1:] + "."


def meeting_time(meeting: Meeting) -> str:
    """``3:30 PM–5:00 PM`` (school time)."""
    return f"{meeting.start:%-I:%M %p}–{meeting.end:%-I:%M %p}"


def thinking_map_due(config: Config, meeting: Meeting) -> int:
    """N when this meeting carries the thinking-map reflection protocol (the ILT's long-term feedback), else 0.

    Every Nth meeting of the year does (``meetings.thinking_map_protocol_every``; meeting numbers 4, 8, 12 ...
    for N = 4), whatever the learning cycles; 0 turns it off.
    """
    every = config.meetings.thinking_map_protocol_every
    return every if every > 0 and meeting.number % every == 0 else 0


# --- context --------------------------------------------------------------------------------------


def agenda_context(
    config: Config,
    meeting: Meeting,
    *,
    total_meetings: int,
    focus: dict[str, str] | None,
    feedback: dict[str, Any] | None,
    items: list[dict[str, str]],
    actions: list[dict[str, Any]],
    feedback_form_url: str | None,
    intake_form_url: str | None,
    tracker_url: str | None,
    deltas: dict[str, Any] | None = None,
    guides: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Everything ``agenda.html.j2`` may use (the same keys in real runs and in validation)."""
    school = config.school
    day = meeting.date
    every = thinking_map_due(config, meeting)
    deltas = {"open": [], "answered": [], **(deltas or {}), "columns": list(TABLE_COLUMNS)}
    minutes = meeting_minutes(config, meeting, focus)
    return {
        "objective": objective(meeting, focus, items, deltas),
        "minutes": minutes,
        "deltas": deltas,
        "data_protocol": data_protocol_view(config, minutes),
        "reflection": meeting.kind == "reflection",
        "school": {
            "name": school.name,
            "vision": school.vision,
            "ilt_vision": school.ilt_vision,
            "norms": list(school.norms),
            "coaching_agreements": [a.text for a in school.coaching_agreements],
        },
        "meeting": {
            "date": day.isoformat(),
            "label": date_label(day),
            "time": meeting_time(meeting),
            "location": meeting.location or config.meetings.location,
            "number": meeting.number,
            "total": total_meetings,
            "roles": role_holders(config, meeting),
        },
        "feedback_review": feedback,
        "focus": focus,
        "uip_goals": [goal_text(g) for g in school.uip_goals],
        "goals": [],  # progress monitoring from the tracker's Goals tab, filled by ensure_agenda (jobs/goals.py)
        "submitted_items": items,
        "open_actions": actions,
        "action_columns": list(ACTION_COLUMNS),
        "feedback_form_url": feedback_form_url,
        "feedback_style_label": STYLE_LABELS.get(feedback_style(config), "feedback"),
        "intake_form_url": intake_form_url,
        "tracker_url": tracker_url,
        "thinking_map": {"every": every, "steps": steps(minutes["thinking_map"], THINKING_MAP_STEPS)}
        if every else None,
        "guides": {**no_blocks(), **(guides or {})},
    }


def sample_context(config: Config) -> dict[str, Any]:
    """A complete agenda context (every section filled) for ``ilt-bot check``."""
    first = config.members[0].id
    every = config.meetings.thinking_map_protocol_every or 1
    day = date(2026, 9, 15)
    meeting = Meeting(date=day, start=datetime.combine(day, time(15, 30), tzinfo=config.tz),
                      end=datetime.combine(day, time(17, 0), tzinfo=config.tz), index=every - 1, location="Library",
                      roles={"facilitator": first, "note_taker": first, "timekeeper": first})
    focus = {"month": "September", "area": "Data-driven instruction", "strand": "Data",
             "activity": "Norming on the fall interim", "guiding_questions": ["Which students moved?"],
             "bring": ["Your team's interim results"]}
    groups = [
        {"ref": "plus", "label": "Plus", "question": "What worked?", "count": 2,
         "answers": [{"text": "Clear <b>norms</b> {{ 7*7 }}", "count": 2}]},
        {"ref": "delta", "label": "Delta", "question": "What to change?", "count": 1,
         "answers": [{"text": "More time", "count": 1}]},
    ]
    review = {"style": feedback_style(config), "meeting_date": "2026-09-01",
              "meeting_label": date_label(date(2026, 9, 1)), "total": 2, "groups": groups}
    items = [{"id": "intake:1", "title": "Walkthrough debrief", "why": "Calibrate", "time_needed": "10 minutes",
              "submitter": "A member", "source": "intake form"}]
    actions = [{"ref": "2026-09-01#abcdef12", "what": "Share data", "who": "A member", "due": "Sep 20",
                "status": "", "meeting_label": "Tue Sep 1, 2026", "age_days": 14}]
    delta = {"ref": "2026-09-01#0123abcd", "heard": "Send the <b>data</b> earlier", "count": "2",
             "meeting_label": "Tue Sep 1, 2026", "we_will": "", "owner": "", "due": "", "status": "open",
             "answered_label": ""}
    return agenda_context(config, meeting, total_meetings=20, focus=focus, feedback=review, items=items,
                          actions=actions, feedback_form_url="https://docs.google.com/forms/d/e/x/viewform",
                          intake_form_url="https://docs.google.com/forms/d/e/y/viewform",
                          tracker_url="https://docs.google.com/spreadsheets/d/z/edit",
                          deltas={"open": [delta], "answered": [{**delta, "we_will": "Send it Friday", "status":
                                                                 "answered", "answered_label": "Tue Sep 8, 2026"}]},
                          guides=sample_blocks(config))


# --- the job --------------------------------------------------------------------------------------


def agenda_key(config: Config, day: date) -> str:
    """``<school>/agenda/<date>``."""
    return school_key(config, "agenda", day.isoformat())


def agenda_name(day: date) -> str:
    return f"ILT Agenda — {date_label(day)}"


def meeting_row(day: date, meeting: Meeting, doc: FileRef, form: FileRef | None, form_url: str | None,
                focus: dict | None, roles: list[dict[str, str]], now: datetime) -> list[str]:
    return [day.isoformat(), str(meeting.number), doc.key or "", doc.id if doc else "",
            (doc.web_link or "") if doc else "", form.id if form else "", form_url or "",
            focus["area"] if focus else "", "; ".join(f"{r['role']}: {r['name']}" for r in roles),
            now.isoformat(timespec="seconds")]


def ensure_agenda(ctx: JobContext, meeting: Meeting) -> None:
    """The agenda Doc of ``meeting`` (and its feedback Form), made once, shared with the ILT."""
    config, ws = ctx.config, ctx.workspace
    day = meeting.date
    a_key = agenda_key(config, day)
    if day < ctx.now.date() or a_key in ctx.agendas_done:
        return  # the meeting is over (an agenda now would help no one), or already handled in this pass
    ctx.agendas_done.add(a_key)
    tracker = ctx.tracker
    found = ctx.find(a_key)
    if found is not None and (not is_building(found) or ctx.dry_run):  # building: finished below
        if found.trashed:
            ctx.skipped(a_key, "in the trash (a person removed it); not recreated")
            return
        ctx.report.existing += 1
        _repair_meeting_row(ctx, meeting, found)
        return
    if cancelled_in_calendar(ctx, meeting):
        return  # the principal cancelled it in Google Calendar: no agenda, no feedback Form (reported)
    folders = ensure_meeting_folders(ctx)
    if folders is None:
        ctx.skipped(a_key, "a bot folder is in the trash; restore it to continue")
        return
    form, form_url = ensure_feedback_form(ctx, day, folders["feedback"])
    _, intake_url = ensure_intake_form(ctx, lambda: root_folder(ctx), link=True)
    previous = ctx.year.previous_meeting(meeting)
    prev_day = previous.date if previous is not None else None
    if prev_day is not None:
        close_feedback_form(ctx, prev_day, _meeting_form_id(ctx, prev_day))
    items = pending_items(tracker, day)
    focus = focus_view(ctx.year, meeting)
    review = feedback_review(config, tracker, prev_day)
    record_deltas(tracker, review)  # before reading the open ones: last meeting's deltas are among them
    context = agenda_context(
        config, meeting,
        total_meetings=len(ctx.year.meetings()),
        focus=focus,
        feedback=review,
        items=[item_view(r) for r in items],
        actions=open_actions(ctx, day),
        feedback_form_url=form_url,
        intake_form_url=intake_url,
        tracker_url=tracker.web_link if tracker is not None else None,
        deltas={"open": open_deltas(tracker, day), "answered": answered_at(tracker, prev_day)},
        guides=agenda_blocks(ctx, meeting),
    )
    context["goals"] = goals_context(ctx)
    template = agenda_template(ctx, meeting, context, render.AGENDA_TEMPLATE)  # the protocol for a reflection
    html = render.render(template, context, env=environment(ctx))
    if ctx.dry_run:
        ctx.created(a_key, agenda_name(day))
        return

    def message(doc: FileRef) -> str:
        return (f"The agenda for our ILT meeting on {date_label(day)} is ready. Please read it and add "
                f"what you want to bring before we meet: {doc.web_link or ''}").strip()

    def place_items(doc: FileRef) -> None:
        mark_placed(ctx, items, day)

    # Shared with the ILT and its items marked placed before it counts as ready: a crash in between is
    # finished by the next pass (the Doc found "building" comes back here).
    ensured = ws.ensure_doc_from_html(a_key, agenda_name(day), html, folders["agendas"],
                                      {"iltbot_meeting": day.isoformat()},
                                      share=[Share(member_emails(config), "writer", notify=True, message=message)],
                                      finish=place_items)
    ctx.files[a_key] = ensured.file
    if ensured.trashed:
        ctx.skipped(a_key, "in the trash (a person removed it); not recreated")
        return
    doc = ensured.file
    if tracker is not None:
        tracker.append_once(MEETINGS, [meeting_row(day, meeting, doc, form, form_url, focus,
                                                   context["meeting"]["roles"], ctx.now)])
    if not ensured.created:
        ctx.report.existing += 1
        return
    ctx.created(a_key, agenda_name(day))
    share_tracker(ctx)


def _meeting_form_id(ctx: JobContext, day: date) -> str | None:
    tracker = ctx.tracker
    if tracker is None:
        return None
    for row in tracker.rows(MEETINGS):
        if cell(row, col(MEETINGS, "Meeting")) == day.isoformat():
            return cell(row, col(MEETINGS, "Feedback form")) or None
    return None


def _repair_meeting_row(ctx: JobContext, meeting: Meeting, doc: FileRef) -> None:
    """After a crash between making the agenda and recording it: add its Meetings row."""
    tracker = ctx.tracker
    day = meeting.date
    if tracker is None or ctx.dry_run or any(
            cell(r, col(MEETINGS, "Meeting")) == day.isoformat() for r in tracker.rows(MEETINGS)):
        return
    form = ctx.find(feedback_key(ctx.config, day))
    form_url = ctx.workspace.form_responder_uri(form.id) if form is not None and not form.trashed else None
    tracker.append_once(MEETINGS, [meeting_row(day, meeting, doc, form, form_url,
                                               focus_view(ctx.year, meeting),
                                               role_holders(ctx.config, meeting), ctx.now)])


# --- the routines ---------------------------------------------------------------------------------


def _meeting_items(config: Config, year: SchoolYear, kind: str) -> list[WorkItem]:
    """One ``kind`` item per meeting, ``lead_times.agenda_days`` before it (the agenda and its Form)."""
    build = agenda_key if kind == "agenda" else feedback_key
    items = []
    for meeting in year.meetings():
        day = meeting.date
        label = "meeting" if meeting.kind == "regular" else f"{meeting.kind} meeting"
        due = prepared(config, year, meeting, config.lead_times.agenda_days)
        items.append(WorkItem(kind, build(config, day), due, f"{label} {day.isoformat()}", meeting_date=day,
                              semester=meeting.semester, cycle=meeting.cycle, meeting=meeting))
    return items


def agenda_items(config: Config, year: SchoolYear) -> list[WorkItem]:
    return _meeting_items(config, year, "agenda")


def feedback_items(config: Config, year: SchoolYear) -> list[WorkItem]:
    return _meeting_items(config, year, "feedback_form")


def run_meeting_item(ctx: JobContext, item: WorkItem) -> None:
    """The agenda Doc and its feedback Form (made together, so the Form's link is in the agenda)."""
    if item.meeting is None:
        ctx.skipped(item.key, "no meeting on that date in the calendar")
        return
    ensure_agenda(ctx, item.meeting)


AGENDA = Routine("agenda", key=agenda_key, key_form="<school>/agenda/<date>", items=agenda_items,
                 run=run_meeting_item, folder="agendas", tabs={DELTAS: DELTA_COLUMNS},
                 template=render.AGENDA_TEMPLATE, sample_context=sample_context)
FEEDBACK_FORM = Routine("feedback_form", key=feedback_key, key_form="<school>/feedback/<date>",
                        items=feedback_items, run=run_meeting_item, folder="feedback")
"""Made with the agenda (its link is in it), so its routine lives here; the Form itself is
:mod:`ilt_bot.jobs.feedback`'s."""


def restore_meeting_rows(ctx: JobContext, days: list[date]) -> int:
    """Add back the Meetings rows of held meetings a person deleted (their agenda Doc still exists), so the
    feedback sync and the harvest find them again; returns how many. docs/tracker-identity.md."""
    tracker = ctx.tracker
    if tracker is None or ctx.dry_run:
        return 0
    have = {cell(r, col(MEETINGS, "Meeting")) for r in tracker.rows(MEETINGS)}
    restored = 0
    for meeting in ctx.year.meetings():
        if meeting.date not in days or meeting.date.isoformat() in have or meeting.date > ctx.now.date():
            continue
        found = ctx.find(agenda_key(ctx.config, meeting.date))
        if found is None or found.trashed:
            continue
        _repair_meeting_row(ctx, meeting, found)
        restored += 1
        ctx.record("repair", agenda_key(ctx.config, meeting.date), "repaired",
                   "its Meetings row was deleted from the tracker: added back")
    return restored
