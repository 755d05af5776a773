"""The Workspace gateway: :class:`Gateway` implements :class:`~ilt_bot.workspace.api.WorkspaceAPI`.

Every ``ensure_*`` finds its artifact by ``iltbot_key`` first and creates only what is missing, so a
rerun makes no writes; an artifact found only in the trash is reported (``Ensured.trashed``) and
never recreated. :func:`connect` picks the backend: the embedded sandbox, a sandbox at a URL
(``workspace.sandbox_url`` or env ``ILT_BOT_SANDBOX_URL``), or Google. ``ILT_BOT_SANDBOX_URL`` never
redirects a ``backend = "google"`` config: it is ignored there, with a warning.
"""

from __future__ import annotations

import functools
import logging
import os
import time
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar

import httplib2

from ilt_bot.config import Config
from ilt_bot.workspace.api import (
    KEY_PROPERTY,
    PRIVATE_SETTINGS,
    STATE_PROPERTY,
    Access,
    DocTable,
    Ensured,
    FileRef,
    Finish,
    FormAnswer,
    FormSpec,
    RefusedGrant,
    Role,
    Share,
)
from ilt_bot.workspace.auth import load_credentials
from ilt_bot.workspace.calendar import CalendarClient
from ilt_bot.workspace.clients import Caller, HttpFactory, Services, build_services, token_request
from ilt_bot.workspace.docs import DocsOps
from ilt_bot.workspace.drive import (
    FILE_FIELDS,
    FOLDER_MIME,
    FORM_MIME,
    SHEET_MIME,
    DriveOps,
    Sharing,
    check_property,
    domain_guard,
    escape_q,
    pick,
    to_ref,
)
from ilt_bot.workspace.errors import WorkspaceError
from ilt_bot.workspace.forms import MAX_APP_PROPERTIES, FormsOps, pack_qmap, question_ids, to_answer, unpack_qmap
from ilt_bot.workspace.gspread_http import gspread_for
from ilt_bot.workspace.ratelimit import RateLimiter, limits_from_quotas, shared_limiter
from ilt_bot.workspace.retry import RetryPolicy
from ilt_bot.workspace.sheets import SheetsOps
from ilt_bot.workspace.tracker_tabs import TabData

log = logging.getLogger(__name__)

T = TypeVar("T")

BUILDING = {STATE_PROPERTY: "building"}
READY = {STATE_PROPERTY: "ready"}

ROLES = ("reader", "commenter", "writer")

FRESH_SECONDS = 30.0
"""How long a lookup by key stands in for the one an ``ensure_*`` would make (same pass, same key)."""
LINK_PROPERTY = "iltbot_link"
"""appProperty of a Form the bot made: its responder link (``responderUri``), when it fits."""


def _counted(method: Callable[..., T]) -> Callable[..., T]:
    """Attribute the HTTP requests made inside a public operation to ``Gateway.operations[name]``."""

    @functools.wraps(method)
    def wrapper(self: Gateway, *args: Any, **kwargs: Any) -> T:
        outer = self._depth == 0
        before = self.caller.total_calls
        self._depth += 1
        try:
            return method(self, *args, **kwargs)
        finally:
            self._depth -= 1
            if outer:
                self.operations[method.__name__] += self.caller.total_calls - before

    return wrapper


