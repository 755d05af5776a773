"""The semester's stakeholder survey Form (routine ``stakeholder_survey``).

Key ``<school>/stakeholder/<semester>``: a survey for ``stakeholders.emails`` (responder access, one
e-mail each), due ``lead_times.stakeholder_survey_days`` before the reflection meeting and open until
it; answers go to the tracker's "Stakeholder feedback" tab (this routine's tab) once each.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ilt_bot.jobs import DRY_RUN_ID, JobContext, date_label, resume_after
from ilt_bot.jobs import semester_data as data
from ilt_bot.jobs.common import folder, tracker_rows
from ilt_bot.jobs.reflection import (
    STAKEHOLDER_ROLES,
    SURVEY,
    before_meeting,
    report_once,
    semester_item,
    semester_of,
)
from ilt_bot.jobs.tracker import cell
from ilt_bot.keys import school_key
from ilt_bot.routine import Routine, WorkItem
from ilt_bot.workspace.api import FileRef, FormAnswer, FormQuestion, FormSpec, Share

if TYPE_CHECKING:
    from ilt_bot.calendar import SchoolYear
    from ilt_bot.config import Config, Semester


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
    semester = semester_of(ctx, item)
    if not before_meeting(ctx, semester):
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


def sync_survey_if_any(ctx: JobContext, semester: Semester) -> None:
    found = ctx.find(stakeholder_key(ctx.config, semester.id))
    if found is not None and not found.trashed:
        sync_survey(ctx, semester.id, found)


def stakeholder_items(config: Config, year: SchoolYear) -> list[WorkItem]:
    days = config.lead_times.stakeholder_survey_days
    return [semester_item(config, year, s, "stakeholder_survey", stakeholder_key(config, s.id), days,
                           f"stakeholders, {s.id}") for s in year.semesters()]


STAKEHOLDER_SURVEY = Routine("stakeholder_survey", key=stakeholder_key, key_form="<school>/stakeholder/<semester>",
                             items=stakeholder_items, run=stakeholder_item, folder="reflections",
                             tabs={data.STAKEHOLDER: data.SH_COLUMNS})
