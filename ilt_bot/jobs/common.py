"""What the routines' jobs share: their folders, templates, people and sample contexts.

- :func:`active` keeps a pass cheap: an item is worked on from its due time until a horizon, after
  which the job makes no call at all for it (the artifact it was about is history).
- :func:`make_doc` renders a template and ensures the Doc (idempotent by key), shared as part of the ensure.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from jinja2.sandbox import SandboxedEnvironment

from ilt_bot import render
from ilt_bot.calendar import SchoolYear
from ilt_bot.jobs import DRY_RUN_ID, JobContext
from ilt_bot.jobs.folders import ensure_folder
from ilt_bot.jobs.tracker import TABS, tracker_key, tracker_shares
from ilt_bot.workspace.api import FileRef, Share, is_building

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from ilt_bot.config import Config, Member, Team

THINKING_MAP = "Thinking map"
TM_COLUMNS = ["Row ID", "Response ID", "Team", "Cycle", "Submitted", "Respondent", "Question", "Answer"]
"""The thinking-map answers' tab: in their own principal-only spreadsheet (:mod:`ilt_bot.jobs.tm_responses`),
never in the tracker (which the whole ILT reads)."""
C_ROW, C_RESPONSE, C_TEAM, C_CYCLE, C_SUBMITTED, C_RESPONDENT, C_QUESTION, C_ANSWER = range(len(TM_COLUMNS))


def active(ctx: JobContext, until: datetime | None) -> bool:
    """Whether work on an item is still useful at ``ctx.now`` (None: always)."""
    return until is None or ctx.now <= until


def folder(ctx: JobContext, kind: str) -> str | None:
    """The bot folder ``kind`` (``thinking-maps``, ``reflections``), made under the root when missing."""
    return ensure_folder(ctx, kind)


def environment(ctx: JobContext) -> SandboxedEnvironment:
    """The pass's sandboxed Jinja environment (one for every template of the pass)."""
    if ctx.jinja_env is None:
        ctx.jinja_env = render.make_environment(ctx.config, ctx.workspace, base_dir=ctx.config.base_dir)
    return ctx.jinja_env


def school_leaders(config: Config) -> list[str]:
    """The school leader(s) entitled to every team's private artifacts: members with role ``principal``.

    No one else (an assistant principal neither): with no principal in the config, no one but the
    bot and each artifact's own person (the lead, the member) gets them."""
    seen: dict[str, None] = {}
    for m in config.members:
        if m.role == "principal":
            seen.setdefault(str(m.email).lower(), None)
    return list(seen)


def principal_emails(config: Config) -> list[str]:
    """The principal(s) who get a copy of digests, pre-work and team reflections (:func:`school_leaders`)."""
    return school_leaders(config)


def member_by_id(config: Config, member_id: str) -> Member | None:
    return next((m for m in config.members if m.id == member_id), None)


def team_emails(team: Team) -> list[str]:
    return [str(t.email).lower() for t in team.teachers]


def make_doc(
    ctx: JobContext,
    key: str,
    name: str,
    template: str,
    context: dict[str, Any] | Callable[[], dict[str, Any]],
    folder_kind: str,
    shares: list[tuple[list[str], str, bool]],
    message: str,
    properties: dict[str, str] | None = None,
    finish: Callable[[FileRef], None] | None = None,
    *,
    private: bool = False,
) -> FileRef | None:
    """The Doc ``key`` rendered from ``template`` (context or a function making it, called only when
    missing); shared as part of making it: each ``(emails, role, notify)``, then ``finish`` (idempotent) is
    run before it counts as ready. Returns None when trashed.
    ``private``: only the bot can share it, readers cannot copy it (docs/privacy.md).

    A Doc found is never rewritten; one found ``building`` (a crash between making and sharing) is
    finished by the gateway's ensure (whoever already has access gets nothing); in the day's first pass
    a ready Doc's sharing is checked again (people the config adds later)."""
    found = ctx.find(key)
    if found is not None and (not is_building(found) or ctx.dry_run):
        if found.trashed:
            ctx.skipped(key, "in the trash (a person removed it); not recreated")
            return None
        ctx.report.existing += 1
        if first_pass_of_day(ctx) and not ctx.dry_run and found.id != DRY_RUN_ID:
            _share(ctx, found, shares, message)
        return found
    folder_id = folder(ctx, folder_kind)
    if folder_id is None:
        ctx.skipped(key, "the bot's folder is in the trash; restore it to continue")
        return None
    values = context() if callable(context) else context
    html = render.render(template, values, env=environment(ctx))
    if ctx.dry_run:
        ctx.created(key, name)
        ctx.files[key] = FileRef(id=DRY_RUN_ID, name=name, mime_type="", key=key)
        return ctx.files[key]
    ensured = ctx.workspace.ensure_doc_from_html(key, name, html, folder_id, properties,
                                                 share=_grants(shares, message), private=private, finish=finish)
    ctx.files[key] = ensured.file
    if ensured.trashed:
        ctx.skipped(key, "in the trash (a person removed it); not recreated")
        return None
    if not ensured.created:
        ctx.report.existing += 1
        return ensured.file
    ctx.created(key, name)
    return ensured.file


