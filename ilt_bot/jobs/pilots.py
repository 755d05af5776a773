"""Pilots: the Adjustments table of a group reflection, a feedback Form per pilot, and its results.

After a semester's reflection meeting the ILT fills the Adjustments table of its group reflection Doc
(adjustment, pilot?, pilot group, owner, how feedback is gathered). For the next three weeks each pass
reads that table; every row marked as a pilot gets a short Form ``<school>/pilot/<semester>/<hash of the
adjustment>`` (Reflections folder) sent to the pilot group. The next semester's group reflection opens
with the table read back and each pilot's results ("revisit").

The pilot group is matched against the config: a team (id or name) means its teachers and lead, a
member (name or id) that member, and any e-mail address written in the cell that person.
"""

from __future__ import annotations

import hashlib
import re
from typing import TYPE_CHECKING, Any

from ilt_bot.jobs import DRY_RUN_ID, JobContext
from ilt_bot.jobs.common import folder, member_by_id, team_emails
from ilt_bot.routine import school_key
from ilt_bot.workspace.api import DocTable, FileRef, FormQuestion, FormSpec, Share

if TYPE_CHECKING:
    from ilt_bot.config import Config

ADJUSTMENT_HEADER = ["Adjustment", "Pilot?", "Pilot group", "Owner", "How feedback is gathered"]
YES = {"yes", "y", "x", "pilot", "true", "✓", "✔", "✅", "☑"}
RATING = "How well is this change working for you so far? (1 = not at all, 5 = very well)"
WORKING = "What is working?"
CHANGE = "What should change before we roll it out to everyone?"
PILOT_WINDOW_DAYS = 21
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def _norm(text: str) -> str:
    return " ".join(text.casefold().split())


def adjustments(tables: list[DocTable]) -> list[dict[str, Any]]:
    """The rows of the Doc's Adjustments table as people left them (blank rows dropped)."""
    for table in tables:
        header = [_norm(h).rstrip(":") for h in table.header]
        if not header or not header[0].startswith("adjustment"):
            continue

        def find(*names: str, header: list[str] = header) -> int | None:
            return next((i for i, h in enumerate(header) if any(h.startswith(n) for n in names)), None)

        columns = {"pilot": find("pilot?", "pilot (yes"), "group": find("pilot group", "group"),
                   "owner": find("owner", "who"), "how": find("how feedback", "how")}
        out = []
        for row in table.rows[1:]:
            what = row[0].strip() if row else ""
            if not what:
                continue

            def value(name: str, row: list[str] = row, columns: dict[str, int | None] = columns) -> str:
                index = columns[name]
                return row[index].strip() if index is not None and index < len(row) else ""

            mark = _norm(value("pilot"))
            first = re.findall(r"\w+|[✓✔✅☑]", mark)[:1]
            pilot = bool(first and first[0] in YES) if columns["pilot"] is not None else bool(value("group"))
            out.append({"what": what, "pilot": pilot, "group": value("group"), "owner": value("owner"),
                        "how": value("how")})
        return out
    return []


def pilot_key(config: Config, semester: str, what: str) -> str:
    """``<school>/pilot/<semester>/<hash of the adjustment>``."""
    digest = hashlib.sha256(_norm(what).encode("utf-8")).hexdigest()[:8]
    return school_key(config, "pilot", semester, digest)


def pilot_spec(config: Config, adjustment: dict[str, Any]) -> FormSpec:
    what = adjustment["what"]
    short = what if len(what) <= 80 else what[:77] + "..."
    return FormSpec(
        title=f"Pilot feedback — {short}",
        description=(f"{config.school.name} ILT: you are part of the pilot of \u201c{what}\u201d. "
                     "Your feedback shapes how we roll it out to everyone. Answers are anonymous."),
        questions=(FormQuestion("rating", RATING, kind="scale", required=True, scale_low=1, scale_high=5),
                   FormQuestion("working", WORKING), FormQuestion("change", CHANGE)),
    )


def group_emails(config: Config, *texts: str) -> list[str]:
    """The people a pilot-group (or owner) cell names: teams, members, e-mail addresses."""
    found: dict[str, None] = {}
    for text in texts:
        value = _norm(text)
        if not value:
            continue
        for email in _EMAIL.findall(text):
            found.setdefault(email.lower(), None)
        for team in config.teams:
            if team.id in value or _norm(team.name) in value:
                for email in team_emails(team):
                    found.setdefault(email, None)
                lead = member_by_id(config, team.lead)
                if lead is not None:
                    found.setdefault(str(lead.email).lower(), None)
        for member in config.members:
            if _norm(member.name) in value or member.id in value:
                found.setdefault(str(member.email).lower(), None)
    return list(found)


def ensure_pilot_forms(ctx: JobContext, semester: str, doc_id: str, report: bool = True) -> int:
    """A feedback Form for each pilot row of the semester's Adjustments table; returns how many exist."""
    rows = [a for a in adjustments(ctx.workspace.read_doc_tables(doc_id)) if a["pilot"]]
    count = 0
    for adjustment in rows:
        p_key = pilot_key(ctx.config, semester, adjustment["what"])
        emails = group_emails(ctx.config, adjustment["group"])
        if not emails:
            if report:
                    ctx.skipped(p_key, f"no one in the pilot group {adjustment['group']!r} (name a team, a member "
                                   "or e-mail addresses); no pilot Form")
            continue
        spec = pilot_spec(ctx.config, adjustment)
        folder_id = folder(ctx, "reflections") if ctx.find(p_key) is None else None

        def message(form: FileRef, what: str = adjustment["what"]) -> str:
            return (f"Thank you for piloting \u201c{what}\u201d: three questions on how it is going. "
                    f"{ctx.workspace.form_responder_uri(form.id)}")

        share = [Share(emails, "reader", notify=True, message=message, published_view=True)]
        ref = ctx.ensure(p_key, lambda k=p_key, s=spec, f=folder_id, g=share: ctx.workspace.ensure_form(
            k, s, str(f), {"iltbot_semester": semester}, share=g), what=spec.title)  # shared when made
        if ref is None:
            continue
        count += 1
    return count


def results(ctx: JobContext, semester: str, adjustment: dict[str, Any]) -> dict[str, Any] | None:
    """The pilot Form's answers for an adjustment (None when it is not a pilot or has no Form)."""
    if not adjustment["pilot"]:
        return None
    found = ctx.find(pilot_key(ctx.config, semester, adjustment["what"]))
    if found is None or found.trashed or found.id == DRY_RUN_ID:
        return {"form": False, "responses": 0, "average": None, "working": [], "change": []}
    answers = ctx.workspace.list_responses(found.id)
    ratings = [int(v) for a in answers for v in a.answers.get("rating", []) if str(v).strip().isdigit()]
    return {
        "form": True,
        "responses": len(answers),
        "average": round(sum(ratings) / len(ratings), 1) if ratings else None,
        "working": [v for a in answers for v in a.answers.get("working", []) if v.strip()],
        "change": [v for a in answers for v in a.answers.get("change", []) if v.strip()],
    }


__all__ = ["ADJUSTMENT_HEADER", "adjustments", "pilot_key", "pilot_spec", "group_emails", "ensure_pilot_forms",
           "results", "PILOT_WINDOW_DAYS"]
