"""The team lead's thinking-map digest Doc, once the Forms' window closes (routine ``tm_digest``).

Key ``<school>/tm-digest/<team>/<cycle>``, due ``thinking_map.response_window_days`` after the team's
thinking-map Form went out (:mod:`ilt_bot.jobs.thinking_map`): a last sync, the Form stops taking
answers, and the digest is made for the team's lead (shared with the lead and the principal only):
answers grouped by question, who answered out of the team, themes repeated since the team's previous
thinking map, and a table to plan the 1:1 follow-ups. Not made after ``DIGEST_HORIZON_DAYS``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from ilt_bot.jobs import JobContext, date_label, tm_responses
from ilt_bot.jobs.catchup import report_missed
from ilt_bot.jobs.common import (
    C_ANSWER,
    C_CYCLE,
    C_QUESTION,
    C_RESPONDENT,
    C_RESPONSE,
    C_TEAM,
    anonymous,
    make_doc,
    member_by_id,
    principal_emails,
    questions,
    sample_ctx,
    sample_team,
)
from ilt_bot.jobs.themes import phrase_themes, shared_phrases
from ilt_bot.jobs.thinking_map import (
    daily_checks,
    digest_time,
    form_key,
    send_time,
    send_window_end,
    sync_form,
    tab_rows,
)
from ilt_bot.jobs.tracker import cell
from ilt_bot.keys import school_key
from ilt_bot.routine import Routine, WorkItem, thinking_map_cycles
from ilt_bot.workspace.api import is_building

if TYPE_CHECKING:
    from ilt_bot.calendar import Cycle, SchoolYear
    from ilt_bot.config import Config, Team

DIGEST_TEMPLATE = "tm_digest.html.j2"
DIGEST_HORIZON_DAYS = 14
"""A digest not made within two weeks of its due time is not made any more (the next cycle has begun)."""


def digest_key(config: Config, team: str, cycle: str) -> str:
    """``<school>/tm-digest/<team>/<cycle>``."""
    return school_key(config, "tm-digest", team, cycle)


def digest_items(config: Config, year: SchoolYear) -> list[WorkItem]:
    """One digest per team per thinking-map cycle; not made after ``DIGEST_HORIZON_DAYS`` (``until``)."""
    items = []
    for cycle in thinking_map_cycles(config, year):
        due = digest_time(config, year, cycle)
        items += [WorkItem("tm_digest", digest_key(config, team.id, cycle.id), due, f"team {team.id}, cycle {cycle.id}",
                           team=team.id, cycle=cycle.id, semester=cycle.semester, learning_cycle=cycle,
                           team_config=team, until=due + timedelta(days=DIGEST_HORIZON_DAYS)) for team in config.teams]
    return items


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
                       "themes": phrase_themes(answers)})
    earlier = team_cycles(ctx, team.id, cycle.id)
    previous = earlier[-1] if earlier else None
    previous_answers = [cell(r, C_ANSWER) for r in answers_of(ctx, team.id, previous)] if previous else []
    themes = shared_phrases([cell(r, C_ANSWER) for r in rows], previous_answers) if previous else []
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
    if cycle is not None and form is None:  # no pass sent it before its cycle ended (catch-up)
        report_missed(ctx, form_key(config, team_id, cycle_id), send_time(config, ctx.year, cycle),
                      send_window_end(ctx.year, cycle), f"the thinking map of {team.name}, cycle {cycle_id}")
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
             {"iltbot_team": team.id, "iltbot_cycle": cycle.id}, private=True)


def sample_digest(config: Config) -> dict[str, Any]:
    """A digest context with every section filled (answers with markup, repeated themes)."""
    ctx = sample_ctx(config)
    team, cycle = sample_team(config), ctx.year.cycles()[0]
    context = digest_context(ctx, team, cycle)
    context["answered"] = 2
    context["respondents"] = ["A teacher"]
    context["groups"][0].update(answers=["Guided <b>reading</b> {{ 7*7 }}", "Guided reading"], count=2,
                                themes=[{"theme": "Guided reading", "count": 2,
                                         "examples": ["Guided <b>reading</b> {{ 7*7 }}", "Guided reading"]}])
    context["previous_cycle"] = "1"
    context["repeated_themes"] = [{"term": "guided reading", "now": 2, "before": 1}]
    return context


TM_DIGEST = Routine("tm_digest", key=digest_key, key_form="<school>/tm-digest/<team>/<cycle>", items=digest_items,
                    run=tm_digest_item, folder="thinking-maps", template=DIGEST_TEMPLATE, sample_context=sample_digest)
