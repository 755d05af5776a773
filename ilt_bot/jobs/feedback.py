"""The short-term feedback Form of each meeting (plus/delta or stop/start/continue) and its sync.

Key ``<school>/feedback/<meeting date>``, in the Feedback folder, made with the agenda (so its link is
in it), published and open to the ILT only, closed when the next meeting's agenda is built. Responses
are copied once each (by responseId) into the tracker's Feedback tab, where nothing is ever lost.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from ilt_bot.jobs import (
    DRY_RUN_ID,
    JobContext,
    collect_emails,
    date_label,
    feedback_style,
    member_emails,
)
from ilt_bot.jobs.common import first_pass_of_day
from ilt_bot.jobs.tracker import FEEDBACK, FEEDBACK_REFS, MEETINGS, answer_cell, cell, col
from ilt_bot.keys import school_key
from ilt_bot.workspace.api import FileRef, FormAnswer, FormQuestion, FormSpec, Share

if TYPE_CHECKING:
    from ilt_bot.config import Config

STYLES: dict[str, tuple[tuple[str, str, str], ...]] = {
    "plus_delta": (
        ("plus", "Plus", "What worked in this meeting? What should we keep doing?"),
        ("delta", "Delta", "What should we change to make our next meeting better?"),
    ),
    "stop_start_continue": (
        ("stop", "Stop", "What should we stop doing in our meetings?"),
        ("start", "Start", "What should we start doing?"),
        ("continue", "Continue", "What should we continue doing?"),
    ),
}
"""Feedback style -> (ref, label, question) of each question."""

STYLE_LABELS = {"plus_delta": "plus/delta", "stop_start_continue": "stop/start/continue"}


def style_questions(style: str) -> tuple[tuple[str, str, str], ...]:
    if style not in STYLES:
        raise ValueError(f"unknown feedback style {style!r} (expected one of: {', '.join(STYLES)})")
    return STYLES[style]


def feedback_spec(config: Config, day: date) -> FormSpec:
    """The Form of the meeting on ``day`` in the configured style."""
    style = feedback_style(config)
    questions = tuple(
        FormQuestion(ref=ref, title=f"{label}: {question}", kind="paragraph",
                     description="One idea per line is easiest to act on.")
        for ref, label, question in style_questions(style)
    )
    school = config.school.name
    return FormSpec(
        title=f"ILT meeting feedback — {date_label(day)}",
        description=(f"{school} ILT: your {STYLE_LABELS[style]} on the meeting of {date_label(day)}. "
                     "We read every answer together at the start of the next meeting."),
        questions=questions,
        collect_emails=collect_emails(config),
    )


def feedback_key(config: Config, day: date) -> str:
    """``<school>/feedback/<date>`` (routine ``feedback_form``, made with the agenda: :mod:`ilt_bot.jobs.agenda`)."""
    return school_key(config, "feedback", day.isoformat())


def ensure_feedback_form(ctx: JobContext, day: date, folder_id: str) -> tuple[FileRef | None, str | None]:
    """The meeting's feedback Form, published and answerable by the ILT; returns it and its link."""
    form_key = feedback_key(ctx.config, day)
    spec = feedback_spec(ctx.config, day)
    share = [Share(member_emails(ctx.config), "reader", published_view=True)]
    ref = ctx.ensure(form_key, lambda: ctx.workspace.ensure_form(form_key, spec, folder_id,
                                                                 {"iltbot_meeting": day.isoformat()}, share=share),
                     what=spec.title)
    if ref is None or ref.id == DRY_RUN_ID:
        return ref, None
    return ref, ctx.workspace.form_responder_uri(ref.id)


def close_feedback_form(ctx: JobContext, day: date, form_id: str | None) -> None:
    """Stop the meeting's Form taking responses (when the next agenda is built)."""
    if not form_id:
        found = ctx.find(feedback_key(ctx.config, day))
        if found is None or found.trashed:
            return
        form_id = found.id
    if ctx.dry_run:
        ctx.record("would close", feedback_key(ctx.config, day), "planned")
        return
    ctx.workspace.set_form_accepting(form_id, False)
    ctx.record("close", feedback_key(ctx.config, day), "closed", "feedback form no longer takes responses")


