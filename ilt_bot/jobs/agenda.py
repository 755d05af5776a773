"""The agenda Doc of each ILT meeting (issue 5, the meeting cycle).

Key ``<school>/agenda/<meeting date>``, made ``lead_times.agenda_days`` before the meeting in the
Agendas folder from ``agenda.html.j2``, shared as editor with the ILT (one notification each, with a
short message and the link). Building it also makes the meeting's feedback Form (linked at the close),
closes the previous meeting's Form, places the submitted items and carries the open action items.
An agenda that exists is never rewritten; one a person trashed is reported and not recreated.
"""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from ilt_bot import render
from ilt_bot.jobs import (
    JobContext,
    date_label,
    feedback_style,
    get,
    key,
    meeting_date,
    member_emails,
    member_name,
)
from ilt_bot.jobs.actions import ACTION_COLUMNS, open_actions
from ilt_bot.jobs.feedback import STYLE_LABELS, close_feedback_form, ensure_feedback_form, feedback_review
from ilt_bot.jobs.intake import ensure_intake_form, item_view, mark_placed, pending_items
from ilt_bot.jobs.tracker import MEETINGS, cell, col, share_tracker

FOLDERS = ("agendas", "feedback")
FOLDER_NAMES = {"agendas": "Agendas", "feedback": "Feedback"}
ROOT_FOLDER_NAME = "ILT"


# --- config and calendar adapters ------------------------------------------------------------------


def _text(value: Any) -> str:
    """A config entry as text: a string as is, a model or dict by its most telling field."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    for name in ("text", "goal", "statement", "title", "name", "description"):
        found = get(value, name)
        if found:
            extra = [str(get(value, n)) for n in ("measure", "target") if get(value, n)]
            return " — ".join([str(found), *extra])
    return str(value)


def _texts(values: Any) -> list[str]:
    if not values:
        return []
    if isinstance(values, str):
        return [values]
    return [t for t in (_text(v) for v in values) if t]


def role_holders(config: Any, meeting: Any) -> list[dict[str, str]]:
    """This meeting's roles as ``[{role, name}]`` (roles map role -> member id, email, name or model)."""
    roles = get(meeting, "roles") or {}
    pairs: list[tuple[str, Any]] = []
    if isinstance(roles, dict):
        pairs = list(roles.items())
    else:
        for entry in roles:
            if isinstance(entry, tuple | list) and len(entry) == 2:
                pairs.append((entry[0], entry[1]))
            else:
                pairs.append((get(entry, "role", ""), get(entry, "member") or get(entry, "name") or entry))
    out = []
    for role, holder in pairs:
        if holder is None:
            continue
        if isinstance(holder, str):
            name = member_name(config, holder)
        else:
            name = str(get(holder, "name") or member_name(config, get(holder, "id")))
        out.append({"role": str(role).replace("_", " ").capitalize() if str(role).islower() else str(role),
                    "name": name})
    return out


STRAND_LABELS = {"data": "Data", "observation_feedback": "Observation and feedback",
                 "professional_learning": "Professional learning"}


def focus_view(config: Any, year: Any, meeting: Any) -> dict[str, str] | None:
    """The month's focus area, strand and professional-learning activity from the scope and sequence."""
    day = meeting_date(meeting)
    focus = get(meeting, "focus")
    if focus is None and hasattr(year, "focus_on"):
        focus = year.focus_on(day)
    if focus is None:
        return None
    if isinstance(focus, str):
        return {"month": f"{day:%B}", "area": focus, "strand": "", "activity": ""}
    area = get(focus, "focus_area") or get(focus, "area") or get(focus, "focus") or ""
    strand = str(get(focus, "strand") or "")
    return {"month": f"{day:%B}", "area": _text(area), "strand": STRAND_LABELS.get(strand, strand),
            "activity": _text(get(focus, "activity") or "")}


