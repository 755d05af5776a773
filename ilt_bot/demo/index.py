"""``demo-out/index.html``: the demo's year at a glance.

By date, each meeting with its agenda, feedback Form and how many answered; the tracker; each
semester's reflection package; and what each role can open (sign in as them to see their Drive).
Links to the written Docs are relative (they open from the folder); the others point at the sandbox,
so they answer while ``ilt-bot demo --serve`` runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from ilt_bot.calendar import SchoolYear
from ilt_bot.config import Config

if TYPE_CHECKING:
    from ilt_bot.workspace.gateway import Gateway

REFLECTION_KINDS = ("prework", "team_reflection", "stakeholder_survey", "group_reflection", "summary")
"""The plan kinds of a semester's reflection package, in the order they come."""
FORM_KINDS = ("stakeholder_survey",)
STYLE = ("body{font-family:sans-serif;margin:1rem 2rem;max-width:70rem}table{border-collapse:collapse}"
         "th,td{text-align:left;padding:.25rem .7rem;border-bottom:1px solid #ddd;vertical-align:top}"
         ".past{color:#555}")


@dataclass
class Found:
    """A file of the demo: its title, where its written copy is (if a Doc), its sandbox link."""

    title: str
    local: str | None
    link: str | None


class YearIndex:
    """Builds the index page from the config's plan and what the bot made on the sandbox."""

    def __init__(self, config: Config, gateway: Gateway, base_url: str, written: dict[str, str]) -> None:
        self.config = config
        self.gateway = gateway
        self.base_url = base_url.rstrip("/")
        self.written = written
        """Doc id -> the file name it was written to in the output folder."""
        self.year = SchoolYear(config)

    def file(self, key: str) -> Found | None:
        from ilt_bot.sandbox.pages import browser_link

        ref = self.gateway.find(key)
        if ref is None or ref.trashed:
            return None
        link = browser_link(ref.web_link, self.base_url) if ref.web_link else None
        return Found(ref.name, self.written.get(ref.id), link)

    def _link(self, found: Found | None, label: str = "") -> str:
        if found is None:
            return "<td>-</td>"
        text = escape(label or found.title)
        parts = []
        if found.local:
            parts.append(f'<a href="{escape(quote(found.local))}">{text}</a>')
        if found.link:
            parts.append(f'<a href="{escape(found.link)}">{"open in the sandbox" if found.local else text}</a>')
        return "<td>" + " &middot; ".join(parts) + "</td>"

    def _form(self, key: str) -> tuple[str, int]:
        ref = self.gateway.find(key)
        if ref is None or ref.trashed:
            return "<td>-</td>", 0
        count = len(self.gateway.list_responses(ref.id))
        uri = self.gateway.form_responder_uri(ref.id)
        return f'<td><a href="{escape(uri)}">{escape(ref.name)}</a></td>', count

    def meetings(self) -> str:
        from ilt_bot.jobs.agenda import agenda_key
        from ilt_bot.jobs.feedback import feedback_key

        rows = []
        for meeting in self.year.meetings():
            focus = meeting.focus.focus_area if meeting.focus else ""
            form, answered = self._form(feedback_key(self.config, meeting.date))
            rows.append(f"<tr><th scope=\"row\"><time datetime=\"{meeting.date}\">{meeting.date:%a %b %d, %Y}"
                        f"</time></th><td>{escape(meeting.kind)}</td><td>{escape(focus)}</td>"
                        f"{self._link(self.file(agenda_key(self.config, meeting.date)))}{form}"
                        f"<td>{answered}</td></tr>")
        return ("<section><h2>Meetings</h2><table><thead><tr><th scope=\"col\">Date</th><th scope=\"col\">Kind"
                "</th><th scope=\"col\">Focus</th><th scope=\"col\">Agenda</th><th scope=\"col\">Feedback Form</th>"
                "<th scope=\"col\">Answers</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table></section>")

    def tracker(self) -> str:
        from ilt_bot.jobs.intake import intake_key
        from ilt_bot.jobs.tracker import tracker_key

        sheet = self.file(tracker_key(self.config))
        intake, _ = self._form(intake_key(self.config))
        return ("<section><h2>The tracker</h2><table><tbody>"
                f"<tr><th scope=\"row\">Tracker Sheet (feedback, action items, runs)</th>{self._link(sheet)}</tr>"
                f"<tr><th scope=\"row\">Agenda item intake Form</th>{intake}</tr></tbody></table></section>")

    def semesters(self) -> str:
        from ilt_bot.plan import plan

        out = []
        items = [i for i in plan(self.config, self.year) if i.kind in REFLECTION_KINDS]
        for sem in self.config.year.semesters:
            rows = []
            for item in (i for i in items if i.semester == sem.id):
                if item.kind in FORM_KINDS:
                    cell, count = self._form(item.key)
                    cell = cell.replace("</td>", f" ({count} answers)</td>") if count else cell
                else:
                    cell = self._link(self.file(item.key))
                rows.append(f"<tr><td>{item.due:%b %d}</td><td>{escape(item.kind)}</td>"
                            f"<td>{escape(item.target)}</td>{cell}</tr>")
            out.append(f"<h3>{escape(sem.name)}: reflection on {sem.reflection_date:%a %b %d}</h3>"
                       "<table><thead><tr><th scope=\"col\">Due</th><th scope=\"col\">What</th><th scope=\"col\">"
                       "For</th><th scope=\"col\">File</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>")
        return "<section><h2>Reflection packages</h2>" + "".join(out) + "</section>"

    def roles(self, seen: dict[str, int]) -> str:
        """Who can open what: one person per role, how many files they see, a link to sign in as them."""
        rows = []
        for role, email in role_people(self.config):
            target = f"{self.base_url}/_sandbox/login?email={quote(email)}&next={quote('/_sandbox/drive')}"
            rows.append(f"<tr><th scope=\"row\">{escape(role)}</th><td>{escape(email)}</td>"
                        f"<td>{seen.get(email, 0)}</td><td><a href=\"{escape(target)}\">their Drive</a></td></tr>")
        return ("<section><h2>What each role can open</h2><table><thead><tr><th scope=\"col\">Role</th>"
                "<th scope=\"col\">Person</th><th scope=\"col\">Files they can open</th><th scope=\"col\">Sign in as"
                "</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table></section>")

    def page(self, seen: dict[str, int]) -> str:
        title = f"{self.config.school.name}: {self.config.year.label}"
        return ("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
                f"<title>{escape(title)} - ILT Bot demo</title><style>{STYLE}</style></head><body>"
                f"<header><h1>{escape(title)}</h1><p>The year the demo played. Sandbox links answer while "
                "<code>ilt-bot demo --serve</code> runs; the written Docs open from this folder.</p></header>"
                f"<main>{self.meetings()}{self.tracker()}{self.semesters()}{self.roles(seen)}</main></body></html>")


def role_people(config: Config) -> list[tuple[str, str]]:
    """(role, address) of one person per role: each member role, a teacher, a stakeholder."""
    out: list[tuple[str, str]] = []
    roles: set[str] = set()
    for member in config.members:
        if member.role not in roles:
            roles.add(member.role)
            out.append((member.role.replace("_", " "), str(member.email)))
    teachers = [p for team in config.teams for p in team.teachers]
    if teachers:
        out.append(("teacher", str(teachers[0].email)))
    if config.stakeholders.emails:
        out.append(("stakeholder", str(config.stakeholders.emails[0])))
    return out


def files_seen(people: Any, emails: list[str]) -> dict[str, int]:
    """How many files (not folders, not trashed) each person can open, asked as them (Drive API)."""
    out = {}
    for email in emails:
        drive = people.service(email, "drive", "v3").files()
        count, token = 0, None
        while True:
            page = drive.list(q="trashed = false and mimeType != 'application/vnd.google-apps.folder'",
                              pageSize=1000, pageToken=token, fields="nextPageToken,files(id)",
                              supportsAllDrives=True, includeItemsFromAllDrives=True).execute()
            count += len(page.get("files", []))
            token = page.get("nextPageToken")
            if not token:
                break
        out[email] = count
    return out