def response_row(day: date, answer: FormAnswer) -> list[str]:
    """A Feedback tab row: id, meeting, submitted, respondent, then plus, delta, stop, start, continue."""
    texts = [answer_cell("\n".join(v for v in answer.answers.get(ref, []) if v), answer.response_id)
             for ref in FEEDBACK_REFS]
    return [answer.response_id, day.isoformat(), answer.submitted, answer.respondent_email or "", *texts]


def polled_meetings(ctx: JobContext) -> list[date]:
    """The meetings whose Forms a pass reads: the last one held and the later ones made, from the plan
    (never from a tracker cell a person can type in); every held meeting in the day's first pass, so a
    deleted Feedback row of any meeting comes back from its Form (docs/tracker-identity.md)."""
    today = ctx.now.date()
    days = [m.date for m in ctx.year.meetings()]
    held = [d for d in days if d <= today]
    if first_pass_of_day(ctx):
        return held + [d for d in days if d > today]
    return held[-1:] + [d for d in days if d > today]


def meeting_form_id(ctx: JobContext, day: date) -> str | None:
    """The meeting's feedback Form: its Meetings row's id, else found by key (the row may be deleted); None
    for a meeting more than a month ahead (its Form is not made yet, or a replayed date: not polled)."""
    if day > ctx.now.date() + timedelta(days=31):
        return None
    tracker = ctx.tracker
    for row in tracker.rows(MEETINGS) if tracker is not None else []:
        if cell(row, col(MEETINGS, "Meeting")) == day.isoformat() and cell(row, col(MEETINGS, "Feedback form")):
            return cell(row, col(MEETINGS, "Feedback form"))
    found = ctx.find(feedback_key(ctx.config, day))
    return found.id if found is not None and not found.trashed and found.id != DRY_RUN_ID else None


def sync_feedback(ctx: JobContext) -> int:
    """Copy the responses of the polled meetings' Forms that the Feedback tab lacks; returns how many.

    Every response is listed and matched by its responseId: no "newest Submitted" watermark, so a date a
    person types into the tab changes nothing, and a row a person deleted is copied again."""
    tracker = ctx.tracker
    if tracker is None or not tracker.exists:
        return 0
    total = 0
    for day in polled_meetings(ctx):
        if ctx.stopping:
            break
        form_id = meeting_form_id(ctx, day)
        if not form_id:
            continue
        answers = ctx.workspace.list_responses(form_id)
        added = tracker.append_once(FEEDBACK, [response_row(day, a) for a in answers])
        if added:
            ctx.record("would sync" if ctx.dry_run else "sync", feedback_key(ctx.config, day), "responses",
                       f"{added} new feedback responses")
        total += added
    ctx.report.synced_responses += total
    return total


def feedback_review(config: Config, tracker: object, day: date | None) -> dict[str, object] | None:
    """The "Revisiting our feedback" section: the meeting of ``day``'s answers, grouped and counted.

    Each group (plus, delta...) lists the answers verbatim, one per line a person wrote, identical
    answers merged with their count.
    """
    if day is None:
        return None
    style = feedback_style(config)
    rows = [r for r in (tracker.rows(FEEDBACK) if tracker is not None else [])
            if cell(r, col(FEEDBACK, "Meeting")) == day.isoformat()]
    first = col(FEEDBACK, "Plus")
    groups = []
    for ref, label, question in style_questions(style):
        index = first + FEEDBACK_REFS.index(ref)
        counted: dict[str, dict[str, object]] = {}
        answered = 0
        for row in rows:
            text = cell(row, index).strip()
            if not text:
                continue
            answered += 1
            for line in text.splitlines():
                line = line.strip().lstrip("-•*").strip()
                if not line:
                    continue
                entry = counted.setdefault(" ".join(line.casefold().split()), {"text": line, "count": 0})
                entry["count"] = int(entry["count"]) + 1  # type: ignore[call-overload]
        answers = sorted(counted.values(), key=lambda e: -int(e["count"]))  # type: ignore[call-overload]
        groups.append({"ref": ref, "label": label, "question": question, "count": answered, "answers": answers})
    return {"style": style, "meeting_date": day.isoformat(), "meeting_label": date_label(day),
            "total": len(rows), "groups": groups}
