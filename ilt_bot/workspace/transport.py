"""The transport seam: send the URLs the Google client libraries build to the sandbox instead.

``https://*.googleapis.com/<path>?<query>`` becomes ``<base_url>/<path>?<query>`` with the original
host in ``X-Sandbox-Host``. Every URL the libraries build (API calls, media uploads and resumable
session URLs, ``/batch/...`` posts, the OAuth token endpoint) stays untouched inside the library.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httplib2
import requests
from requests.adapters import HTTPAdapter

SANDBOX_HOST_HEADER = "X-Sandbox-Host"


def rewrite(url: str, base_url: str) -> tuple[str, str | None]:
    """``(new_url, original_host)`` for a Google URL, else ``(url, None)``."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme != "https" or not (host == "googleapis.com" or host.endswith(".googleapis.com")):
        return url, None
    base = urlsplit(base_url.rstrip("/"))
    return urlunsplit((base.scheme, base.netloc, base.path + parts.path, parts.query, "")), host


class SandboxHttp(httplib2.Http):
    """An ``httplib2.Http`` that sends Google URLs to the sandbox at ``base_url``."""

    def __init__(self, base_url: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.base_url = base_url
        # As googleapiclient's own build_http(): a 308 is "resume incomplete" for uploads, not a redirect.
        self.redirect_codes = self.redirect_codes - {308}

    def request(self, uri: str, method: str = "GET", body: Any = None, headers: dict[str, str] | None = None,
                redirections: int = httplib2.DEFAULT_MAX_REDIRECTS, connection_type: Any = None) -> Any:
        new_uri, host = rewrite(uri, self.base_url)
        if host is not None:
            headers = dict(headers or {})
            headers[SANDBOX_HOST_HEADER] = host
        return super().request(new_uri, method, body=body, headers=headers, redirections=redirections,
                               connection_type=connection_type)


def sandbox_http(base_url: str, timeout: float | None = 60) -> httplib2.Http:
    """An httplib2 transport for googleapiclient (wrap it in ``AuthorizedHttp``)."""
    return SandboxHttp(base_url, timeout=timeout)


class SandboxAdapter(HTTPAdapter):
    """A requests adapter that sends Google URLs to the sandbox."""

    def __init__(self, base_url: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.base_url = base_url

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        new_url, host = rewrite(request.url or "", self.base_url)
        if host is not None:
            request.url = new_url
            request.headers[SANDBOX_HOST_HEADER] = host
        return super().send(request, *args, **kwargs)


def _mount(session: requests.Session, base_url: str) -> requests.Session:
    adapter = SandboxAdapter(base_url)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


def sandbox_session(base_url: str, credentials: Any = None) -> requests.Session:
    """A ``requests.Session`` that sends Google URLs to the sandbox.

    With ``credentials`` it is a google-auth ``AuthorizedSession`` (token refreshes go through the
    sandbox too): use that for gspread, ``gspread.Client(auth=creds, session=sandbox_session(url, creds))``,
    since gspread does not add credentials to a session it is given.
    """
    if credentials is None:
        return _mount(requests.Session(), base_url)
    from google.auth.transport.requests import AuthorizedSession, Request

    auth_request = Request(session=_mount(requests.Session(), base_url))
    return _mount(AuthorizedSession(credentials, auth_request=auth_request), base_url)
