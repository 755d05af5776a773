"""The sandbox's HTTP server: Werkzeug WSGI app, threaded server, and the per-request pipeline.

Pipeline of an API request: route (discovery path templates) -> authenticate -> 501 if unimplemented
-> quota -> injected fault -> validate query and body -> run the handler in one store transaction ->
``fields`` projection -> answer in the API's style -> request log. Google's token endpoint
(``/token``), HTTP batches (``/batch...``) and the human pages (``/_sandbox/...`` and ``PAGES``) are
answered beside it; faults never touch the token endpoint or the pages.
"""

from __future__ import annotations

import base64
import contextlib
import email.parser
import email.policy
import errno
import importlib
import io
import ipaddress
import logging
import socket
import threading
import time
import traceback
from collections.abc import Iterable
from datetime import datetime
from typing import Any
from urllib.parse import unquote, urlsplit

from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, Rule
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from ilt_bot.sandbox import directory, identity, routing, schema
from ilt_bot.sandbox.batch import handle_batch
from ilt_bot.sandbox.clock import sandbox_now, set_sandbox_now
from ilt_bot.sandbox.core import HANDLERS, PAGES, ApiError, Call, Media, PageRequest, Result, new_id
from ilt_bot.sandbox.faults import Fault, FaultInjector, rate_limit_error, server_error
from ilt_bot.sandbox.quotas import Quotas, is_write
from ilt_bot.sandbox.replies import ApiRequest, Reply, error_reply, json_bytes, not_found_page
from ilt_bot.sandbox.requestlog import RequestLog
from ilt_bot.sandbox.store import Store
from ilt_bot.sandbox.unserved import METHOD_NOT_FOUND, unserved_api_of

log = logging.getLogger("ilt_bot.sandbox")

API_PACKAGES = ("drive", "docs", "forms", "sheets", "calendar")
_loaded: dict[str, str | None] = {}
_load_lock = threading.Lock()


def load_api_packages() -> dict[str, str | None]:
    """Import the per-API packages (and the framework pages) once; a missing or broken package is
    logged and skipped so the others still work. Returns ``{package: None | error text}``."""
    with _load_lock:
        if not _loaded:
            importlib.import_module("ilt_bot.sandbox.pages")
            _loaded.update(import_packages(API_PACKAGES))
        return dict(_loaded)


def import_packages(names: Iterable[str], parent: str = "ilt_bot.sandbox") -> dict[str, str | None]:
    """Import ``parent.<name>`` for each name; ``{name: None}`` when it loaded, else the error (logged)."""
    outcome: dict[str, str | None] = {}
    for name in names:
        try:
            importlib.import_module(f"{parent}.{name}")
            outcome[name] = None
        except Exception as exc:  # noqa: BLE001 - a broken package must not take the others down
            outcome[name] = f"{type(exc).__name__}: {exc}"
            log.warning("sandbox API package %s not loaded: %s", name, outcome[name])
    return outcome


# --- replies -------------------------------------------------------------------------------------

_COMMON_HEADERS = {"X-XSS-Protection": "0", "X-Frame-Options": "SAMEORIGIN", "X-Content-Type-Options": "nosniff"}
GOOGLE_HEADERS: dict[str, dict[str, str]] = {
    "drive": {"Vary": "Origin, X-Origin", "Cache-Control": "no-cache, no-store, max-age=0, must-revalidate",
              "Pragma": "no-cache", "Expires": "Mon, 01 Jan 1990 00:00:00 GMT", **_COMMON_HEADERS},
    "esf": {"Vary": "Origin, X-Origin, Referer", "Cache-Control": "private", **_COMMON_HEADERS},
}
"""The response headers Google sends with every API answer (recorded in the gspread cassettes; the
``Server: ESF`` header comes from the request handler)."""


def not_served(path: str, host: str | None) -> Reply:
    """A URL no served method matches: Google's JSON 404 for an API the sandbox does not serve (Drive
    v2, Gmail, ...: see ``unserved.py``), else Google's front-end 404 page."""
    api = unserved_api_of(path, host)
    if api is None:
        return not_found_page(path)
    log.warning("sandbox: %s %s is not served (%s)", api.name, api.version, path)
    return Reply(404, json_bytes(METHOD_NOT_FOUND))


