"""The transport seam: send the URLs the Google client libraries build to the sandbox instead.

``https://*.googleapis.com/<path>?<query>`` becomes ``<base_url>/<path>?<query>`` with the original
host in ``X-Sandbox-Host``. Every URL the libraries build (API calls, media uploads and resumable
session URLs, ``/batch/...`` posts, the OAuth token endpoint) stays untouched inside the library.

Credentials go only to Google (docs/privacy.md, "Credentials go only to Google"): the seam refuses, before anything is
sent, a request that carries real ones: a call to a token endpoint (a refresh token, a client secret, a
signed service-account assertion), to the IAM credentials API (keyless delegation), or an
``Authorization`` header other than the sandbox's own ``sandbox:<email>`` tokens. Only code can allow it
(``credentials_allowed=True``, for tests of the sign-in flows against the sandbox's token endpoint);
no config or environment variable can.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httplib2
import requests
from requests.adapters import HTTPAdapter

from ilt_bot.workspace.errors import AuthFailed

SANDBOX_HOST_HEADER = "X-Sandbox-Host"

CREDENTIAL_HOSTS = frozenset({"oauth2.googleapis.com", "iamcredentials.googleapis.com", "sts.googleapis.com"})
"""Hosts whose every call carries a credential (token grants, refreshes, keyless delegation)."""
CREDENTIAL_PATHS = ("/oauth2/", "/token")
"""Paths of the older token endpoints on ``www.googleapis.com`` (``/oauth2/v4/token``)."""
SANDBOX_TOKENS = ("Bearer sandbox:", "Bearer sandbox-admin")
"""The only ``Authorization`` values the seam forwards: the sandbox's own tokens (``ilt_bot/sandbox/identity.py``)."""


class CredentialsRefused(AuthFailed):
    """A request carrying real credentials was about to leave for a host that is not Google (a config
    mistake, never retried)."""


def refuse_credentials(host: str, path: str, headers: Any, base_url: str) -> None:
    """Raise :class:`CredentialsRefused` if a request to Google's ``host``/``path``, rerouted to ``base_url``,
    would carry real credentials (see the module docstring). Nothing of the request is in the message."""
    authorization = ""
    for name, value in (headers or {}).items():
        if str(name).lower() == "authorization":
            authorization = value.decode() if isinstance(value, bytes) else str(value)
    token_call = host in CREDENTIAL_HOSTS or path.startswith(CREDENTIAL_PATHS)
    if token_call or (authorization and not authorization.startswith(SANDBOX_TOKENS)):
        what = "a sign-in to Google's token endpoint" if token_call else "a Google access token"
        raise CredentialsRefused(
            f"Refused to send {what} ({host}) to {base_url}, which is not Google: real credentials go only to "
            "Google. Remove [workspace.auth] to use the sandbox (it has its own sign-in), or set "
            'workspace.backend = "google" and unset ILT_BOT_SANDBOX_URL.')


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

    def __init__(self, base_url: str, *, credentials_allowed: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.base_url = base_url
        self.credentials_allowed = credentials_allowed
        # As googleapiclient's own build_http(): a 308 is "resume incomplete" for uploads, not a redirect.
        self.redirect_codes = self.redirect_codes - {308}

    def request(self, uri: str, method: str = "GET", body: Any = None, headers: dict[str, str] | None = None,
                redirections: int = httplib2.DEFAULT_MAX_REDIRECTS, connection_type: Any = None) -> Any:
        new_uri, host = rewrite(uri, self.base_url)
        if host is not None:
            if not self.credentials_allowed:
                refuse_credentials(host, urlsplit(uri).path, headers, self.base_url)
            headers = dict(headers or {})
            headers[SANDBOX_HOST_HEADER] = host
        return super().request(new_uri, method, body=body, headers=headers, redirections=redirections,
                               connection_type=connection_type)


def sandbox_http(base_url: str, timeout: float | None = 60, *, credentials_allowed: bool = False) -> httplib2.Http:
    """An httplib2 transport for googleapiclient (wrap it in ``AuthorizedHttp``)."""
    return SandboxHttp(base_url, timeout=timeout, credentials_allowed=credentials_allowed)


class SandboxAdapter(HTTPAdapter):
    """A requests adapter that sends Google URLs to the sandbox."""

    def __init__(self, base_url: str, *, credentials_allowed: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.base_url = base_url
        self.credentials_allowed = credentials_allowed

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        new_url, host = rewrite(request.url or "", self.base_url)
        if host is not None:
            if not self.credentials_allowed:
                refuse_credentials(host, urlsplit(request.url or "").path, request.headers, self.base_url)
            request.url = new_url
            request.headers[SANDBOX_HOST_HEADER] = host
        return super().send(request, *args, **kwargs)


def _mount(session: requests.Session, base_url: str, credentials_allowed: bool = False) -> requests.Session:
    adapter = SandboxAdapter(base_url, credentials_allowed=credentials_allowed)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


def sandbox_session(base_url: str, credentials: Any = None, *, credentials_allowed: bool = False) -> requests.Session:
    """A ``requests.Session`` that sends Google URLs to the sandbox.

    With ``credentials`` it is a google-auth ``AuthorizedSession`` (token refreshes go through the
    sandbox too): use that for gspread, ``gspread.Client(auth=creds, session=sandbox_session(url, creds))``,
    since gspread does not add credentials to a session it is given.
    """
    if credentials is None:
        return _mount(requests.Session(), base_url, credentials_allowed)
    from google.auth.transport.requests import AuthorizedSession, Request

    auth_request = Request(session=_mount(requests.Session(), base_url, credentials_allowed))
    return _mount(AuthorizedSession(credentials, auth_request=auth_request), base_url, credentials_allowed)
