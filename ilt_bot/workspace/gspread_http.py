"""gspread 6 over the gateway's one request path: rate limited, counted, errors typed, retried by the one policy.

:class:`GatewayHTTPClient` replaces gspread's :class:`~gspread.http_client.HTTPClient` transport
method. Each request is named by its discovery method id (``sheets.spreadsheets.values.append``),
matched from the method and URL against the static discovery documents, and sent through
:meth:`Caller.execute` exactly like a googleapiclient request: the same rate limiter buckets, the
same ``calls``/``units`` counters, the same :class:`~ilt_bot.workspace.errors.WorkspaceError` types
(never gspread's ``APIError``, whose text carries the raw response).

Retries: inside :meth:`GatewayHTTPClient.scope` a request is one attempt (the gateway's Sheets
operations retry around it with ``RetryPolicy.call`` / ``RetryPolicy.once``, re-reading ids before
re-sending an append). Outside a scope, idempotent requests (reads, ``values.update``,
``values.batchUpdate``...) are retried by the same policy; other writes (``values.append``,
``spreadsheets.batchUpdate``, creates) are sent once, never re-sent blindly. requests itself never
re-sends a request whose connection dropped (its adapters run with ``max_retries=0``).
"""

from __future__ import annotations

import functools
import json
import re
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import googleapiclient
import gspread
import requests
from gspread.http_client import HTTPClient

from ilt_bot.workspace.clients import Caller
from ilt_bot.workspace.errors import Unavailable, WorkspaceError, from_http_error, scrub
from ilt_bot.workspace.retry import TRANSPORT_ERRORS

_DOCUMENTS = Path(googleapiclient.__file__).parent / "discovery_cache" / "documents"

IDEMPOTENT_POSTS = frozenset({
    "sheets.spreadsheets.values.batchUpdate",
    "sheets.spreadsheets.values.batchUpdateByDataFilter",
    "sheets.spreadsheets.values.clear",
    "sheets.spreadsheets.values.batchClear",
    "sheets.spreadsheets.values.batchClearByDataFilter",
    "sheets.spreadsheets.values.batchGetByDataFilter",
    "sheets.spreadsheets.getByDataFilter",
    "sheets.spreadsheets.developerMetadata.search",
})
"""POSTs that may be sent twice with the same effect (the rest are retried only with a lookup first)."""

_IDEMPOTENT_VERBS = frozenset({"GET", "HEAD", "OPTIONS", "PUT"})


@dataclass(frozen=True)
class _Route:
    method_id: str
    verb: str
    pattern: re.Pattern[str]
    file_param: str | None


@functools.cache
def _routes() -> tuple[_Route, ...]:
    """(verb, URL path regex) -> method id for Sheets v4 and Drive v3, most literal paths first."""
    routes: list[tuple[int, int, _Route]] = []
    for name in ("sheets.v4", "drive.v3"):
        doc = json.loads((_DOCUMENTS / f"{name}.json").read_text(encoding="utf-8"))
        host = urlsplit(doc["rootUrl"]).hostname or ""
        prefix = urlsplit(doc["rootUrl"]).path + doc.get("servicePath", "")

        def walk(resource: Mapping[str, Any], host: str = host, prefix: str = prefix) -> None:
            for method in resource.get("methods", {}).values():
                template = prefix + method.get("flatPath", method["path"])
                params = re.findall(r"\{\+?(\w+)\}", template)
                file_param = next((p for p in ("spreadsheetId", "fileId") if p in params), None)
                regex = ""
                for part in re.split(r"(\{\+?\w+\})", template):
                    if not part.startswith("{"):
                        regex += re.escape(part)
                    else:  # capture the file id for error messages
                        regex += "(?P<file>[^/]+)" if part.strip("{+}") == file_param else "[^/]+"
                pattern = re.compile(re.escape(host) + regex + r"\Z")
                route = _Route(method["id"], method["httpMethod"].upper(), pattern, file_param)
                routes.append((template.count("{"), -len(template), route))
            for child in resource.get("resources", {}).values():
                walk(child)

        walk(doc)
    return tuple(r for _, _, r in sorted(routes, key=lambda t: (t[0], t[1])))


def method_of(verb: str, url: str) -> tuple[str, str | None]:
    """``(discovery method id, file id)`` of a Google API request, e.g. ``sheets.spreadsheets.values.get``.

    Unknown URLs give ``<api>.unknown`` (rate limited as a write).
    """
    parts = urlsplit(url)
    target = (parts.hostname or "") + parts.path
    verb = verb.upper()
    for route in _routes():
        if route.verb != verb:
            continue
        found = route.pattern.match(target)
        if found:
            file_id = found.groupdict().get("file")
            return route.method_id, requests.utils.unquote(file_id) if file_id else None
    api = "sheets" if (parts.hostname or "").startswith("sheets.") else "drive"
    return f"{api}.unknown", None


def is_idempotent(verb: str, method_id: str) -> bool:
    """Whether sending the request twice has the effect of sending it once."""
    return verb.upper() in _IDEMPOTENT_VERBS or method_id in IDEMPOTENT_POSTS