def not_implemented(method_id: str) -> ApiError:
    return ApiError(501, f"Method {method_id} is not implemented by the ILT Bot sandbox.", reason="notImplemented")


# --- one API request -----------------------------------------------------------------------------


def _upload_parts(content_type: str, body: bytes) -> tuple[Any, Media]:
    """Split a ``multipart/related`` upload into its JSON metadata and its media (email package)."""
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
    )
    if not message.is_multipart():
        raise ApiError(400, "Bad content type. Please use multipart.", reason="badContent")
    parts = message.get_payload()
    if not isinstance(parts, list) or len(parts) != 2:
        raise ApiError(400, "Multipart upload must contain exactly two parts: metadata and media.",
                       reason="badContent")
    metadata = schema.parse_json_body(parts[0].get_payload(decode=True) or b"")
    media_part = parts[1]
    data = media_part.get_payload(decode=True) or b""
    return metadata, Media(media_part.get_content_type(), data)


class SandboxApp:
    """The WSGI application (one per :class:`SandboxServer`)."""

    def __init__(self, server: SandboxServer) -> None:
        self.server = server
        self.pages = Map([Rule(rule, methods=list(methods), endpoint=i) for i, (rule, methods, _h) in enumerate(PAGES)])
        self._seen_users: set[str] = set()

    def signed_in(self, user: str) -> None:
        """Note in the directory that ``user`` has used the sandbox (once per user and server)."""
        if user not in self._seen_users:
            directory.note_sign_in(self.store, user)
            self._seen_users.add(user)

    @property
    def store(self) -> Store:
        return self.server.store

    # WSGI entry point
    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        request = Request(environ)
        try:
            reply = self.handle(request)
        except Exception:  # noqa: BLE001 - never let a bug kill the connection silently
            log.error("sandbox error on %s %s\n%s", request.method, request.path, traceback.format_exc())
            reply = Reply(500, b"internal sandbox error\n", "text/plain; charset=utf-8")
        if reply.drop:
            _drop_connection(environ)
            raise ConnectionResetError("sandbox fault: connection dropped")
        response = Response(reply.body, status=reply.status, headers=list(reply.headers.items()))
        if reply.content_type:
            response.headers["Content-Type"] = reply.content_type
        elif not reply.body:
            response.headers.pop("Content-Type", None)
        return response(environ, start_response)

    def handle(self, request: Request) -> Reply:
        raw_path = urlsplit(request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI") or request.path).path
        if raw_path in identity.TOKEN_PATHS:
            return self.token(request)
        iam = identity.IAM_PATH.match(raw_path)
        if iam is not None and request.method == "POST":
            return self.iam(request, iam.group("email"), iam.group("verb"))
        if raw_path == "/batch" or raw_path.startswith("/batch/"):
            return self.timed(request, lambda: handle_batch(
                request, raw_path, execute=self.execute, fault_reply=self.fault_reply, faults=self.server.faults,
                log=self.server.log))
        page = self.page(request)
        if page is not None:
            return page
        api_request = ApiRequest(
            http_method=request.method,
            raw_path=raw_path,
            args=list(request.args.items(multi=True)),
            headers=request.headers,
            body=request.get_data(cache=False),
            host=request.headers.get("X-Sandbox-Host"),
        )
        return self.timed(request, lambda: self.execute(api_request))

    def timed(self, request: Request, run: Any) -> Reply:
        """Apply the fixed latency, run, and log (batches log their parts themselves)."""
        started = time.perf_counter()
        if self.server.latency_ms:
            time.sleep(self.server.latency_ms / 1000)
        reply: Reply = run()
        if reply.method is not None and not reply.drop:
            style = "drive" if routing.api_of(reply.method) == "drive" else "esf"
            for name, value in GOOGLE_HEADERS[style].items():
                reply.headers.setdefault(name, value)
        if reply.method is not None:
            self.server.log.record(
                user=reply.user, method=reply.method, status=0 if reply.drop else reply.status,
                ms=(time.perf_counter() - started) * 1000, fault=reply.fault, **reply.log_extra,
            )
        return reply

    # --- API calls ---

    def execute(self, req: ApiRequest) -> Reply:
        """Route, authenticate, validate and run one API call (the faults apply unless in a batch)."""
        if req.raw_path.startswith(("/upload/", "/resumable/upload/")) and any(k == "upload_id" for k, _ in req.args):
            return self.resume_upload(req)
        if req.host and req.host.lower() not in routing.HOSTS:
            return not_served(req.raw_path, req.host)
        match, _known = routing.match(req.http_method, req.raw_path, req.host)
        if match is None:
            return not_served(req.raw_path, req.host)
        method_id, api = match.method_id, match.api
        try:
            user = identity.authenticate(req.headers, self.store) \
                if req.header("Authorization") or not req.default_user else req.default_user
        except identity.AuthProblem as problem:
            reply = Reply(401, json_bytes(identity.unauthenticated_body(api, problem.missing)),
                          headers={"WWW-Authenticate": 'Bearer realm="https://accounts.google.com/"'})
            reply.method = method_id
            return reply
        self.signed_in(user)
        reply = self.call(req, match, user)
        reply.method, reply.user = method_id, user
        return reply

    def call(self, req: ApiRequest, match: routing.Match, user: str) -> Reply:
        method_id, api = match.method_id, match.api
        write = is_write(method_id, req.http_method)
        handler = HANDLERS.get(method_id)
        if handler is None:
            return error_reply(api, not_implemented(method_id))
        refused = identity.insufficient_scope(req.headers, method_id)
        if refused is not None:
            body, headers = refused
            return Reply(403, json_bytes(body), headers=headers)
        if self.server.quotas is not None:
            exceeded = self.server.quotas.charge(method_id, req.http_method, user)
            if exceeded is not None:
                style = "drive" if api in routing.ERRORS_LIST_APIS else api
                status, body = rate_limit_error(style, per_user=exceeded.per_user, write=write)
                return Reply(status, json_bytes(body), fault="quota")
        fault = None if req.in_batch else self.server.faults.draw(write)
        if fault is not None and not fault.after_commit:
            return self.fault_reply(api, fault, write)
        try:
            query = schema.validate_query(method_id, req.args, match.path_params)
            fields = schema.parse_fields(query["fields"], method_id) if query.get("fields") else None
            body, media = None, None
            if match.upload:
                upload_type = query.get("uploadType")
                content_type = req.header("Content-Type", "application/octet-stream") or ""
                if upload_type == "multipart":
                    body, media = _upload_parts(content_type, req.body)
                elif upload_type == "media":
                    media = Media(content_type.split(";")[0].strip() or "application/octet-stream", req.body)
                elif upload_type == "resumable":
                    body = schema.validate_body(method_id, schema.parse_json_body(req.body))
                    return self.start_upload(req, match, user, query, body)
                else:
                    raise ApiError(400, f"Invalid upload type: {upload_type}" if upload_type else
                                   "Upload requests must include an uploadType URL parameter and a URL path "
                                   "beginning with /upload/", reason="invalid", location="uploadType",
                                   location_type="parameter")
            else:
                body = schema.parse_json_body(req.body)
            body = schema.validate_body(method_id, body)
            result = self.run_handler(req, match, user, query, body, media)
        except ApiError as error:
            return error_reply(api, error)
        except Exception:  # noqa: BLE001
            log.error("handler %s failed\n%s", method_id, traceback.format_exc())
            return Reply(500, json_bytes(server_error(api, 500)))
        if fault is not None:  # commit, then fail
            reply = self.fault_reply(api, fault, write)
            reply.fault = fault.label
            return reply
        return self.render(api, result, fields, query.get("prettyPrint", True))

    def run_handler(self, req: ApiRequest, match: routing.Match, user: str, query: dict[str, Any], body: Any,
                    media: Media | None) -> Any:
        """Run the registered handler inside one store transaction (an error rolls it all back)."""
        call = Call(
            method_id=match.method_id,
            user=user,
            path_params=match.path_params,
            query=query,
            body=body,
            media=media,
            store=self.store,
            base_url=self.server.url,
            now=sandbox_now(self.store),
            headers={k: v for k, v in req.headers.items() if k.lower() != "authorization"},
        )
        with self.store.transaction():
            return HANDLERS[match.method_id](call)

    def render(self, api: str, result: Any, fields: schema.FieldTree | None, pretty: bool) -> Reply:
        """A handler's answer as a :class:`Reply` (``fields`` applied to JSON answers)."""
        if result is None:
            # Drive's recorded empty answer: 204 with an empty text/html body.
            return Reply(204, b"", "text/html") if api == "drive" else Reply(200, json_bytes({}, pretty))
        if isinstance(result, Result):
            if result.raw is not None:
                return Reply(result.status, result.raw, result.content_type, dict(result.headers))
            if result.body is None:
                return Reply(result.status, b"", None if result.status == 204 else result.content_type,
                             dict(result.headers))
            body = schema.project(result.body, fields) if fields else result.body
            return Reply(result.status, json_bytes(body, pretty), result.content_type, dict(result.headers))
        body = schema.project(result, fields) if fields else result
        return Reply(200, json_bytes(body, pretty))

    def fault_reply(self, api: str, fault: Fault, write: bool) -> Reply:
        api = "drive" if api in routing.ERRORS_LIST_APIS else api  # Calendar answers these as Drive does
        if fault.kind == "reset":
            return Reply(0, drop=True, fault=fault.label)
        if fault.kind == "429":
            drive_status = self.server.faults.pick((403, 429)) if api == "drive" else 429
            status, body = rate_limit_error(api, per_user=True, write=write, drive_status=drive_status)
            return Reply(status, json_bytes(body), fault=fault.label)
        code = int(fault.kind)
        return Reply(code, json_bytes(server_error(api, code)), fault=fault.label)

    # --- resumable uploads ---

    def start_upload(self, req: ApiRequest, match: routing.Match, user: str, query: dict[str, Any], body: Any
                     ) -> Reply:
        """``uploadType=resumable``: open an upload session; the answer's ``Location`` takes the bytes."""
        upload_id = new_id(64, "ADPycd")
        session = {
            "method_id": match.method_id,
            "path_params": match.path_params,
            "query": query,
            "body": body,
            "user": user,
            "content_type": req.header("X-Upload-Content-Type") or "application/octet-stream",
            "length": req.header("X-Upload-Content-Length"),
            "data": "",
        }
        with self.store.transaction():
            self.store.put("upload_session", upload_id, session)
        origin = f"https://{req.host}" if req.host else self.server.url
        location = f"{origin}{req.raw_path}?uploadType=resumable&upload_id={upload_id}"
        return Reply(200, b"", None, headers={"Location": location, "X-GUploader-UploadID": upload_id},
                     log_extra={"upload": "start"})

    def resume_upload(self, req: ApiRequest) -> Reply:
        """A PUT to an upload session URL: store the bytes; 308 until complete, then run the method."""
        upload_id = next(v for k, v in req.args if k == "upload_id")
        session = self.store.get("upload_session", upload_id)
        if session is None:
            return Reply(404, b"Not Found", "text/plain; charset=utf-8")
        method_id, api = session["method_id"], routing.api_of(session["method_id"])
        data = base64.b64decode(session["data"]) + req.body
        total: int | None = None
        content_range = req.header("Content-Range") or ""
        if content_range.startswith("bytes "):
            total_text = content_range.rsplit("/", 1)[-1]
            total = int(total_text) if total_text.isdigit() else None
            if content_range.startswith("bytes */"):
                data = base64.b64decode(session["data"])
        elif session.get("length") and str(session["length"]).isdigit():
            total = int(session["length"])
        else:
            total = len(data)
        if total is None or len(data) < total:
            session["data"] = base64.b64encode(data).decode()
            with self.store.transaction():
                self.store.put("upload_session", upload_id, session)
            headers = {"Range": f"bytes=0-{len(data) - 1}"} if data else {}
            return Reply(308, b"", None, headers=headers, method=method_id, user=session["user"],
                         log_extra={"upload": "chunk"})
        match = routing.Match(method_id, session["path_params"], "resumable")
        media = Media(session["content_type"], data[:total])
        try:
            result = self.run_handler(req, match, session["user"], session["query"], session["body"], media)
            with self.store.transaction():
                self.store.delete("upload_session", upload_id)
        except ApiError as error:
            reply = error_reply(api, error)
        else:
            mask = session["query"].get("fields")
            fields = schema.parse_fields(mask, method_id) if mask else None
            reply = self.render(api, result, fields, session["query"].get("prettyPrint", True))
        reply.method, reply.user = method_id, session["user"]
        return reply

    # --- token endpoint and pages ---

    def token(self, request: Request) -> Reply:
        if request.method != "POST":
            return not_found_page(request.path)
        try:
            answer = identity.grant(self.store, request.form.to_dict())
        except identity.TokenError as error:
            return Reply(error.status, json_bytes(error.body()))
        no_store = {"Cache-Control": "no-cache, no-store, max-age=0, must-revalidate"}
        return Reply(200, json_bytes(answer), headers=no_store)

    def iam(self, request: Request, email: str, verb: str) -> Reply:
        """The IAM Credentials API (keyless delegation): never faulted, like the token endpoint."""
        try:
            caller = identity.authenticate(request.headers, self.store)
        except identity.AuthProblem as problem:
            return Reply(401, json_bytes(identity.unauthenticated_body("iamcredentials", problem.missing)))
        try:
            body = schema.parse_json_body(request.get_data(cache=False))
        except ApiError as error:
            return error_reply("iamcredentials", error)
        status, answer = identity.iam_call(self.store, caller, unquote(email), verb, body)
        return Reply(status, json_bytes(answer))

    def page(self, request: Request) -> Reply | None:
        """A human page of ``PAGES`` (None when the URL is not one)."""
        try:
            index, params = self.pages.bind_to_environ(request.environ).match()
        except HTTPException as exc:
            if request.path.startswith("/_sandbox/") and exc.code == 405:
                return Reply(405, b"Method Not Allowed", "text/plain; charset=utf-8")
            return None
        _rule, _methods, handler = PAGES[index]
        user = identity.session_user(self.store, request.cookies.get(identity.SESSION_COOKIE))
        token = identity.bearer_token(request.headers)
        if token is not None:
            user = identity.user_from_token(token)
        page_request = PageRequest(
            method=request.method,
            user=user,
            path_params={k: str(v) for k, v in params.items()},
            args=request.args.to_dict(),
            form=request.form.to_dict(flat=False),
            store=self.store,
            base_url=self.server.url,
            now=sandbox_now(self.store),
        )
        try:
            result = handler(page_request)
        except ApiError as error:
            result = Result(status=error.code, content_type="text/plain; charset=utf-8",
                            raw=error.message.encode("utf-8"))
        if result.raw is not None:
            return Reply(result.status, result.raw, result.content_type, dict(result.headers))
        body = b"" if result.body is None else json_bytes(result.body)
        return Reply(result.status, body, result.content_type if body else None, dict(result.headers))


def _drop_connection(environ: dict[str, Any]) -> None:
    """Close the client connection without an answer (a connection reset as the client sees it)."""
    sock = environ.get("werkzeug.socket")
    if sock is None:
        return
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


# --- the server ----------------------------------------------------------------------------------


class _QuietHandler(WSGIRequestHandler):
    """No access log on stderr (the request log is the sandbox's own); ``Server: ESF`` as Google."""

    def version_string(self) -> str:
        return "ESF"

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass

    def log(self, type: str, message: str, *args: Any) -> None:  # werkzeug's signature
        if type == "error":
            log.error(message, *args)


class SandboxServer:
    """The sandbox Workspace on a threaded Werkzeug server (``port=0``: a free port)."""

    def __init__(
        self,
        db: str | Store = ":memory:",
        host: str = "127.0.0.1",
        port: int = 0,
        latency_ms: float = 0,
        fault_rate: float = 0.0,
        fault_seed: int | None = None,
        fault_kinds: Iterable[str] | None = None,
        request_log: str | None = None,
        enforce_quotas: bool = False,
        quota_time_scale: float = 1.0,
    ) -> None:
        self._owns_store = not isinstance(db, Store)
        self.store = Store(db) if isinstance(db, str) else db
        self.host = host
        self.port = port
        self.latency_ms = latency_ms
        self.faults = FaultInjector(fault_rate, fault_kinds, fault_seed)
        self.quotas = Quotas(quota_time_scale, clock=self._clock_seconds) if enforce_quotas else None
        self.log = RequestLog(request_log)
        self.packages = load_api_packages()
        self.app = SandboxApp(self)
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None
        self._url: str | None = None

    @property
    def url(self) -> str:
        """``http://HOST:PORT`` once started."""
        if self._url is None:
            raise RuntimeError("the sandbox server is not started")
        return self._url

    @property
    def requests(self) -> list[dict[str, Any]]:
        """The request log entries so far (time, user, method, status, ms, fault)."""
        return self.log.snapshot()

    def set_now(self, moment: datetime | None) -> datetime:
        """Set the sandbox clock (what handlers see as ``call.now``); None returns to real time."""
        return set_sandbox_now(self.store, moment)

    def _clock_seconds(self) -> float:
        """The sandbox clock in seconds (the quotas' minute runs on it)."""
        return sandbox_now(self.store).timestamp()

    def set_faults(self, rate: float, kinds: Iterable[str] | None = None, seed: int | None = None) -> None:
        """Change fault injection while running."""
        self.faults.configure(rate, kinds, seed)

    def _bind(self) -> BaseWSGIServer:
        said = io.StringIO()
        try:
            with contextlib.redirect_stderr(said):
                server = make_server(self.host, self.port, self.app, threaded=True, request_handler=_QuietHandler)
        except SystemExit:  # Werkzeug prints and exits when the port is taken: an OSError like any other
            raise OSError(errno.EADDRINUSE, said.getvalue().strip().splitlines()[0] if said.getvalue().strip()
                          else f"port {self.port} is in use") from None
        self._url = f"http://{self.host}:{server.server_address[1]}"
        return server

    def start(self) -> SandboxServer:
        """Serve in a background thread; returns self."""
        if self._server is not None:
            return self
        self._server = self._bind()
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="sandbox-server", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the store (when the server opened it)."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            if self._thread is not None:
                self._thread.join(timeout=5)
            self._server = None
        if self._owns_store:
            self.store.close()

    def serve(self) -> None:
        """Serve in this thread until interrupted."""
        self._server = self._bind()
        log.info("sandbox Workspace on %s (db %s)", self.url, self.store.path)
        try:
            self._server.serve_forever()
        finally:
            self._server.server_close()
            self._server = None

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def is_loopback(host: str) -> bool:
    """Whether ``host`` (an address or a name) only reaches this machine."""
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except (OSError, UnicodeError):
        return False
    try:
        return bool(addresses) and all(ipaddress.ip_address(a.split("%", 1)[0]).is_loopback for a in addresses)
    except ValueError:
        return False


def serve_forever(host: str = "127.0.0.1", port: int = 8765, db: str = "sandbox.db", latency_ms: float = 0,
                  fault_rate: float = 0.0, fault_seed: int | None = None, request_log: str | None = None,
                  accounts: Iterable[str] = (), **options: Any) -> None:
    """Run the sandbox in the foreground (``ilt-bot sandbox serve``) until interrupted.

    ``accounts``: addresses given Google accounts (the directory rule of ``directory.py``);
    ``options``: the other :class:`SandboxServer` arguments (``fault_kinds``, ``enforce_quotas``,
    ``quota_time_scale``).
    """
    server = SandboxServer(db=db, host=host, port=port, latency_ms=latency_ms, fault_rate=fault_rate,
                           fault_seed=fault_seed, request_log=request_log, **options)
    if accounts:
        directory.register_accounts(server.store, accounts)
    try:
        server.serve()
    except KeyboardInterrupt:
        pass
    finally:
        server.store.close()
