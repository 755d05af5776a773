"""Typed errors for everything the Workspace gateway can meet, each with a sentence an admin can act on.

Google answers errors in two shapes: Drive v3's ``{"error": {"code", "message", "errors": [{"reason", ...}]}}``
and the general one used by Docs, Forms and Sheets, ``{"error": {"code", "message", "status", "details"}}``.
:func:`from_http_error` reads both and returns one of the exceptions below. Messages never carry
tokens or keys (:func:`scrub` removes anything that looks like one).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

RATE_LIMIT_REASONS = frozenset({"rateLimitExceeded", "userRateLimitExceeded", "sharingRateLimitExceeded"})
QUOTA_REASONS = frozenset({"dailyLimitExceeded", "quotaExceeded", "storageQuotaExceeded", "teamDriveFileLimitExceeded"})

_SECRET_PATTERNS = [
    re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?-----END [A-Z ]*PRIVATE KEY-----", re.S),
    re.compile(r"(?i)(bearer\s+)[^\s\"',]+"),
    re.compile(r"ya29\.[0-9A-Za-z_\-\.]+"),
    re.compile(r"1//[0-9A-Za-z_\-]{20,}"),
    re.compile(r"(?i)(\"?(?:access_token|refresh_token|id_token|client_secret|private_key|assertion)\"?\s*[:=]\s*\"?)"
               r"[^\s\"',&]+"),
    re.compile(r"eyJ[0-9A-Za-z_\-]+\.[0-9A-Za-z_\-]+\.[0-9A-Za-z_\-]*"),
]


def scrub(text: str) -> str:
    """``text`` with bearer tokens, OAuth tokens, JWTs and private keys replaced by ``<redacted>``."""
    for pattern in _SECRET_PATTERNS:
        if pattern.groups:
            text = pattern.sub(lambda m: m.group(1) + "<redacted>", text)
        else:
            text = pattern.sub("<redacted>", text)
    return text


class WorkspaceError(Exception):
    """Base of the gateway's errors: ``str(error)`` is a sentence for the person running the bot."""

    retryable = False
    """Worth retrying now, within this run (the gateway's backoff)."""
    retry_later = False
    """A later run may succeed with nothing changed (the tick's exit 75): see ``ilt_bot.errors.RunError``."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        reason: str | None = None,
        file_id: str | None = None,
        user: str | None = None,
        retry_after: float | None = None,
        fix: str | None = None,
    ) -> None:
        super().__init__(scrub(message))
        self.fix = fix  # the advice sentence alone (also the end of the message), when Google answered
        self.status = status
        self.reason = reason
        self.file_id = file_id
        self.user = user
        self.retry_after = retry_after


class NotFound(WorkspaceError):
    """The file does not exist, or the acting user cannot see it (Drive answers 404 for both)."""


class PermissionDenied(WorkspaceError):
    """The acting user may see the file but not do this to it (or lacks a scope)."""


class RateLimited(WorkspaceError):
    """A per-minute limit (429, or 403 rateLimitExceeded/userRateLimitExceeded/sharingRateLimitExceeded)."""

    retryable = True
    retry_later = True


class QuotaExceeded(WorkspaceError):
    """A quota that waiting a minute will not fix (daily limit, storage full)."""

    retry_later = True


class InvalidRequest(WorkspaceError):
    """Google refused the request as malformed (400): a bug in the bot or a bad config value."""


class SharingRefused(WorkspaceError):
    """A share the bot's config (or the domain's admin policy) does not allow."""


class AuthFailed(WorkspaceError):
    """Credentials were refused (401, or the token endpoint said no)."""


class Unavailable(WorkspaceError):
    """Google (or the network) failed: 5xx, a dropped connection, a timeout."""

    retryable = True
    retry_later = True


@dataclass(frozen=True)
class ErrorInfo:
    """The fields of a Google error body, whichever shape it came in."""

    code: int
    message: str
    reason: str | None
    status: str | None


def parse_error_body(code: int, content: bytes | str | None) -> ErrorInfo:
    """Read a Google error body (Drive style or general style); tolerate HTML or empty bodies."""
    text = content.decode("utf-8", "replace") if isinstance(content, bytes) else (content or "")
    try:
        data: Any = json.loads(text) if text else {}
    except ValueError:
        data = {}
    error = data.get("error") if isinstance(data, dict) else None
    if isinstance(error, str):  # OAuth token endpoint: {"error": "invalid_grant", "error_description": ...}
        return ErrorInfo(code, str(data.get("error_description") or error), error, None)
    if not isinstance(error, dict):
        return ErrorInfo(code, text.strip()[:200] or f"HTTP {code}", None, None)
    reason = None
    items = error.get("errors")
    if isinstance(items, list) and items and isinstance(items[0], dict):
        reason = items[0].get("reason")
    details = error.get("details")
    if reason is None and isinstance(details, list):
        for detail in details:
            if isinstance(detail, dict) and detail.get("reason"):
                reason = detail["reason"]
                break
    return ErrorInfo(int(error.get("code") or code), str(error.get("message") or ""), reason, error.get("status"))


def _retry_after(headers: Any) -> float | None:
    value = None
    if headers is not None:
        try:
            value = headers.get("retry-after") or headers.get("Retry-After")
        except AttributeError:
            value = None
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except (TypeError, ValueError):
        from email.utils import parsedate_to_datetime

        try:
            moment = parsedate_to_datetime(str(value))
        except (TypeError, ValueError):
            return None
        from datetime import UTC, datetime

        return max(0.0, (moment - datetime.now(UTC)).total_seconds())


def classify(info: ErrorInfo) -> type[WorkspaceError]:
    """The exception class for a parsed Google error."""
    reason, status, code = info.reason or "", info.status or "", info.code
    if reason in RATE_LIMIT_REASONS or code == 429:
        return QuotaExceeded if reason in QUOTA_REASONS else RateLimited
    if reason in QUOTA_REASONS:
        return QuotaExceeded
    if reason == "invalidSharingRequest":
        return SharingRefused
    if code == 401 or reason in {"authError", "invalid_grant", "unauthorized_client", "invalid_client"}:
        return AuthFailed
    if code == 404 or status == "NOT_FOUND" or reason == "notFound":
        return NotFound
    if code == 403 or status == "PERMISSION_DENIED":
        return PermissionDenied
    if code >= 500 or status in {"UNAVAILABLE", "INTERNAL"}:
        return Unavailable
    return InvalidRequest


def _advice(cls: type[WorkspaceError], info: ErrorInfo, file_id: str | None, user: str | None) -> str:
    who = user or "the bot user"
    what = f"file {file_id}" if file_id else "the file"
    if cls is NotFound:
        return (f"{what} does not exist or is not shared with {who}: share it with {who} "
                "(or, on a shared drive, add {who} as a member and set drive.shared_drive_id)").replace("{who}", who)
    if cls is PermissionDenied:
        if "scope" in info.message.lower():
            return ("the credentials lack a required scope: grant every scope listed by "
                    "`ilt-bot check --scopes` (Admin console > Security > API controls > Domain-wide delegation)")
        return f"{who} cannot change {what}: share it with {who} as Editor (shared drive: Content manager)"
    if cls is RateLimited:
        return "Google's per-minute limit was hit: the bot waits and retries; lower workspace.quotas if it persists"
    if cls is QuotaExceeded:
        return "a quota that does not reset within minutes was exceeded (storage full, daily limit): free space or wait"
    if cls is SharingRefused:
        return ("the domain's sharing policy refused this share: allow it in the Admin console "
                "(Apps > Google Workspace > Drive and Docs > Sharing settings) or remove the address")
    if cls is AuthFailed:
        return ("the credentials were refused: check workspace.auth (key file, token file), and for domain-wide "
                "delegation that the client ID is granted the scopes from `ilt-bot check --scopes`")
    if cls is Unavailable:
        return "Google did not answer properly; the bot retries with backoff, and the next run resumes"
    return "Google refused the request as invalid; this is a bug in the bot or a bad config value"


def from_http_error(
    error: Any, *, operation: str, file_id: str | None = None, user: str | None = None
) -> WorkspaceError:
    """Turn a googleapiclient ``HttpError`` into a typed :class:`WorkspaceError` with advice."""
    resp = getattr(error, "resp", None)
    code = int(getattr(resp, "status", 0) or getattr(error, "status_code", 0) or 0)
    info = parse_error_body(code, getattr(error, "content", None))
    cls = classify(info)
    detail = info.message or f"HTTP {info.code}"
    message = f"{operation} failed ({info.code} {info.reason or info.status or ''}".rstrip() + f"): {detail}. "
    advice = _advice(cls, info, file_id, user)
    message += advice + "."
    return cls(message, status=info.code, reason=info.reason or info.status, file_id=file_id, user=user,
               retry_after=_retry_after(resp), fix=advice)


def from_refresh_error(error: BaseException, *, user: str | None = None) -> AuthFailed:
    """A ``google.auth.exceptions.RefreshError`` (token endpoint said no) as :class:`AuthFailed`."""
    raw = error.args[0] if getattr(error, "args", None) else str(error)
    text = scrub(str(raw))
    hint = ("grant the service account's client ID the scopes from `ilt-bot check --scopes` in the Admin console "
            "(Security > API controls > Domain-wide delegation)")
    if "invalid_grant" in text:
        hint = ("the token was revoked or expired, or the delegated user does not exist: run the OAuth login again, "
                f"or check that workspace.bot_user ({user or '?'}) is a real account in the domain")
    elif "invalid_client" in text:
        hint = "the client ID or key is unknown or disabled: download a new key and point workspace.auth.key_file to it"
    return AuthFailed(f"Signing in as {user or 'the bot user'} failed ({text}): {hint}.", status=401,
                      reason="authError", user=user, fix=hint)
