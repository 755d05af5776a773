"""The ``--verbose`` HTTP trace: ``http.client``'s debug prints routed into the ``ilt_bot.http`` logger.

httplib2 (google-api-python-client) and urllib3 (gspread) both print through ``http.client``; without
this the prints would go to stdout and break ``--json``. :mod:`ilt_bot.logs` redacts every line.
"""

from __future__ import annotations

import builtins
import http.client
import logging
from typing import Any

import httplib2

HTTP_LOGGER = "ilt_bot.http"
"""The logger of the ``--verbose`` HTTP trace (:mod:`ilt_bot.logs` turns it on and redacts its lines)."""


class _HttpTrace:
    """Routes ``http.client`` debug prints (``send: b'...'``, ``reply: ...``, ``header: ...``) to a logger."""

    def __init__(self) -> None:
        self.log = logging.getLogger(HTTP_LOGGER)

    def __call__(self, *args: Any, **kwargs: Any) -> None:
        if kwargs.get("file") is not None:  # a real print to a file (httplib2 writes cache headers so)
            builtins.print(*args, **kwargs)
            return
        self.log.debug(" ".join(str(a) for a in args))


_installed_trace = False


def enable_http_trace() -> None:
    """Log every HTTP exchange of httplib2 (googleapiclient) and urllib3 (gspread) at DEBUG, redacted."""
    global _installed_trace
    trace = _HttpTrace()
    http.client.print = trace  # type: ignore[attr-defined]  # module-global lookup shadows the builtin
    httplib2.print = trace  # type: ignore[attr-defined]  # httplib2 prints "connect: ..." itself
    httplib2.debuglevel = 1
    http.client.HTTPConnection.debuglevel = 1
    logging.getLogger(HTTP_LOGGER).setLevel(logging.DEBUG)
    logging.getLogger("urllib3").setLevel(logging.DEBUG)
    logging.getLogger("googleapiclient.discovery").setLevel(logging.DEBUG)
    _installed_trace = True


def disable_http_trace() -> None:
    """Undo :func:`enable_http_trace` (tests)."""
    global _installed_trace
    if not _installed_trace:
        return
    vars(http.client).pop("print", None)
    vars(httplib2).pop("print", None)
    httplib2.debuglevel = 0
    http.client.HTTPConnection.debuglevel = 0
    _installed_trace = False