def _grants(shares: list[tuple[list[str], str, bool]], message: str) -> list[Share]:
    """``(emails, role, notify)`` as the gateway's share specs (the notification ends with the Doc's link)."""
    def text(file: FileRef) -> str:
        return f"{message} {file.web_link or ''}".strip()

    return [Share(emails, role, notify=notify, message=text if notify else None)  # type: ignore[arg-type]
            for emails, role, notify in shares if emails]


def _share(ctx: JobContext, file: FileRef, shares: list[tuple[list[str], str, bool]], message: str) -> None:
    for grant in _grants(shares, message):
        ctx.workspace.share(file.id, list(grant.emails), grant.role, notify=grant.notify,
                            message=grant.message_for(file) if grant.notify else None)


def first_pass_of_day(ctx: JobContext) -> bool:
    """Whether this pass is the day's first scheduled one (daily checks and reports happen then only)."""
    schedule = ctx.config.schedule
    local = ctx.now.astimezone(ctx.config.tz)
    start = datetime.combine(local.date(), schedule.start, tzinfo=local.tzinfo)
    return local < start + timedelta(minutes=schedule.every_minutes)


def later(moment: datetime | None, days: int) -> datetime | None:
    return None if moment is None else moment + timedelta(days=days)


def questions(config: Config) -> list[str]:
    """The thinking-map questions (``thinking_map.questions``)."""
    return [str(q) for q in config.thinking_map.questions]


def anonymous(config: Config) -> bool:
    """Thinking maps collect no e-mail unless ``thinking_map.anonymous = false``."""
    return bool(config.thinking_map.anonymous)


def question_ref(index: int) -> str:
    return f"q{index + 1}"


def tracker_rows(ctx: JobContext, tab: str) -> list[list[str]]:
    """A tracker tab's rows (adding the missing tabs first when the tracker predates them)."""
    tracker = ctx.tracker
    if tracker is None:
        return []
    try:
        return tracker.rows(tab)
    except Exception:  # noqa: BLE001 - a tracker made before this tab existed: add the missing tabs, retry
        if ctx.dry_run or not tracker.exists:
            return []
        ctx.workspace.ensure_spreadsheet(tracker_key(ctx.config), "", "", ctx.tracker_tabs or TABS,
                                         share=tracker_shares(ctx))
        return tracker.rows(tab)


def sample_ctx(config: Config) -> JobContext:
    """A pass with no Workspace and an empty tracker, for rendering sample contexts (``ilt-bot check``)."""
    year = SchoolYear(config)
    ctx = JobContext(config=config, year=year, workspace=None, now=year.at(config.year.end, config.schedule.end))  # type: ignore[arg-type]
    ctx.semester_rows = {}
    ctx.tm_sheet, ctx.tm_sheet_known = None, True  # no responses spreadsheet to read
    return ctx


def sample_team(config: Config) -> Team:
    """The first teacher team, or a made-up one when the config has none."""
    if config.teams:
        return config.teams[0]
    from ilt_bot.config import Person, Team

    return Team(id="sample-team", name="Sample team", lead=config.members[0].id,
                teachers=[Person(name="A teacher", email=f"teacher@{config.school.domain}")])
