"""Teacher thinking maps: one Form per teacher team per learning cycle, and the lead's digest (two routines).

- Form ``<school>/thinking-map/<team>/<cycle>`` (Thinking maps folder), made ``lead_times.thinking_map_days``
  before the cycle ends, asking ``thinking_map.questions``; the team's teachers may answer it (responder
  access only, one notification each). Anonymous by default: no e-mail is collected.
- While it is open, each pass copies new answers into the "Thinking map" tab of the year's responses
  spreadsheet ``<school>/tm-responses/<year>`` (:mod:`ilt_bot.jobs.tm_responses`: the principal's only,
  not the tracker the whole ILT reads), one row per answer (``<responseId>#<question>``), RAW, once each.
- ``thinking_map.response_window_days`` later: a last sync, the Form stops taking answers, and the
  digest Doc ``<school>/tm-digest/<team>/<cycle>`` is made for the team's lead (shared with the lead and
  the principal only): answers grouped by question, who answered out of the team, themes repeated
  since the team's previous thinking map, and a table to plan the 1:1 follow-ups.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from ilt_bot.jobs import DRY_RUN_ID, JobContext, date_label, resume_after, tm_responses
from ilt_bot.jobs.common import (
    C_ANSWER,
    C_CYCLE,
    C_QUESTION,
    C_RESPONDENT,
    C_RESPONSE,
    C_SUBMITTED,
    C_TEAM,
    THINKING_MAP,
    TM_COLUMNS,
    anonymous,
    first_pass_of_day,
    folder,
    make_doc,
    member_by_id,
    principal_emails,
    question_ref,
    questions,
    sample_ctx,
    sample_team,
    team_emails,
)
from ilt_bot.jobs.themes import repeated, shared_themes
from ilt_bot.jobs.tracker import cell
from ilt_bot.routine import Routine, WorkItem, morning, school_key, thinking_map_cycles
from ilt_bot.workspace.api import FileRef, FormAnswer, FormQuestion, FormSpec, Share, is_building

if TYPE_CHECKING:
    from ilt_bot.calendar import Cycle, SchoolYear
    from ilt_bot.config import Config, Team

DIGEST_TEMPLATE = "tm_digest.html.j2"
DIGEST_HORIZON_DAYS = 14
"""A digest not made within two weeks of its due time is not made any more (the next cycle has begun)."""


# --- keys and due times ----------------------------------------------------------------------------


def form_key(config: Config, team: str, cycle: str) -> str:
    """``<school>/thinking-map/<team>/<cycle>``."""
    return school_key(config, "thinking-map", team, cycle)


def digest_key(config: Config, team: str, cycle: str) -> str:
    """``<school>/tm-digest/<team>/<cycle>``."""
    return school_key(config, "tm-digest", team, cycle)


def send_time(config: Config, year: SchoolYear, cycle: Cycle) -> datetime:
    """When the cycle's Forms go out: ``lead_times.thinking_map_days`` before it ends (a school morning)."""
    return morning(config, year, _send_day(config, cycle))


def digest_time(config: Config, year: SchoolYear, cycle: Cycle) -> datetime:
    """When the digests are made: ``thinking_map.response_window_days`` after the Forms went out."""
    day = _send_day(config, cycle) + timedelta(days=config.thinking_map.response_window_days)
    return morning(config, year, day, later=True)


def _send_day(config: Config, cycle: Cycle) -> date:
    return max(cycle.end - timedelta(days=config.lead_times.thinking_map_days), cycle.start)


def closed_cycles(config: Config, year: SchoolYear, now: datetime) -> set[str]:
    """The learning cycles whose thinking-map window is over at ``now`` (their digests are due)."""
    return {c.id for c in thinking_map_cycles(config, year) if digest_time(config, year, c) <= now}


