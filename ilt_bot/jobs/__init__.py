"""What every job shares: the pass's :class:`JobContext`, the :class:`TickReport` it builds, small helpers.

A job gets a :class:`JobContext` (config, school year, gateway, the time, dry-run flag, the report
being built, what the pass already found) and works only through
:class:`~ilt_bot.workspace.api.WorkspaceAPI`. Which job runs for which WorkItem is the routine
registry's (``ilt_bot.registry``); keys are built by each routine (docs/architecture.md).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from ilt_bot.errors import RunError
from ilt_bot.workspace.api import Ensured, EventState, FileRef, WorkspaceAPI, is_building

if TYPE_CHECKING:
    from jinja2.sandbox import SandboxedEnvironment

    from ilt_bot.calendar import SchoolYear
    from ilt_bot.config import Config
    from ilt_bot.jobs.tm_responses import ResponseSheet
    from ilt_bot.jobs.tracker import Tracker

log = logging.getLogger("ilt_bot.jobs")

DRY_RUN_ID = "(dry-run)"
"""The file id a dry run pretends a missing artifact has (nothing is created)."""


# --- config helpers -------------------------------------------------------------------------------


def member_emails(config: Config) -> list[str]:
    """The ILT members' addresses, in config order, without duplicates."""
    return list(dict.fromkeys(m.email.lower() for m in config.members))


def member_name(config: Config, member_id_or_email: str | None) -> str:
    """A member's display name from their id or email (the value itself if unknown)."""
    if not member_id_or_email:
        return ""
    wanted = member_id_or_email.lower()
    for member in config.members:
        if wanted in (member.id.lower(), member.email.lower()):
            return member.name
    return member_id_or_email


def feedback_style(config: Config) -> str:
    return config.feedback.style


def collect_emails(config: Config) -> bool:
    return config.feedback.collect_emails


class MissingFolder(RuntimeError):
    """The folder an artifact goes in is gone (in the trash)."""


def resolve(folder: str | Callable[[], str | None] | None) -> str:
    """A folder id given directly or by a function (looked up only when something is made)."""
    value = folder() if callable(folder) else folder
    if not value:
        raise MissingFolder("the bot's root folder is in the trash; restore it so the bot can continue")
    return value


def date_label(day: date) -> str:
    """``Tue Sep 15, 2026`` (no leading zero on the day)."""
    return f"{day:%a} {day:%b} {day.day}, {day.year}"


# --- the tick's report ------------------------------------------------------------------------------


@dataclass
class TickReport:
    """What one reconcile pass did (or, in a dry run, would do)."""

    created: list[str] = field(default_factory=list)
    existing: int = 0
    synced_responses: int = 0
    skipped: list[str] = field(default_factory=list)
    errors: list[RunError] = field(default_factory=list)
    """What failed, typed (kind, key, message, fix, retryable); ``to_dict`` keeps them as text too."""
    actions: list[dict[str, str]] = field(default_factory=list)
    """One entry per action (what the Runs tab gets): action, key, result, detail."""
    dry_run: bool = False

    def to_dict(self) -> dict[str, Any]:
        """The CLI's ``--json`` object."""
        out: dict[str, Any] = {
            "created": list(self.created),
            "existing": self.existing,
            "synced_responses": self.synced_responses,
            "skipped": list(self.skipped),
            "errors": [str(e) for e in self.errors],
            "error_details": [e.to_json() for e in self.errors],
        }
        if self.dry_run:
            out["dry_run"] = True
            out["actions"] = list(self.actions)
        return out


