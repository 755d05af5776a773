"""The sandbox's own human pages: sign-in (session cookie), sign-out and an index of users and pages."""

from __future__ import annotations

import json
import re
from datetime import datetime
from html import escape
from urllib.parse import quote

from ilt_bot.sandbox import identity
from ilt_bot.sandbox.clock import sandbox_now, set_sandbox_now
from ilt_bot.sandbox.core import ADMIN, PAGES, PageRequest, Result, html_page, page, rfc3339


def _safe_next(target: str | None) -> str:
    """Only local paths are followed after sign-in (no open redirect)."""
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return "/_sandbox/"


@page("/_sandbox/login", ("GET", "POST"))
def login(req: PageRequest) -> Result:
    """``/_sandbox/login?email=<email>[&next=/path]``: act as that user in this browser."""
    email = (req.args.get("email") or (req.form.get("email") or [""])[0]).strip()
    target = _safe_next(req.args.get("next") or (req.form.get("next") or [None])[0])
    if email != ADMIN and identity.user_from_token(identity.TOKEN_PREFIX + email) is None:
        return html_page(_layout("Sign in", _login_form(target, "Enter an e-mail address.")), status=400)
    session_id = identity.open_session(req.store, email)
    cookie = f"{identity.SESSION_COOKIE}={session_id}; Path=/; HttpOnly; SameSite=Lax"
    return Result(status=302, content_type="text/html; charset=utf-8", raw=b"",
                  headers={"Location": target, "Set-Cookie": cookie})


@page("/_sandbox/logout", ("GET", "POST"))
def logout(req: PageRequest) -> Result:  # the cookie is cleared either way
    cookie = f"{identity.SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax"
    return Result(status=302, content_type="text/html; charset=utf-8", raw=b"",
                  headers={"Location": "/_sandbox/", "Set-Cookie": cookie})


def _known_users(req: PageRequest) -> list[str]:
    """Users the sandbox has seen: file owners and permission holders."""
    users: set[str] = set()
    for record in req.store.list("file"):
        for owner in record.get("owners", []) or []:
            if isinstance(owner, dict) and owner.get("emailAddress"):
                users.add(owner["emailAddress"])
        if isinstance(record.get("owner"), str):
            users.add(record["owner"])
    for record in req.store.list("permission"):
        if isinstance(record, dict) and record.get("emailAddress"):
            users.add(record["emailAddress"])
    return sorted(users)


def _login_form(target: str, note: str = "") -> str:
    return (
        (f"<p>{escape(note)}</p>" if note else "")
        + '<form method="post" action="/_sandbox/login">'
        f'<input type="hidden" name="next" value="{escape(target)}">'
        '<label>E-mail <input name="email" type="email" required></label> <button>Sign in</button></form>'
    )


def _layout(title: str, body: str) -> str:
    return (
        f"<!DOCTYPE html><html lang=en><head><meta charset=utf-8><title>{escape(title)}</title></head>"
        f"<body><h1>{escape(title)}</h1>{body}</body></html>"
    )


@page("/_sandbox/")
def index(req: PageRequest) -> Result:
    """The sandbox's front page: who is signed in, sign in as a known user, the other pages."""
    who = f"Signed in as <b>{escape(req.user)}</b> (<a href=\"/_sandbox/logout\">sign out</a>)" if req.user \
        else "Not signed in."
    home = "/_sandbox/drive" if any(rule == "/_sandbox/drive" for rule, _m, _h in PAGES) else "/_sandbox/"
    users = "".join(
        f'<li><a href="/_sandbox/login?email={quote(u)}&amp;next={quote(home)}">{escape(u)}</a></li>'
        for u in _known_users(req)
    )
    pages = "".join(
        f'<li><a href="{escape(rule)}">{escape(rule)}</a></li>'
        for rule, _methods, _handler in PAGES
        if "<" not in rule and not rule.startswith("/_sandbox/log")
    )
    body = (
        f"<p>{who}</p><h2>Sign in as</h2><ul>{users or '<li>(no users yet)</li>'}</ul>"
        f"{_login_form('/_sandbox/')}<h2>Pages</h2><ul>{pages}</ul>"
    )
    return html_page(_layout("ILT Bot sandbox Workspace", body))


