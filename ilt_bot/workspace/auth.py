"""Credentials for the bot user, and the least set of OAuth scopes the config needs.

Auth methods (``workspace.auth.method``):

- ``service_account``: a key file with domain-wide delegation; the bot acts as ``workspace.bot_user``
  (``with_subject``). A Workspace admin grants the key's client ID exactly :func:`required_scopes`.
- ``impersonation``: keyless delegation. The ambient credentials (ADC) impersonate
  ``auth.target_principal`` and sign a delegated token for the bot user (needs the
  "Service Account Token Creator" role on the target, plus the same delegation grant).
- ``oauth``: one person's account through the installed-app flow; the token (with its refresh token)
  lives in ``auth.token_file``, written with mode 0600 and refreshed in place.
- ``adc``: Application Default Credentials (``gcloud auth application-default login``, workload identity).
- ``sandbox``: the sandbox's own bearer tokens (the default for the sandbox backends).

Credentials go only to Google (docs/privacy.md, "Credentials go only to Google"): real credentials are loaded only for
``backend = "google"`` (a sandbox backend with ``[workspace.auth]`` is a config error), a key or token
file whose ``token_uri`` is not Google's is refused before any refresh, and the transport seam refuses
to carry real credentials to a sandbox URL (``ilt_bot/workspace/transport.py``).
Tokens, keys and refresh tokens never reach logs or error messages.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import google.auth
import google.auth.exceptions
from google.auth.credentials import Credentials

from ilt_bot.config import Auth, Config
from ilt_bot.workspace.errors import AuthFailed, from_refresh_error

log = logging.getLogger(__name__)

_BASE = "https://www.googleapis.com/auth/"
DRIVE = _BASE + "drive"
"""Full Drive: needed to work inside folders people made (the school's existing ILT folder). Restricted."""
DRIVE_FILE = _BASE + "drive.file"
"""Only files the bot created or was handed: enough when the bot owns its root folder. Non-sensitive."""
DRIVE_READONLY = _BASE + "drive.readonly"
"""Read (and export) any file the bot user can open: the agenda Doc template people made, which
``drive.file`` cannot reach. Narrower than ``drive``: it can change nothing."""
DOCUMENTS = _BASE + "documents"
"""Read the tables people filled in agenda Docs (documents.get) and edit Docs the bot made."""
FORMS_BODY = _BASE + "forms.body"
"""Create Forms, add questions, publish and open/close them."""
FORMS_RESPONSES = _BASE + "forms.responses.readonly"
"""Read Form responses (read-only: the bot never changes an answer)."""
SPREADSHEETS = _BASE + "spreadsheets"
"""Write the tracker spreadsheet (tabs, rows)."""
CALENDAR_EVENTS = _BASE + "calendar.events"
"""Read and write events (not calendars or their sharing): only when ``[calendar]`` is enabled."""

METHODS = ("service_account", "impersonation", "oauth", "adc", "sandbox")

GOOGLE_TOKEN_HOSTS = frozenset({"oauth2.googleapis.com", "accounts.google.com", "www.googleapis.com"})
"""Where a key or token file may send its grants (its ``token_uri``): Google's token endpoints."""


def bot_owns_root(config: Config) -> bool:
    """True when the bot makes (and so owns) its own root folder: ``drive.file`` then suffices to write.

    A configured ``drive.root_folder_id`` (a folder people made), existing subfolders (``drive.folders``)
    or a shared drive are places the app did not create, where only ``drive`` can add files.
    """
    drive = config.drive
    return not (drive.root_folder_id or drive.shared_drive_id or drive.folders)


def required_scopes(config: Config) -> list[str]:
    """The least OAuth scopes the config needs (what an admin grants for domain-wide delegation).

    ``drive`` (restricted) when the bot works in folders people made or a shared drive; ``drive.file``
    when it owns its root, plus ``drive.readonly`` to read an agenda Doc template people made
    (:func:`scope_reasons`). Always ``documents``, ``forms.body``, ``forms.responses.readonly`` and
    ``spreadsheets``; ``calendar.events`` only when ``[calendar]`` is enabled.
    """
    if not bot_owns_root(config):
        drive = [DRIVE]
    elif config.templates.agenda_doc_id:
        drive = [DRIVE_FILE, DRIVE_READONLY]
    else:
        drive = [DRIVE_FILE]
    calendar = [CALENDAR_EVENTS] if config.calendar.enabled else []
    return [*drive, DOCUMENTS, FORMS_BODY, FORMS_RESPONSES, SPREADSHEETS, *calendar]


def scope_reasons(config: Config) -> dict[str, str]:
    """Why each of :func:`required_scopes` is asked for (``check --scopes`` prints it)."""
    reasons = {
        DOCUMENTS: "read the tables people fill in agenda Docs; edit the Docs the bot made",
        FORMS_BODY: "create the Forms, add their questions, open and close them",
        FORMS_RESPONSES: "read Form responses (read-only)",
        SPREADSHEETS: "write the tracker and the thinking-map answers sheet",
        CALENDAR_EVENTS: "add each ILT meeting's event with its agenda to the calendar in [calendar] (events only)",
    }
    if not bot_owns_root(config):
        where = ("drive.root_folder_id" if config.drive.root_folder_id else
                 "drive.shared_drive_id" if config.drive.shared_drive_id else "drive.folders")
        reasons[DRIVE] = (f"{where} is a place people made: only the full drive scope can add files there "
                          "(drive.file reaches only files the bot created); leave it out to let the bot make its own "
                          "root folder and use drive.file")
    else:
        reasons[DRIVE_FILE] = "make and share the bot's own folders and files (nothing else in Drive)"
    if DRIVE_FILE in reasons and config.templates.agenda_doc_id:
        reasons[DRIVE_READONLY] = ("read the agenda Doc template (templates.agenda_doc_id): people made it, so "
                                   "drive.file cannot open it; drive.readonly can read it and change nothing, "
                                   "narrower than drive")
    return {scope: reasons[scope] for scope in required_scopes(config)}


def auth_method(config: Config, *, sandbox: bool) -> str:
    """The configured method; ``sandbox`` when unset on a sandbox backend."""
    method = config.workspace.auth.method if config.workspace.auth else None
    if not method:
        return "sandbox" if sandbox else "adc"
    if method not in METHODS:
        raise AuthFailed(f"workspace.auth.method is {method!r}: use one of {', '.join(METHODS)}.")
    return str(method)


def write_token_file(path: str | os.PathLike[str], credentials: Any) -> None:
    """Save OAuth user credentials as JSON readable only by the owner (mode 0600)."""
    target = Path(path).expanduser()
    target.parent.mkdir(parents=True, exist_ok=True)
    data = credentials.to_json() if hasattr(credentials, "to_json") else json.dumps(credentials)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, data.encode("utf-8"))
    finally:
        os.close(fd)


