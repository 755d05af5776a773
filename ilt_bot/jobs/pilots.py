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
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ilt_bot.jobs import DRY_RUN_ID, JobContext
from ilt_bot.jobs.common import folder, member_by_id, team_emails
from ilt_bot.keys import school_key
from ilt_bot.workspace.api import DocTable, FileRef, FormQuestion, FormSpec, Share
from ilt_bot.workspace.errors import SharingRefused

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
    """A feedback Form for each pilot row of the semester's Adjustments table; returns how many exist.

    Each row is its own unit of work, run and reported under its own key (docs/architecture.md, "A tick"):
    a row that fails is recorded as that pilot's error and the next rows still get their Forms.
    """
    rows = [a for a in adjustments(ctx.workspace.read_doc_tables(doc_id)) if a["pilot"]]
    count = 0
    for adjustment in rows:
        if ctx.stopping:
            break
        p_key = pilot_key(ctx.config, semester, adjustment["what"])
        try:
            count += ensure_pilot_form(ctx, semester, adjustment, report) is not None
        except Exception as exc:  # noqa: BLE001 - one pilot row must not stop the others (it is reported by its key)
            ctx.error(p_key, exc)
    return count


def ensure_pilot_form(ctx: JobContext, semester: str, adjustment: dict[str, Any], report: bool) -> FileRef | None:
    """One pilot row's Form, shared with its pilot group; None when there is none (no group, trashed).

    An address of the group that sharing refuses (outside the domain, a typo) fails only that person's
    grant: the Form is finished and shared with everyone else, and the refusal is reported (skipped, naming
    the address and the cell to fix) by every pass of the pilot window. The group is shared with on every
    pass (no-op when done), so an address fixed in the cell gets the Form.
    """
    p_key = pilot_key(ctx.config, semester, adjustment["what"])
    emails = group_emails(ctx.config, adjustment["group"])
    if not emails:
        if report:
            ctx.skipped(p_key, f"no one in the pilot group {adjustment['group']!r} (name a team, a member "
                               "or e-mail addresses); no pilot Form")
        return None
    spec = pilot_spec(ctx.config, adjustment)
    folder_id = folder(ctx, "reflections") if ctx.find(p_key) is None else None

    def message(form: FileRef, what: str = adjustment["what"]) -> str:
        return (f"Thank you for piloting \u201c{what}\u201d: three questions on how it is going. "
                f"{ctx.workspace.form_responder_uri(form.id)}")

    def make(grant: Share) -> Any:
        return lambda: ctx.workspace.ensure_form(p_key, spec, str(folder_id), {"iltbot_semester": semester},
                                                 share=[grant])

    grant = Share(emails, "reader", notify=True, message=message, published_view=True)
    before = len(ctx.report.created)
    try:
        ref = ctx.ensure(p_key, make(grant), what=spec.title)  # shared when made
    except SharingRefused:
        building = ctx.workspace.find(p_key)  # made, and left building by the refused grant
        if building is None:
            raise
        accepted = _share_each(ctx, p_key, building, emails, message, adjustment)
        ctx.files[p_key] = building
        return ctx.ensure(p_key, make(Share(accepted, "reader", notify=True, message=message, published_view=True)),
                          what=spec.title)  # finished: ready, shared with everyone the policy allows
    if ref is None or ref.id == DRY_RUN_ID or ctx.dry_run or len(ctx.report.created) > before:
        return ref
    try:  # a later pass: people the cell names now (one permissions read when nothing changed)
        ctx.workspace.share(ref.id, emails, "reader", notify=True, message=message(ref), published_view=True)
    except SharingRefused:
        _share_each(ctx, p_key, ref, emails, message, adjustment)
    return ref


def _share_each(ctx: JobContext, p_key: str, form: FileRef, emails: list[str],
                message: Callable[[FileRef], str], adjustment: dict[str, Any]) -> list[str]:
    """Share ``form`` address by address; the refused ones are reported; returns the others."""
    accepted = []
    for email in emails:
        try:
            ctx.workspace.share(form.id, [email], "reader", notify=True, message=message(form), published_view=True)
        except SharingRefused as exc:
            ctx.skipped(p_key, f"the pilot group address {email} was refused ({exc}); everyone else in the group "
                               f"has the Form. Fix the address in the \u201cPilot group\u201d cell of "
                               f"\u201c{adjustment['what']}\u201d in the group reflection Doc")
            continue
        accepted.append(email)
    return accepted


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
           "ensure_pilot_form", "results", "PILOT_WINDOW_DAYS"]