class _Answer:
    """A requests response seen as the ``resp`` of a googleapiclient ``HttpError`` (status, headers)."""

    def __init__(self, response: requests.Response) -> None:
        self.status = response.status_code
        self._headers = response.headers

    def get(self, name: str, default: Any = None) -> Any:
        return self._headers.get(name, default)


class _Failure:
    """What :func:`from_http_error` reads from an error: ``resp`` and ``content``."""

    def __init__(self, response: requests.Response) -> None:
        self.resp = _Answer(response)
        self.content = response.content


class _Attempt:
    """One gspread request, shaped like a googleapiclient request for :meth:`Caller.execute`."""

    def __init__(self, client: GatewayHTTPClient, verb: str, url: str, kwargs: dict[str, Any], method_id: str,
                 what: str, file_id: str | None) -> None:
        self.client, self.verb, self.url, self.kwargs = client, verb, url, kwargs
        self.methodId = method_id  # the attribute name Caller.execute reads
        self.what, self.file_id = what, file_id

    def execute(self, num_retries: int = 0) -> requests.Response:
        failure: OSError | None = None
        try:
            response = self.client.session.request(method=self.verb, url=self.url, timeout=self.client.timeout,
                                                   **self.kwargs)
        except requests.Timeout as error:
            failure = TimeoutError(f"no answer in time ({type(error).__name__})")
        except requests.RequestException as error:
            failure = ConnectionError(scrub(f"connection failed ({type(error).__name__})"))
        if failure is not None:
            # Raised outside the except block: requests' exception (which holds the prepared request and its
            # Authorization header) is not kept as the context of the error.
            raise failure
        if response.ok:
            return response
        raise from_http_error(_Failure(response), operation=self.what, file_id=self.file_id,
                              user=self.client.caller.user)


class GatewayHTTPClient(HTTPClient):
    """gspread's HTTP client, sending through a :class:`Caller` (build it with :func:`gspread_client`)."""

    def __init__(self, auth: Any, session: requests.Session | None = None, *, caller: Caller) -> None:
        super().__init__(auth, session)
        self.caller = caller
        self._local = threading.local()

    @contextmanager
    def scope(self, what: str, file_id: str | None = None) -> Iterator[None]:
        """Inside: every request is one attempt described as ``what`` (the caller retries around it)."""
        previous = getattr(self._local, "scope", None)
        self._local.scope = (what, file_id)
        try:
            yield
        finally:
            self._local.scope = previous

    def request(
        self,
        method: str,
        endpoint: str,
        params: Any = None,
        data: bytes | None = None,
        json: Mapping[str, Any] | None = None,
        files: Any = None,
        headers: Any = None,
    ) -> requests.Response:
        """Send one gspread request through the gateway's limiter, counters, typed errors and retry policy."""
        verb = method.upper()
        method_id, file_id = method_of(verb, endpoint)
        kwargs = {"params": params, "data": data, "json": json, "files": files, "headers": headers}
        scope = getattr(self._local, "scope", None)
        if scope is not None:
            what, scoped_file = scope
            attempt = _Attempt(self, verb, endpoint, kwargs, method_id, what, scoped_file or file_id)
            return self.caller.execute(attempt, what=what, file_id=scoped_file or file_id)
        what = f"{method_id}" + (f" on file {file_id}" if file_id else "")
        attempt = _Attempt(self, verb, endpoint, kwargs, method_id, what, file_id)

        def send() -> requests.Response:
            return self.caller.execute(attempt, what=what, file_id=file_id)

        if is_idempotent(verb, method_id):
            return self.caller.policy.call(send, what=what)
        try:
            return send()
        except TRANSPORT_ERRORS as error:
            if isinstance(error, WorkspaceError):
                raise
            raise Unavailable(f"{what} failed: no answer from Google ({type(error).__name__}); it may or may not have "
                              "been applied, so it was not re-sent.", file_id=file_id,
                              user=self.caller.user) from error


def gspread_client(credentials: Any, session: requests.Session | None, caller: Caller, *,
                   timeout: float | None = 60) -> gspread.Client:
    """A ``gspread.Client`` acting with ``credentials`` whose every request goes through ``caller``.

    ``session`` must add the credentials itself (a google-auth ``AuthorizedSession``, as
    ``sandbox_session(url, credentials)`` returns): gspread does not authorize a session it is given.
    With ``session=None`` gspread makes an ``AuthorizedSession`` to Google.
    """
    client = gspread.Client(auth=credentials, session=session,
                            http_client=functools.partial(GatewayHTTPClient, caller=caller))  # type: ignore[arg-type]
    client.set_timeout(timeout)
    return client


def gspread_for(services: Any, caller: Caller) -> gspread.Client:
    """The gspread client for :class:`~ilt_bot.workspace.clients.Services` (same credentials and transport)."""
    session = services.new_session() if getattr(services, "new_session", None) else None
    return gspread_client(services.credentials, session, caller)