@dataclass
class JobContext:
    """Everything a job needs for one pass."""

    config: Config
    year: SchoolYear
    workspace: WorkspaceAPI
    now: datetime
    dry_run: bool = False
    report: TickReport = field(default_factory=TickReport)
    stop: threading.Event | None = None
    files: dict[str, FileRef | None] = field(default_factory=dict)
    """Files found or made in this pass, by key (None: known missing)."""
    tracker: Tracker | None = None
    """The year's tracker once ensured."""
    tracker_tabs: dict[str, list[str]] = field(default_factory=dict)
    """Every tracker tab (title -> header row): the tracker's own and the registered routines' ``tabs``."""
    first_run: bool = False
    """No tracker was found at the start of the pass: the bot's folders are made too."""
    standing_done: bool = False
    """The standing artifacts (tracker, intake Form) were ensured in this pass."""
    folders: dict[str, str | None] = field(default_factory=dict)
    """Bot folder ids by kind (``root`` too) as found or made in this pass (None: in the trash)."""
    intake_form: FileRef | None = None
    intake_link: str | None = None
    """The intake Form and its responder link, once ensured in this pass."""
    tracker_shared: bool = False
    agendas_done: set[str] = field(default_factory=set)
    """Agenda keys already handled in this pass (the agenda and feedback items share one job)."""
    jinja_env: SandboxedEnvironment | None = None
    """The pass's sandboxed Jinja environment (made on first use)."""
    semester_rows: dict[str, list[list[str]]] | None = None
    """The tracker tabs and thinking-map answers the semester figures use (read once per pass)."""
    tm_sheet: ResponseSheet | None = None
    tm_sheet_known: bool = False
    """The thinking-map answers spreadsheet (None and known: a person trashed it)."""
    tm_legacy_rows: int | None = None
    """Rows found in an earlier version's tracker "Thinking map" tab (None: not checked in this pass)."""
    revisits: dict[str, dict[str, Any] | None] = field(default_factory=dict)
    """A semester's previous adjustments read back, by semester id."""
    calendar_events: dict[str, EventState | Exception] = field(default_factory=dict)
    """Each meeting's Calendar event as read (or made) in this pass, by key, or the error reading it raised."""
    calendar_listing: dict[str, dict[str, Any]] | None = None
    """The school's keyed Calendar events from now to the year's end, listed once per pass (key -> event)."""
    calendar_series: list[EventState] | None = None
    """The instances of the adopted Calendar series (``calendar.series_event_id``), read once per pass."""

    # -- bookkeeping -------------------------------------------------------------------------------

    def record(self, action: str, key: str, result: str = "ok", detail: str = "") -> None:
        """Note one action for the report and the Runs tab."""
        self.report.actions.append({"action": action, "key": key, "result": result, "detail": detail})
        log.info("%s %s %s %s", action, key, result, detail)

    def created(self, key: str, detail: str = "") -> None:
        if key not in self.report.created:
            self.report.created.append(key)
        self.record("would create" if self.dry_run else "create", key, "planned" if self.dry_run else "created", detail)

    def skipped(self, key: str, why: str) -> None:
        text = f"{key}: {why}"
        if text not in self.report.skipped:
            self.report.skipped.append(text)
            self.record("skip", key, "skipped", why)

    def error(self, key: str, exc: BaseException) -> RunError:
        """Record ``exc`` raised while working on ``key`` (:meth:`RunError.from_exception`)."""
        error = RunError.from_exception(key, exc)
        self.report.errors.append(error)
        self.record("error", key, "error", f"{error.kind}: {error.message}"[:500])
        return error

    @property
    def stopping(self) -> bool:
        return bool(self.stop is not None and self.stop.is_set())

    # -- idempotent artifacts ----------------------------------------------------------------------

    def find(self, key: str) -> FileRef | None:
        """``workspace.find`` memoized for this pass."""
        if key not in self.files:
            self.files[key] = self.workspace.find(key)
        return self.files[key]

    def ensure(self, key: str, make: Callable[[], Ensured], *, what: str = "") -> FileRef | None:
        """The artifact ``key``: found, or made by ``make()``; None when a person trashed it.

        In a dry run a missing artifact is reported as to be created and a placeholder is returned.
        An artifact found ``building`` (a crash before it was finished: questions, tabs, sharing) goes
        through ``make()`` again, whose gateway call finishes it without duplicating anything.
        """
        found = self.find(key)
        if found is not None and not (is_building(found) and not self.dry_run):  # a dry run finishes nothing
            if found.trashed:
                self.skipped(key, "in the trash (a person removed it); not recreated")
                return None
            self.report.existing += 1
            return found
        if self.dry_run:
            self.created(key, what)
            placeholder = FileRef(id=DRY_RUN_ID, name=what or key, mime_type="", key=key)
            self.files[key] = placeholder
            return placeholder
        ensured = make()
        self.files[key] = ensured.file
        if ensured.trashed:
            self.skipped(key, "in the trash (a person removed it); not recreated")
            return None
        if ensured.created:
            self.created(key, what)
        else:
            self.report.existing += 1
        return ensured.file


def resume_after(stamps: list[str]) -> datetime | None:
    """Where a response sync resumes: just before the newest submission time already copied.

    The one-second overlap re-reads the last response(s) rather than risk skipping one submitted in the
    same second; rows are keyed by responseId, so the overlap is never copied twice. None (read all) when
    nothing was copied yet or a stamp is unreadable.
    """
    if not stamps:
        return None
    try:
        return datetime.fromisoformat(max(stamps).replace("Z", "+00:00")) - timedelta(seconds=1)
    except ValueError:
        return None