def _service_account(auth: Auth, scopes: list[str], subject: str) -> Credentials:
    from google.oauth2 import service_account

    key_file = auth.key_file
    if not key_file:
        raise AuthFailed("workspace.auth.method is service_account but workspace.auth.key_file is not set: "
                         "point it to the service account's JSON key.")
    path = Path(str(key_file)).expanduser()
    if not path.is_file():
        raise AuthFailed(f"The service account key file {path} does not exist: fix workspace.auth.key_file.")
    try:
        creds = service_account.Credentials.from_service_account_file(str(path), scopes=scopes)
    except (ValueError, KeyError) as error:
        raise AuthFailed(f"The service account key file {path} is not a valid JSON key ({type(error).__name__}): "
                         "download a new key from the Cloud console.") from None
    return require_google_token_uri(creds, "workspace.auth.key_file").with_subject(subject)


def _impersonation(auth: Auth, scopes: list[str], subject: str) -> Credentials:
    from google.auth import impersonated_credentials

    target = auth.target_principal
    if not target:
        raise AuthFailed("workspace.auth.method is impersonation but workspace.auth.target_principal is not set: "
                         "give the service account's email.")
    try:
        source, _ = google.auth.default(scopes=["https://www.googleapis.com/auth/cloud-platform"])
    except google.auth.exceptions.DefaultCredentialsError:
        raise AuthFailed("No ambient credentials to impersonate with: run `gcloud auth application-default login` "
                         "or run on a workload with a service account.") from None
    return impersonated_credentials.Credentials(
        source_credentials=source, target_principal=str(target), target_scopes=scopes, subject=subject
    )


