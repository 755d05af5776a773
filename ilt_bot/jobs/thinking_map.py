"""Teacher thinking maps: one Form per teacher team per learning cycle (routine ``thinking_map``).

- Form ``<school>/thinking-map/<team>/<cycle>`` (Thinking maps folder), made ``lead_times.thinking_map_days``
  before the cycle ends, asking ``thinking_map.questions``; the team's teachers may answer it (responder
  access only, one notification each). Anonymous by default: no e-mail is collected.
- While it is open, each pass copies new answers into the "Thinking map" tab of the year's responses
  spreadsheet ``<school>/tm-responses/<year>`` (:mod:`ilt_bot.jobs.tm_responses`: the principal's only,
  not the tracker the whole ILT reads), one row per answer (``<responseId>#<question>``), RAW, once each.
- ``thinking_map.response_window_days`` later the digest routine (:mod:`ilt_bot.jobs.tm_digest`) takes over:
  a last sync, the Form stops taking answers, the lead's digest Doc is made.
- Catch-up (:mod:`ilt_bot.jobs.catchup`): a Form due while no tick ran is sent by the next pass if its
  learning cycle has not ended (:func:`send_window_end`); after that it is reported **missed**, not sent.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from ilt_bot.jobs import DRY_RUN_ID, JobContext, date_label, resume_after, tm_responses
from ilt_bot.jobs.catchup import report_missed
from ilt_bot.jobs.common import (
    C_CYCLE,
    C_RESPONSE,
    C_SUBMITTED,
    C_TEAM,
    anonymous,
    first_pass_of_day,
    folder,
    member_by_id,
    question_ref,
    questions,
    team_emails,
)
from ilt_bot.jobs.tracker import cell
from ilt_bot.keys import school_key
from ilt_bot.routine import Routine, WorkItem, morning, thinking_map_cycles
from ilt_bot.workspace.api import FileRef, FormAnswer, FormQuestion, FormSpec, Share

if TYPE_CHECKING:
    from ilt_bot.calendar import Cycle, SchoolYear
    from ilt_bot.config import Config, Team


# --- keys and due times ----------------------------------------------------------------------------


def form_key(config: Config, team: str, cycle: str) -> str:
    """``<school>/thinking-map/<team>/<cycle>``."""
    return school_key(config, "thinking-map", team, cycle)


def send_time(config: Config, year: SchoolYear, cycle: Cycle) -> datetime:
    """When the cycle's Forms go out: ``lead_times.thinking_map_days`` before it ends (a school morning)."""
    return morning(config, year, _send_day(config, cycle))


def digest_time(config: Config, year: SchoolYear, cycle: Cycle) -> datetime:
    """When the digests are made: ``thinking_map.response_window_days`` after the Forms went out."""
    day = _send_day(config, cycle) + timedelta(days=config.thinking_map.response_window_days)
    return morning(config, year, day, later=True)


def send_window_end(year: SchoolYear, cycle: Cycle) -> datetime:
    """The last moment a cycle's Form may first go out: the end of the cycle's last day (catch-up).

    A Form sent on time stays open until its digest (``until``); one that no pass sent before its cycle
    ended would ask teachers about a cycle already over, so it is reported missed instead.
    """
    return year.at(cycle.end + timedelta(days=1), time.min)


def _send_day(config: Config, cycle: Cycle) -> date:
    """``lead_times.thinking_map_days`` before the cycle ends, but early enough for its semester's reflection.

    A cycle that runs past its semester's reflection sends its map so that the digest is due before the
    group reflection is built (``lead_times.agenda_days`` before the meeting): the reflection includes it
    and no digest falls after the last school day (``ilt-bot check`` warns about such cycles).
    """
    day = cycle.end - timedelta(days=config.lead_times.thinking_map_days)
    latest = latest_send_day(config, cycle)
    return max(min(day, latest) if latest is not None else day, cycle.start)


