"""The agenda Doc of each ILT meeting (issue 5, the meeting cycle).

Key ``<school>/agenda/<meeting date>``, made ``lead_times.agenda_days`` before the meeting in the
Agendas folder from ``agenda.html.j2``, shared as editor with the ILT (one notification each, with a
short message and the link). Building it also makes the meeting's feedback Form (linked at the close),
closes the previous meeting's Form, places the submitted items and carries the open action items.
An agenda that exists is never rewritten; one a person trashed is reported and not recreated.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any

from ilt_bot import render
from ilt_bot.calendar import Meeting
from ilt_bot.jobs import JobContext, date_label, feedback_style, key, member_emails, member_name
from ilt_bot.jobs.actions import ACTION_COLUMNS, open_actions
from ilt_bot.jobs.feedback import STYLE_LABELS, close_feedback_form, ensure_feedback_form, feedback_review
from ilt_bot.jobs.intake import ensure_intake_form, item_view, mark_placed, pending_items
from ilt_bot.jobs.tracker import MEETINGS, cell, col, share_tracker
from ilt_bot.workspace.api import FileRef, Share, is_building

if TYPE_CHECKING:
    from ilt_bot.calendar import SchoolYear
    from ilt_bot.config import Config, UipGoal

FOLDERS = ("agendas", "feedback")
FOLDER_NAMES = {"agendas": "Agendas", "feedback": "Feedback"}
ROOT_FOLDER_NAME = "ILT"


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
    return {"month": f"{meeting.date:%B}", "area": focus.focus_area,
            "strand": STRAND_LABELS.get(focus.strand, focus.strand), "activity": focus.activity}


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
) -> dict[str, Any]:
    """Everything ``agenda.html.j2`` may use (the same keys in real runs and in validation)."""
    school = config.school
    day = meeting.date
    every = thinking_map_due(config, meeting)
    return {
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
        "submitted_items": items,
        "open_actions": actions,
        "action_columns": list(ACTION_COLUMNS),
        "feedback_form_url": feedback_form_url,
        "feedback_style_label": STYLE_LABELS.get(feedback_style(config), "feedback"),
        "intake_form_url": intake_form_url,
        "tracker_url": tracker_url,
        "thinking_map": {"every": every} if every else None,
    }


@render.register_sample_context(render.AGENDA_TEMPLATE)
def sample_context(config: Config) -> dict[str, Any]:
    """A complete agenda context (every section filled) for ``ilt-bot check``."""
    first = config.members[0].id
    every = config.meetings.thinking_map_protocol_every or 1
    day = date(2026, 9, 15)
    meeting = Meeting(date=day, start=datetime.combine(day, time(15, 30), tzinfo=config.tz),
                      end=datetime.combine(day, time(17, 0), tzinfo=config.tz), index=every - 1, location="Library",
                      roles={"facilitator": first, "note_taker": first, "timekeeper": first})
    focus = {"month": "September", "area": "Data-driven instruction", "strand": "Data",
             "activity": "Norming on the fall interim"}
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
    return agenda_context(config, meeting, total_meetings=20, focus=focus, feedback=review, items=items,
                          actions=actions, feedback_form_url="https://docs.google.com/forms/d/e/x/viewform",
                          intake_form_url="https://docs.google.com/forms/d/e/y/viewform",
                          tracker_url="https://docs.google.com/spreadsheets/d/z/edit")


# --- the job --------------------------------------------------------------------------------------


def agenda_key(config: Config, day: date) -> str:
    return key(config, "agenda", day.isoformat())


def agenda_name(day: date) -> str:
    return f"ILT Agenda — {date_label(day)}"


def ensure_folder(ctx: JobContext, kind: str, display: str | None = None) -> str | None:
    """The id of the bot folder ``kind`` (``agendas``...); None if it (or the root) is in the trash.

    A folder listed in ``drive.folders`` (an existing Drive folder id) is used as is; the others are
    made under the root folder with key ``<school>/folder/<kind>``.
    """
    memo = f"folder:{kind}"
    if memo in ctx.memo:
        return ctx.memo[memo]
    folder_id = ctx.config.drive.folders.get(kind)  # type: ignore[call-overload]  # other routines' kinds too
    if folder_id is None:
        root = root_folder(ctx)
        if root is not None:
            folder_key = key(ctx.config, "folder", kind)
            name = display or FOLDER_NAMES.get(kind) or kind.replace("-", " ").replace("_", " ").capitalize()
            ref = ctx.ensure(folder_key, lambda: ctx.workspace.ensure_folder(folder_key, name, root), what=name)
            folder_id = ref.id if ref is not None else None
    ctx.memo[memo] = folder_id
    return folder_id


def ensure_folders(ctx: JobContext) -> dict[str, str] | None:
    """The Agendas and Feedback folders (ids by kind); None if one is in the trash."""
    ids = {kind: ensure_folder(ctx, kind) for kind in FOLDERS}
    if any(v is None for v in ids.values()):
        return None
    return ids  # type: ignore[return-value]


def root_folder(ctx: JobContext) -> str | None:
    """The configured root folder, else the bot's own "ILT" folder in its My Drive (key ``<school>/folder/root``)."""
    configured = ctx.config.drive.root_folder_id
    if configured:
        return configured
    if "root_folder" not in ctx.memo:
        root_key = key(ctx.config, "folder", "root")
        ref = ctx.ensure(root_key, lambda: ctx.workspace.ensure_folder(root_key, ROOT_FOLDER_NAME, "root"),
                         what=ROOT_FOLDER_NAME)
        ctx.memo["root_folder"] = ref.id if ref is not None else None
    return ctx.memo["root_folder"]