class Gateway:
    """Drive, Docs, Forms and Sheets for the bot user, behind the jobs' :class:`WorkspaceAPI`.

    ``calls`` counts HTTP requests by API method id, ``operations`` by gateway operation (``share``,
    ``ensure_form``...), ``total_calls`` all of them.
    """

    def __init__(
        self,
        services: Services,
        *,
        user: str,
        domain: str | None,
        allow_external: list[str] | tuple[str, ...] = (),
        link_sharing: bool = False,
        shared_drive_id: str | None = None,
        policy: RetryPolicy | None = None,
        limiter: RateLimiter | None = None,
        base_url: str | None = None,
        server: Any = None,
    ) -> None:
        self.user = user
        self.domain = domain
        self.allow_external = list(allow_external)
        self.link_sharing = link_sharing
        self.base_url = base_url
        self.server = server
        self.caller = Caller(user=user, policy=policy, limiter=limiter)
        self.drive = DriveOps(self.caller, services.drive, shared_drive_id=shared_drive_id)
        self.docs = DocsOps(self.caller, services.docs)
        self.forms = FormsOps(self.caller, services.forms)
        self.sheets = SheetsOps(self.caller, gspread_for(services, self.caller))
        self.sharing = Sharing(self.drive)
        self.calendar: CalendarClient | None = None
        """Set by :func:`connect` when the config enables ``[calendar]``; shares :attr:`caller`."""
        self.operations: Counter[str] = Counter()
        self._depth = 0
        self._refs: dict[str, dict[str, str]] = {}
        self._responder_uri: dict[str, str] = {}
        self._keys: dict[str, str] = {}
        self._looked_up: dict[str, tuple[float, FileRef | None]] = {}
        self._read_ahead: dict[str, tuple[float, list[dict[str, Any]]]] = {}
        self.new_services: Callable[[], Services] | None = None
        """Builds another set of services for :meth:`fork` (set by :func:`connect`)."""
        self.shared_drive_id = shared_drive_id
        self.refused_grants: list[RefusedGrant] = []
        """Grants Google refused since the last :meth:`take_refused_grants` (each failed only itself)."""

    # --- bookkeeping ---------------------------------------------------------------------------

    @property
    def calls(self) -> Counter[str]:
        """HTTP requests sent so far, by API method id (a batch counts once, as ``drive.batch``)."""
        return self.caller.calls

    @property
    def total_calls(self) -> int:
        return self.caller.total_calls

    def reset_counts(self) -> None:
        self.caller.calls.clear()
        self.caller.units.clear()
        self.operations.clear()

    def take_refused_grants(self) -> list[RefusedGrant]:
        """The grants Google refused since the last call (the tick reports them in the Runs tab)."""
        taken, self.refused_grants = self.refused_grants, []
        return taken

    def close(self) -> None:
        """Stop the embedded sandbox, if this gateway started one."""
        if self.server is not None:
            self.server.stop()
            self.server = None

    def __enter__(self) -> Gateway:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def fork(self) -> Gateway | None:
        """Another gateway for the same user, for another thread (httplib2 is not thread-safe): its own
        connections, the same rate limiter, retry policy, counters and what this one learnt (question maps,
        links, lookups, refused grants). None when this gateway cannot make one."""
        if self.new_services is None:
            return None
        twin = Gateway(self.new_services(), user=self.user, domain=self.domain, allow_external=self.allow_external,
                       link_sharing=self.link_sharing, shared_drive_id=self.shared_drive_id,
                       policy=self.caller.policy, limiter=self.caller.limiter, base_url=self.base_url)
        twin.caller.share_counts(self.caller)
        twin.operations = self.operations
        twin.new_services = self.new_services
        twin._refs, twin._responder_uri, twin._keys = self._refs, self._responder_uri, self._keys
        twin._looked_up, twin._read_ahead = self._looked_up, self._read_ahead
        twin.refused_grants = self.refused_grants
        twin.calendar = self.calendar  # used by the meeting chain alone (jobs/chains.py)
        return twin

    # --- WorkspaceAPI --------------------------------------------------------------------------

    @_counted
    def find(self, key: str) -> FileRef | None:
        """The file with ``iltbot_key == key`` (a live one before a trashed one), or None."""
        return self._remember(self.drive.find(key))

    @_counted
    def find_many(self, keys: Sequence[str]) -> dict[str, FileRef | None]:
        """:meth:`find` for several keys at once: one ``files.list`` per dozen keys or so (``DriveOps.find_many``)."""
        found = self.drive.find_many(list(keys))
        for key, ref in found.items():
            self._remember(ref, key)
        return found

    def _remember(self, ref: FileRef | None, key: str | None = None) -> FileRef | None:
        """Keep what a lookup by key told: a :meth:`find_many` answer for :data:`FRESH_SECONDS` (the
        ``ensure_*`` that follows the pass's lookup does not repeat it), and a Form's question map and responder link
        (appProperties), so reading its answers or its link needs no request of its own."""
        if key is not None:
            self._looked_up[key] = (time.monotonic(), ref)
        if ref is not None and ref.mime_type == FORM_MIME:
            qmap = unpack_qmap(ref.app_properties)
            if qmap:
                self._refs[ref.id] = qmap
            link = ref.app_properties.get(LINK_PROPERTY)
            if link:
                self._responder_uri.setdefault(ref.id, link)
        return ref

    def _find(self, key: str) -> FileRef | None:
        """The ``ensure_*`` lookup: the pass's own lookup of ``key`` if made in the last :data:`FRESH_SECONDS`
        (used once), else a new one. A file another run made meanwhile is caught by :meth:`_settle`."""
        seen = self._looked_up.pop(key, None)
        if seen is not None and time.monotonic() - seen[0] <= FRESH_SECONDS:
            return seen[1]
        return self.drive.find(key)

    @_counted
    def ensure_folder(self, key: str, name: str, parent_id: str) -> Ensured:
        found = self._find(key)
        if found:
            return Ensured(found, created=False)
        return self._settle(key, self.drive.create(key, name, FOLDER_MIME, parent_id))

    @_counted
    def ensure_doc_from_html(
        self, key: str, name: str, html: str, folder_id: str, properties: dict[str, str] | None = None,
        *, share: Sequence[Share] = (), finish: Finish | None = None, private: bool = False,
    ) -> Ensured:
        """The Doc ``key``: found, or imported from ``html``; then finished (see :meth:`_finish`).

        With nothing to finish (no ``share``, no ``finish``, not ``private``) the Doc is made without a state
        (ready as made).
        """
        found = self._find(key)
        if found and not self._building(found):
            return Ensured(found, created=False)
        if found:
            return self._finish(found, share, finish, private=private)
        todo = bool(share) or finish is not None or private
        props = {**(properties or {}), **BUILDING} if todo else properties
        settled = self._settle(key, self.drive.create_doc_from_html(key, name, html, folder_id, props))
        if not settled.created or not todo:
            return settled  # another run made it at the same time: that run (or the next) finishes it
        return self._finish(settled.file, share, finish, private=private)

    @staticmethod
    def _building(found: FileRef) -> bool:
        return not found.trashed and found.app_properties.get(STATE_PROPERTY) == "building"

    def _grant(self, ref: FileRef, share: Sequence[Share]) -> None:
        if ref.key:
            self._keys[ref.id] = ref.key
        for grant in share:
            if grant.emails:
                self.share(ref.id, list(grant.emails), grant.role, notify=grant.notify,
                           message=grant.message_for(ref) if grant.notify else None,
                           published_view=grant.published_view)

    def _finish(self, ref: FileRef, share: Sequence[Share], finish: Finish | None,
                extra: dict[str, str] | None = None, *, private: bool = False) -> Ensured:
        """Share ``ref`` with its audience, run ``finish``, then record ``iltbot_state=ready`` (one files.update,
        with ``extra`` appProperties, and :data:`PRIVATE_SETTINGS` when ``private``). Each step checks its
        effect first (share lists permissions before granting), so a ``building`` artifact left by a crash is
        finished here without duplicating anything. A grant Google refuses does not stop it (see :meth:`share`).
        ``created`` is True: this call made the artifact usable."""
        self._grant(ref, share)
        if finish is not None:
            finish(ref)
        body: dict[str, Any] = {"appProperties": {**READY, **(extra or {})}, **(PRIVATE_SETTINGS if private else {})}
        item = self.drive.update(ref.id, body=body, what=f"Recording {ref.name!r} ({ref.key}) as ready")
        return Ensured(to_ref(item), created=True)

    def _settle(self, key: str, made: dict[str, Any]) -> Ensured:
        """After creating ``made``: if another runner created the same key meanwhile, keep the oldest.

        Two runners started at once (cron on two machines) may both miss the key and both create; each
        then lists the key, and the one whose file is not the oldest trashes its own copy and uses the
        other, so both converge on one artifact. Costs one ``files.list`` per creation.
        """
        live = [f for f in self.drive.find_items(key) if not f.get("trashed")]
        winner = pick(live) or made
        if winner["id"] == made["id"]:
            return Ensured(to_ref(made), created=True)
        log.warning("%s: another run created it at the same time; keeping %s, trashing %s", key, winner["id"],
                    made["id"])
        self.drive.update(made["id"], body={"trashed": True}, what=f"Trashing duplicate {made['id']} of {key}")
        return Ensured(to_ref(winner), created=False)

    @_counted
    def ensure_form(
        self, key: str, spec: FormSpec, folder_id: str, properties: dict[str, str] | None = None,
        *, share: Sequence[Share] = (), finish: Finish | None = None,
    ) -> Ensured:
        """A published Form with ``spec``'s questions in ``folder_id``, shared with ``share``.

        New: forms.create, then Drive (key, folder, ``iltbot_state=building``), one forms.batchUpdate (every
        question, description, settings), setPublishSettings, the grants, ``finish``, then Drive
        (``iltbot_state=ready`` + question map). A Form found by key but not ``ready`` (a crash midway) is
        completed: each step is checked before it is done (questions present, published, permissions
        listed); ``created`` is then True (this call made it usable). So is a keyless Form of the same
        title the bot owns (a create whose answer was lost).
        """
        found = self._find(key)
        if found and (found.trashed or found.app_properties.get(STATE_PROPERTY) == "ready"):
            return Ensured(found, created=False)
        props = {**(properties or {}), KEY_PROPERTY: key, **BUILDING}
        for name, value in props.items():
            check_property(name, value)
        if found:
            form_id, fresh = found.id, False  # already keyed and in its folder: only the rest is checked
        else:
            orphan = self._orphan_form(spec.title)
            if orphan:
                form_id, fresh = orphan, False
            else:
                created = self.forms.create(spec.title, lambda: self._recover_form(spec.title))
                form_id, fresh = created["formId"], "info" in created  # recovered orphans: read first
                if created.get("responderUri"):
                    self._responder_uri[form_id] = created["responderUri"]
            # forms.create puts a new Form in the creator's My Drive root ("root" is Drive's alias for it):
            # no files.get of its parents for a Form this call made.
            self.drive.move(form_id, folder_id, body={"appProperties": props}, parents=["root"] if fresh else None)
            settled = self._settle(key, {"id": form_id, "appProperties": props, "mimeType": FORM_MIME,
                                         "name": spec.title})
            if not settled.created:
                return settled  # another run is building this Form; the next run completes it if needed
        qmap = self.forms.complete(form_id, spec, fresh=fresh)
        link = self._link_property(form_id, MAX_APP_PROPERTIES - len(props))
        packed = {**(pack_qmap(qmap, MAX_APP_PROPERTIES - len(props) - len(link)) or {})}
        if not packed and qmap:
            log.warning("Form %s: question map does not fit in appProperties; answers will be keyed by title",
                        form_id)
        ref = found or FileRef(id=form_id, name=spec.title, mime_type=FORM_MIME, key=key, app_properties=props)
        ensured = self._finish(ref, share, finish, extra={**packed, **link})
        self._refs[form_id] = unpack_qmap(packed)
        return ensured

    def _link_property(self, form_id: str, room: int) -> dict[str, str]:
        """``{iltbot_link: responderUri}`` when this gateway knows the link and it fits (else empty)."""
        link = self._responder_uri.get(form_id)
        if not link or room < 1 or len(LINK_PROPERTY.encode()) + len(link.encode()) > 124:
            return {}
        return {LINK_PROPERTY: link}

    def _orphan_items(self, title: str) -> list[dict[str, Any]]:
        q = f"name = '{escape_q(title)}' and mimeType = '{FORM_MIME}' and 'me' in owners and trashed = false"
        items = self.drive.list_files(q, what=f"Looking for an unfinished Form {title!r}", in_shared_drive=False)
        return [f for f in items if KEY_PROPERTY not in (f.get("appProperties") or {})]

    def _orphan_form(self, title: str) -> str | None:
        item = pick(self._orphan_items(title))
        return item["id"] if item else None

    def _recover_form(self, title: str) -> dict[str, Any] | None:
        form_id = self._orphan_form(title)
        return {"formId": form_id} if form_id else None

    @_counted
    def ensure_spreadsheet(
        self, key: str, name: str, folder_id: str, tabs: dict[str, list[str]],
        *, share: Sequence[Share] = (), finish: Finish | None = None, private: bool = False,
    ) -> Ensured:
        """The spreadsheet ``key`` with every tab of ``tabs`` (missing ones are added, also to a found one).

        New: made ``building``, tabs added, shared, ``finish``, then ``ready`` (one files.update). A
        ``building`` one found (a crash before its tabs or its sharing) is finished the same way.
        """
        found = self._find(key)
        if found and found.trashed:
            return Ensured(found, created=False)
        if found:
            self.sheets.ensure_tabs(found.id, tabs, fresh=False)
            if self._building(found):
                return self._finish(found, share, finish, private=private)
            return Ensured(found, created=False)
        settled = self._settle(key, self.drive.create(key, name, SHEET_MIME, folder_id, dict(BUILDING)))
        if not settled.created:  # the other run is adding the tabs (the next run adds any still missing)
            return settled
        self.sheets.ensure_tabs(settled.file.id, tabs, fresh=True)
        return self._finish(settled.file, share, finish, private=private)

    @_counted
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
        if role not in ROLES:
            raise ValueError(f"role must be one of {ROLES}, not {role!r}")
        allowed = domain_guard(emails, domain=self.domain, allow_external=self.allow_external,
                               link_sharing=self.link_sharing)
        if not allowed:
            return 0
        refused: dict[str, Any] = {}
        added = self.sharing.share(file_id, allowed, role, notify=notify, message=message,
                                   published_view=published_view, refused=refused)
        for email, error in refused.items():
            log.warning("Google refused to share %s with %s (%s); the others have access", file_id, email,
                        error.reason)
            self.refused_grants.append(RefusedGrant(file_id=file_id, key=self._keys.get(file_id), email=email,
                                                    role=role, reason=str(error.reason), message=str(error)))
        return added

    @_counted
    def unshare(self, file_id: str, emails: list[str]) -> int:
        return self.sharing.unshare(file_id, emails)

    @_counted
    def bot_files_access(self) -> list[tuple[FileRef, list[Access]]]:
        return [(to_ref(item), [Access(id=p["id"], type=p.get("type", ""), role=p.get("role", ""),
                                       email=(p.get("emailAddress") or "").lower(), domain=p.get("domain") or "")
                                for p in item.get("permissions") or []])
                for item in self.drive.bot_files_with_permissions()]

    @_counted
    def remove_access(self, file_id: str, permission_ids: list[str]) -> int:
        return self.sharing.remove(file_id, permission_ids)

    @_counted
    def set_form_accepting(self, form_id: str, accepting: bool) -> None:
        self.forms.set_publish(form_id, published=True, accepting=accepting)

    @_counted
    def form_responder_uri(self, form_id: str) -> str:
        if form_id not in self._responder_uri:
            uri = self.forms.get(form_id).get("responderUri")
            if not uri:
                from ilt_bot.workspace.errors import InvalidRequest

                raise InvalidRequest(f"Form {form_id} has no responder link (is it published?).", file_id=form_id)
            self._responder_uri[form_id] = uri
        return self._responder_uri[form_id]

    def _question_refs(self, form_id: str) -> dict[str, str]:
        """questionId -> ref (from the Form's appProperties; question titles when no map was stored)."""
        if form_id not in self._refs:
            props = self.drive.get(form_id, "id,appProperties").get("appProperties") or {}
            refs = unpack_qmap(props)
            if not refs:
                refs = question_ids(self.forms.get(form_id))
            self._refs[form_id] = refs
        return self._refs[form_id]

    @_counted
    def list_responses(self, form_id: str, since: datetime | None = None) -> list[FormAnswer]:
        refs = self._question_refs(form_id)
        read = self._read_ahead.pop(form_id, None)
        if since is None and read is not None and time.monotonic() - read[0] <= FRESH_SECONDS:
            return [to_answer(r, refs) for r in read[1]]
        return [to_answer(r, refs) for r in self.forms.responses(form_id, since)]

    @_counted
    def read_responses_ahead(self, form_ids: Sequence[str]) -> None:
        """Read several Forms' responses in one HTTP batch; the next :meth:`list_responses` of each (within
        :data:`FRESH_SECONDS`, without ``since``) answers from it. A batch that fails changes nothing: each
        Form is then read on its own."""
        wanted = list(dict.fromkeys(form_ids))
        if len(wanted) < 2:
            return
        try:
            pages = self.forms.first_pages(wanted)
        except WorkspaceError as exc:
            log.info("reading %d Forms in one batch failed (%s); reading them one by one", len(wanted), exc)
            return
        now = time.monotonic()
        for form_id, responses in pages.items():
            self._read_ahead[form_id] = (now, responses)

    @_counted
    def read_rows(self, spreadsheet_id: str, tab: str) -> list[list[str]]:
        return self.sheets.read_rows(spreadsheet_id, tab)

    @_counted
    def replace_text(self, doc_id: str, old: str, new: str) -> int:
        reply = self.docs.batch_update(doc_id, [{"replaceAllText": {
            "containsText": {"text": old, "matchCase": True}, "replaceText": new}}])
        replies = reply.get("replies") or [{}]
        return int((replies[0].get("replaceAllText") or {}).get("occurrencesChanged", 0))

    @_counted
    def read_header(self, spreadsheet_id: str, tab: str) -> list[str]:
        return self.sheets.read_header(spreadsheet_id, tab)

    @_counted
    def append_rows_once(self, spreadsheet_id: str, tab: str, rows: list[list[str]], id_column: int = 0) -> int:
        return self.sheets.append_rows_once(spreadsheet_id, tab, rows, id_column)

    @_counted
    def upsert_rows(self, spreadsheet_id: str, tab: str, rows: list[list[str]], id_column: int = 0) -> int:
        return self.sheets.upsert_rows(spreadsheet_id, tab, rows, id_column)

    @_counted
    def read_tracker(self, spreadsheet_id: str, tabs: dict[str, list[str]]) -> dict[str, TabData]:
        return self.sheets.read_tracker(spreadsheet_id, tabs)

    @_counted
    def repair_tracker(self, spreadsheet_id: str, tabs: dict[str, list[str]], found: dict[str, TabData]) -> list[str]:
        return self.sheets.repair_tracker(spreadsheet_id, tabs, found)

    @_counted
    def append_tab_rows(self, spreadsheet_id: str, tab: TabData, header: list[str], rows: list[list[str]]) -> int:
        return self.sheets.append_tab_rows(spreadsheet_id, tab, header, rows)

    @_counted
    def update_tab_cells(self, spreadsheet_id: str, tab: TabData, cells: list[tuple[int, int, str]]) -> int:
        return self.sheets.update_tab_cells(spreadsheet_id, tab, cells)

    @_counted
    def delete_tab_rows(self, spreadsheet_id: str, tab: TabData, row_numbers: list[int]) -> int:
        return self.sheets.delete_tab_rows(spreadsheet_id, tab, row_numbers)

    @_counted
    def take_lease(self, spreadsheet_id: str, holder: str, expires: str, now: str) -> int | None:
        return self.sheets.take_lease(spreadsheet_id, holder, expires, now)

    @_counted
    def drop_lease(self, spreadsheet_id: str, lease: int) -> None:
        self.sheets.drop_lease(spreadsheet_id, lease)

    @_counted
    def ensure_column_chart(self, spreadsheet_id: str, tab: str, title: str, domain_column: int,
                            series_columns: list[int], *, anchor_column: int | None = None) -> bool:
        return self.sheets.ensure_column_chart(spreadsheet_id, tab, title, domain_column, series_columns,
                                               anchor_column=anchor_column)

    @_counted
    def read_doc_tables(self, doc_id: str) -> list[DocTable]:
        return self.docs.read_tables(doc_id)

    @_counted
    def export_html(self, file_id: str) -> str:
        data = self.drive.export(file_id, "text/html")
        return data.decode("utf-8") if isinstance(data, bytes) else str(data)

    @_counted
    def set_app_properties(self, file_id: str, properties: dict[str, str]) -> FileRef:
        """Merge ``properties`` into the file's appProperties (one files.update; Drive merges by name)."""
        for name, value in properties.items():
            check_property(name, value)
        return to_ref(self.drive.update(file_id, body={"appProperties": properties},
                                        what=f"Recording {', '.join(properties)} on file {file_id}"))

    @_counted
    def move_to_folder(self, file_id: str, folder_id: str) -> None:
        self.drive.move(file_id, folder_id)

    # --- extras (not in the protocol) ----------------------------------------------------------

    @_counted
    def edit_doc(self, doc_id: str, requests: list[dict[str, Any]]) -> dict[str, Any]:
        """Docs edits in one atomic batchUpdate, refused if people edited the Doc meanwhile (see DocsOps)."""
        return self.docs.batch_update(doc_id, requests)

    def get_file(self, file_id: str) -> FileRef:
        """Any file by id (for preflight checks and tests)."""
        return to_ref(self.drive.get(file_id, FILE_FIELDS))


