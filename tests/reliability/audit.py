"""An independent auditor of what the bot left in a sandbox Workspace.

It recounts everything from the sandbox itself, as the super admin, through the real Google clients
(Drive v3, Forms v1, Sheets v4): never from the bot's own bookkeeping (its report, its memo, the
Runs tab). It checks that

- every expected artifact key exists exactly once among the live files (``appProperties.iltbot_key``,
  trashed files excluded), and that no key exists twice;
- every Form the bot made has its questions and is published (``iltbot_state`` ready), and no
  keyless Form of the bot's is left behind (a half-made Form after a crash);
- every response in the Forms store is in the tracker exactly once (by responseId): the Feedback tab
  for meeting Forms, the Agenda items tab (``intake:<responseId>``) for the intake Form;
- no tracker row points at a response the Forms store does not have;
- every permission on every artifact is exactly as configured (who may read, respond, write) and no
  artifact is open to anyone, a whole domain, or someone outside the school.

``audit(server, config, expected=...)`` returns an :class:`AuditReport`; ``report.problems`` is
empty when all holds.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ilt_bot.sandbox.core import ADMIN

FORM_MIME = "application/vnd.google-apps.form"
SHEET_MIME = "application/vnd.google-apps.spreadsheet"
KEY = "iltbot_key"
STATE = "iltbot_state"

ARTIFACT_KINDS = ("agenda", "feedback", "intake", "tracker", "thinking-map", "tm-responses", "tm-digest", "prework",
                  "team-reflection", "reflection", "summary", "stakeholder", "qualities", "vision-input",
                  "peer-observation", "coaching-agreement", "kickoff")
"""Key kinds (``<school>/<kind>/...``) of the artifacts people use (folders aside)."""

PLAN_KIND_TO_KEY_KIND = {
    "folder": "folder", "tracker": "tracker", "intake_form": "intake", "agenda": "agenda",
    "feedback_form": "feedback", "thinking_map": "thinking-map", "tm_digest": "tm-digest",
    "stakeholder_survey": "stakeholder", "prework": "prework", "team_reflection": "team-reflection",
    "group_reflection": "reflection", "summary": "summary", "qualities": "qualities", "vision-input": "vision-input",
    "peer-observation": "peer-observation", "coaching-agreement": "coaching-agreement", "kickoff": "kickoff",
}
ARTIFACT_PLAN_KINDS = frozenset(PLAN_KIND_TO_KEY_KIND)


# --- the access policy ---------------------------------------------------------------------------

Grant = tuple[str, str, str]
"""(email, role, view): ``view`` is ``published`` for a Form's responders, else ``""``."""


def kind_of(key: str) -> str:
    parts = key.split("/")
    return parts[1] if len(parts) > 1 else key


def members(config: Any) -> list[str]:
    return sorted({str(m.email).lower() for m in config.members})


def team_of(config: Any, key: str) -> Any:
    for team in config.teams:
        if f"/{team.id}" in key:
            return team
    return None


def principals(config: Any) -> list[str]:
    return sorted({str(m.email).lower() for m in config.members if m.role == "principal"})


def _people(*groups: tuple[Iterable[str], str]) -> dict[str, str]:
    """email -> the highest role among the groups (Drive keeps one permission per person)."""
    rank = {"reader": 0, "commenter": 1, "writer": 2}
    out: dict[str, str] = {}
    for emails, role in groups:
        for email in emails:
            email = email.lower()
            if email not in out or rank[role] > rank[out[email]]:
                out[email] = role
    return out


