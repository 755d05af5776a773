"""One School Leader to Senior/Team Lead coaching agreement Doc per lead (routine ``coaching-agreement``).

Key ``<school>/coaching-agreement/<year>/<member>``: at the start of the year, for each member whose role
is ``senior_lead`` or ``team_lead``, a Doc with the non-negotiable expectations of
``school.coaching_agreements`` and a table for those adjusted to the person, plus one revisit row per
semester reflection (the pre-work links it). Ensured until the year's first ILT meeting ends. Shared with
that lead and the principal only; only its owner (the bot) can share it further (docs/privacy.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ilt_bot.jobs import JobContext, date_label
from ilt_bot.jobs.common import active, make_doc, principal_emails
from ilt_bot.keys import school_key
from ilt_bot.routine import Routine, WorkItem, setup_due

if TYPE_CHECKING:
    from ilt_bot.calendar import SchoolYear
    from ilt_bot.config import Config, Member

TEMPLATE = "coaching_agreement.html.j2"
LEAD_ROLES = ("senior_lead", "team_lead")
"""The Senior/Team Leads the first guide asks the school leader to draft agreements with."""


def coaching_agreement_key(config: Config, member: str) -> str:
    """``<school>/coaching-agreement/<year>/<member>``."""
    return school_key(config, "coaching-agreement", config.year.label, member)


def leads(config: Config) -> list[Member]:
    return [m for m in config.members if m.role in LEAD_ROLES]


def agreement_context(config: Config, member: Member) -> dict[str, Any]:
    agreements = config.school.coaching_agreements
    principals = [m.name for m in config.members if m.role == "principal"]
    return {"school": config.school.name, "year": config.year.label, "lead": member.name,
            "leader": " and ".join(principals) or "the school leader",
            "non_negotiable": [a.text for a in agreements if a.kind == "non_negotiable"],
            "adjustable": [a.text for a in agreements if a.kind == "adjustable"],
            "revisits": [{"semester": s.name, "date": date_label(s.reflection_date)} for s in config.year.semesters]}


def agreement_items(config: Config, year: SchoolYear) -> list[WorkItem]:
    """One per lead, due with the year's standing artifacts and ensured until the first ILT meeting ends
    (afterwards a pass makes no call for it, whatever the number of leads)."""
    due = setup_due(config, year)
    meetings = year.meetings()
    until = max(due, meetings[0].end) if meetings else None
    return [WorkItem("coaching-agreement", coaching_agreement_key(config, m.id), due, f"coaching agreement, {m.name}",
                     member=m.id, member_config=m, until=until) for m in leads(config)]


def agreement_run(ctx: JobContext, item: WorkItem) -> None:
    """The lead's agreement, for that lead and the principal only."""
    member = item.member_config
    if not active(ctx, item.until):
        return
    if member is None:
        ctx.skipped(item.key, "no such ILT member in the config")
        return
    own = [str(member.email).lower()]
    principals = [e for e in principal_emails(ctx.config) if e not in own]

    make_doc(ctx, item.key, f"Coaching agreement — {member.name}, {ctx.config.year.label}", TEMPLATE,
             lambda: agreement_context(ctx.config, member), "reflections",
             [(own, "writer", True), (principals, "writer", False)],
             "Our coaching agreement for the year: the non-negotiable expectations, and the ones we adjust to "
             "you. Only you and the school leader can open it; we revisit it at each semester's reflection.",
             {"iltbot_member": member.id}, private=True)


def agreement_link(ctx: JobContext, member: Member) -> str | None:
    """The web link of ``member``'s agreement, if the bot made one (for the pre-work)."""
    found = ctx.find(coaching_agreement_key(ctx.config, member.id))
    return found.web_link if found is not None and not found.trashed else None


def sample_agreement(config: Config) -> dict[str, Any]:
    return agreement_context(config, (leads(config) or config.members)[0])


COACHING_AGREEMENT = Routine("coaching-agreement", key=coaching_agreement_key,
                             key_form="<school>/coaching-agreement/<year>/<member>", items=agreement_items,
                             run=agreement_run, folder="reflections", template=TEMPLATE,
                             sample_context=sample_agreement)
