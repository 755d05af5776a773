"""Each team lead's team reflection Doc for the semester (routine ``team_reflection``).

Key ``<school>/team-reflection/<semester>/<team>``, due ``lead_times.team_reflection_days`` before the
team reflection date: the team's SLOs, the semester's thinking maps (that team's answers, unattributed),
prompts and protocol; shared with that lead and the principal only.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from ilt_bot.jobs import JobContext, date_label
from ilt_bot.jobs import semester_data as data
from ilt_bot.jobs.common import THINKING_MAP, make_doc, member_by_id, principal_emails, questions, sample_team
from ilt_bot.jobs.reflection import closed_cycles, common_context, sample_semester, semester_of, snapshot
from ilt_bot.jobs.tracker import cell
from ilt_bot.keys import school_key
from ilt_bot.routine import Routine, WorkItem, morning

if TYPE_CHECKING:
    from ilt_bot.calendar import SchoolYear
    from ilt_bot.config import Config, Semester, Team


def team_reflection_key(config: Config, semester: str, team: str) -> str:
    """``<school>/team-reflection/<semester>/<team>``."""
    return school_key(config, "team-reflection", semester, team)


def team_reflection_context(ctx: JobContext, semester: Semester, team: Team) -> dict[str, Any]:
    rows = snapshot(ctx)
    per_team = data.thinking_maps(rows, ctx.config, ctx.year, semester, THINKING_MAP, closed_cycles(ctx))
    tm = next(t for t in per_team if t["id"] == team.id)
    cycles = {c["cycle"] for c in tm["cycles"]}
    answers = []
    for question in questions(ctx.config):
        texts = [cell(r, 7) for r in rows.get(THINKING_MAP, [])
                 if cell(r, 2) == team.id and cell(r, 3).lstrip("c") in cycles and cell(r, 6) == question
                 and cell(r, 7).strip()]
        answers.append({"question": question, "answers": texts})
    lead = member_by_id(ctx.config, team.lead)
    day = semester.team_reflection_date or semester.reflection_date
    return {**common_context(ctx, semester),
            "team": {"name": team.name, "lead": lead.name if lead else team.lead, "slos": [str(s) for s in team.slos],
                     "size": len(team.teachers), "teachers": [t.name for t in team.teachers],
                     "reflection": date_label(day)},
            "tm": tm, "tm_answers": answers}


def team_reflection_item(ctx: JobContext, item: WorkItem) -> None:
    """The team's reflection Doc for its lead (and the principal)."""
    semester = semester_of(ctx, item)
    day = semester.team_reflection_date or semester.reflection_date
    if ctx.now.date() > day:
        return
    t_key, team = item.key, item.team_config
    if team is None:
        ctx.skipped(t_key, "no such team in the config")
        return
    lead = member_by_id(ctx.config, team.lead)
    own = [str(lead.email).lower()] if lead is not None else []
    principals = [e for e in principal_emails(ctx.config) if e not in own]
    make_doc(ctx, t_key, f"Team reflection — {team.name}, {semester.name}", "team_reflection.html.j2",
             lambda: team_reflection_context(ctx, semester, team), "reflections",
             [(own, "writer", True), (principals, "commenter", False)],
             f"Your team's {semester.name} reflection is ready to prepare with your team.",
             {"iltbot_semester": semester.id, "iltbot_team": team.id}, private=True)


def sample_team_reflection(config: Config) -> dict[str, Any]:
    ctx, semester = sample_semester(config)
    context = team_reflection_context(ctx, semester, sample_team(config))
    context["tm"]["themes"] = [{"theme": "guided reading", "count": 2}]
    if context["tm_answers"]:
        context["tm_answers"][0]["answers"] = ["Planning together"]
    return context


def team_reflection_items(config: Config, year: SchoolYear) -> list[WorkItem]:
    items = []
    for semester in year.semesters():
        day = semester.team_reflection_date or year.reflection_meeting(semester).date
        due = morning(config, year, day - timedelta(days=config.lead_times.team_reflection_days))
        items += [WorkItem("team_reflection", team_reflection_key(config, semester.id, t.id), due,
                           f"team {t.id}, {semester.id}", semester=semester.id, team=t.id, meeting_date=day,
                           term=semester, team_config=t) for t in config.teams]
    return items


TEAM_REFLECTION = Routine("team_reflection", key=team_reflection_key,
                          key_form="<school>/team-reflection/<semester>/<team>", items=team_reflection_items,
                          run=team_reflection_item, folder="reflections", template="team_reflection.html.j2",
                          sample_context=sample_team_reflection)
