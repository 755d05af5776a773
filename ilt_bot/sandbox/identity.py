"""Who is calling: bearer tokens, Google's OAuth token endpoint, browser sessions.

- ``Authorization: Bearer sandbox:<email>`` acts as ``<email>``; ``Bearer sandbox-admin`` is :data:`ADMIN`.
  Such a token carries every scope; ``sandbox:<email>|<scope>,<scope>`` carries only those, and the
  methods of :data:`SCOPED_APIS` refuse it (403, Google's insufficient-scope answer) unless one of
  them is among the method's scopes in its discovery document.
- ``POST /token`` answers like ``https://oauth2.googleapis.com/token``: the JWT bearer grant of a
  service-account key (RS256, verified against public keys registered with
  :func:`register_service_account`; ``sub`` = the delegated user) and the ``refresh_token`` grant
  (tokens registered with :func:`register_refresh_token`). Both yield the access token
  ``sandbox:<email>``.
- ``/_sandbox/login?email=`` opens a browser session (cookie ``sandbox_session``).
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import google.auth.credentials
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from ilt_bot.sandbox import directory
from ilt_bot.sandbox.core import ADMIN
from ilt_bot.sandbox.routing import APIS, ERRORS_LIST_APIS, methods
from ilt_bot.sandbox.store import Store

TOKEN_PREFIX = "sandbox:"  # noqa: S105 - a public prefix, not a secret
SESSION_COOKIE = "sandbox_session"
TOKEN_PATHS = ("/token", "/oauth2/v4/token")
"""Paths of Google's token endpoint (oauth2.googleapis.com/token and the older www.googleapis.com one)."""

JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
_MAX_JWT_LIFETIME = 3600
_CLOCK_SKEW = 300


SCOPE_SEPARATOR = "|"
SCOPED_APIS = frozenset({"calendar"})
"""APIs whose methods check a scoped token's scopes (the others accept any sandbox token as before)."""


def token_for(email: str, scopes: list[str] | None = None) -> str:
    """The access token that acts as ``email`` (or the admin): with every scope, or only ``scopes``."""
    token = ADMIN if email == ADMIN else TOKEN_PREFIX + email
    return token + SCOPE_SEPARATOR + ",".join(scopes) if scopes else token


def token_scopes(token: str | None) -> frozenset[str] | None:
    """The scopes a sandbox token carries; None when it carries every scope."""
    if not token or SCOPE_SEPARATOR not in token:
        return None
    return frozenset(s for s in token.partition(SCOPE_SEPARATOR)[2].split(",") if s)


def insufficient_scope(headers: Any, method_id: str) -> tuple[dict[str, Any], dict[str, str]] | None:
    """Google's 403 answer (body, headers) when the caller's token lacks every scope ``method_id``
    accepts (the discovery document's ``scopes``); None when the call may go on."""
    api = method_id.split(".", 1)[0]
    granted = token_scopes(bearer_token(headers))
    accepted = methods()[method_id].get("scopes", [])
    if api not in SCOPED_APIS or granted is None or granted & set(accepted):
        return None
    resource, _, verb = method_id.split(".", 1)[1].rpartition(".")
    rpc = ".".join(part[:1].upper() + part[1:] for part in (*resource.split("."), verb))
    service = f"{api}-json.googleapis.com" if api == "calendar" else f"{api}.googleapis.com"
    body = {"error": {
        "code": 403,
        "message": "Request had insufficient authentication scopes.",
        "errors": [{"message": "Insufficient Permission", "domain": "global", "reason": "insufficientPermissions"}],
        "status": "PERMISSION_DENIED",
        "details": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "ACCESS_TOKEN_SCOPE_INSUFFICIENT",
                     "domain": "googleapis.com",
                     "metadata": {"service": service, "method": f"{api}.{APIS[api]}.{rpc}"}}],
    }}
    challenge = (f'Bearer realm="https://accounts.google.com/", error="insufficient_scope", '
                 f'scope="{" ".join(accepted)}"')
    return body, {"WWW-Authenticate": challenge}


def user_from_token(token: str | None) -> str | None:
    """The user a bearer token acts as, or None for a missing or invalid token."""
    if not token:
        return None
    token = token.partition(SCOPE_SEPARATOR)[0]
    if token == ADMIN:
        return ADMIN
    if token.startswith(TOKEN_PREFIX):
        email = token[len(TOKEN_PREFIX) :].strip().lower()
        local, _, domain = email.partition("@")
        if local and domain and " " not in email:
            return email
    return None


