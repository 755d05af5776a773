"""Logging for the ``ilt-bot`` commands: text or JSON lines on stderr, secrets always redacted.

- :func:`setup` installs one stderr handler on the root logger. ``log_format="json"`` writes one JSON
  object per line (``time``, ``level``, ``logger``, ``message`` and any ``extra`` fields such as
  ``school``, ``key``, ``api_calls``); ``"text"`` a readable line.
- ``verbose=True`` adds a trace of every HTTP exchange: the raw requests and answers httplib2 sends
  (google-api-python-client) and the requests/urllib3 calls (gspread), routed from ``http.client``'s
  debug prints (which would otherwise go to stdout and break ``--json``) into the ``ilt_bot.http`` logger.
- Every line passes through :func:`redact` in the formatter, so neither a message, its arguments nor a
  traceback can carry an ``Authorization`` value, an access/refresh token, a private key or a JWT
  assertion, whatever library logged it.
- :func:`school_context` tags every record logged in the block (by this thread) with ``school``, so the
  lines of schools ticking concurrently in a district can be told apart.
"""

from __future__ import annotations

import contextvars
import json
import logging
import os
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, Literal, TextIO

from ilt_bot.workspace.errors import scrub

LogFormat = Literal["text", "json"]
FORMATS: tuple[str, ...] = ("text", "json")

REDACTED = "<redacted>"

_HEADER_SECRETS = re.compile(
    r"(?i)((?:authorization|proxy-authorization|x-goog-api-key|cookie|set-cookie)['\"]?\s*[:=]\s*['\"]?)"
    r"(?:[^\r\n'\"\\]|\\(?![rn]))+"
)
"""A secret header's value, in a plain header block or in a ``repr`` of bytes (stops at ``\\r\\n``)."""

_FIELD_SECRETS = re.compile(
    r"(?i)(['\"]?(?:access_token|refresh_token|id_token|client_secret|private_key_id|private_key|assertion|"
    r"password|code_verifier)['\"]?\s*[:=]\s*['\"]?)(?:[^\s'\"&,\\]|\\(?![rn\"']))+"
)
"""``name=value`` / ``"name": "value"`` pairs (form bodies, JSON) whose value is a secret."""

_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "taskName"}

_school: contextvars.ContextVar[str | None] = contextvars.ContextVar("ilt_bot_school", default=None)


_PEM = re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?-----END [A-Z ]*PRIVATE KEY-----", re.S)


def redact(text: str) -> str:
    """``text`` without secrets: header values, token fields, bearer tokens, JWTs and private keys."""
    text = _PEM.sub(REDACTED, text)
    text = _HEADER_SECRETS.sub(lambda m: m.group(1) + REDACTED, text)
    text = _FIELD_SECRETS.sub(lambda m: m.group(1) + REDACTED, text)
    return scrub(text)


@contextmanager
def school_context(school_id: str | None) -> Iterator[None]:
    """Tag the records logged in this block with ``school`` (per thread / task)."""
    token = _school.set(school_id)
    try:
        yield
    finally:
        _school.reset(token)


class SchoolFilter(logging.Filter):
    """Adds ``record.school`` from :func:`school_context` (unless the call passed one in ``extra``)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "school", None) is None:
            record.school = _school.get()
        return True


class TextFormatter(logging.Formatter):
    """``2026-09-15 06:00:01 INFO ilt_bot.jobs [cedar]: create cedar/agenda/...`` (redacted)."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s%(where)s: %(message)s", "%Y-%m-%d %H:%M:%S")

    def format(self, record: logging.LogRecord) -> str:
        school = getattr(record, "school", None)
        record.where = f" [{school}]" if school else ""
        return redact(super().format(record))


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO), level, logger, message, extras; redacted."""

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name, value in vars(record).items():
            if name not in _STANDARD and name not in data and name != "where" and value is not None:
                data[name] = value
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        text = json.dumps(data, default=str, ensure_ascii=False)
        return redact(text)


def disable_http_trace() -> None:
    """Undo the ``--verbose`` HTTP trace (tests)."""
    from ilt_bot.workspace.trace import disable_http_trace as disable  # lazy: start-up time (httplib2)

    disable()


def level_for(log_format: str, verbose: bool) -> int | str:
    """The bot's log level: ``$ILT_BOT_LOG_LEVEL``, else INFO in json (for log collectors) or with ``-v``,
    else WARNING."""
    env_level = os.environ.get("ILT_BOT_LOG_LEVEL")
    if env_level:
        return env_level.upper()
    return logging.INFO if log_format == "json" or verbose else logging.WARNING


def setup(log_format: str = "text", *, verbose: bool = False, level: int | str | None = None,
          stream: TextIO | None = None) -> logging.Handler:
    """Send all logging to ``stream`` (stderr) in ``log_format``; returns the installed handler.

    ``level`` applies to the bot's own loggers (``ilt_bot.*``); libraries stay at WARNING unless
    ``verbose``, which sets DEBUG everywhere and turns on the HTTP trace.
    """
    if log_format not in FORMATS:
        raise ValueError(f"log format must be one of {', '.join(FORMATS)}, not {log_format!r}")
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    handler.addFilter(SchoolFilter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose else logging.WARNING)
    bot_level = logging.DEBUG if verbose else (level if level is not None else logging.WARNING)
    logging.getLogger("ilt_bot").setLevel(bot_level)
    if verbose:
        from ilt_bot.workspace.trace import enable_http_trace  # lazy: start-up time (httplib2)

        enable_http_trace()
    return handler
