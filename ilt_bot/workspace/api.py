"""What the jobs may ask of the Workspace gateway: value types and the :class:`WorkspaceAPI` protocol.

The jobs (agenda, feedback, thinking maps, reflections) depend on this module only, never on HTTP,
so they can be tested against the sandbox through the real gateway and read without knowing Google.
Every ``ensure_*`` call is idempotent, keyed by ``iltbot_key`` in the file's Drive appProperties.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal, Protocol

from ilt_bot.workspace.tracker_tabs import TabData

KEY_PROPERTY = "iltbot_key"
"""The appProperties key naming what an artifact is (``cedar/agenda/2026-09-15``)."""

STATE_PROPERTY = "iltbot_state"
"""appProperty: ``building`` from creation until the artifact is finished (Form questions, settings and
publishing, spreadsheet tabs, sharing with its audience, the caller's ``finish``), then ``ready``.
An artifact without it (made by an older version, or a folder) counts as ready."""

Role = Literal["reader", "commenter", "writer"]


CELL_LIMIT = 50_000
"""Google Sheets refuses a cell of more than 50,000 characters (400 "Your input contains more than the maximum
of 50000 characters in a single cell."): one such cell fails the whole write."""


def text_length(text: str) -> int:
    """Characters as Google may count them: UTF-16 code units (an emoji counts two), never fewer than len()."""
    return len(text.encode("utf-16-le")) // 2


def fit_cell(text: str, marker: str = " … [truncated: over Google Sheets' 50,000-character cell limit]") -> str:
    """``text`` if it fits in a Sheets cell, else its beginning followed by ``marker`` (the whole within the limit).

    The gateway applies this to every cell it writes; the jobs call it first with a marker saying where the
    full text is (the Form response), since Sheets cannot hold it.
    """
    if len(text) <= CELL_LIMIT // 2 or text_length(text) <= CELL_LIMIT:
        return text
    room = CELL_LIMIT - text_length(marker)
    kept = text[:room]
    while text_length(kept) > room:  # characters outside the BMP count twice
        kept = kept[: len(kept) - max(1, (text_length(kept) - room) // 2)]
    return kept + marker


@dataclass(frozen=True)
class FileRef:
    """A Drive file the bot made or found."""

    id: str
    name: str
    mime_type: str
    key: str | None = None
    trashed: bool = False
    web_link: str | None = None
    app_properties: dict[str, str] = field(default_factory=dict)
    modified_time: str | None = None


def is_building(ref: FileRef | None) -> bool:
    """Whether ``ref`` was left unfinished (``iltbot_state=building``): its ``ensure_*`` call must run again."""
    return ref is not None and not ref.trashed and ref.app_properties.get(STATE_PROPERTY) == "building"


@dataclass(frozen=True)
class Share:
    """Who gets an artifact when it is made: part of its ``ensure_*`` call, done before it counts as ready.

    ``message`` (a text, or a function of the made file, e.g. to include its link) goes in the
    notification e-mail when ``notify``; ``published_view`` grants Form responder access.
    """

    emails: tuple[str, ...] | list[str]
    role: Role
    notify: bool = False
    message: str | Callable[[FileRef], str] | None = None
    published_view: bool = False

    def message_for(self, ref: FileRef) -> str | None:
        return self.message(ref) if callable(self.message) else self.message


@dataclass(frozen=True)
class RefusedGrant:
    """One person's grant that Google refused (no Google account, sharing to that domain not allowed):
    the artifact was made and shared with everyone else (docs/privacy.md, "When Google refuses a grant")."""

    file_id: str
    key: str | None
    email: str
    role: str
    reason: str
    message: str

    def text(self) -> str:
        """What the Runs tab and ``status`` show: who, why, and the fix."""
        return (f"{self.email} was not given {self.role} access: Google refused it ({self.reason}). Check the "
                "address in config.toml (a typo, a person without a Google account, a domain the Workspace does "
                "not share with); the others have access")


@dataclass(frozen=True)
class Access:
    """One permission on a file, as Drive lists it (``type``: user, group, domain or anyone)."""

    id: str
    type: str
    role: str
    email: str = ""
    domain: str = ""

    def who(self) -> str:
        """``anyone with the link``, ``everyone at <domain>``, or the address."""
        if self.type == "anyone":
            return "anyone with the link"
        if self.type == "domain":
            return f"everyone at {self.domain}"
        return self.email


PRIVATE_SETTINGS = {"writersCanShare": False, "copyRequiresWriterPermission": True}
"""Drive settings of a private artifact (``private=True``): only the bot (its owner) can share it, and people
who may only read or comment cannot download, copy or print it (docs/privacy.md)."""


Finish = Callable[[FileRef], None]
"""A caller's last step for a made artifact (e.g. mark agenda items placed); must be idempotent: it runs
again when a crash left the artifact ``building``."""


@dataclass(frozen=True)
class Ensured:
    """The outcome of an ``ensure_*`` call: the file, and whether this call created it.

    ``trashed`` is True when the artifact exists only in the trash: a person removed it, so the bot
    reports it and does not recreate it.
    """

    file: FileRef
    created: bool

    @property
    def trashed(self) -> bool:
        return self.file.trashed


QuestionKind = Literal["paragraph", "short_text", "radio", "checkbox", "dropdown", "scale"]


@dataclass(frozen=True)
class FormQuestion:
    """One question of a Form; ``ref`` is the bot's stable name for it (used to read answers back)."""

    ref: str
    title: str
    kind: QuestionKind = "paragraph"
    required: bool = False
    description: str = ""
    options: tuple[str, ...] = ()
    scale_low: int = 1
    scale_high: int = 5


@dataclass(frozen=True)
class FormSpec:
    """A Form to create: title, intro and questions; who answers is granted separately."""

    title: str
    description: str = ""
    questions: tuple[FormQuestion, ...] = ()
    collect_emails: bool = False
    """VERIFIED email collection (responses carry respondentEmail) when True."""


@dataclass(frozen=True)
class FormAnswer:
    """One response, with answers keyed by the :attr:`FormQuestion.ref` of each question."""

    response_id: str
    submitted: str
    """lastSubmittedTime, RFC 3339."""
    respondent_email: str | None
    answers: dict[str, list[str]]


@dataclass(frozen=True)
class DocTable:
    """A table read from a Doc: the cell texts of each row (header row first), whitespace trimmed."""

    rows: list[list[str]]

    @property
    def header(self) -> list[str]:
        return self.rows[0] if self.rows else []


@dataclass(frozen=True)
class EventState:
    """What became of a meeting's event, as Calendar shows it now.

    ``state``: ``scheduled`` (as planned), ``moved`` (its start is not the planned one), ``cancelled``
    (deleted in Calendar: a single event or one instance of a series), ``missing`` (gone for good).
    """

    state: str
    event_id: str | None = None
    start: datetime | date | None = None
    html_link: str | None = None
    created: bool = False
    """True when this call made the event."""
    adopted: bool = False
    """True when this call tagged an instance of an existing series as the meeting."""
    event: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class MeetingEvent:
    """A meeting's Calendar event as the bot makes it: title, aware start and end, place, who is invited."""

    summary: str
    start: datetime
    end: datetime
    location: str = ""
    attendees: tuple[str, ...] = ()
    description: str = ""
    time_zone: str | None = None
    """IANA zone written next to the times (how Calendar shows them, and recurring series need one)."""


class CalendarAPI(Protocol):
    """The Calendar v3 operations the jobs use; see :mod:`ilt_bot.workspace.calendar` for the implementation."""

    def meeting_event(self, calendar_id: str, key: str, event: MeetingEvent, *,
                      series: Sequence[EventState] | None = None, dry_run: bool = False,
                      known: dict[str, Any] | None = None) -> EventState:
        """The meeting ``key``'s event: ``known`` (as listed), or found by its key, else the instance of
        ``series`` on its day (adopted), else made; missing members are invited. Cancelled or moved events
        are reported, never restored. With ``dry_run`` nothing is written (a missing event reads ``missing``)."""

    def keyed_events(self, calendar_id: str, prefix: str, time_min: datetime,
                     time_max: datetime) -> dict[str, dict[str, Any]]:
        """Key -> event of the window's events whose ``iltbot_key`` starts with ``prefix`` (one listing)."""

    def instances(self, calendar_id: str, series_id: str, time_min: datetime | None = None,
                  time_max: datetime | None = None) -> list[EventState]:
        """Every instance of a recurring series in the window, cancelled and moved ones included."""

    def attach(self, calendar_id: str, event_id: str, file_id: str, title: str, url: str) -> dict[str, Any]:
        """Attach a Drive file to the event, once."""

    def adopt(self, calendar_id: str, event_id: str, key: str) -> dict[str, Any]:
        """Tag an existing event (or series instance) as the meeting ``key``; returns the event."""


class WorkspaceAPI(Protocol):
    """The gateway's operations; see :mod:`ilt_bot.workspace.gateway` for the implementation."""

    calendar: CalendarAPI | None
    """Calendar v3 for the bot user (same retries, rate limit and counters), or None: ``[calendar]`` is off."""

    def find(self, key: str) -> FileRef | None:
        """The file with ``iltbot_key == key`` (trashed ones included, flagged), or None."""

    def ensure_folder(self, key: str, name: str, parent_id: str) -> Ensured:
        """A folder named ``name`` under ``parent_id``."""

    def ensure_doc_from_html(
        self, key: str, name: str, html: str, folder_id: str, properties: dict[str, str] | None = None,
        *, share: Sequence[Share] = (), finish: Finish | None = None, private: bool = False,
    ) -> Ensured:
        """A Google Doc converted from ``html`` (Drive HTML import) in ``folder_id``; never overwritten.

        With ``share``/``finish`` the Doc is made ``building``, shared, finished, then marked ``ready``; a
        Doc found ``building`` (a crash midway) is finished the same way (``created`` is then True).
        ``private``: made with :data:`PRIVATE_SETTINGS`.
        """

    def ensure_form(
        self, key: str, spec: FormSpec, folder_id: str, properties: dict[str, str] | None = None,
        *, share: Sequence[Share] = (), finish: Finish | None = None,
    ) -> Ensured:
        """A published Form with all of ``spec``'s questions and settings, moved into ``folder_id``, shared.

        A Form left half-made by a crash (no questions, unpublished, not shared) is completed, not duplicated.
        """

    def ensure_spreadsheet(
        self, key: str, name: str, folder_id: str, tabs: dict[str, list[str]],
        *, share: Sequence[Share] = (), finish: Finish | None = None, private: bool = False,
    ) -> Ensured:
        """A spreadsheet with one tab per entry (tab title -> header row), shared; missing tabs are added.

        ``building`` until its tabs, ``share`` and ``finish`` are done; a ``building`` one found is finished.
        ``private``: made with :data:`PRIVATE_SETTINGS`.
        """

    def share(
        self,
        file_id: str,
        emails: list[str],
        role: Role,
        *,
        notify: bool = False,
        message: str | None = None,
        published_view: bool = False,
    ) -> int:
        """Grant ``role`` to each address that lacks it (one HTTP batch); returns how many were added.

        Refuses addresses outside the school's domain unless allowed in config (SharingRefused). An
        address Google refuses fails only its own grant (a :class:`RefusedGrant`, see the gateway's
        ``take_refused_grants``); the others are granted.
        ``published_view`` grants Form responder access (``view: "published"``).
        """

    def unshare(self, file_id: str, emails: list[str]) -> int:
        """Remove the permissions of ``emails`` on the file; returns how many were removed."""

    def bot_files_access(self) -> list[tuple[FileRef, list[Access]]]:
        """Every file the bot made (not trashed) with who has access, in one paged ``files.list``."""

    def remove_access(self, file_id: str, permission_ids: list[str]) -> int:
        """Delete these permissions of the file (one HTTP batch); returns how many."""

    def set_form_accepting(self, form_id: str, accepting: bool) -> None:
        """Open or close a published Form for responses."""

    def form_responder_uri(self, form_id: str) -> str:
        """The link people open to answer the Form."""

    def list_responses(self, form_id: str, since: datetime | None = None) -> list[FormAnswer]:
        """All responses (submitted after ``since``), answers keyed by question ``ref``."""

    def read_rows(self, spreadsheet_id: str, tab: str) -> list[list[str]]:
        """Every row of a tab below its header row, as strings."""

    def replace_text(self, doc_id: str, old: str, new: str) -> int:
        """Replace each exact (case-matched) ``old`` in a Doc by ``new`` (Docs ``replaceAllText``, one atomic
        batchUpdate; a newline in ``new`` starts a paragraph); returns how many were replaced."""

    def read_header(self, spreadsheet_id: str, tab: str) -> list[str]:
        """A tab's header row as people left it (columns they added included)."""

    def append_rows_once(self, spreadsheet_id: str, tab: str, rows: list[list[str]], id_column: int = 0) -> int:
        """Append the rows whose id (``row[id_column]``) is not in the tab yet, RAW, in one call."""

    def upsert_rows(self, spreadsheet_id: str, tab: str, rows: list[list[str]], id_column: int = 0) -> int:
        """Replace rows whose id exists and append the others, in at most two calls; returns rows written."""

    def read_tracker(self, spreadsheet_id: str, tabs: dict[str, list[str]]) -> dict[str, TabData]:
        """Each tab of ``tabs`` (role -> header) found by identity, with its rows, in one read
        (docs/tracker-identity.md); a role missing from the answer is a tab a person deleted."""

    def repair_tracker(self, spreadsheet_id: str, tabs: dict[str, list[str]], found: dict[str, TabData]) -> list[str]:
        """Make the missing tabs, key tabs and columns found by title or header only, add back deleted bot
        columns; returns what was done (one line each)."""

    def append_tab_rows(self, spreadsheet_id: str, tab: TabData, header: list[str], rows: list[list[str]]) -> int:
        """Append rows (values in ``header`` order) into the bot's columns of ``tab``, wherever they are now."""

    def update_tab_cells(self, spreadsheet_id: str, tab: TabData, cells: list[tuple[int, int, str]]) -> int:
        """Write single cells: (row n below the header, column index, text)."""

    def delete_tab_rows(self, spreadsheet_id: str, tab: TabData, row_numbers: list[int]) -> int:
        """Delete rows (n below the header); only under the tracker's lease."""

    def take_lease(self, spreadsheet_id: str, holder: str, expires: str, now: str) -> int | None:
        """The tracker's lease until ``expires`` (ISO time), or None while another run holds it."""

    def drop_lease(self, spreadsheet_id: str, lease: int) -> None:
        """Release a lease :meth:`take_lease` returned."""

    def ensure_column_chart(self, spreadsheet_id: str, tab: str, title: str, domain_column: int,
                            series_columns: list[int], *, anchor_column: int | None = None) -> bool:
        """A column chart titled ``title`` on ``tab``: categories from column ``domain_column``, one series
        per column of ``series_columns`` (0-based; whole columns, row 1 naming the series), top-left at
        row 1, ``anchor_column``. Added once: a chart with that title on the spreadsheet is left as is.
        Returns whether this call added it."""

    def read_doc_tables(self, doc_id: str) -> list[DocTable]:
        """Every table in a Doc as people left it."""

    def export_html(self, file_id: str) -> str:
        """A Doc exported as HTML (for template Docs and for the demo's output folder)."""

    def move_to_folder(self, file_id: str, folder_id: str) -> None:
        """Put a file in ``folder_id`` (and nowhere else)."""