def _items(config: Config, year: SchoolYear, kind: str) -> list[WorkItem]:
    items = []
    for cycle in thinking_map_cycles(config, year):
        sent, digest = send_time(config, year, cycle), digest_time(config, year, cycle)
        for team in config.teams:
            if kind == "thinking_map":
                key, due, until = form_key(config, team.id, cycle.id), sent, digest
            else:
                key, due, until = digest_key(config, team.id, cycle.id), digest, digest + timedelta(
                    days=DIGEST_HORIZON_DAYS)
            items.append(WorkItem(kind, key, due, f"team {team.id}, cycle {cycle.id}", team=team.id, cycle=cycle.id,
                                  semester=cycle.semester, learning_cycle=cycle, team_config=team, until=until))
    return items


def form_items(config: Config, year: SchoolYear) -> list[WorkItem]:
    """One Form per team per thinking-map cycle; worked on until the digest takes over (``until``)."""
    return _items(config, year, "thinking_map")


def digest_items(config: Config, year: SchoolYear) -> list[WorkItem]:
    """One digest per team per thinking-map cycle; not made after ``DIGEST_HORIZON_DAYS`` (``until``)."""
    return _items(config, year, "tm_digest")


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
    form = ensure_tm_form(ctx, team, cycle)
    if form is not None:
        sync_form(ctx, team.id, cycle.id, form)


# --- the digest -----------------------------------------------------------------------------------


def team_cycles(ctx: JobContext, team_id: str, before: str) -> list[str]:
    """Thinking-map cycles of the team before cycle ``before`` (newest last), from the tab."""
    order = {c.id: c.index for c in ctx.year.cycles()}
    limit = order.get(before, 10**6)
    seen = {cell(r, C_CYCLE) for r in tab_rows(ctx) if cell(r, C_TEAM) == team_id}
    return sorted((c for c in seen if order.get(c, 10**6) < limit), key=lambda c: order[c])


def answers_of(ctx: JobContext, team_id: str, cycle_id: str) -> list[list[str]]:
    return [r for r in tab_rows(ctx) if cell(r, C_TEAM) == team_id and cell(r, C_CYCLE) == cycle_id]


def digest_context(ctx: JobContext, team: Team, cycle: Cycle) -> dict[str, Any]:
    """Everything ``tm_digest.html.j2`` shows, computed from the responses spreadsheet's rows."""
    config = ctx.config
    rows = answers_of(ctx, team.id, cycle.id)
    responses = sorted({cell(r, C_RESPONSE) for r in rows})
    groups = []
    for question in questions(config):
        answers = [cell(r, C_ANSWER) for r in rows if cell(r, C_QUESTION) == question and cell(r, C_ANSWER)]
        groups.append({"question": question, "answers": answers, "count": len(answers),
                       "themes": [{"term": t, "count": n} for t, n in repeated(answers)]})
    earlier = team_cycles(ctx, team.id, cycle.id)
    previous = earlier[-1] if earlier else None
    previous_answers = [cell(r, C_ANSWER) for r in answers_of(ctx, team.id, previous)] if previous else []
    themes = shared_themes([cell(r, C_ANSWER) for r in rows], previous_answers) if previous else []
    names = {str(t.email).lower(): t.name for t in team.teachers}
    respondents = [] if anonymous(config) else sorted(
        {names.get(cell(r, C_RESPONDENT).lower(), cell(r, C_RESPONDENT)) for r in rows if cell(r, C_RESPONDENT)})
    lead = member_by_id(config, team.lead)
    return {
        "school": {"name": str(config.school.name)},
        "team": {"id": team.id, "name": team.name, "lead": lead.name if lead else team.lead,
                 "size": len(team.teachers), "slos": [str(s) for s in team.slos]},
        "cycle": {"id": cycle.id, "number": cycle.id.lstrip("c"), "start": date_label(cycle.start),
                  "end": date_label(cycle.end)},
        "answered": len(responses),
        "anonymous": anonymous(config),
        "respondents": respondents,
        "groups": groups,
        "previous_cycle": previous.lstrip("c") if previous else None,
        "repeated_themes": [{"term": t, "now": a, "before": b} for t, a, b in themes],
        "teachers": [t.name for t in team.teachers],
    }


