"""What the ILT's own Forms of the guides share (qualities, vision input): made once for the ILT, answers
copied into a tracker tab once each (docs/guides.md).

These Forms collect no e-mail and are answered by ILT members only, so their answers go in the tracker,
which the ILT reads as a whole (docs/privacy.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ilt_bot.jobs import DRY_RUN_ID, JobContext, member_emails, resume_after
from ilt_bot.jobs.common import folder, tracker_rows
from ilt_bot.jobs.tracker import cell
from ilt_bot.workspace.api import FileRef, FormAnswer, FormSpec, Share

ANSWER_COLUMNS = ["Row ID", "Response ID", "Round", "Submitted", "Question", "Answer"]
"""The tracker tab of one of these Forms: one row per answered question of a response."""
C_ROW, C_RESPONSE, C_ROUND, C_SUBMITTED, C_QUESTION, C_ANSWER = range(len(ANSWER_COLUMNS))

if TYPE_CHECKING:
    from collections.abc import Callable


def answer_rows(round_id: str, spec: FormSpec, answer: FormAnswer) -> list[list[str]]:
    """One row per answered question of ``answer`` (a response with no text at all is one empty row)."""
    rows = []
    for question in spec.questions:
        text = "\n".join(v for v in answer.answers.get(question.ref, []) if v).strip()
        if text:
            rows.append([f"{answer.response_id}#{question.ref}", answer.response_id, round_id, answer.submitted,
                         question.title, text])
    return rows or [[f"{answer.response_id}#-", answer.response_id, round_id, answer.submitted, "", ""]]


def ensure_ilt_form(ctx: JobContext, key: str, spec: FormSpec, message: Callable[[FileRef], str],
                    properties: dict[str, str] | None = None) -> FileRef | None:
    """The Form ``key`` in the Feedback folder, ILT members as responders (one notification each)."""
    folder_id = folder(ctx, "feedback") if ctx.find(key) is None else None
    if ctx.find(key) is None and folder_id is None:
        ctx.skipped(key, "the bot's folder is in the trash; restore it to continue")
        return None
    share = [Share(member_emails(ctx.config), "reader", notify=True, message=message, published_view=True)]
    return ctx.ensure(key, lambda: ctx.workspace.ensure_form(key, spec, str(folder_id), properties, share=share),
                      what=spec.title)


def sync_answers(ctx: JobContext, key: str, form: FileRef, tab: str, round_id: str, spec: FormSpec) -> int:
    """Copy the Form's new responses into ``tab`` (by responseId: never twice); returns how many."""
    tracker = ctx.tracker
    if tracker is None or not tracker.exists or form.id == DRY_RUN_ID:
        return 0
    rows = [r for r in tracker_rows(ctx, tab) if cell(r, C_ROUND) == round_id]
    known = {cell(r, C_RESPONSE) for r in rows}
    since = resume_after([cell(r, C_SUBMITTED) for r in rows])
    fresh = [a for a in ctx.workspace.list_responses(form.id, since=since) if a.response_id not in known]
    if fresh:
        tracker.append_once(tab, [r for a in fresh for r in answer_rows(round_id, spec, a)])
        ctx.record("would sync" if ctx.dry_run else "sync", key, "responses", f"{len(fresh)} new responses")
    ctx.report.synced_responses += len(fresh)
    return len(fresh)


def answers_by_question(ctx: JobContext, tab: str, round_id: str) -> tuple[dict[str, list[str]], int]:
    """The round's answers in ``tab`` grouped by question title, and how many responses there were."""
    grouped: dict[str, list[str]] = {}
    responses: set[str] = set()
    for row in tracker_rows(ctx, tab):
        if cell(row, C_ROUND) != round_id:
            continue
        responses.add(cell(row, C_RESPONSE))
        if cell(row, C_ANSWER):
            grouped.setdefault(cell(row, C_QUESTION), []).append(cell(row, C_ANSWER))
    return grouped, len(responses)