def bearer_token(headers: Any) -> str | None:
    """The bearer token of an ``Authorization`` header (None when absent or not a bearer)."""
    value = headers.get("Authorization") or ""
    scheme, _, token = value.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


class AuthProblem(Exception):
    """A request without usable credentials (401)."""

    def __init__(self, missing: bool) -> None:
        super().__init__("missing" if missing else "invalid")
        self.missing = missing


def authenticate(headers: Any, store: Store | None = None) -> str:
    """The acting user of an API request; raises :class:`AuthProblem` (401) otherwise.

    With ``store``, a self-signed service-account JWT (google-auth's ``always_use_jwt_access``) is
    accepted too and acts as the service account.
    """
    token = bearer_token(headers)
    if token is None:
        raise AuthProblem(missing=True)
    user = user_from_token(token)
    if user is None and store is not None and token.count(".") == 2:
        try:
            user = _jwt_user(store, token, time.time(), self_signed=True)
        except TokenError:
            user = None
    if user is None:
        raise AuthProblem(missing=False)
    return user


_SEE = (
    "Expected OAuth 2 access token, login cookie or other valid authentication credential. "
    "See https://developers.google.com/identity/sign-in/web/devconsole-project."
)


def unauthenticated_body(api: str, missing: bool) -> dict[str, Any]:
    """Google's 401 body for ``api`` (Drive keeps its ``errors`` list)."""
    if missing:
        message = "Request is missing required authentication credential. " + _SEE
        reason, item_message, info_reason = "required", "Login Required.", "CREDENTIALS_MISSING"
    else:
        message = "Request had invalid authentication credentials. " + _SEE
        reason, item_message, info_reason = "authError", "Invalid Credentials", "ACCESS_TOKEN_TYPE_UNSUPPORTED"
    if api in ERRORS_LIST_APIS:
        return {
            "error": {
                "code": 401,
                "message": message,
                "errors": [
                    {
                        "message": item_message,
                        "domain": "global",
                        "reason": reason,
                        "location": "Authorization",
                        "locationType": "header",
                    }
                ],
                "status": "UNAUTHENTICATED",
            }
        }
    return {
        "error": {
            "code": 401,
            "message": message,
            "status": "UNAUTHENTICATED",
            "details": [
                {
                    "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                    "reason": info_reason,
                    "domain": "googleapis.com",
                    "metadata": {"service": f"{api}.googleapis.com" if api != "drive" else "drive.googleapis.com"},
                }
            ],
        }
    }


# --- registrations -------------------------------------------------------------------------------


def register_service_account(store: Store, client_email: str, public_key_pem: str | bytes, *,
                             delegation: bool = True, scopes: list[str] | None = None) -> None:
    """Accept JWT assertions signed by this service account's key.

    ``delegation``: it may act as users (``sub``, domain-wide delegation); ``scopes``: the scopes an
    admin granted to its client ID (None: any), delegated requests asking for more are refused.
    """
    pem = public_key_pem.decode() if isinstance(public_key_pem, bytes) else public_key_pem
    serialization.load_pem_public_key(pem.encode())  # refuse garbage early
    record = {"client_email": client_email.lower(), "public_key_pem": pem, "delegation": delegation,
              "scopes": None if scopes is None else sorted(scopes)}
    with store.transaction():
        store.put("service_account", client_email.lower(), record)


def register_refresh_token(store: Store, token: str, email: str) -> None:
    """Accept ``token`` in the refresh_token grant, yielding an access token for ``email``."""
    with store.transaction():
        store.put("refresh_token", token, {"email": email.lower()})


def make_service_account_key(client_email: str, project_id: str = "sandbox-project") -> tuple[dict[str, str], str]:
    """A new service-account key file (as a dict, Google's JSON layout) and its public key PEM."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()
    info = {
        "type": "service_account",
        "project_id": project_id,
        "private_key_id": secrets.token_hex(20),
        "private_key": private_pem,
        "client_email": client_email,
        "client_id": str(secrets.randbelow(10**20)),
        "auth_uri": "https://accounts.google.com/o/oauth2/auth",
        "token_uri": "https://oauth2.googleapis.com/token",
        "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
        "client_x509_cert_url": "https://www.googleapis.com/robot/v1/metadata/x509/" + client_email,
    }
    return info, public_pem


# --- token endpoint ------------------------------------------------------------------------------


class TokenError(Exception):
    """An OAuth error answer: ``{"error": ..., "error_description": ...}``."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status

    def body(self) -> dict[str, str]:
        return {"error": self.error, "error_description": self.description}


