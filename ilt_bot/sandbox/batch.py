"""HTTP batches: ``POST /batch/drive/v3`` (and ``/batch`` for Docs, Forms, Sheets), ``multipart/mixed``.

Each part is ``application/http``: a path-only request line, headers, an optional JSON body. Every
part goes through the same pipeline as a single call (routing, validation, auth: the outer
``Authorization`` applies unless the part carries its own) and the answers come back in order, each
with ``Content-ID: <response-ID>``. Drive runs at most 100 parts: the ones beyond get its 403 "Exceeds
allowed inner batch requests soft limit" (as reported against the real API); media uploads are refused.
"""

from __future__ import annotations

import email.parser
import email.policy
import secrets
import time
from collections.abc import Callable
from http import HTTPStatus
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlsplit

from ilt_bot.sandbox import identity, routing
from ilt_bot.sandbox.core import ApiError
from ilt_bot.sandbox.replies import ApiRequest, Reply, error_reply, not_found_page

if TYPE_CHECKING:
    from werkzeug.wrappers import Request

    from ilt_bot.sandbox.faults import Fault, FaultInjector
    from ilt_bot.sandbox.requestlog import RequestLog

DRIVE_SOFT_LIMIT = 100
MAX_PARTS = 1000
SOFT_LIMIT_MESSAGE = "Exceeds allowed inner batch requests soft limit. Please retry."

_BATCH_APIS = {"/batch/drive/v3": "drive", "/batch/drive/v2": "drive"}


def _api_of_batch(raw_path: str, host: str | None) -> str | None:
    if raw_path in _BATCH_APIS:
        return _BATCH_APIS[raw_path]
    if raw_path == "/batch" and host:
        return routing.HOSTS.get(host.lower())
    return None


def _parse_parts(content_type: str, body: bytes) -> list[tuple[str | None, bytes]]:
    """The (Content-ID, inner HTTP request bytes) of each part."""
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
    )
    if not message.is_multipart():
        raise ApiError(400, "Invalid multipart request with 0 mime parts.", reason="badRequest")
    parts = []
    for part in message.iter_parts():
        payload = part.get_payload(decode=True)
        parts.append((part.get("Content-ID"), payload if isinstance(payload, bytes) else b""))
    return parts


def _inner_request(data: bytes, outer_user: str | None, host: str | None) -> ApiRequest:
    first, _, rest = data.lstrip(b"\r\n").partition(b"\n")
    words = first.decode("latin-1").strip().split()
    if len(words) < 2:
        raise ApiError(400, "Invalid batch part: no request line.", reason="badRequest")
    method, target = words[0].upper(), words[1]
    inner = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(rest)
    body = inner.get_payload(decode=True) if not inner.is_multipart() else b""
    url = urlsplit(target)
    headers = {k: str(v) for k, v in inner.items()}
    return ApiRequest(
        http_method=method,
        raw_path=url.path,
        args=parse_qsl(url.query, keep_blank_values=True),
        headers=headers,
        body=body if isinstance(body, bytes) else b"",
        host=host,
        default_user=outer_user,
        in_batch=True,
    )


def _serialize(reply: Reply, content_id: str | None) -> bytes:
    """One answer part (``application/http`` with the status line, headers and body)."""
    lines = ["Content-Type: application/http"]
    if content_id:
        inner_id = content_id.strip()
        inner_id = inner_id[1:-1] if inner_id.startswith("<") and inner_id.endswith(">") else inner_id
        lines.append(f"Content-ID: <response-{inner_id}>")
    try:
        phrase = HTTPStatus(reply.status).phrase
    except ValueError:
        phrase = ""
    head = [f"HTTP/1.1 {reply.status} {phrase}"]
    if reply.content_type:
        head.append(f"Content-Type: {reply.content_type}")
    head.extend(f"{k}: {v}" for k, v in reply.headers.items())
    head.append(f"Content-Length: {len(reply.body)}")
    return ("\r\n".join(lines) + "\r\n\r\n" + "\r\n".join(head) + "\r\n\r\n").encode("latin-1") + reply.body


def handle_batch(request: Request, raw_path: str, *, execute: Callable[[ApiRequest], Reply],
                 fault_reply: Callable[[str, Fault, bool], Reply], faults: FaultInjector, log: RequestLog) -> Reply:
    """Answer one batch request: each part through ``execute`` (the server's pipeline for one call), one
    injected fault drawn from ``faults`` for the whole batch (answered by ``fault_reply``), each part logged."""
    host = request.headers.get("X-Sandbox-Host")
    api = _api_of_batch(raw_path, host)
    if request.method != "POST" or raw_path not in ("/batch", *_BATCH_APIS):
        return not_found_page(raw_path)
    style = api or "sheets"
    outer_user = identity.user_from_token(identity.bearer_token(request.headers))
    try:
        content_type = request.headers.get("Content-Type", "")
        if not content_type.startswith("multipart/"):
            raise ApiError(400, "Invalid content type for batch request: must be multipart/mixed.",
                           reason="badRequest")
        parts = _parse_parts(content_type, request.get_data(cache=False))
        if len(parts) > MAX_PARTS:
            raise ApiError(400, f"A batch request cannot contain more than {MAX_PARTS} requests.",
                           reason="badRequest")
    except ApiError as error:
        reply = error_reply(style, error)
        reply.method, reply.user = "batch", outer_user
        return reply
    fault = faults.draw(is_write=True)
    if fault is not None and not fault.after_commit:
        reply = fault_reply(style, fault, True)
        reply.method, reply.user = "batch", outer_user
        return reply
    boundary = "batch_" + secrets.token_urlsafe(16)
    chunks = []
    for index, (content_id, data) in enumerate(parts):
        started = time.perf_counter()
        try:
            if api == "drive" and index >= DRIVE_SOFT_LIMIT:
                raise ApiError(403, SOFT_LIMIT_MESSAGE, reason="forbidden")
            inner = _inner_request(data, outer_user, host)
            if inner.raw_path.startswith(("/upload/", "/resumable/upload/")):
                raise ApiError(400, "Media upload is not supported in batch requests.", reason="badRequest")
            answer = execute(inner)
        except ApiError as error:
            answer = error_reply(style, error)
        if answer.method is not None:
            log.record(user=answer.user, method=answer.method, status=answer.status,
                       ms=(time.perf_counter() - started) * 1000, fault=answer.fault, batch=True)
        chunks.append(b"--" + boundary.encode() + b"\r\n" + _serialize(answer, content_id) + b"\r\n")
    body = b"".join(chunks) + b"--" + boundary.encode() + b"--\r\n"
    if fault is not None:  # the parts ran and committed; the answer is lost
        reply = fault_reply(style, fault, True)
        reply.method, reply.user = "batch", outer_user
        return reply
    reply = Reply(200, body, f"multipart/mixed; boundary={boundary}")
    reply.method = None  # the parts are logged one by one
    return reply
