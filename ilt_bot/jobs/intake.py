"""The standing agenda-item intake Form (one per school year) and the items members submit.

Key ``<school>/intake/<year label>``. Answers become rows of the tracker's Agenda items tab (once each,
by responseId); the next agenda lists the items not placed yet and marks them placed in that meeting.
Items members type into an agenda's "Items for next meeting" table arrive the same way (see actions).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

from ilt_bot.jobs import (
    DRY_RUN_ID,
    JobContext,
    collect_emails,
    member_emails,
    member_name,
    resolve,
)
from ilt_bot.jobs.tracker import AGENDA_ITEMS, answer_cell, cell, col
from ilt_bot.keys import school_key
from ilt_bot.workspace.api import FileRef, FormAnswer, FormQuestion, FormSpec, Share

if TYPE_CHECKING:
    from ilt_bot.config import Config

TIME_OPTIONS = ("5 minutes", "10 minutes", "15 minutes", "20 minutes or more")
PLACED = "placed"
OPEN = "open"


def intake_key(config: Config) -> str:
    """``<school>/intake/<year>``."""
    return school_key(config, "intake", config.year.label)


def intake_spec(config: Config) -> FormSpec:
    """The intake Form: title, why it matters, time needed, submitter."""
    school = config.school.name
    return FormSpec(
        title=f"ILT agenda item — {config.year.label}",
        description=(f"Suggest an item for a coming {school} ILT meeting. Items submitted before an agenda "
                     "is built appear on it; later ones go to the following meeting."),
        questions=(
            FormQuestion(ref="title", title="Agenda item", kind="short_text", required=True),
            FormQuestion(ref="why", title="Why it matters (what should the ILT decide, learn or do?)",
                         kind="paragraph", required=True),
            FormQuestion(ref="time", title="Time needed", kind="radio", required=True, options=TIME_OPTIONS),
            FormQuestion(ref="submitter", title="Your name", kind="short_text", required=True),
        ),
        collect_emails=collect_emails(config),
    )


def ensure_intake_form(
    ctx: JobContext, folder_id: str | Callable[[], str | None], *, link: bool = False
) -> tuple[FileRef | None, str | None]:
    """The year's intake Form, answerable by the ILT; returns it and (when made, or ``link``) its link.

    Sharing is checked when the Form is made and each time an agenda needs the link, so a pass
    with nothing to build costs one lookup.
    """
    form_key = intake_key(ctx.config)
    spec = intake_spec(ctx.config)
    ref, uri = ctx.intake_form, ctx.intake_link
    made = False
    if ref is None:
        before = len(ctx.report.created)
        share = [Share(member_emails(ctx.config), "reader", published_view=True)]
        ref = ctx.ensure(form_key, lambda: ctx.workspace.ensure_form(form_key, spec, resolve(folder_id), share=share),
                         what=spec.title)
        made = len(ctx.report.created) > before  # made (or finished) and shared by ensure_form
        link = link or made
    if ref is not None and ref.id != DRY_RUN_ID and link and uri is None:
        if not ctx.dry_run and not made:  # members may have joined since it was made
            ctx.workspace.share(ref.id, member_emails(ctx.config), "reader", published_view=True)
        uri = ctx.workspace.form_responder_uri(ref.id)
    ctx.intake_form, ctx.intake_link = ref, uri
    return ref, uri


def item_row(config: Config, answer: FormAnswer) -> list[str]:
    """An Agenda items row from one intake response."""

    def first(ref: str) -> str:
        values = [v for v in answer.answers.get(ref, []) if v]
        return answer_cell("\n".join(values), answer.response_id)

    submitter = first("submitter") or member_name(config, answer.respondent_email) or (answer.respondent_email or "")
    return [f"intake:{answer.response_id}", answer.submitted, submitter, first("title"), first("why"), first("time"),
            "intake form", "", OPEN]


def sync_intake(ctx: JobContext, form: FileRef | None) -> int:
    """Copy new intake responses into the Agenda items tab; returns how many."""
    tracker = ctx.tracker
    if tracker is None or not tracker.exists or form is None or form.id == DRY_RUN_ID or ctx.stopping:
        return 0
    # Every response, matched by id: no watermark a person could type into; a deleted row comes back.
    answers = ctx.workspace.list_responses(form.id)
    added = tracker.append_once(AGENDA_ITEMS, [item_row(ctx.config, a) for a in answers])
    if added:
        ctx.record("would sync" if ctx.dry_run else "sync", intake_key(ctx.config), "responses",
                   f"{added} new agenda items")
    ctx.report.synced_responses += added
    return added


def pending_items(tracker: object, day: date) -> list[list[str]]:
    """Items not placed on an agenda yet, plus those already placed on the meeting of ``day``."""
    if tracker is None:
        return []
    placed_col, status_col = col(AGENDA_ITEMS, "Placed in"), col(AGENDA_ITEMS, "Status")
    rows = []
    for row in tracker.rows(AGENDA_ITEMS):
        if not cell(row, 0) or not cell(row, col(AGENDA_ITEMS, "Title")).strip():
            continue
        placed = cell(row, placed_col)
        status = cell(row, status_col).strip().lower()
        if placed == day.isoformat() or (not placed and status in ("", OPEN)):
            rows.append(row)
    return rows


def item_view(row: list[str]) -> dict[str, str]:
    """An agenda's view of one item row."""
    return {
        "id": cell(row, 0),
        "title": cell(row, col(AGENDA_ITEMS, "Title")),
        "why": cell(row, col(AGENDA_ITEMS, "Why it matters")),
        "time_needed": cell(row, col(AGENDA_ITEMS, "Time needed")),
        "submitter": cell(row, col(AGENDA_ITEMS, "Submitter")),
        "source": cell(row, col(AGENDA_ITEMS, "Source")),
    }


def mark_placed(ctx: JobContext, rows: list[list[str]], day: date) -> int:
    """Record that ``rows`` are on the agenda of ``day`` (Placed in, Status)."""
    if ctx.tracker is None or not rows:
        return 0
    updated = []
    for row in rows:
        new = list(row)
        new[col(AGENDA_ITEMS, "Placed in")] = day.isoformat()
        new[col(AGENDA_ITEMS, "Status")] = PLACED
        updated.append(new)
    return ctx.tracker.upsert(AGENDA_ITEMS, updated)