def meeting_number(meeting: Any) -> int:
    """1-based position of the meeting in the year."""
    for name in ("number", "index"):
        value = get(meeting, name)
        if isinstance(value, int):
            return value + 1 if name == "index" else value
    return 1


def meeting_time(meeting: Any) -> str:
    start = get(meeting, "start")
    end = get(meeting, "end")
    if isinstance(start, datetime):
        start = start.timetz()
    if isinstance(end, datetime):
        end = end.timetz()
    if isinstance(start, time):
        text = start.strftime("%-I:%M %p")
        if isinstance(end, time):
            text += "–" + end.strftime("%-I:%M %p")
        return text
    return str(start or "")


def thinking_map_due(config: Any, meeting: Any) -> int:
    """N when this meeting carries the thinking-map reflection protocol (the ILT's long-term feedback), else 0.

    Every Nth meeting of the year does (``meetings.thinking_map_protocol_every``; meeting numbers 4, 8, 12 ...
    for N = 4), whatever the learning cycles; 0 turns it off.
    """
    every = int(config.meetings.thinking_map_protocol_every)
    return every if every > 0 and meeting_number(meeting) % every == 0 else 0


def all_meetings(year: Any) -> list[Any]:
    meetings = get(year, "meetings")
    return list(meetings() if callable(meetings) else meetings or [])


def previous_meeting(year: Any, meeting: Any) -> Any:
    if hasattr(year, "previous_meeting"):
        return year.previous_meeting(meeting)
    earlier = [m for m in all_meetings(year) if meeting_date(m) < meeting_date(meeting)]
    return earlier[-1] if earlier else None


# --- context --------------------------------------------------------------------------------------