def latest_send_day(config: Config, cycle: Cycle) -> date | None:
    """The last day a cycle's map may go out for its digest to be in the semester's reflection (None: no limit)."""
    semester = next((s for s in config.year.semesters if s.id == cycle.semester), None)
    if semester is None:
        return None
    slack = config.lead_times.agenda_days + config.thinking_map.response_window_days + 2  # a weekend's margin
    return semester.reflection_date - timedelta(days=slack)


def form_items(config: Config, year: SchoolYear) -> list[WorkItem]:
    """One Form per team per thinking-map cycle; worked on until the digest takes over (``until``)."""
    items = []
    for cycle in thinking_map_cycles(config, year):
        sent, digest = send_time(config, year, cycle), digest_time(config, year, cycle)
        items += [WorkItem("thinking_map", form_key(config, team.id, cycle.id), sent,
                           f"team {team.id}, cycle {cycle.id}", team=team.id, cycle=cycle.id,
                           semester=cycle.semester, learning_cycle=cycle, team_config=team, until=digest)
                  for team in config.teams]
    return items


def closed_cycles(config: Config, year: SchoolYear, now: datetime) -> set[str]:
    """The learning cycles whose thinking-map window is over at ``now`` (their digests are due)."""
    return {c.id for c in thinking_map_cycles(config, year) if digest_time(config, year, c) <= now}


# --- the Form's content ----------------------------------------------------------------------------


def tm_spec(config: Config, team: Team, cycle: Cycle) -> FormSpec:
    """The team's thinking-map Form for ``cycle``: the configured questions, paragraphs."""
    lead = member_by_id(config, team.lead)
    lead_name = lead.name if lead is not None else "your Senior/Team Lead"
    privacy = ("Your answers are anonymous: your name and e-mail are not recorded."
               if anonymous(config) else "Your name is recorded with your answers.")
    return FormSpec(
        title=f"Thinking map — {team.name}, cycle {cycle.id.lstrip('c')}",
        description=(f"{config.school.name}: a few minutes to reflect on learning cycle "
                     f"{cycle.id.lstrip('c')} ({date_label(cycle.start)} to {date_label(cycle.end)}). "
                     f"{lead_name} reads every answer and follows up 1:1. {privacy}"),
        questions=tuple(FormQuestion(ref=question_ref(i), title=q, kind="paragraph")
                        for i, q in enumerate(questions(config))),
        collect_emails=not anonymous(config),
    )


# --- sync -----------------------------------------------------------------------------------------


def response_rows(config: Config, team: str, cycle: str, answer: FormAnswer) -> list[list[str]]:
    """Thinking map tab rows of one response: one per answered question (respondent only if not anonymous)."""
    who = "" if anonymous(config) else (answer.respondent_email or "")
    rows = []
    for i, question in enumerate(questions(config)):
        text = "\n".join(v for v in answer.answers.get(question_ref(i), []) if v).strip()
        if text:
            rows.append([f"{answer.response_id}#{question_ref(i)}", answer.response_id, team, cycle,
                         answer.submitted, who, question, text])
    if not rows:  # an empty submission still counts as an answer from the team
        rows.append([f"{answer.response_id}#-", answer.response_id, team, cycle, answer.submitted, who, "", ""])
    return rows


def tab_rows(ctx: JobContext) -> list[list[str]]:
    """Every answer row of the year (the responses spreadsheet's Thinking map tab)."""
    return tm_responses.rows(ctx)


def daily_checks(ctx: JobContext) -> None:
    """In the day's first pass: a tracker tab left by an earlier version is reported (once per pass)."""
    if first_pass_of_day(ctx):
        tm_responses.check_tracker_tab(ctx)