def tm_digest_item(ctx: JobContext, item: WorkItem) -> None:
    """After the window: a last sync, close the Form, make the lead's digest."""
    config = ctx.config
    daily_checks(ctx)
    d_key = item.key
    if item.until is not None and ctx.now > item.until:
        return
    found = ctx.find(d_key)
    if found is not None and (not is_building(found) or ctx.dry_run):  # building: make_doc finishes it
        if found.trashed:
            ctx.skipped(d_key, "in the trash (a person removed it); not recreated")
        else:
            ctx.report.existing += 1
        return
    team, cycle = item.team_config, item.learning_cycle
    if team is None:
        ctx.skipped(d_key, f"no team {item.team!r} in the config")
        return
    team_id, cycle_id = team.id, str(item.cycle)
    form = ctx.find(form_key(config, team_id, cycle_id))
    if cycle is None or form is None or form.trashed:
        ctx.skipped(d_key, "no thinking-map Form for this team and cycle; no digest")
        return
    if tm_responses.responses_sheet(ctx) is None:  # a digest of no rows would say no one answered
        ctx.skipped(d_key, f"the thinking-map answers sheet {tm_responses.responses_key(config)} is in the trash; "
                           "restore it to make the digest (the answers are still in the Form)")
        return
    sync_form(ctx, team_id, cycle_id, form)
    if not ctx.dry_run:
        ctx.workspace.set_form_accepting(form.id, False)
        ctx.record("close", form_key(config, team_id, cycle_id), "closed", "thinking map no longer takes answers")
    lead = member_by_id(config, team.lead)
    lead_emails = [str(lead.email).lower()] if lead is not None else []
    principals = [e for e in principal_emails(config) if e not in lead_emails]
    name = f"Thinking map digest — {team.name}, cycle {cycle.id.lstrip('c')}"
    make_doc(ctx, d_key, name, DIGEST_TEMPLATE, lambda: digest_context(ctx, team, cycle), "thinking-maps",
             [(lead_emails, "writer", True), (principals, "commenter", False)],
             f"Your team's thinking maps for cycle {cycle.id.lstrip('c')} are in: plan your 1:1 follow-ups.",
             {"iltbot_team": team.id, "iltbot_cycle": cycle.id})


def cycle_ids_of_semester(year: SchoolYear, semester: str, every: int = 1) -> list[str]:
    """The thinking-map cycles whose end falls in ``semester``."""
    return [c.id for c in year.cycles() if c.semester == semester and (c.index + 1) % max(every, 1) == 0]


__all__ = ["THINKING_MAP", "TM_COLUMNS", "THINKING_MAP_FORM", "TM_DIGEST", "ensure_tm_form", "sync_form",
           "digest_context", "tm_spec", "form_key", "digest_key", "closed_cycles", "cycle_ids_of_semester"]


def sample_digest(config: Config) -> dict[str, Any]:
    """A digest context with every section filled (answers with markup, repeated themes)."""
    ctx = sample_ctx(config)
    team, cycle = sample_team(config), ctx.year.cycles()[0]
    context = digest_context(ctx, team, cycle)
    context["answered"] = 2
    context["respondents"] = ["A teacher"]
    context["groups"][0].update(answers=["Guided <b>reading</b> {{ 7*7 }}", "Guided reading"], count=2,
                                themes=[{"term": "guided reading", "count": 2}])
    context["previous_cycle"] = "1"
    context["repeated_themes"] = [{"term": "guided reading", "now": 2, "before": 1}]
    return context


THINKING_MAP_FORM = Routine("thinking_map", key=form_key, key_form="<school>/thinking-map/<team>/<cycle>",
                            items=form_items, run=thinking_map_item, folder="thinking-maps")
TM_DIGEST = Routine("tm_digest", key=digest_key, key_form="<school>/tm-digest/<team>/<cycle>", items=digest_items,
                    run=tm_digest_item, folder="thinking-maps", template=DIGEST_TEMPLATE, sample_context=sample_digest)
