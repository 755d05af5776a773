"""The contract between the sandbox's HTTP layer and its per-API modules.

Each API package (``drive``, ``docs``, ``forms``, ``sheets``) keeps its rules in ``models.py`` (pure
functions over the :class:`~ilt_bot.sandbox.store.Store`) and its request handling in
``responses.py``, where every handler is registered under its discovery method id::

    @implements("drive.files.get")
    def files_get(call: Call) -> Result | dict: ...

The server (``server.py``) routes an HTTP request to a method id using the discovery documents,
validates the query and JSON body against them, builds a :class:`Call` and runs the handler inside
one store transaction. A handler returns a JSON-able ``dict`` (status 200) or a :class:`Result`,
or raises :class:`ApiError`, which the server renders in the API's own error style.
"""

from __future__ import annotations

import secrets
import string
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ilt_bot.sandbox.store import Store

ADMIN = "sandbox-admin"
"""The user name of the super admin (``Authorization: Bearer sandbox-admin``)."""

FOLDER_MIME = "application/vnd.google-apps.folder"
DOC_MIME = "application/vnd.google-apps.document"
FORM_MIME = "application/vnd.google-apps.form"
SHEET_MIME = "application/vnd.google-apps.spreadsheet"

_ID_ALPHABET = string.ascii_letters + string.digits + "-_"


def new_id(length: int = 44, prefix: str = "1") -> str:
    """A random id shaped like Google's (Drive files: 33 or 44 chars of [A-Za-z0-9_-])."""
    return prefix + "".join(secrets.choice(_ID_ALPHABET) for _ in range(length - len(prefix)))


def rfc3339(moment: datetime) -> str:
    """Google's timestamp format: ``2026-09-15T12:00:00.000Z``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


@dataclass
class Media:
    """The media part of an upload (multipart, resumable or simple)."""

    content_type: str
    data: bytes


@dataclass
class Call:
    """One API call as a handler sees it, after routing, authentication and validation."""

    method_id: str
    user: str
    """Email of the acting user, or :data:`ADMIN`."""
    path_params: dict[str, str]
    query: dict[str, Any]
    """Query parameters converted to their discovery types (bool, int, str, list for repeated)."""
    body: Any
    media: Media | None
    store: Store
    base_url: str
    """Where this sandbox is reachable, e.g. ``http://127.0.0.1:8765`` (for responderUri, links)."""
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def is_admin(self) -> bool:
        return self.user == ADMIN

    def param(self, name: str, default: Any = None) -> Any:
        """A path parameter, else a query parameter, else ``default``."""
        if name in self.path_params:
            return self.path_params[name]
        return self.query.get(name, default)


@dataclass
class Result:
    """A handler's answer when a plain 200 JSON dict is not enough."""

    body: Any = None
    status: int = 200
    content_type: str = "application/json; charset=UTF-8"
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None
    """Bytes sent as is (exports, HTML pages); ``body`` is ignored when set."""