def sync_form(ctx: JobContext, team: str, cycle: str, form: FileRef) -> int:
    """Copy the Form's new answers into the responses spreadsheet; returns how many responses were new."""
    if form.id == DRY_RUN_ID:
        return 0
    sheet = tm_responses.responses_sheet(ctx)
    if sheet is None or not sheet.exists:
        return 0
    rows = sheet.rows()
    stamps = [cell(r, C_SUBMITTED) for r in rows if cell(r, C_TEAM) == team and cell(r, C_CYCLE) == cycle]
    since = resume_after(stamps)
    answers = ctx.workspace.list_responses(form.id, since=since)
    known = {cell(r, C_RESPONSE) for r in rows}
    fresh = [a for a in answers if a.response_id not in known]
    new_rows = [row for a in fresh for row in response_rows(ctx.config, team, cycle, a)]
    if new_rows:
        sheet.append_once(new_rows)
        ctx.record("would sync" if ctx.dry_run else "sync", form_key(ctx.config, team, cycle), "responses",
                   f"{len(fresh)} new thinking-map responses")
    ctx.report.synced_responses += len(fresh)
    return len(fresh)


# --- the Form -------------------------------------------------------------------------------------


def ensure_tm_form(ctx: JobContext, team: Team, cycle: Cycle) -> FileRef | None:
    """The team's Form for ``cycle``, published, answerable by the team's teachers (one e-mail each)."""
    f_key = form_key(ctx.config, team.id, cycle.id)
    spec = tm_spec(ctx.config, team, cycle)
    folder_id = None
    if ctx.find(f_key) is None:
        folder_id = folder(ctx, "thinking-maps")
        if folder_id is None:
            ctx.skipped(f_key, "the Thinking maps folder is in the trash; restore it to continue")
            return None
    lead = member_by_id(ctx.config, team.lead)

    def message(form: FileRef) -> str:
        return (f"{lead.name if lead else 'Your team lead'} asks for your thinking map for learning cycle "
                f"{cycle.id.lstrip('c')}: {len(spec.questions)} short questions. "
                f"{ctx.workspace.form_responder_uri(form.id)}")

    grant = Share(team_emails(team), "reader", notify=True, message=message, published_view=True)
    before = len(ctx.report.created)
    ref = ctx.ensure(f_key, lambda: ctx.workspace.ensure_form(
        f_key, spec, str(folder_id), {"iltbot_team": team.id, "iltbot_cycle": cycle.id}, share=[grant]),
        what=spec.title)
    if ref is None or ref.id == DRY_RUN_ID:
        return ref
    made = len(ctx.report.created) > before  # made (or finished) and shared by ensure_form
    if not made and not _answered(ctx, team.id, cycle.id):
        # Until the first answer arrives (teachers the config adds later): no-op if shared.
        ctx.workspace.share(ref.id, list(grant.emails), "reader", published_view=True, notify=True,
                            message=message(ref))
    return ref


def _answered(ctx: JobContext, team: str, cycle: str) -> bool:
    return any(cell(r, C_TEAM) == team and cell(r, C_CYCLE) == cycle for r in tab_rows(ctx))


def thinking_map_item(ctx: JobContext, item: WorkItem) -> None:
    """Send the team's thinking map; while it is open, copy its answers into the responses spreadsheet."""
    daily_checks(ctx)
    if item.until is not None and ctx.now >= item.until:
        return  # the digest job takes over (last sync, closing, digest)
    team, cycle = item.team_config, item.learning_cycle
    if team is None or cycle is None:
        ctx.skipped(item.key, f"no team {item.team!r} or learning cycle {item.cycle!r} for this item")
        return
    window_end = send_window_end(ctx.year, cycle)
    if ctx.now >= window_end and ctx.find(item.key) is None:
        report_missed(ctx, item.key, item.due, window_end, f"the thinking map of {team.name}, cycle {cycle.id}")
        return
    form = ensure_tm_form(ctx, team, cycle)
    if form is not None:
        sync_form(ctx, team.id, cycle.id, form)


THINKING_MAP_FORM = Routine("thinking_map", key=form_key, key_form="<school>/thinking-map/<team>/<cycle>",
                            items=form_items, run=thinking_map_item, folder="thinking-maps")