def expected_grants(config: Any, key: str) -> set[Grant] | None:
    """Who the config says may use artifact ``key`` (besides the bot, its owner); None: no policy known.

    The policy (docs/privacy.md, the routines' docstrings): the ILT edits its agendas, the
    tracker, the group reflection and the summary, and answers the meeting and intake Forms; a team's
    teachers answer its thinking-map Form; the lead edits the digest and the team reflection, the
    principal comments; each member edits their own pre-work, the principal comments; stakeholders
    answer the survey; the raw thinking-map answers (``tm-responses``) are the principal's to read only;
    folders are the bot's alone. The guides' routines: the ILT answers the qualities and vision-input
    Forms; a peer-observation note is its pair's only; a coaching agreement is its lead's and the
    principal's (both edit); the kick-off is this year's ILT's and next year's newcomers' to edit.
    """
    kind = kind_of(key)
    ilt = members(config)
    parts = key.split("/")
    team = team_of(config, key)
    lead = [str(config.member(team.lead).email)] if team is not None and team.lead else []
    if kind == "folder":
        return set()
    if kind in ("agenda", "tracker", "reflection", "summary"):
        return {(e, "writer", "") for e in ilt}
    if kind == "kickoff":
        return {(e, "writer", "") for e in sorted({*ilt, *(str(p).lower() for p in config.practice.next_year_ilt)})}
    if kind == "peer-observation" and len(parts) >= 4:
        return {(str(config.member(i).email).lower(), "writer", "") for i in parts[3].split("+")}
    if kind == "coaching-agreement" and len(parts) >= 4:
        return {(e, "writer", "") for e in {*principals(config), str(config.member(parts[3]).email).lower()}}
    if kind in ("feedback", "intake", "qualities", "vision-input"):
        return {(e, "reader", "published") for e in ilt}
    if kind == "tm-responses":  # teachers' raw answers: the principal reads, no one else
        return {(e, "reader", "") for e in principals(config)}
    if kind == "thinking-map" and team is not None:
        return {(str(t.email).lower(), "reader", "published") for t in team.teachers}
    if kind == "stakeholder":
        return {(str(e).lower(), "reader", "published") for e in config.stakeholders.emails}
    if kind in ("tm-digest", "team-reflection") and team is not None:
        return {(e, r, "") for e, r in _people((principals(config), "commenter"), (lead, "writer")).items()}
    if kind == "prework" and len(parts) >= 4:
        own = [str(config.member(parts[3]).email)]
        return {(e, r, "") for e, r in _people((principals(config), "commenter"), (own, "writer")).items()}
    return None


def _grants(permissions: Iterable[dict[str, Any]], owner: str) -> tuple[set[Grant], list[str]]:
    """The user grants of a file (the owner left out) and the wide ones (anyone / domain / group)."""
    grants: set[Grant] = set()
    wide: list[str] = []
    for p in permissions:
        kind, role = p.get("type"), p.get("role")
        if kind == "user":
            email = str(p.get("emailAddress", "")).lower()
            if role == "owner" and email == owner:
                continue
            grants.add((email, str(role), str(p.get("view") or "")))
        else:
            wide.append(f"{kind}:{p.get('domain') or p.get('emailAddress') or ''}:{role}")
    return grants, wide


# --- the report ----------------------------------------------------------------------------------


@dataclass
class AuditReport:
    """What the audit counted and what it found wrong (``problems`` empty: all guarantees hold)."""

    artifacts: int = 0
    """Live files carrying an ``iltbot_key``."""
    expected: int = 0
    forms: int = 0
    responses: int = 0
    """Responses in the Forms store (every Form of the bot's)."""
    tracker_rows: int = 0
    """Tracker rows that carry a response id (Feedback + intake rows of Agenda items)."""
    permissions: int = 0
    """Permissions examined."""
    duplicates: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    lost_responses: list[str] = field(default_factory=list)
    duplicated_rows: list[str] = field(default_factory=list)
    phantom_rows: list[str] = field(default_factory=list)
    broken_forms: list[str] = field(default_factory=list)
    broken_artifacts: list[str] = field(default_factory=list)
    """Other artifacts left incomplete (a tracker without its tabs)."""
    permission_problems: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    """Live keys not in ``expected`` (reported, not a failure: the bot may be ahead of the list)."""
    responses_by_form: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    """key -> the Forms store's responses (for callers comparing with what people believe they sent)."""

    @property
    def problems(self) -> list[str]:
        out = []
        out += [f"duplicate artifact: {k}" for k in self.duplicates]
        out += [f"missing artifact: {k}" for k in self.missing]
        out += [f"response not in the tracker: {r}" for r in self.lost_responses]
        out += [f"response in the tracker more than once: {r}" for r in self.duplicated_rows]
        out += [f"tracker row for no response: {r}" for r in self.phantom_rows]
        out += [f"half-made Form: {f}" for f in self.broken_forms]
        out += [f"incomplete: {a}" for a in self.broken_artifacts]
        out += [f"permission: {p}" for p in self.permission_problems]
        return out

    def figures(self) -> dict[str, int]:
        return {
            "artifacts": self.artifacts, "expected": self.expected, "forms": self.forms,
            "responses": self.responses, "tracker_response_rows": self.tracker_rows,
            "permissions": self.permissions, "duplicates": len(self.duplicates) + len(self.duplicated_rows),
            "missing": len(self.missing), "responses_lost": len(self.lost_responses),
            "broken_forms": len(self.broken_forms), "broken_artifacts": len(self.broken_artifacts),
            "permission_problems": len(self.permission_problems),
        }


