"""Identity: bearer tokens, Google's 401 bodies, the token endpoint with real google-auth credentials
(service-account key file with domain-wide delegation, OAuth refresh token).

These tests send real google-auth credentials to the sandbox on purpose, through a seam allowed to carry
them (``credentials_allowed=True``, which only code can set); the bot's seam refuses them
(``tests/test_hardening_credentials.py``)."""

from __future__ import annotations

import json

import google.oauth2.credentials
import pytest
import requests
from google.auth.exceptions import RefreshError
from google.auth.transport.requests import Request
from google.oauth2 import service_account
from google_auth_httplib2 import AuthorizedHttp
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError

from ilt_bot.sandbox import core
from ilt_bot.sandbox.core import ADMIN, HANDLERS
from ilt_bot.sandbox.identity import make_service_account_key, register_refresh_token, register_service_account
from ilt_bot.workspace.transport import sandbox_http, sandbox_session

USER = "ana.ruiz@cedar.example.org"
BOT = "ilt-bot@cedar-project.iam.gserviceaccount.com"
SCOPES = ["https://www.googleapis.com/auth/drive"]


def whoami(call: core.Call) -> dict:
    return {"user": {"emailAddress": call.user}}


@pytest.fixture(autouse=True)
def fake_about(monkeypatch):
    monkeypatch.setitem(HANDLERS, "drive.about.get", whoami)
    monkeypatch.setitem(HANDLERS, "sheets.spreadsheets.get", lambda call: {"spreadsheetId": "s", "user": call.user})


def drive_with(sandbox, credentials):
    """Drive as ``credentials``, through a seam allowed to carry real ones (only code can allow it)."""
    http = AuthorizedHttp(credentials, http=sandbox_http(sandbox.url, credentials_allowed=True))
    return build("drive", "v3", http=http, static_discovery=True, cache_discovery=False)


@pytest.fixture
def key_file(sandbox, tmp_path):
    info, public_pem = make_service_account_key(BOT)
    path = tmp_path / "key.json"
    path.write_text(json.dumps(info))
    register_service_account(sandbox.store, BOT, public_pem)
    return path


def test_bearer_tokens_act_as_users_and_admin(sandbox, build_service):
    assert build_service(sandbox, "drive", "v3", USER).about().get(fields="user").execute() == {
        "user": {"emailAddress": USER}
    }
    assert build_service(sandbox, "drive", "v3", ADMIN).about().get(fields="user").execute() == {
        "user": {"emailAddress": ADMIN}
    }


def test_missing_and_invalid_tokens_get_googles_401(sandbox):
    missing = requests.get(f"{sandbox.url}/drive/v3/about", params={"fields": "user"}, timeout=5)
    assert missing.status_code == 401
    assert missing.headers["WWW-Authenticate"].startswith("Bearer")
    error = missing.json()["error"]
    assert error["message"].startswith("Request is missing required authentication credential.")
    assert error["errors"][0]["reason"] == "required"
    invalid = requests.get(f"{sandbox.url}/drive/v3/about", headers={"Authorization": "Bearer ya29.real-token"},
                           timeout=5)
    assert invalid.status_code == 401
    error = invalid.json()["error"]
    assert error["message"].startswith("Request had invalid authentication credentials.")
    assert error["errors"][0] == {"message": "Invalid Credentials", "domain": "global", "reason": "authError",
                                  "location": "Authorization", "locationType": "header"}
    sheets = requests.get(f"{sandbox.url}/v4/spreadsheets/s", headers={"Authorization": "Bearer sandbox:"},
                          timeout=5)
    assert sheets.status_code == 401
    assert sheets.json()["error"]["status"] == "UNAUTHENTICATED"
    assert "errors" not in sheets.json()["error"]


def test_service_account_key_file_with_delegation_acts_as_the_subject(sandbox, key_file):
    credentials = service_account.Credentials.from_service_account_file(str(key_file), scopes=SCOPES)
    delegated = credentials.with_subject(USER)
    assert drive_with(sandbox, delegated).about().get(fields="user").execute()["user"]["emailAddress"] == USER
    assert delegated.token == f"sandbox:{USER}"
    assert drive_with(sandbox, credentials).about().get(fields="user").execute()["user"]["emailAddress"] == BOT


def test_service_account_with_delegation_refused(sandbox, tmp_path):
    info, public_pem = make_service_account_key(BOT)
    register_service_account(sandbox.store, BOT, public_pem, delegation=False)
    credentials = service_account.Credentials.from_service_account_info(info, scopes=SCOPES).with_subject(USER)
    with pytest.raises(RefreshError) as info_:
        credentials.refresh(Request(session=sandbox_session(sandbox.url, credentials_allowed=True)))
    assert "unauthorized_client" in str(info_.value)


