"""google-api-python-client services built from the static discovery documents, and the one place
where a request is sent: rate limited, counted, errors typed, retried by the one policy.

The services get their HTTP object from a factory: ``httplib2.Http`` for Google, or the transport
seam's ``sandbox_http(base_url)`` for the sandbox. Every URL the library builds (API calls, media
uploads, batches, the OAuth token endpoint) is the usual ``https://*.googleapis.com`` one; only the
seam knows where it really goes.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import google.auth.exceptions
import google_auth_httplib2
import httplib2
from googleapiclient.discovery import build, fix_method_name
from googleapiclient.errors import HttpError

from ilt_bot.workspace.errors import from_http_error, from_refresh_error
from ilt_bot.workspace.ratelimit import RateLimiter
from ilt_bot.workspace.retry import RetryPolicy

log = logging.getLogger(__name__)

T = TypeVar("T")

APIS = {"drive": "v3", "docs": "v1", "forms": "v1", "sheets": "v4"}

HttpFactory = Callable[[], httplib2.Http]


@dataclass
class Services:
    """The four API clients, all acting as one user."""

    drive: Any
    docs: Any
    forms: Any
    sheets: Any
    credentials: Any = None
    """The credentials the clients act with (gspread is built from them, see ``new_session``)."""
    new_session: Callable[[], Any] | None = None
    """Makes the authorized ``requests.Session`` for gspread over the same transport (sandbox or Google)."""


_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def no_silent_resend(http: httplib2.Http) -> httplib2.Http:
    """Stop httplib2 from re-sending a write whose connection dropped after it was sent.

    httplib2 quietly sends a request again when the answer is lost (``RemoteDisconnected`` and other
    connection errors), POSTs included: a create whose answer was lost would be made twice. With this
    guard the error reaches the retry policy, which looks the write up before sending it again.
    Reads keep httplib2's reconnect-and-resend (harmless, and it hides stale keep-alive connections).
    """
    original = getattr(http, "_conn_request", None)
    if original is None:  # another httplib2: keep it (the retry policy still looks writes up first)
        log.warning("httplib2 without _conn_request: cannot disable its silent re-send of writes")
        return http

    def conn_request(conn: Any, request_uri: str, method: str, body: Any, headers: Any) -> Any:
        if method.upper() in _SAFE_METHODS:
            return original(conn, request_uri, method, body, headers)
        real = conn.request
        sent = False

        def request_once(*args: Any, **kwargs: Any) -> Any:
            nonlocal sent
            if sent:
                raise ConnectionResetError("the connection dropped after the request was sent; not re-sending it")
            result = real(*args, **kwargs)
            sent = True
            return result

        conn.request = request_once
        try:
            return original(conn, request_uri, method, body, headers)
        finally:
            conn.request = real

    http._conn_request = conn_request  # type: ignore[method-assign]
    return http


class Collections:
    """A googleapiclient ``Resource`` whose collections (``files()``, ``forms().responses()``) are built once.

    googleapiclient makes a new ``Resource`` on every ``service.files()`` call, creating a method object for
    each of the collection's methods from the discovery document: most of a request's client-side time.
    A collection holds no per-request state (each method call builds a fresh ``HttpRequest``), so one
    built per service is reused. Everything else (methods, ``new_batch_http_request``, attributes) is the
    wrapped resource's own.
    """

    def __init__(self, resource: Any) -> None:
        self._resource = resource
        names = (getattr(resource, "_resourceDesc", None) or {}).get("resources", {})
        self._names = frozenset(fix_method_name(n) for n in names)
        self._built: dict[str, Collections] = {}

    def __getattr__(self, name: str) -> Any:
        if "_resource" not in self.__dict__:  # not initialised yet (copy, pickle)
            raise AttributeError(name)
        attr = getattr(self._resource, name)
        if name not in self._names:
            return attr

        def collection() -> Collections:
            if name not in self._built:
                self._built[name] = Collections(attr())
            return self._built[name]

        collection.__name__ = collection.__qualname__ = name
        self.__dict__[name] = collection  # found directly from now on (no __getattr__)
        return collection

    @property
    def resource(self) -> Any:
        """The wrapped googleapiclient ``Resource``."""
        return self._resource


def build_services(credentials: Any, http_factory: HttpFactory, *, timeout: float | None = 60) -> Services:
    """Build Drive v3, Docs v1, Forms v1 and Sheets v4 offline (static discovery) over ``http_factory()``.

    Each service gets its own HTTP object (httplib2 is not thread-safe); token refreshes go through it.
    Its collections are built once (see :class:`Collections`).
    ``new_session`` (for gspread) sends to the same place: the sandbox when ``http_factory()`` is the
    transport seam's ``sandbox_http(url)``, else Google.
    """
    built: dict[str, Any] = {}
    base_url: str | None = None
    allowed = False
    for api, version in APIS.items():
        raw = no_silent_resend(http_factory())
        base_url = base_url or getattr(raw, "base_url", None)
        allowed = allowed or bool(getattr(raw, "credentials_allowed", False))
        if timeout is not None and getattr(raw, "timeout", None) is None:
            raw.timeout = timeout
        authed = google_auth_httplib2.AuthorizedHttp(credentials, http=raw)
        built[api] = Collections(build(api, version, http=authed, static_discovery=True, cache_discovery=False))
    return Services(**built, credentials=credentials, new_session=functools.partial(_session, credentials, base_url,
                                                                                    allowed))


def _session(credentials: Any, base_url: str | None, credentials_allowed: bool = False) -> Any:
    """An authorized ``requests.Session`` to the sandbox at ``base_url`` (as guarded as the seam), or to Google."""
    if base_url:
        from ilt_bot.workspace.transport import sandbox_session

        return sandbox_session(base_url, credentials, credentials_allowed=credentials_allowed)
    from google.auth.transport.requests import AuthorizedSession

    return AuthorizedSession(credentials)


def token_request(http_factory: HttpFactory) -> Any:
    """A ``google.auth`` transport request over the same seam (to refresh tokens eagerly)."""
    return google_auth_httplib2.Request(no_silent_resend(http_factory()))


class Caller:
    """Sends requests for one user: rate limit, count, type errors, retry with one policy."""

    def __init__(
        self,
        *,
        user: str,
        policy: RetryPolicy | None = None,
        limiter: RateLimiter | None = None,
        project: str = "default",
    ) -> None:
        self.user = user
        self.policy = policy or RetryPolicy()
        self.limiter = limiter or RateLimiter(enabled=False)
        self.project = project
        self.calls: Counter[str] = Counter()
        """HTTP requests sent, by API method id (a batch counts once, as ``<api>.batch``)."""
        self.units: Counter[str] = Counter()
        """API method calls, batch parts included (what quotas count)."""
        self._count_lock = threading.Lock()

    def share_counts(self, other: Caller) -> None:
        """Count into ``other``'s counters (a gateway forked for another thread counts with its parent)."""
        self.calls, self.units, self._count_lock = other.calls, other.units, other._count_lock

    def _count(self, method: str) -> None:
        with self._count_lock:
            self.calls[method] += 1
            self.units[method] += 1

    @property
    def total_calls(self) -> int:
        return sum(self.calls.values())

    def execute(self, request: Any, *, what: str, file_id: str | None = None) -> Any:
        """One attempt: rate limit, count, send; Google errors become :class:`WorkspaceError`."""
        method = getattr(request, "methodId", None) or "unknown"
        self.limiter.acquire(method, self.user, project=self.project)
        self._count(method)
        try:
            return request.execute(num_retries=0)
        except HttpError as error:
            raise from_http_error(error, operation=what, file_id=file_id, user=self.user) from None
        except google.auth.exceptions.RefreshError as error:
            raise from_refresh_error(error, user=self.user) from None
        except google.auth.exceptions.TransportError as error:
            raise ConnectionError(f"token endpoint unreachable ({type(error).__name__})") from None

    def call(self, make: Callable[[], Any], *, what: str, file_id: str | None = None) -> Any:
        """An idempotent call, retried by the policy (``make`` builds the request afresh each time)."""
        return self.policy.call(lambda: self.execute(make(), what=what, file_id=file_id), what=what)

    def once(
        self,
        make: Callable[[], Any],
        recover: Callable[[], T | None],
        *,
        what: str,
        file_id: str | None = None,
    ) -> Any:
        """A non-idempotent call: after a failure, ``recover`` looks for its effect before re-sending."""
        return self.policy.once(lambda: self.execute(make(), what=what, file_id=file_id), recover, what=what)

    def batch(
        self, service: Any, requests: list[tuple[str, Any]], *, what: str, file_id: str | None = None
    ) -> dict[str, Any]:
        """Send ``(id, request)`` pairs as HTTP batches of at most 100 (one attempt, no retries).

        Returns each id's answer, or the :class:`WorkspaceError` it failed with. A failure of the
        whole batch HTTP call raises (the caller re-reads state before sending anything again).
        """
        results: dict[str, Any] = {}
        for start in range(0, len(requests), 100):
            chunk = requests[start : start + 100]

            def on_answer(request_id: str, response: Any, exception: Exception | None) -> None:
                if exception is None:
                    results[request_id] = response
                elif isinstance(exception, HttpError):
                    results[request_id] = from_http_error(exception, operation=what, file_id=file_id,
                                                          user=self.user)
                else:
                    results[request_id] = exception

            batch = service.new_batch_http_request(callback=on_answer)
            methods: Counter[str] = Counter()
            for request_id, request in chunk:
                batch.add(request, request_id=request_id)
                methods[getattr(request, "methodId", None) or "unknown"] += 1
            for method, count in methods.items():
                self.limiter.acquire(method, self.user, project=self.project, tokens=count)
                with self._count_lock:
                    self.units[method] += count
            api = next(iter(methods)).split(".", 1)[0]
            with self._count_lock:
                self.calls[f"{api}.batch"] += 1
            try:
                batch.execute()
            except HttpError as error:
                raise from_http_error(error, operation=what, file_id=file_id, user=self.user) from None
            except google.auth.exceptions.RefreshError as error:
                raise from_refresh_error(error, user=self.user) from None
            for request_id, _ in chunk:
                results.setdefault(request_id, ConnectionError("no answer in the batch response"))
        return results

