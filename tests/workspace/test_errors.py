"""Google error bodies (Drive style and general style) become typed errors with actionable sentences."""

from __future__ import annotations

import base64
import contextlib
import gzip
import json

import httplib2
import pytest
from googleapiclient.errors import HttpError

from ilt_bot.workspace.errors import (
    AuthFailed,
    InvalidRequest,
    NotFound,
    PermissionDenied,
    QuotaExceeded,
    RateLimited,
    SharingRefused,
    Unavailable,
    from_http_error,
    from_refresh_error,
    scrub,
)
from tests.fidelity.recordings import recordings


def http_error(status: int, body: dict | str, headers: dict | None = None) -> HttpError:
    resp = httplib2.Response({"status": status, **(headers or {})})
    content = body if isinstance(body, str) else json.dumps(body)
    return HttpError(resp, content.encode(), uri="https://www.googleapis.com/drive/v3/files")


def drive_body(code: int, reason: str, message: str) -> dict:
    return {"error": {"code": code, "message": message,
                      "errors": [{"domain": "global", "reason": reason, "message": message}]}}


def general_body(code: int, status: str, message: str) -> dict:
    return {"error": {"code": code, "message": message, "status": status}}


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (404, drive_body(404, "notFound", "File not found: abc."), NotFound),
        (403, drive_body(403, "insufficientFilePermissions", "The user does not have sufficient permissions"),
         PermissionDenied),
        (403, drive_body(403, "userRateLimitExceeded", "User Rate Limit Exceeded"), RateLimited),
        (403, drive_body(403, "rateLimitExceeded", "Rate Limit Exceeded"), RateLimited),
        (403, drive_body(403, "sharingRateLimitExceeded", "Sharing rate limit exceeded"), RateLimited),
        (429, drive_body(429, "rateLimitExceeded", "Rate Limit Exceeded"), RateLimited),
        (403, drive_body(403, "storageQuotaExceeded", "The user's Drive storage quota has been exceeded."),
         QuotaExceeded),
        (403, drive_body(403, "dailyLimitExceeded", "Daily Limit Exceeded"), QuotaExceeded),
        (400, drive_body(400, "invalidSharingRequest", "Bad Request. User message: sharing outside"),
         SharingRefused),
        (400, drive_body(400, "badRequest", "Invalid field selection"), InvalidRequest),
        (401, drive_body(401, "authError", "Invalid Credentials"), AuthFailed),
        (500, drive_body(500, "internalError", "Internal Error"), Unavailable),
        (503, drive_body(503, "backendError", "Backend Error"), Unavailable),
        (404, general_body(404, "NOT_FOUND", "Requested entity was not found."), NotFound),
        (403, general_body(403, "PERMISSION_DENIED", "The caller does not have permission"), PermissionDenied),
        (400, general_body(400, "INVALID_ARGUMENT", 'Invalid JSON payload received. Unknown name "x"'),
         InvalidRequest),
        (429, general_body(429, "RESOURCE_EXHAUSTED", "Quota exceeded"), RateLimited),
        (503, general_body(503, "UNAVAILABLE", "The service is currently unavailable."), Unavailable),
        (502, "<html>Bad Gateway</html>", Unavailable),
    ],
)
def test_error_bodies_map_to_typed_errors(status, body, expected):
    error = from_http_error(http_error(status, body), operation="Reading file abc", file_id="abc",
                            user="bot@school.org")
    assert type(error) is expected
    assert error.status == status
    assert "Reading file abc" in str(error)


def test_recorded_sheets_429_is_a_rate_limit():
    """A real 429 from the recorded cassettes (gspread-pandas) is retryable."""
    for path in sorted(recordings("gspread-pandas").glob("*.json")):
        for interaction in json.loads(path.read_text())["http_interactions"]:
            if interaction["response"]["status"]["code"] == 429:
                raw = base64.b64decode(interaction["response"]["body"]["base64_string"])
                with contextlib.suppress(OSError):
                    raw = gzip.decompress(raw)
                error = from_http_error(http_error(429, raw.decode()), operation="Reading rows")
                assert isinstance(error, RateLimited) and error.retryable
                assert "Read requests per minute per user" in str(error)
                return
    pytest.fail("no recorded 429 in tests/fidelity/data/gspread-pandas (its README lists 14)")


def test_retry_after_is_read_from_the_answer():
    error = from_http_error(http_error(429, general_body(429, "RESOURCE_EXHAUSTED", "slow"), {"retry-after": "12"}),
                            operation="x")
    assert error.retry_after == 12.0


def test_not_found_message_names_file_and_user_and_the_fix():
    error = from_http_error(http_error(404, drive_body(404, "notFound", "File not found: 1AbC.")),
                            operation="Reading folder 1AbC", file_id="1AbC", user="ilt-bot@school.org")
    text = str(error)
    assert "1AbC" in text and "ilt-bot@school.org" in text and "share it with" in text


def test_permission_denied_tells_to_share_as_editor():
    error = from_http_error(http_error(403, drive_body(403, "insufficientFilePermissions", "no")),
                            operation="Creating folder", file_id="F1", user="bot@s.org")
    assert "Editor" in str(error) and "bot@s.org" in str(error)


def test_tokens_never_appear_in_error_messages():
    leaky = general_body(401, "UNAUTHENTICATED",
                         "Bad token Bearer ya29.a0AfH6SMBx-secret-token and access_token=abc123secret")
    error = from_http_error(http_error(401, leaky), operation="Listing files")
    text = str(error)
    assert "ya29" not in text and "abc123secret" not in text and "secret-token" not in text


def test_scrub_removes_keys_jwts_and_refresh_tokens():
    text = scrub('{"private_key": "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n", '
                 '"refresh_token": "1//0gABCDEFGHIJKLMNOPQRSTUVWXYZ", jwt eyJhbGciOi.eyJpc3Mi.c2ln}')
    assert "MIIE" not in text and "ABCDEFGHIJKLMNOP" not in text and "eyJpc3Mi" not in text


def test_refresh_error_for_delegation_not_granted_points_to_admin_console():
    from google.auth.exceptions import RefreshError

    error = from_refresh_error(RefreshError("unauthorized_client: Client is unauthorized to retrieve access "
                                            "tokens using this method", {"error": "unauthorized_client"}),
                               user="bot@school.org")
    assert isinstance(error, AuthFailed)
    assert "Domain-wide delegation" in str(error) and "bot@school.org" in str(error)