# --- reading the sandbox as the admin ------------------------------------------------------------


class AdminView:
    """The sandbox read as the super admin through the real clients."""

    def __init__(self, sandbox: Any) -> None:
        from google_auth_httplib2 import AuthorizedHttp
        from googleapiclient.discovery import build

        from ilt_bot.sandbox.identity import sandbox_credentials
        from ilt_bot.workspace.transport import sandbox_http

        url = sandbox if isinstance(sandbox, str) else sandbox.url

        def service(api: str, version: str) -> Any:
            http = AuthorizedHttp(sandbox_credentials(ADMIN), http=sandbox_http(url))
            return build(api, version, http=http, static_discovery=True, cache_discovery=False)

        self.drive = service("drive", "v3")
        self.forms = service("forms", "v1")
        self.sheets = service("sheets", "v4")

    def files(self) -> list[dict[str, Any]]:
        out, token = [], None
        while True:
            page = self.drive.files().list(
                q="trashed = false", pageSize=1000, pageToken=token, supportsAllDrives=True,
                includeItemsFromAllDrives=True,
                fields="nextPageToken, files(id, name, mimeType, appProperties, trashed, owners(emailAddress))",
            ).execute()
            out += page.get("files", [])
            token = page.get("nextPageToken")
            if not token:
                return out

    def permissions(self, file_id: str) -> list[dict[str, Any]]:
        out, token = [], None
        while True:
            page = self.drive.permissions().list(
                fileId=file_id, pageToken=token, supportsAllDrives=True, includePermissionsForView="published",
                fields="nextPageToken, permissions(id, type, role, emailAddress, domain, view)",
            ).execute()
            out += page.get("permissions", [])
            token = page.get("nextPageToken")
            if not token:
                return out

    def responses(self, form_id: str) -> list[dict[str, Any]]:
        out, token = [], None
        while True:
            page = self.forms.forms().responses().list(formId=form_id, pageToken=token).execute()
            out += page.get("responses", [])
            token = page.get("nextPageToken")
            if not token:
                return out

    def column(self, spreadsheet_id: str, tab: str, column: str = "A") -> list[str]:
        """Column ``column`` of ``tab`` below the header, as stored (FORMULA render: no evaluation)."""
        answer = self.sheets.spreadsheets().values().get(
            spreadsheetId=spreadsheet_id, range=f"'{tab}'!{column}2:{column}", valueRenderOption="FORMULA",
        ).execute()
        return [str(row[0]) if row else "" for row in answer.get("values", [])]

    def grid(self, spreadsheet_id: str, tab: str) -> list[list[dict[str, Any]]]:
        """The tab's cells with their ``userEnteredValue`` (to tell a formula from text)."""
        answer = self.sheets.spreadsheets().get(spreadsheetId=spreadsheet_id, ranges=[f"'{tab}'"],
                                                includeGridData=True).execute()
        rows: list[list[dict[str, Any]]] = []
        for sheet in answer.get("sheets", []):
            for data in sheet.get("data", []):
                for row in data.get("rowData", []):
                    rows.append(row.get("values", []))
        return rows


# --- the audit -----------------------------------------------------------------------------------


def expected_keys(config: Any, start: datetime, end: datetime, handled: Iterable[str] | None = None) -> set[str]:
    """The artifact keys a bot ticking regularly from ``start`` to ``end`` must have made.

    Every WorkItem of the plan due by ``end`` whose kind makes an artifact and has a job (``handled``:
    the plan kinds of the registered routines, default ``ilt_bot.registry.kinds()``); an agenda (and its
    Form) only when its meeting is not over at ``start``. Plus the bot's own root folder (the other
    folders are made lazily by what needs them; they are still checked for duplicates).
    """
    from ilt_bot import plan
    from ilt_bot.calendar import SchoolYear
    from ilt_bot.registry import kinds as registered_kinds

    kinds = set(handled if handled is not None else registered_kinds()) & ARTIFACT_PLAN_KINDS
    year = SchoolYear(config)
    keys = {f"{config.school.id}/folder/root"} if not config.drive.root_folder_id else set()
    for item in plan.due_items(config, year, end):
        if item.kind not in kinds:
            continue
        if item.kind == "stakeholder_survey" and not config.stakeholders.emails:
            continue  # no one to ask
        if item.kind in ("agenda", "feedback_form") and item.meeting_date is not None \
                and item.meeting_date < start.date():
            continue
        keys.add(item.key)
    return keys