def _default_limiter(config: Config, *, sandbox: bool) -> RateLimiter:
    """Google's per-minute limits (or ``workspace.quotas``), shared by the process's gateways.

    On a sandbox backend the limiter is off unless ``workspace.quotas`` is set: the sandbox enforces
    no quotas by default, and the demo compresses a school year into minutes.
    """
    limits = limits_from_quotas(config.workspace.quotas)
    if sandbox and not limits:
        return RateLimiter(enabled=False)
    return shared_limiter(limits)


SANDBOX_URL_ENV = "ILT_BOT_SANDBOX_URL"


def sandbox_url_from_env(config: Config) -> str | None:
    """``ILT_BOT_SANDBOX_URL`` for a sandbox config; for a ``google`` one None, with a warning (docs/privacy.md)."""
    url = os.environ.get(SANDBOX_URL_ENV)
    if url and config.workspace.backend == "google":
        log.warning("%s is set but workspace.backend is \"google\": ignoring it, the bot works on Google. "
                    "Unset it (it is only for sandbox configs).", SANDBOX_URL_ENV)
        return None
    return url or None


def connect(
    config: Config,
    *,
    policy: RetryPolicy | None = None,
    limiter: RateLimiter | None = None,
    http_factory: HttpFactory | None = None,
) -> Gateway:
    """A :class:`Gateway` for ``config``: on a sandbox backend env ``ILT_BOT_SANDBOX_URL`` wins, then
    ``workspace.backend``; a ``google`` backend always goes to Google (the variable is ignored, with a warning).

    On the sandbox backends the bot uses the sandbox's own tokens for ``workspace.bot_user``; real
    credentials (``workspace.auth``) are a config error there, and the transport seam refuses to send
    any (``ilt_bot/workspace/transport.py``). A gateway is for one thread at a time (httplib2 is not
    thread-safe); the rate limiter is shared and thread-safe.
    """
    env_url = sandbox_url_from_env(config)
    backend = config.workspace.backend
    server = None
    url: str | None = None
    if env_url:
        url = env_url.rstrip("/")
    elif backend == "sandbox":
        from ilt_bot.workspace.embedded import start_embedded

        server, url = start_embedded(config)
    elif backend == "sandbox_url":
        url = str(config.workspace.sandbox_url).rstrip("/")
    if http_factory is None:
        if url:
            from ilt_bot.workspace.transport import sandbox_http

            def http_factory() -> httplib2.Http:
                return sandbox_http(url)
        else:
            def http_factory() -> httplib2.Http:
                return httplib2.Http(timeout=60)
    try:
        if env_url:
            from ilt_bot.sandbox.identity import sandbox_credentials

            creds = sandbox_credentials(config.workspace.bot_user)
        else:
            creds = load_credentials(config, sandbox=url is not None, request=token_request(http_factory))
        services = build_services(creds, http_factory)
    except BaseException:
        if server is not None:
            server.stop()
        raise
    gateway = Gateway(
        services,
        user=config.workspace.bot_user,
        domain=config.school.domain,
        allow_external=[*config.sharing.allow_external, *config.school.secondary_domains],
        link_sharing=config.sharing.link_sharing,
        shared_drive_id=config.drive.shared_drive_id,
        policy=policy,
        limiter=limiter or _default_limiter(config, sandbox=url is not None),
        base_url=url,
        server=server,
    )
    gateway.new_services = functools.partial(build_services, creds, http_factory)
    if config.calendar.enabled:
        gateway.calendar = CalendarClient(creds, http_factory, caller=gateway.caller)
    return gateway
