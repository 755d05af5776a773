"""An API request and its reply as the sandbox's pipeline passes them (``server.py``, ``batch.py``).

:class:`ApiRequest` is one call from the wire or from one part of an HTTP batch; :class:`Reply` an answer
before it becomes a Werkzeug response; :func:`error_reply` and :func:`not_found_page` answer as Google does.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from typing import Any

from ilt_bot.sandbox import routing
from ilt_bot.sandbox.core import ApiError

JSON_TYPE = "application/json; charset=UTF-8"


@dataclass
class Reply:
    """An answer before it becomes a Werkzeug response (``drop``: close the connection instead)."""

    status: int
    body: bytes = b""
    content_type: str | None = JSON_TYPE
    headers: dict[str, str] = field(default_factory=dict)
    drop: bool = False
    method: str | None = None
    user: str | None = None
    fault: str | None = None
    log_extra: dict[str, Any] = field(default_factory=dict)
    """More fields for the request log entry (``upload``: ``start`` / ``chunk`` of a resumable upload)."""


def json_bytes(body: Any, pretty: bool = True) -> bytes:
    """JSON as Google prints it (two-space indent and a final newline unless ``prettyPrint=false``)."""
    if pretty:
        return (json.dumps(body, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def error_reply(api: str, error: ApiError, method_id: str | None = None) -> Reply:
    """An :class:`ApiError` in the API's style (Drive's ``errors`` list, else ``status``/``details``)."""
    body = error.drive_body() if api in routing.ERRORS_LIST_APIS else error.google_body()
    return Reply(error.code, json_bytes(body), headers=dict(error.headers), method=method_id)


def not_found_page(path: str) -> Reply:
    """Google's front-end 404 page for a URL no API serves."""
    page = (
        "<!DOCTYPE html>\n<html lang=en>\n  <meta charset=utf-8>\n"
        '  <meta name=viewport content="initial-scale=1, minimum-scale=1, width=device-width">\n'
        "  <title>Error 404 (Not Found)!!1</title>\n"
        "  <p><b>404.</b> <ins>That\u2019s an error.</ins>\n"
        f"  <p>The requested URL <code>{html.escape(path)}</code> was not found on this server.  "
        "<ins>That\u2019s all we know.</ins>\n"
    )
    return Reply(404, page.encode("utf-8"), "text/html; charset=UTF-8")


@dataclass
class ApiRequest:
    """An API request as the pipeline sees it (from the wire or from one part of a batch)."""

    http_method: str
    raw_path: str
    args: list[tuple[str, str]]
    headers: Any
    body: bytes
    host: str | None = None
    default_user: str | None = None
    """The outer request's user for a batch part without its own Authorization."""
    in_batch: bool = False

    def header(self, name: str, default: str | None = None) -> str | None:
        value = self.headers.get(name)
        return default if value is None else value
