"""The qualities of an effective ILT member Form, and its synthesis (routine ``qualities``).

Key ``<school>/qualities/<year>``: early in the year (with the year's standing artifacts) the ILT is asked
what a strong Senior/Team Lead, coach and ILT member look and sound like and what commitments to make,
starting from ``school.lead_qualities``. Answers go to the tracker's "Qualities" tab once each, copied
whenever a synthesis is read (an agenda that shows it, the kick-off Doc); the
synthesis (phrases several answers share, :func:`ilt_bot.jobs.themes.repeated`) is read by the agendas
and the kick-off Doc (docs/guides.md).
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from ilt_bot.jobs import DRY_RUN_ID, JobContext
from ilt_bot.jobs.common import active
from ilt_bot.jobs.guide_forms import ANSWER_COLUMNS, answers_by_question, ensure_ilt_form, sync_answers
from ilt_bot.jobs.themes import repeated
from ilt_bot.keys import school_key
from ilt_bot.routine import Routine, WorkItem, setup_due
from ilt_bot.workspace.api import FileRef, FormQuestion, FormSpec

if TYPE_CHECKING:
    from ilt_bot.calendar import SchoolYear
    from ilt_bot.config import Config

TAB = "Qualities"
QUESTIONS = (
    ("lead", "What does a strong Senior/Team Lead look and sound like?"),
    ("coach", "What does an effective coach look and sound like?"),
    ("member", "What does an effective ILT member, and an effective ILT as a team, look and sound like?"),
    ("commitments", "What commitments should we make to achieve these ideals?"),
)
"""The brainstorm of the first guide's "Spotlight on schools", one question each."""


def qualities_key(config: Config) -> str:
    """``<school>/qualities/<year>``."""
    return school_key(config, "qualities", config.year.label)


def qualities_spec(config: Config) -> FormSpec:
    seed = "".join(f"\n- {q}" for q in config.school.lead_qualities)
    start = f"\n\nWhat we have said so far:{seed}" if seed else ""
    return FormSpec(
        title=f"{config.school.name} ILT — qualities of an effective ILT member ({config.year.label})",
        description=("Describe what you would see and hear. Answers are anonymous; their synthesis opens an "
                     f"agenda soon, our spring kick-off and our mid-year check-in.{start}"),
        questions=tuple(FormQuestion(ref, title) for ref, title in QUESTIONS),
    )


def qualities_items(config: Config, year: SchoolYear) -> list[WorkItem]:
    """Due with the year's standing artifacts; ensured until its synthesis is first due in an agenda."""
    due = setup_due(config, year)
    return [WorkItem("qualities", qualities_key(config), due, "qualities of an effective ILT member",
                     until=due + timedelta(days=config.practice.qualities_days))]


def qualities_run(ctx: JobContext, item: WorkItem) -> None:
    """The Form, made once for the ILT (its answers are copied when a synthesis is read: :func:`synthesis`)."""
    if not active(ctx, item.until):
        return
    spec = qualities_spec(ctx.config)

    def message(form: FileRef) -> str:
        return ("What do a strong Senior/Team Lead, coach and ILT member look and sound like? Four open "
                f"questions, anonymous: {ctx.workspace.form_responder_uri(form.id)}")

    ensure_ilt_form(ctx, item.key, spec, message, {"iltbot_year": ctx.config.year.label})


def synthesis(ctx: JobContext) -> dict[str, Any]:
    """What the ILT wrote, synthesized: per question the phrases shared by at least two answers (the Form's
    new answers are copied to the tracker first).

    ``{"seed": [...], "responses": n, "questions": [{"question", "answers", "themes": [{"text", "count"}]}]}``.
    """
    key = qualities_key(ctx.config)
    form = ctx.find(key)
    if form is not None and not form.trashed and form.id != DRY_RUN_ID:
        sync_answers(ctx, key, form, TAB, ctx.config.year.label, qualities_spec(ctx.config))
    grouped, responses = answers_by_question(ctx, TAB, ctx.config.year.label)
    questions = []
    for _ref, title in QUESTIONS:
        texts = grouped.get(title, [])
        questions.append({"question": title, "answers": len(texts),
                          "themes": [{"text": term, "count": n} for term, n in repeated(texts)]})
    return {"seed": list(ctx.config.school.lead_qualities), "responses": responses, "questions": questions}


def sample_synthesis(config: Config) -> dict[str, Any]:
    """A filled synthesis for ``ilt-bot check``."""
    return {"seed": list(config.school.lead_qualities), "responses": 3,
            "questions": [{"question": title, "answers": 3, "themes": [{"text": "timely <b>feedback</b>", "count": 2}]}
                          for _ref, title in QUESTIONS]}


QUALITIES = Routine("qualities", key=qualities_key, key_form="<school>/qualities/<year>", items=qualities_items,
                    run=qualities_run, folder="feedback", tabs={TAB: ANSWER_COLUMNS})