@page("/_sandbox/clock", ("GET", "POST"))
def clock(req: PageRequest) -> Result:
    """The sandbox clock as JSON; ``POST now=<ISO datetime>`` (or ``now=`` for real time) by the admin
    moves it, so a simulated school year gets the timestamps of its own dates."""
    if req.method == "POST":
        if req.user != ADMIN:
            return Result(status=403, content_type="application/json; charset=UTF-8",
                          raw=b'{"error": "only sandbox-admin may set the clock"}\n')
        value = (req.form.get("now") or [req.args.get("now", "")])[0].strip()
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None
        except ValueError:
            return Result(status=400, content_type="application/json; charset=UTF-8",
                          raw=json.dumps({"error": f"not an ISO datetime: {value}"}).encode())
        if moment is not None and moment.tzinfo is None:
            return Result(status=400, content_type="application/json; charset=UTF-8",
                          raw=b'{"error": "give a time zone, e.g. 2026-09-15T08:00:00Z"}\n')
        now = set_sandbox_now(req.store, moment)
    else:
        now = sandbox_now(req.store)
    return Result(content_type="application/json; charset=UTF-8",
                  raw=(json.dumps({"now": rfc3339(now)}) + "\n").encode())


@page("/")
def root(req: PageRequest) -> Result:  # a browser opening the sandbox's address
    """The bare address of the sandbox leads a browser to the index."""
    return Result(status=302, content_type="text/html; charset=utf-8", raw=b"", headers={"Location": "/_sandbox/"})


# --- Google's own addresses of a file, for a browser ---------------------------------------------

GOOGLE_UI_HOSTS = ("https://docs.google.com", "https://drive.google.com")
"""The hosts of the ``webViewLink`` addresses Google (and the sandbox's API) gives files."""


def browser_link(web_link: str, base_url: str | None) -> str:
    """A file's ``webViewLink`` as a browser reaches it: on a sandbox at ``base_url`` the same path on
    the sandbox (a Doc's is served by ``docs/pages.py``, the others by the pages below), on Google the
    link itself."""
    if base_url:
        for host in GOOGLE_UI_HOSTS:
            if web_link.startswith(host + "/"):
                return base_url.rstrip("/") + web_link[len(host):]
    return web_link


def local_links(page: str, base_url: str) -> str:
    """Every link of ``page`` to a Google file (its ``webViewLink``) pointed at the sandbox at ``base_url``."""
    hosts = "|".join(re.escape(h) for h in GOOGLE_UI_HOSTS)
    return re.sub(rf"(?:{hosts})/[^\s\"'<>]*", lambda m: browser_link(m.group(0), base_url), page)


def _moved(target: str) -> Result:
    return Result(status=302, content_type="text/html; charset=utf-8", raw=b"", headers={"Location": target})


@page("/spreadsheets/d/<file_id>/edit")
def spreadsheet_edit(req: PageRequest) -> Result:
    """Google's address of a Sheet opens the sandbox's Sheet page."""
    return _moved(f"/_sandbox/sheets/{quote(req.path_params['file_id'])}")


@page("/drive/folders/<file_id>")
def drive_folder_link(req: PageRequest) -> Result:
    """Google's address of a folder opens the sandbox's folder page."""
    return _moved(f"/_sandbox/drive/folders/{quote(req.path_params['file_id'])}")


@page("/forms/d/<file_id>/edit")
def form_edit(req: PageRequest) -> Result:
    """Google's address of a Form opens, on the sandbox (which has no Form editor), its responder page."""
    from ilt_bot.sandbox.forms import models as forms

    form = forms.get_form(req.store, req.path_params["file_id"])
    if form is None:
        return Result(status=404, content_type="text/plain; charset=utf-8", raw=b"Form not found\n")
    return _moved(forms.responder_uri(form, ""))
