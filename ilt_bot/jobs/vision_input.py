"""A short Form every N weeks on making the school's vision stronger (routine ``vision-input``).

Key ``<school>/vision-input/<date>``: every ``practice.vision_input_every_weeks`` weeks of the year, the
first regular ILT meeting from then on gets a round; its Form opens ``practice.vision_input_days`` before
that meeting, for the ILT, anonymous. Answers go to the tracker's "Vision input" tab once each; that
meeting's agenda shows them in its purpose section and the group reflection can read them there. The
principal records revisions in ``school.vision`` (the config stays the source) (docs/guides.md).
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from ilt_bot.jobs import DRY_RUN_ID, JobContext, date_label
from ilt_bot.jobs.common import active
from ilt_bot.jobs.guide_forms import ANSWER_COLUMNS, answers_by_question, ensure_ilt_form, sync_answers
from ilt_bot.keys import school_key
from ilt_bot.routine import Routine, WorkItem, morning
from ilt_bot.workspace.api import FileRef, FormQuestion, FormSpec

if TYPE_CHECKING:
    from datetime import date

    from ilt_bot.calendar import Meeting, SchoolYear
    from ilt_bot.config import Config

TAB = "Vision input"
QUESTIONS = (
    ("stronger", "What would make our vision for Teacher Leadership and Collaboration stronger?"),
    ("evidence", "Where did you see the vision lived, or missed, since we last asked?"),
    ("revision", "What one revision to the vision's wording would you propose?"),
)


def vision_input_key(config: Config, day: date) -> str:
    """``<school>/vision-input/<date>`` (the date of the meeting that reads the answers)."""
    return school_key(config, "vision-input", day.isoformat())


def vision_rounds(config: Config, year: SchoolYear) -> list[Meeting]:
    """The meetings that get a round: the first regular one on or after each N weeks of the year."""
    every = timedelta(weeks=config.practice.vision_input_every_weeks)
    regular = [m for m in year.meetings() if m.kind == "regular"]
    rounds: list[Meeting] = []
    target = config.year.start + every
    while target <= config.year.end:
        meeting = next((m for m in regular if m.date >= target), None)
        if meeting is None:
            break
        if meeting not in rounds:
            rounds.append(meeting)
        target += every
    return rounds


def vision_spec(config: Config, meeting: Meeting) -> FormSpec:
    return FormSpec(
        title=f"{config.school.name} ILT — our vision, input for {date_label(meeting.date)}",
        description=(f"Our vision for Teacher Leadership and Collaboration: {config.school.vision.strip()}\n\n"
                     "Three short questions, anonymous; we read the answers at the start of our meeting."),
        questions=tuple(FormQuestion(ref, title) for ref, title in QUESTIONS),
    )


def vision_items(config: Config, year: SchoolYear) -> list[WorkItem]:
    days = config.practice.vision_input_days
    return [WorkItem("vision-input", vision_input_key(config, m.date),
                     min(morning(config, year, m.date - timedelta(days=days)), m.start),
                     f"vision input for {m.date.isoformat()}", meeting_date=m.date, semester=m.semester,
                     cycle=m.cycle, meeting=m, until=m.end + timedelta(days=days))
            for m in vision_rounds(config, year)]


def vision_run(ctx: JobContext, item: WorkItem) -> None:
    """The round's Form (made only before its meeting); new answers copied to the tracker until a week after."""
    meeting = item.meeting
    if meeting is None or not active(ctx, item.until):
        return
    if ctx.find(item.key) is None and ctx.now >= meeting.start:
        return  # too late to ask for this meeting
    spec = vision_spec(ctx.config, meeting)

    def message(form: FileRef) -> str:
        return (f"Before our ILT meeting on {date_label(meeting.date)}: how can we make our vision for Teacher "
                f"Leadership and Collaboration stronger? {ctx.workspace.form_responder_uri(form.id)}")

    form = ensure_ilt_form(ctx, item.key, spec, message, {"iltbot_meeting": meeting.date.isoformat()})
    if form is not None and form.id != DRY_RUN_ID:
        sync_answers(ctx, item.key, form, TAB, meeting.date.isoformat(), spec)


def read_rounds(ctx: JobContext, meeting: Meeting) -> list[Meeting]:
    """The rounds ``meeting``'s agenda reads: its own; at a semester's reflection meeting, every round of the
    semester so far (the group reflection revisits them)."""
    rounds = vision_rounds(ctx.config, ctx.year)
    if meeting.kind == "reflection":
        return [m for m in rounds if m.semester == meeting.semester and m.date <= meeting.date]
    return [meeting] if meeting in rounds else []


def round_view(ctx: JobContext, meeting: Meeting) -> dict[str, Any] | None:
    """The vision-input answers for ``meeting``'s agenda (None: no round for that meeting)."""
    rounds = read_rounds(ctx, meeting)
    if not rounds:
        return None
    total = 0
    grouped: dict[str, list[str]] = {title: [] for _ref, title in QUESTIONS}
    for round_meeting in rounds:
        round_id = round_meeting.date.isoformat()
        form = ctx.find(vision_input_key(ctx.config, round_meeting.date))
        if form is not None and not form.trashed and form.id != DRY_RUN_ID:
            sync_answers(ctx, form.key or "", form, TAB, round_id, vision_spec(ctx.config, round_meeting))
        answers, responses = answers_by_question(ctx, TAB, round_id)
        total += responses
        for title, texts in answers.items():
            grouped.setdefault(title, []).extend(texts)
    return {"responses": total, "rounds": [date_label(m.date) for m in rounds],
            "questions": [{"question": title, "answers": texts} for title, texts in grouped.items()]}


VISION_INPUT = Routine("vision-input", key=vision_input_key, key_form="<school>/vision-input/<date>",
                       items=vision_items, run=vision_run, folder="feedback", tabs={TAB: ANSWER_COLUMNS})