def audit(sandbox: Any, config: Any, expected: Iterable[str] = (), *, bot: str | None = None) -> AuditReport:
    """Recount the sandbox (as the admin) against ``expected`` keys and ``config``'s access policy."""
    view = AdminView(sandbox)
    bot = (bot or str(config.workspace.bot_user)).lower()
    report = AuditReport()
    expected = set(expected)
    report.expected = len(expected)

    files = view.files()
    by_key: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for f in files:
        key = (f.get("appProperties") or {}).get(KEY)
        if key:
            by_key[key].append(f)
    report.artifacts = sum(len(v) for v in by_key.values())
    report.duplicates = sorted(k for k, v in by_key.items() if len(v) > 1)
    report.missing = sorted(k for k in expected if k not in by_key)
    report.unexpected = sorted(k for k in by_key if expected and k not in expected)

    # Half-made Forms: a keyless Form owned by the bot, or a keyed one not finished.
    for f in files:
        if f["mimeType"] != FORM_MIME:
            continue
        owners = {str(o.get("emailAddress", "")).lower() for o in f.get("owners", [])}
        props = f.get("appProperties") or {}
        if KEY not in props and bot in owners:
            report.broken_forms.append(f"{f['id']} {f.get('name')!r}: the bot's Form without a key")
    for key, found in sorted(by_key.items()):
        for f in found:
            if f["mimeType"] != FORM_MIME:
                continue
            report.forms += 1
            form = view.forms.forms().get(formId=f["id"]).execute()
            questions = [i for i in form.get("items", []) if "questionItem" in i or "questionGroupItem" in i]
            published = form.get("publishSettings", {}).get("publishState", {}).get("isPublished")
            state = (f.get("appProperties") or {}).get(STATE)
            if not questions or not published or state != "ready" or not form.get("responderUri"):
                report.broken_forms.append(f"{key} ({f['id']}): {len(questions)} questions, published={published},"
                                           f" {STATE}={state}")

    _audit_responses(view, config, by_key, report)
    _audit_permissions(view, config, by_key, bot, report)
    return report


def _response_tabs() -> dict[str, tuple[str, str, str]]:
    """Form kind -> (the spreadsheet's key kind, its tab, how rows name the response): ``id`` (column A is
    the responseId), ``intake`` (``intake:<responseId>``) or ``per-answer`` (column A
    ``<responseId>#<question>``, B the id). Thinking-map answers live in their own principal-only
    spreadsheet (``tm-responses``), the rest in the tracker. A per-answer tab may not exist before its
    first answer: then its responses count as lost."""
    from ilt_bot.jobs.common import THINKING_MAP
    from ilt_bot.jobs.semester_data import STAKEHOLDER
    from ilt_bot.jobs.tracker import AGENDA_ITEMS, FEEDBACK

    return {"feedback": ("tracker", FEEDBACK, "id"), "intake": ("tracker", AGENDA_ITEMS, "intake"),
            "thinking-map": ("tm-responses", THINKING_MAP, "per-answer"),
            "stakeholder": ("tracker", STAKEHOLDER, "per-answer")}


Reader = Callable[..., list[str]]


def _reader(view: AdminView, sheet_kind: str, sheet: dict[str, Any], report: AuditReport) -> Reader:
    """``read(tab, column="A", required=True)``: a column of the sheet; an unreadable required tab is reported."""
    from googleapiclient.errors import HttpError

    def read(tab: str, column: str = "A", required: bool = True) -> list[str]:
        try:
            return view.column(sheet["id"], tab, column)
        except HttpError as error:
            if not required:  # a tab made with its first row: its absence loses nothing by itself
                return []
            problem = f"{sheet_kind} {sheet['id']}: tab {tab!r} unreadable ({error.resp.status})"
            if problem not in report.broken_artifacts:
                report.broken_artifacts.append(problem)
            return []

    return read