def test_a_key_the_sandbox_does_not_know_is_refused(sandbox, key_file):
    other, _ = make_service_account_key(BOT)  # same account name, a key never registered
    credentials = service_account.Credentials.from_service_account_info(other, scopes=SCOPES).with_subject(USER)
    with pytest.raises(RefreshError) as info:
        credentials.refresh(Request(session=sandbox_session(sandbox.url, credentials_allowed=True)))
    assert "invalid_grant" in str(info.value)
    assert "Invalid JWT Signature." in str(info.value)
    stranger, _ = make_service_account_key("stranger@x.iam.gserviceaccount.com")
    credentials = service_account.Credentials.from_service_account_info(stranger, scopes=SCOPES)
    with pytest.raises(RefreshError):
        credentials.refresh(Request(session=sandbox_session(sandbox.url, credentials_allowed=True)))


def test_refresh_token_grant(sandbox):
    register_refresh_token(sandbox.store, "1//refresh-ana", USER)
    credentials = google.oauth2.credentials.Credentials(
        None, refresh_token="1//refresh-ana", token_uri="https://oauth2.googleapis.com/token",
        client_id="cid.apps.googleusercontent.com", client_secret="secret",
    )
    credentials.refresh(Request(session=sandbox_session(sandbox.url, credentials_allowed=True)))
    assert credentials.token == f"sandbox:{USER}"
    assert credentials.expiry is not None
    assert drive_with(sandbox, credentials).about().get(fields="user").execute()["user"]["emailAddress"] == USER
    bad = google.oauth2.credentials.Credentials(
        None, refresh_token="1//nope", token_uri="https://oauth2.googleapis.com/token",
        client_id="cid", client_secret="secret",
    )
    with pytest.raises(RefreshError) as info:
        bad.refresh(Request(session=sandbox_session(sandbox.url, credentials_allowed=True)))
    assert "invalid_grant" in str(info.value)


def test_token_endpoint_errors_in_oauth_shape(sandbox):
    answer = requests.post(f"{sandbox.url}/token", data={"grant_type": "password"}, timeout=5)
    assert answer.status_code == 400
    assert answer.json() == {"error": "unsupported_grant_type", "error_description": "Invalid grant_type: password"}


def test_gspread_session_carries_the_users_credentials(sandbox, gspread_client):
    client = gspread_client(sandbox, USER)
    answer = client.http_client.request("get", "https://sheets.googleapis.com/v4/spreadsheets/s").json()
    assert answer == {"spreadsheetId": "s", "user": USER}


def test_self_signed_jwt_access_acts_as_the_service_account(sandbox, key_file):
    credentials = service_account.Credentials.from_service_account_file(str(key_file), scopes=SCOPES)
    credentials = credentials.with_always_use_jwt_access(True)  # no token endpoint: the JWT is the token
    assert drive_with(sandbox, credentials).about().get(fields="user").execute()["user"]["emailAddress"] == BOT
    other, _ = make_service_account_key(BOT)
    forged = service_account.Credentials.from_service_account_info(other, scopes=SCOPES)
    forged = forged.with_always_use_jwt_access(True)
    with pytest.raises(HttpError) as info:  # a JWT sent to the token endpoint would fail as RefreshError
        drive_with(sandbox, forged).about().get(fields="user").execute()
    assert info.value.resp.status == 401


def test_delegation_needs_the_scopes_the_admin_granted(sandbox):
    info, public_pem = make_service_account_key(BOT)
    register_service_account(sandbox.store, BOT, public_pem, scopes=["https://www.googleapis.com/auth/drive"])
    granted = service_account.Credentials.from_service_account_info(info, scopes=SCOPES).with_subject(USER)
    granted.refresh(Request(session=sandbox_session(sandbox.url, credentials_allowed=True)))
    assert granted.token == f"sandbox:{USER}"
    more = SCOPES + ["https://www.googleapis.com/auth/forms.body"]
    greedy = service_account.Credentials.from_service_account_info(info, scopes=more).with_subject(USER)
    with pytest.raises(RefreshError) as refused:
        greedy.refresh(Request(session=sandbox_session(sandbox.url, credentials_allowed=True)))
    assert "unauthorized_client" in str(refused.value)


def test_keyless_delegation_through_the_iam_credentials_api(sandbox):
    from google.auth import impersonated_credentials

    from ilt_bot.sandbox.identity import register_keyless_service_account, sandbox_credentials

    ops = "ops@cedar.example.org"
    register_keyless_service_account(sandbox.store, BOT, token_creators=[ops])
    request = Request(session=sandbox_session(sandbox.url, credentials_allowed=True))
    delegated = impersonated_credentials.Credentials(
        source_credentials=sandbox_credentials(ops), target_principal=BOT, target_scopes=SCOPES, subject=USER)
    delegated.refresh(request)
    assert delegated.token == f"sandbox:{USER}"
    assert drive_with(sandbox, delegated).about().get(fields="user").execute()["user"]["emailAddress"] == USER
    as_robot = impersonated_credentials.Credentials(
        source_credentials=sandbox_credentials(ops), target_principal=BOT, target_scopes=SCOPES)
    as_robot.refresh(request)
    assert as_robot.token == f"sandbox:{BOT}"
    stranger = impersonated_credentials.Credentials(
        source_credentials=sandbox_credentials(USER), target_principal=BOT, target_scopes=SCOPES, subject=USER)
    with pytest.raises(RefreshError) as refused:
        stranger.refresh(request)
    assert "iam.serviceAccounts.signJwt" in str(refused.value)