def _oauth(auth: Auth, user: str, scopes: list[str], request: Any | None) -> Credentials:
    from google.oauth2.credentials import Credentials as UserCredentials

    token_file = auth.token_file
    if not token_file:
        raise AuthFailed("workspace.auth.method is oauth but workspace.auth.token_file is not set.")
    path = Path(str(token_file)).expanduser()
    if not path.is_file():
        raise AuthFailed(f"No OAuth token at {path}: run `ilt-bot auth login` once on a machine with a browser "
                         "(it writes the token file), then copy it here.")
    try:
        creds = UserCredentials.from_authorized_user_file(str(path), scopes=scopes)
    except (ValueError, KeyError):
        raise AuthFailed(f"The OAuth token file {path} is not valid: run `ilt-bot auth login` again.") from None
    require_google_token_uri(creds, "workspace.auth.token_file")
    if request is not None and not creds.valid and creds.refresh_token:
        try:
            creds.refresh(request)
        except google.auth.exceptions.RefreshError as error:
            raise from_refresh_error(error, user=user) from None
        write_token_file(path, creds)
    return creds


def oauth_login(config: Config, *, open_browser: bool = True) -> Path:
    """Run the installed-app flow for one person and write the token file (0600); returns its path."""
    from google_auth_oauthlib.flow import InstalledAppFlow

    auth = config.workspace.auth
    secrets, token_file = (auth.client_secrets, auth.token_file) if auth else (None, None)
    if not secrets or not token_file:
        raise AuthFailed("OAuth login needs workspace.auth.client_secrets (the OAuth client JSON) and "
                         "workspace.auth.token_file (where to save the token).")
    flow = InstalledAppFlow.from_client_secrets_file(str(Path(str(secrets)).expanduser()),
                                                     scopes=required_scopes(config))
    creds = flow.run_local_server(port=0, open_browser=open_browser)
    path = Path(str(token_file)).expanduser()
    write_token_file(path, creds)
    return path


def _adc(scopes: list[str], subject: str | None) -> Credentials:
    try:
        creds, _ = google.auth.default(scopes=scopes)
    except google.auth.exceptions.DefaultCredentialsError:
        raise AuthFailed("No Application Default Credentials found: run `gcloud auth application-default login`, "
                         "set GOOGLE_APPLICATION_CREDENTIALS, or choose another workspace.auth.method.") from None
    if subject and hasattr(creds, "with_subject"):
        creds = creds.with_subject(subject)
    return creds


def require_google_token_uri(creds: Any, field: str) -> Any:
    """``creds`` if its token endpoint is Google's (https, a Google host), else :class:`AuthFailed` naming ``field``.

    A key or token file carries its own ``token_uri``; the refresh token, client secret or signed assertion
    is posted there, so an edited file could send them anywhere.
    """
    uri = getattr(creds, "_token_uri", None) or getattr(creds, "token_uri", None)
    if uri is None:
        return creds
    parts = urlsplit(str(uri))
    if parts.scheme != "https" or (parts.hostname or "").lower() not in GOOGLE_TOKEN_HOSTS:
        raise AuthFailed(f"The file in {field} sends its credentials to {parts.scheme}://{parts.hostname}, which "
                         "is not Google's token endpoint: refusing to use it. Download the key again or run "
                         "`ilt-bot auth login` again (token_uri must be https://oauth2.googleapis.com/token).")
    return creds


def load_credentials(config: Config, *, sandbox: bool, request: Any | None = None) -> Credentials:
    """Credentials acting as the bot user, with :func:`required_scopes`.

    ``request`` (a ``google.auth.transport`` request over the transport seam) is used to refresh an
    OAuth token file eagerly so the refreshed token is written back (0600).
    """
    method = auth_method(config, sandbox=sandbox)
    auth = config.workspace.auth
    if sandbox and method != "sandbox":
        raise AuthFailed(f"workspace.auth (method {method}) is set with workspace.backend = "
                         f"\"{config.workspace.backend}\": real credentials go only to Google. Remove "
                         "[workspace.auth] to use the sandbox, or set workspace.backend = \"google\".")
    user = config.workspace.bot_user
    subject = (auth.subject if auth else None) or user
    scopes = required_scopes(config)
    log.debug("credentials: method=%s user=%s", method, user)
    if method == "sandbox":
        from ilt_bot.sandbox.identity import sandbox_credentials

        return sandbox_credentials(user)
    if auth is None or method == "adc":
        return _adc(scopes, auth.subject if auth else None)
    if method == "service_account":
        return _service_account(auth, scopes, subject)
    if method == "impersonation":
        return _impersonation(auth, scopes, subject)
    return _oauth(auth, user, scopes, request)