def _b64decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _jwt_user(store: Store, assertion: str, now: float, *, self_signed: bool = False) -> str:
    """Verify a service account's RS256 JWT; the user it acts as (``sub`` when delegated).

    ``self_signed``: a JWT used directly as an access token (audience is the API, no delegation).
    """
    try:
        header_b64, payload_b64, signature_b64 = assertion.split(".")
        header = json.loads(_b64decode(header_b64))
        claims = json.loads(_b64decode(payload_b64))
        signature = _b64decode(signature_b64)
    except (ValueError, TypeError) as exc:
        raise TokenError("invalid_grant", "Invalid JWT: Failed audience check.") from exc
    if header.get("alg") != "RS256":
        raise TokenError("invalid_grant", "Invalid JWT Signature.")
    account = store.get("service_account", str(claims.get("iss", "")).lower())
    if account is None:
        raise TokenError("invalid_grant", "Invalid grant: account not found")
    public_key = serialization.load_pem_public_key(account["public_key_pem"].encode())
    try:
        public_key.verify(  # type: ignore[union-attr]
            signature, f"{header_b64}.{payload_b64}".encode(), padding.PKCS1v15(), hashes.SHA256()
        )
    except InvalidSignature as exc:
        raise TokenError("invalid_grant", "Invalid JWT Signature.") from exc
    iat, exp = claims.get("iat"), claims.get("exp")
    if (
        not isinstance(iat, int | float)
        or not isinstance(exp, int | float)
        or exp - iat > _MAX_JWT_LIFETIME
        or iat > now + _CLOCK_SKEW
        or exp < now - _CLOCK_SKEW
    ):
        raise TokenError(
            "invalid_grant",
            "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. "
            "Check your iat and exp values in the JWT claim.",
        )
    if self_signed:
        return account["client_email"]
    if not str(claims.get("aud", "")).endswith("/token"):
        raise TokenError("invalid_grant", "Invalid JWT: Failed audience check.")
    subject = claims.get("sub")
    if subject and subject.lower() != account["client_email"]:
        granted = account.get("scopes")
        asked = set(str(claims.get("scope", "")).split())
        if not account.get("delegation", True) or (granted is not None and not asked <= set(granted)):
            raise TokenError(
                "unauthorized_client",
                "Client is unauthorized to retrieve access tokens using this method, "
                "or client not authorized for any of the scopes requested.",
                401,
            )
        return subject.lower()
    return account["client_email"]


def grant(store: Store, form: dict[str, str], now: float | None = None) -> dict[str, Any]:
    """Answer one token request (form fields of ``POST /token``); raises :class:`TokenError`."""
    now = time.time() if now is None else now
    grant_type = form.get("grant_type", "")
    if grant_type == JWT_GRANT:
        user = _jwt_user(store, form.get("assertion", ""), now)
    elif grant_type == "refresh_token":
        record = store.get("refresh_token", form.get("refresh_token", ""))
        if record is None:
            raise TokenError("invalid_grant", "Bad Request")
        user = record["email"]
    elif not grant_type:
        raise TokenError("unsupported_grant_type", "Invalid grant_type: ")
    else:
        raise TokenError("unsupported_grant_type", f"Invalid grant_type: {grant_type}")
    directory.note_sign_in(store, user)
    answer: dict[str, Any] = {"access_token": token_for(user), "expires_in": 3599, "token_type": "Bearer"}
    if form.get("scope"):
        answer["scope"] = form["scope"]
    return answer


# --- IAM Credentials API (keyless domain-wide delegation) ----------------------------------------

IAM_PATH = re.compile(r"^/v1/projects/[^/]+/serviceAccounts/(?P<email>[^/:]+):(?P<verb>signJwt|generateAccessToken)$")
"""``iamcredentials.googleapis.com`` methods used by google-auth's impersonated credentials."""