def _count_rows(read: Reader, sheet_kind: str, tabs: dict[str, tuple[str, str, str]],
                found: dict[str, Counter[str]], report: AuditReport) -> None:
    """Count the response ids one spreadsheet's tabs hold; note rows written twice."""
    from ilt_bot.jobs.tracker import ACTION_ITEMS, MEETINGS

    for kind, (where, tab, style) in tabs.items():
        if where != sheet_kind:
            continue
        ids = read(tab, required=style != "per-answer")
        if style == "id":
            found[kind].update(i for i in ids if i)
        elif style == "intake":
            found[kind].update(i.removeprefix("intake:") for i in ids if i.startswith("intake:"))
        else:  # one row per answer: each row id once; the response counted once if it has rows
            found[kind].update(set(read(tab, "B", required=False)) - {""})
        report.duplicated_rows += [f"{tab} row {i} x{n}" for i, n in sorted(Counter(ids).items())
                                   if i and n > 1 and style != "id"]
    if sheet_kind == "tracker":
        for tab in (MEETINGS, ACTION_ITEMS):
            report.duplicated_rows += [f"{tab} row {i} x{n}" for i, n in sorted(Counter(read(tab)).items())
                                       if i and n > 1]


def _stored_responses(view: AdminView, by_key: dict[str, list[dict[str, Any]]], kinds: Iterable[str],
                      report: AuditReport) -> dict[str, set[str]]:
    """The response ids each kind of Form holds (as the admin reads them)."""
    stored: dict[str, set[str]] = {kind: set() for kind in kinds}
    for key, files in sorted(by_key.items()):
        kind = kind_of(key)
        if kind not in stored:
            continue
        for f in files:
            responses = view.responses(f["id"])
            report.responses_by_form[key] = responses
            report.responses += len(responses)
            stored[kind].update(r["responseId"] for r in responses)
    return stored


def _audit_responses(view: AdminView, config: Any, by_key: dict[str, list[dict[str, Any]]],
                     report: AuditReport) -> None:
    tabs = _response_tabs()
    sheets = [(kind_of(k), f) for k, v in by_key.items() if kind_of(k) in ("tracker", "tm-responses") for f in v]
    found: dict[str, Counter[str]] = {kind: Counter() for kind in tabs}
    for sheet_kind, sheet in sheets:
        _count_rows(_reader(view, sheet_kind, sheet, report), sheet_kind, tabs, found, report)
    report.tracker_rows = sum(sum(c.values()) for c in found.values())
    stored = _stored_responses(view, by_key, tabs, report)
    for kind, ids in found.items():
        for rid in sorted(stored[kind]):
            if ids[rid] == 0:
                report.lost_responses.append(f"{kind} {rid}")
            elif ids[rid] > 1:
                report.duplicated_rows.append(f"{kind} {rid} x{ids[rid]}")
        report.phantom_rows += [f"{kind} {rid}" for rid in sorted(ids) if rid not in stored[kind]]


def _audit_permissions(view: AdminView, config: Any, by_key: dict[str, list[dict[str, Any]]], bot: str,
                       report: AuditReport) -> None:
    domain = str(config.school.domain).lower()
    for key, found in sorted(by_key.items()):
        want = expected_grants(config, key)
        for f in found:
            perms = view.permissions(f["id"])
            report.permissions += len(perms)
            owners = [p for p in perms if p.get("role") == "owner"]
            if [str(p.get("emailAddress", "")).lower() for p in owners] != [bot]:
                report.permission_problems.append(f"{key}: owner is {[p.get('emailAddress') for p in owners]}")
            grants, wide = _grants(perms, bot)
            if wide and not config.sharing.link_sharing:
                report.permission_problems.append(f"{key}: open beyond named people: {wide}")
            outside = sorted(e for e, _r, _v in grants
                             if not e.endswith("@" + domain) and not config.sharing.allows(e))
            if outside:
                report.permission_problems.append(f"{key}: shared outside {domain}: {outside}")
            if want is None:
                continue
            if grants != want:
                extra, lacking = sorted(grants - want), sorted(want - grants)
                report.permission_problems.append(f"{key}: extra {extra}, lacking {lacking}")