class ApiError(Exception):
    """An error answer, rendered by the server in the calling API's style.

    Drive v3 style: ``{"error": {"code", "message", "errors": [{"domain", "reason", "message",
    "locationType"?, "location"?}]}}``. Docs/Forms/Sheets style: ``{"error": {"code", "message",
    "status", "details"?}}``. Give ``reason`` (Drive) and ``status`` (others) so either renders.
    """

    STATUS_BY_CODE = {
        400: "INVALID_ARGUMENT",
        401: "UNAUTHENTICATED",
        403: "PERMISSION_DENIED",
        404: "NOT_FOUND",
        409: "ALREADY_EXISTS",
        429: "RESOURCE_EXHAUSTED",
        500: "INTERNAL",
        501: "UNIMPLEMENTED",
        503: "UNAVAILABLE",
    }
    REASON_BY_CODE = {
        400: "badRequest",
        401: "authError",
        403: "forbidden",
        404: "notFound",
        429: "rateLimitExceeded",
        500: "internalError",
        501: "notImplemented",
        503: "backendError",
    }

    def __init__(
        self,
        code: int,
        message: str,
        *,
        reason: str | None = None,
        status: str | None = None,
        domain: str = "global",
        location: str | None = None,
        location_type: str | None = None,
        details: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.reason = reason or self.REASON_BY_CODE.get(code, "unknown")
        self.status = status or self.STATUS_BY_CODE.get(code, "UNKNOWN")
        self.domain = domain
        self.location = location
        self.location_type = location_type
        self.details = details
        self.headers = headers or {}

    def drive_body(self) -> dict[str, Any]:
        """Drive v3's error body."""
        item: dict[str, Any] = {"message": self.message, "domain": self.domain, "reason": self.reason}
        if self.location_type:
            item["locationType"] = self.location_type
        if self.location:
            item["location"] = self.location
        return {"error": {"code": self.code, "message": self.message, "errors": [item]}}

    def google_body(self) -> dict[str, Any]:
        """The general error body (Docs, Forms, Sheets, OAuth-style APIs)."""
        error: dict[str, Any] = {"code": self.code, "message": self.message, "status": self.status}
        if self.details:
            error["details"] = self.details
        return {"error": error}


Handler = Callable[[Call], "Result | dict[str, Any] | None"]

HANDLERS: dict[str, Handler] = {}
"""Every implemented API method, by discovery method id (``drive.files.create``)."""


def implements(method_id: str) -> Callable[[Handler], Handler]:
    """Register ``handler`` as the implementation of ``method_id``."""

    def register(handler: Handler) -> Handler:
        if method_id in HANDLERS:
            raise RuntimeError(f"{method_id} is implemented twice")
        HANDLERS[method_id] = handler
        return handler

    return register


@dataclass
class ContentKind:
    """How Drive treats the content of one Google mime type (owned by that type's API package).

    Drive calls these hooks so that it never needs to know what a Doc, Form or Sheet contains.
    """

    mime_type: str
    create_empty: Callable[[Store, str, str], None]
    """(store, file_id, title): a new, empty item (files.create with this mimeType and no media)."""
    import_media: Callable[[Store, str, str, Media], None] | None = None
    """(store, file_id, title, media): converting an upload (e.g. text/html into a Doc)."""
    export: Callable[[Store, str, str], bytes] | None = None
    """(store, file_id, mime_type) -> bytes for files.export; raise ApiError for unsupported types."""
    copy: Callable[[Store, str, str, str], None] | None = None
    """(store, source_id, new_id, new_title) for files.copy."""
    delete: Callable[[Store, str], None] | None = None
    """(store, file_id) when the file is deleted for good."""
    rename: Callable[[Store, str, str], None] | None = None
    """(store, file_id, new_title) when Drive renames the file (keeps document title in step)."""
    export_formats: tuple[str, ...] = ()
    text: Callable[[Store, str], str] | None = None
    """(store, file_id) -> the item's words, which Drive's ``fullText contains`` searches."""


CONTENT_KINDS: dict[str, ContentKind] = {}


def register_content_kind(kind: ContentKind) -> None:
    """Let Drive create, convert, export, copy and delete items of ``kind.mime_type``."""
    CONTENT_KINDS[kind.mime_type] = kind


@dataclass
class PageRequest:
    """A browser request to one of the sandbox's human pages (Drive listing, Doc view, Form page)."""

    method: str
    user: str | None
    """Signed-in user (session cookie from /_sandbox/login, or a bearer header), None if anonymous."""
    path_params: dict[str, str]
    args: dict[str, str]
    form: dict[str, list[str]]
    """Submitted form fields (POST), every value of each field."""
    store: Store
    base_url: str
    now: datetime = field(default_factory=lambda: datetime.now(UTC))


PageHandler = Callable[[PageRequest], Result]

PAGES: list[tuple[str, tuple[str, ...], PageHandler]] = []
"""Human pages as (werkzeug rule, methods, handler), e.g. ``/forms/d/e/<form_id>/viewform``."""


def page(rule: str, methods: tuple[str, ...] = ("GET",)) -> Callable[[PageHandler], PageHandler]:
    """Register a browser page at ``rule`` (werkzeug routing syntax)."""

    def register(handler: PageHandler) -> PageHandler:
        PAGES.append((rule, methods, handler))
        return handler

    return register


def html_page(html: str, status: int = 200) -> Result:
    """A :class:`Result` carrying an HTML page."""
    return Result(status=status, content_type="text/html; charset=utf-8", raw=html.encode("utf-8"))