def meeting_row(day: date, meeting: Meeting, doc: Any, form: Any, form_url: str | None, focus: dict | None,
                roles: list[dict[str, str]], now: datetime) -> list[str]:
    return [day.isoformat(), str(meeting.number), doc.key or "", doc.id if doc else "",
            (doc.web_link or "") if doc else "", form.id if form else "", form_url or "",
            focus["area"] if focus else "", "; ".join(f"{r['role']}: {r['name']}" for r in roles),
            now.isoformat(timespec="seconds")]


def ensure_agenda(ctx: JobContext, meeting: Meeting) -> None:
    """The agenda Doc of ``meeting`` (and its feedback Form), made once, shared with the ILT."""
    config, ws = ctx.config, ctx.workspace
    day = meeting.date
    a_key = agenda_key(config, day)
    if day < ctx.now.date() or a_key in ctx.memo:
        return  # the meeting is over (an agenda now would help no one), or already handled in this pass
    ctx.memo[a_key] = True
    tracker = ctx.tracker
    found = ctx.find(a_key)
    if found is not None and (not is_building(found) or ctx.dry_run):  # building: finished below
        if found.trashed:
            ctx.skipped(a_key, "in the trash (a person removed it); not recreated")
            return
        ctx.report.existing += 1
        _repair_meeting_row(ctx, meeting, found)
        return
    folders = ensure_folders(ctx)
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
    context = agenda_context(
        config, meeting,
        total_meetings=len(ctx.year.meetings()),
        focus=focus,
        feedback=feedback_review(config, tracker, prev_day),
        items=[item_view(r) for r in items],
        actions=open_actions(ctx, day),
        feedback_form_url=form_url,
        intake_form_url=intake_url,
        tracker_url=tracker.web_link if tracker is not None else None,
    )
    html = render.render(render.AGENDA_TEMPLATE, context, env=_environment(ctx))
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


def _repair_meeting_row(ctx: JobContext, meeting: Meeting, doc: Any) -> None:
    """After a crash between making the agenda and recording it: add its Meetings row."""
    tracker = ctx.tracker
    day = meeting.date
    if tracker is None or ctx.dry_run or any(
            cell(r, col(MEETINGS, "Meeting")) == day.isoformat() for r in tracker.rows(MEETINGS)):
        return
    from ilt_bot.jobs.feedback import feedback_key

    form = ctx.find(feedback_key(ctx.config, day))
    form_url = ctx.workspace.form_responder_uri(form.id) if form is not None and not form.trashed else None
    tracker.append_once(MEETINGS, [meeting_row(day, meeting, doc, form, form_url,
                                               focus_view(ctx.year, meeting),
                                               role_holders(ctx.config, meeting), ctx.now)])


def _environment(ctx: JobContext) -> Any:
    if "jinja_env" not in ctx.memo:
        ctx.memo["jinja_env"] = render.make_environment(ctx.config, ctx.workspace, base_dir=ctx.config.base_dir)
    return ctx.memo["jinja_env"]
