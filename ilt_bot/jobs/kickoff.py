"""The spring kick-off of next year's ILT: the preliminary meeting's agenda and working Doc (routine
``kickoff``).

Key ``<school>/kickoff/<nextyear>`` (``cedar/kickoff/2027-28``), made ``practice.kickoff_days`` before the
year's last regular ILT meeting: relationships, the ILT vision, purpose and goals statement (this year's
as the starting draft), norms and commitments, the characteristics of an effective ILT member and team
(with this year's qualities synthesis), and messaging practice. Shared as editor with this year's ILT
and ``practice.next_year_ilt`` (docs/guides.md).
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from ilt_bot.jobs import JobContext, date_label, member_emails
from ilt_bot.jobs.common import make_doc
from ilt_bot.jobs.qualities import sample_synthesis, synthesis
from ilt_bot.keys import school_key
from ilt_bot.routine import Routine, WorkItem, prepared

if TYPE_CHECKING:
    from ilt_bot.calendar import Meeting, SchoolYear
    from ilt_bot.config import Config

TEMPLATE = "kickoff.html.j2"


def next_year_label(config: Config) -> str:
    """The label after ``year.label``: ``2026-27`` -> ``2027-28``."""
    first = int(config.year.label[:4]) + 1
    return f"{first}-{(first + 1) % 100:02d}"


def kickoff_key(config: Config) -> str:
    """``<school>/kickoff/<nextyear>``."""
    return school_key(config, "kickoff", next_year_label(config))


def last_meeting(year: SchoolYear) -> Meeting | None:
    regular = [m for m in year.meetings() if m.kind == "regular"]
    return regular[-1] if regular else None


def kickoff_items(config: Config, year: SchoolYear) -> list[WorkItem]:
    meeting = last_meeting(year)
    if meeting is None:
        return []
    due = prepared(config, year, meeting, config.practice.kickoff_days)
    return [WorkItem("kickoff", kickoff_key(config), due, f"kick-off of the {next_year_label(config)} ILT",
                     meeting_date=meeting.date, meeting=meeting, until=meeting.end + timedelta(days=30))]


def kickoff_context(config: Config, meeting: Meeting, qualities: dict[str, Any]) -> dict[str, Any]:
    school = config.school
    return {"school": school.name, "next_year": next_year_label(config), "year": config.year.label,
            "meeting": date_label(meeting.date), "vision": school.vision.strip(),
            "ilt_vision": school.ilt_vision.strip(), "norms": list(school.norms),
            "goals": [g.text for g in school.uip_goals], "qualities": qualities,
            "newcomers": list(config.practice.next_year_ilt)}


def kickoff_run(ctx: JobContext, item: WorkItem) -> None:
    """The kick-off Doc, for this year's ILT and next year's newcomers."""
    meeting = item.meeting
    if meeting is None or ctx.now > (item.until or meeting.end):
        return
    config = ctx.config
    people = list(dict.fromkeys([*member_emails(config), *(str(e).lower() for e in config.practice.next_year_ilt)]))
    make_doc(ctx, item.key, f"Next year's ILT kick-off — {next_year_label(config)}", TEMPLATE,
             lambda: kickoff_context(config, meeting, synthesis(ctx)), "agendas", [(people, "writer", True)],
             f"Next year's ILT ({next_year_label(config)}) meets to set its vision, norms and expectations. "
             "This is our working Doc: add to it before we meet.", {"iltbot_year": next_year_label(config)})


def sample_kickoff(config: Config) -> dict[str, Any]:
    from ilt_bot.calendar import SchoolYear

    meeting = last_meeting(SchoolYear(config)) or SchoolYear(config).meetings()[-1]
    return kickoff_context(config, meeting, sample_synthesis(config))


KICKOFF = Routine("kickoff", key=kickoff_key, key_form="<school>/kickoff/<nextyear>", items=kickoff_items,
                  run=kickoff_run, folder="agendas", template=TEMPLATE, sample_context=sample_kickoff)
