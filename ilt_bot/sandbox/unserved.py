"""Google APIs a Workspace client may call that the sandbox does not serve, and how it answers them.

The candidates are Workspace APIs with a discovery document shipped in google-api-python-client (their
hosts and path prefixes come from it), plus the retired Sheets v3 feeds; whatever ``routing.APIS``
serves is left out, so an API added there drops off this list by itself. A call to one of them gets
Google's JSON answer for a method it does not serve (404 ``{"error": {"code": 404, "message": "Method
not found.", "status": "NOT_FOUND"}}``, as Google answers turned-down methods) instead of an HTML page.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from ilt_bot.sandbox.routing import APIS, DISCOVERY_DIR

CANDIDATES: tuple[tuple[str, str], ...] = (
    ("drive", "v2"), ("drive", "v3"), ("docs", "v1"), ("forms", "v1"), ("sheets", "v4"),
    ("admin", "directory_v1"), ("admin", "reports_v1"), ("gmail", "v1"), ("calendar", "v3"),
    ("slides", "v1"), ("classroom", "v1"), ("tasks", "v1"), ("people", "v1"), ("script", "v1"),
    ("groupssettings", "v1"), ("driveactivity", "v2"), ("drivelabels", "v2"), ("chat", "v1"),
    ("keep", "v1"), ("meet", "v2"),
)
"""Google APIs a school's Workspace client may reach (name, version as in the discovery file name)."""

METHOD_NOT_FOUND = {"error": {"code": 404, "message": "Method not found.", "status": "NOT_FOUND"}}


@dataclass(frozen=True)
class UnservedApi:
    """One API the sandbox does not serve: where its calls go."""

    name: str
    version: str
    title: str
    host: str
    prefixes: tuple[str, ...]
    """Leading literal path segments of its methods (``/drive/v2/files``, ``/gmail/v1/users``)."""


_VERSION = re.compile(r"^v\d")


def _prefix(path: str) -> str | None:
    """``/gmail/v1`` of ``gmail/v1/users/{userId}``, ``/v1/courses`` of ``v1/courses/{id}``: the path up
    to its version segment, one segment more when the version comes first."""
    literal: list[str] = []
    for segment in path.split("/"):
        segment = segment.split(":", 1)[0]
        if not segment or "{" in segment:
            break
        literal.append(segment)
        if _VERSION.match(segment) and len(literal) > 1:
            break
        if len(literal) == 2 and _VERSION.match(literal[0]):
            break
    return "/" + "/".join(literal) if len(literal) >= 2 else None


def _prefixes(doc: dict[str, Any]) -> tuple[str, ...]:
    if doc.get("servicePath"):
        return ("/" + doc["servicePath"].rstrip("/"),)
    found: set[str] = set()
    stack = [doc]
    while stack:
        resource = stack.pop()
        stack.extend(resource.get("resources", {}).values())
        for method in resource.get("methods", {}).values():
            prefix = _prefix(method.get("flatPath", method["path"]))
            if prefix:
                found.add(prefix)
    return tuple(sorted(found))


@functools.cache
def unserved_apis() -> tuple[UnservedApi, ...]:
    """The candidate APIs (and versions) the sandbox does not serve, Sheets v3 feeds included."""
    out = []
    for name, version in CANDIDATES:
        if APIS.get(name) == version:
            continue
        path = DISCOVERY_DIR / f"{name}.{version}.json"
        if not path.exists():
            continue
        doc = json.loads(path.read_text(encoding="utf-8"))
        out.append(UnservedApi(name, version, doc.get("title", name), urlsplit(doc["rootUrl"]).netloc,
                               _prefixes(doc)))
    if APIS.get("sheets") != "v3":
        out.append(UnservedApi("sheets", "v3", "Google Sheets API v3 (feeds, retired by Google)",
                               "spreadsheets.google.com", ("/feeds",)))
    return tuple(out)


def unserved_api_of(raw_path: str, host: str | None = None) -> UnservedApi | None:
    """The unserved API a request is for (by its path, or its ``*.googleapis.com`` host), or None."""
    for api in unserved_apis():
        if any(raw_path == p or raw_path.startswith((p + "/", p + ":", p + "?")) for p in api.prefixes):
            return api
    if host:
        host = host.lower()
        return next((api for api in unserved_apis() if api.host == host and api.host != "www.googleapis.com"), None)
    return None
