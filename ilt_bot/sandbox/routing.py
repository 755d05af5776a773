"""Routing from the discovery documents: an HTTP method and raw path to a discovery method id.

Routes are built from each method's ``path`` template under the API's rootUrl path and servicePath
(``/drive/v3/files/{fileId}``, ``/v4/spreadsheets/{spreadsheetId}/values/{range}:append``) and from
the ``mediaUpload`` protocol paths (``/upload/drive/v3/files``). Matching runs on the raw,
still percent-encoded path so that an encoded ``/`` inside a range stays inside its parameter.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import googleapiclient

APIS: dict[str, str] = {"drive": "v3", "docs": "v1", "forms": "v1", "sheets": "v4", "calendar": "v3"}
"""The emulated APIs and their versions."""

DISCOVERY_DIR = Path(googleapiclient.__file__).parent / "discovery_cache" / "documents"

HOSTS: dict[str, str] = {
    "www.googleapis.com": "drive",
    "drive.googleapis.com": "drive",
    "docs.googleapis.com": "docs",
    "forms.googleapis.com": "forms",
    "sheets.googleapis.com": "sheets",
}
"""Which API a ``*.googleapis.com`` host (from ``X-Sandbox-Host``) serves."""

SHARED_HOSTS: dict[str, str] = {"calendar": "www.googleapis.com"}
"""APIs served on another API's host (Calendar v3's rootUrl is ``www.googleapis.com``, beside Drive)."""

ERRORS_LIST_APIS = frozenset({"drive", "calendar"})
"""APIs whose errors carry Drive v3's ``errors`` list (domain, reason) rather than ``status``/``details``."""


@functools.cache
def discovery(api: str) -> dict[str, Any]:
    """The shipped discovery document of ``api`` (``drive``, ``docs``, ``forms``, ``sheets``, ``calendar``)."""
    return json.loads((DISCOVERY_DIR / f"{api}.{APIS[api]}.json").read_text(encoding="utf-8"))


def _walk(resource: dict[str, Any]) -> list[dict[str, Any]]:
    found = list(resource.get("methods", {}).values())
    for sub in resource.get("resources", {}).values():
        found.extend(_walk(sub))
    return found


@functools.cache
def methods() -> dict[str, dict[str, Any]]:
    """Every discovery method of the emulated APIs, by method id."""
    return {m["id"]: m for api in APIS for m in _walk(discovery(api))}


def api_of(method_id: str) -> str:
    """``drive`` for ``drive.files.get``."""
    return method_id.split(".", 1)[0]


@dataclass(frozen=True)
class Route:
    """One routable URL pattern of a discovery method."""

    api: str
    http_method: str
    method_id: str
    pattern: re.Pattern[str]
    literal_length: int
    upload: str | None = None
    """None for the plain method URL, ``simple`` or ``resumable`` for its media upload URLs."""


@dataclass
class Match:
    """A routed request: the method id, its decoded path parameters and whether it is an upload URL."""

    method_id: str
    path_params: dict[str, str]
    upload: str | None = None

    @property
    def api(self) -> str:
        return api_of(self.method_id)


_PARAM = re.compile(r"\{(\+?)([A-Za-z_][A-Za-z0-9_]*)\}")


def _compile(template: str) -> tuple[re.Pattern[str], int]:
    """Regex for a path template; ``{+x}`` spans slashes, ``{range}`` may hold ``:`` and ``!``."""
    out, pos, literal = [], 0, 0
    for m in _PARAM.finditer(template):
        text = template[pos : m.start()]
        out.append(re.escape(text))
        literal += len(text)
        reserved, name = m.groups()
        if reserved:
            out.append(f"(?P<{name}>.+?)")
        elif name == "range":
            out.append(f"(?P<{name}>[^/]+?)")
        else:
            out.append(f"(?P<{name}>[^/:]+)")
        pos = m.end()
    text = template[pos:]
    out.append(re.escape(text))
    literal += len(text)
    return re.compile("^" + "".join(out) + "/?$"), literal


def _base_path(doc: dict[str, Any]) -> str:
    root = urlsplit(doc["rootUrl"]).path  # "/" for every API here
    return root.rstrip("/") + "/" + doc["servicePath"]


@functools.cache
def routes() -> tuple[Route, ...]:
    """All routes, most specific first (more literal characters win)."""
    found: list[Route] = []
    for api in APIS:
        doc = discovery(api)
        base = _base_path(doc)
        for m in _walk(doc):
            pattern, literal = _compile(base + m["path"])
            found.append(Route(api, m["httpMethod"], m["id"], pattern, literal))
            for kind, proto in m.get("mediaUpload", {}).get("protocols", {}).items():
                pattern, literal = _compile(proto["path"])
                found.append(Route(api, m["httpMethod"], m["id"], pattern, literal, kind))
    found.sort(key=lambda r: -r.literal_length)
    return tuple(found)


def match(http_method: str, raw_path: str, host: str | None = None) -> tuple[Match | None, bool]:
    """Route a request. Returns ``(match, path_known)``: ``path_known`` is True when the path fits some
    method although not with this HTTP method (Google then answers 404 as for any unknown URL).

    ``host`` (the original ``*.googleapis.com`` host) restricts the search to that host's API.
    """
    host = host.lower() if host else None
    only = HOSTS.get(host) if host else None
    path_known = False
    for route in routes():
        if only and route.api != only and SHARED_HOSTS.get(route.api) != host:
            continue
        m = route.pattern.match(raw_path)
        if not m:
            continue
        if route.http_method != http_method.upper():
            path_known = True
            continue
        params = {k: unquote(v) for k, v in m.groupdict().items()}
        return Match(route.method_id, params, route.upload), True
    return None, path_known