def register_keyless_service_account(store: Store, client_email: str, *, token_creators: list[str],
                                     delegation: bool = True, scopes: list[str] | None = None) -> None:
    """A service account with a Google-managed key: the ``token_creators`` (users or service accounts
    with "Service Account Token Creator" on it) may have it sign JWTs (``signJwt``, the keyless DWD
    flow of ``google.auth.impersonated_credentials`` with ``subject``) or mint its access token."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()
    register_service_account(store, client_email, public_pem, delegation=delegation, scopes=scopes)
    with store.transaction():
        record = store.get("service_account", client_email.lower()) or {}
        record["private_key_pem"] = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()
        record["key_id"] = secrets.token_hex(20)
        record["token_creators"] = sorted(c.lower() for c in token_creators)
        store.put("service_account", client_email.lower(), record)


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def iam_call(store: Store, caller: str, email: str, verb: str, body: Any) -> tuple[int, dict[str, Any]]:
    """Answer ``serviceAccounts/{email}:signJwt`` or ``:generateAccessToken`` for ``caller``."""
    permission = "iam.serviceAccounts.signJwt" if verb == "signJwt" else "iam.serviceAccounts.getAccessToken"
    account = store.get("service_account", email.lower())
    allowed = account is not None and "private_key_pem" in account and (
        caller == ADMIN or caller in account.get("token_creators", []))
    if not allowed or account is None:
        return 403, {"error": {
            "code": 403,
            "message": f"Permission '{permission}' denied on resource (or it may not exist).",
            "status": "PERMISSION_DENIED",
            "details": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "IAM_PERMISSION_DENIED",
                         "domain": "iam.googleapis.com", "metadata": {"permission": permission}}],
        }}
    if verb == "generateAccessToken":
        expires = datetime.now(UTC) + timedelta(hours=1)
        return 200, {"accessToken": token_for(account["client_email"]),
                     "expireTime": expires.strftime("%Y-%m-%dT%H:%M:%SZ")}  # IAM's format: no fraction
    payload = body.get("payload") if isinstance(body, dict) else None
    if not isinstance(payload, str):
        return 400, {"error": {"code": 400, "message": "Invalid payload: the JWT claims set must be a JSON string.",
                               "status": "INVALID_ARGUMENT"}}
    header = {"alg": "RS256", "typ": "JWT", "kid": account["key_id"]}
    signing_input = f"{_b64encode(json.dumps(header).encode())}.{_b64encode(payload.encode())}"
    private_key = serialization.load_pem_private_key(account["private_key_pem"].encode(), password=None)
    signature = private_key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())  # type: ignore[union-attr]
    return 200, {"keyId": account["key_id"], "signedJwt": f"{signing_input}.{_b64encode(signature)}"}


# --- browser sessions ----------------------------------------------------------------------------


def open_session(store: Store, email: str) -> str:
    """A new browser session for ``email``; returns the cookie value."""
    session_id = secrets.token_urlsafe(24)
    directory.note_sign_in(store, email)
    with store.transaction():
        store.put("browser_session", session_id, {"email": email.lower() if email != ADMIN else ADMIN})
    return session_id


def session_user(store: Store, session_id: str | None) -> str | None:
    """The user of a session cookie, or None."""
    if not session_id:
        return None
    record = store.get("browser_session", session_id)
    return record["email"] if record else None


def close_session(store: Store, session_id: str | None) -> None:
    if session_id:
        with store.transaction():
            store.delete("browser_session", session_id)


# --- client side ---------------------------------------------------------------------------------


class SandboxCredentials(google.auth.credentials.Credentials):
    """google-auth credentials carrying the sandbox token of one user (they never expire)."""

    def __init__(self, email: str, scopes: list[str] | None = None) -> None:
        super().__init__()
        self.email = email
        self.granted = scopes
        self.token = token_for(email, scopes)

    def refresh(self, request: Any) -> None:  # nothing to refresh
        self.token = token_for(self.email, self.granted)

    @property
    def expired(self) -> bool:
        return False


def sandbox_credentials(email: str, scopes: list[str] | None = None) -> google.auth.credentials.Credentials:
    """Credentials acting as ``email`` on the sandbox (``ADMIN`` for the super admin), with every
    scope or only ``scopes``."""
    return SandboxCredentials(email, scopes)