def agenda_context(
    config: Any,
    meeting: Any,
    *,
    year: Any = None,
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
    day = meeting_date(meeting)
    every = thinking_map_due(config, meeting)
    return {
        "school": {
            "name": str(get(school, "name", "")),
            "vision": _text(get(school, "vision")),
            "ilt_vision": _text(get(school, "ilt_vision")),
            "norms": _texts(get(school, "norms")),
            "coaching_agreements": _texts(get(school, "coaching_agreements")),
        },
        "meeting": {
            "date": day.isoformat(),
            "label": date_label(day),
            "time": meeting_time(meeting),
            "location": str(get(meeting, "location") or get(get(config, "meetings"), "location") or ""),
            "number": meeting_number(meeting),
            "total": total_meetings,
            "roles": role_holders(config, meeting),
        },
        "feedback_review": feedback,
        "focus": focus,
        "uip_goals": _texts(get(school, "uip_goals")),
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
def sample_context(config: Any) -> dict[str, Any]:
    """A complete agenda context (every section filled) for ``ilt-bot check``."""
    from types import SimpleNamespace

    members = list(config.members or [])
    first = str(get(members[0], "id", "member")) if members else "member"
    every = int(config.meetings.thinking_map_protocol_every) or 1
    meeting = SimpleNamespace(date=date(2026, 9, 15), start=time(15, 30), end=time(17, 0), number=every,
                              roles={"facilitator": first, "note_taker": first, "timekeeper": first},
                              focus=None, location="Library")
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


def agenda_key(config: Any, day: date) -> str:
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
    configured = get(get(get(ctx.config, "drive"), "folders") or {}, kind)
    folder_id: str | None = str(configured) if configured else None
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
    configured = get(get(ctx.config, "drive"), "root_folder_id")
    if configured:
        return str(configured)
    if "root_folder" not in ctx.memo:
        root_key = key(ctx.config, "folder", "root")
        ref = ctx.ensure(root_key, lambda: ctx.workspace.ensure_folder(root_key, ROOT_FOLDER_NAME, "root"),
                         what=ROOT_FOLDER_NAME)
        ctx.memo["root_folder"] = ref.id if ref is not None else None
    return ctx.memo["root_folder"]


def meeting_row(day: date, meeting: Any, doc: Any, form: Any, form_url: str | None, focus: dict | None,
                roles: list[dict[str, str]], now: datetime) -> list[str]:
    return [day.isoformat(), str(meeting_number(meeting)), doc.key or "", doc.id if doc else "",
            (doc.web_link or "") if doc else "", form.id if form else "", form_url or "",
            focus["area"] if focus else "", "; ".join(f"{r['role']}: {r['name']}" for r in roles),
            now.isoformat(timespec="seconds")]


def ensure_agenda(ctx: JobContext, meeting: Any) -> None:
    """The agenda Doc of ``meeting`` (and its feedback Form), made once, shared with the ILT."""
    config, ws = ctx.config, ctx.workspace
    day = meeting_date(meeting)
    a_key = agenda_key(config, day)
    if day < ctx.now.date() or a_key in ctx.memo:
        return  # the meeting is over (an agenda now would help no one), or already handled in this pass
    ctx.memo[a_key] = True
    tracker = ctx.tracker
    found = ctx.find(a_key)
    if found is not None:
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
    previous = previous_meeting(ctx.year, meeting)
    prev_day = meeting_date(previous) if previous is not None else None
    if prev_day is not None:
        close_feedback_form(ctx, prev_day, _meeting_form_id(ctx, prev_day))
    items = pending_items(tracker, day)
    focus = focus_view(config, ctx.year, meeting)
    context = agenda_context(
        config, meeting, year=ctx.year,
        total_meetings=len(all_meetings(ctx.year)),
        focus=focus,
        feedback=feedback_review(config, tracker, prev_day),
        items=[item_view(r) for r in items],
        actions=open_actions(ctx, day),
        feedback_form_url=form_url,
        intake_form_url=intake_url,
        tracker_url=getattr(tracker, "web_link", None),
    )
    html = render.render(render.AGENDA_TEMPLATE, context, env=_environment(ctx))
    if ctx.dry_run:
        ctx.created(a_key, agenda_name(day))
        return
    ensured = ws.ensure_doc_from_html(a_key, agenda_name(day), html, folders["agendas"],
                                      {"iltbot_meeting": day.isoformat()})
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
    link = doc.web_link or ""
    message = (f"The agenda for our ILT meeting on {date_label(day)} is ready. Please read it and add "
               f"what you want to bring before we meet: {link}").strip()
    ws.share(doc.id, member_emails(config), "writer", notify=True, message=message)
    mark_placed(ctx, items, day)
    share_tracker(ctx)


def _meeting_form_id(ctx: JobContext, day: date) -> str | None:
    tracker = ctx.tracker
    if tracker is None:
        return None
    for row in tracker.rows(MEETINGS):
        if cell(row, col(MEETINGS, "Meeting")) == day.isoformat():
            return cell(row, col(MEETINGS, "Feedback form")) or None
    return None


def _repair_meeting_row(ctx: JobContext, meeting: Any, doc: Any) -> None:
    """After a crash between making the agenda and recording it: add its Meetings row."""
    tracker = ctx.tracker
    day = meeting_date(meeting)
    if tracker is None or ctx.dry_run or any(
            cell(r, col(MEETINGS, "Meeting")) == day.isoformat() for r in tracker.rows(MEETINGS)):
        return
    from ilt_bot.jobs.feedback import feedback_key

    form = ctx.find(feedback_key(ctx.config, day))
    form_url = ctx.workspace.form_responder_uri(form.id) if form is not None and not form.trashed else None
    tracker.append_once(MEETINGS, [meeting_row(day, meeting, doc, form, form_url,
                                               focus_view(ctx.config, ctx.year, meeting),
                                               role_holders(ctx.config, meeting), ctx.now)])


def _environment(ctx: JobContext) -> Any:
    if "jinja_env" not in ctx.memo:
        base = get(ctx.config, "base_dir") or get(ctx.config, "config_dir")
        ctx.memo["jinja_env"] = render.make_environment(ctx.config, ctx.workspace,
                                                        base_dir=None if base is None else Path(base))
    return ctx.memo["jinja_env"]
