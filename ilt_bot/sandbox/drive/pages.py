"""A per-user Drive listing for a browser: ``/_sandbox/drive`` and ``/_sandbox/drive/folders/<id>``.

Plain, accessible HTML (landmarks, a captioned table with header cells, real links): Docs open at
``/_sandbox/docs/<id>``, Sheets at ``/_sandbox/sheets/<id>``, Forms at their responder page, folders here.
"""

from __future__ import annotations

from html import escape
from typing import Any

from ilt_bot.sandbox.core import DOC_MIME, FOLDER_MIME, FORM_MIME, SHEET_MIME, PageRequest, Result, html_page, page
from ilt_bot.sandbox.drive import models as m

_TYPE_NAMES = {DOC_MIME: "Document", SHEET_MIME: "Spreadsheet", FORM_MIME: "Form", FOLDER_MIME: "Folder"}


def _form_link(req: PageRequest, file_id: str) -> str:
    try:
        from ilt_bot.sandbox.forms import models as forms
    except ImportError:  # pragma: no cover - the Forms package is part of the sandbox
        return f"/forms/d/{file_id}/viewform"
    form = forms.get_form(req.store, file_id)
    if form is None:
        return f"/forms/d/{file_id}/viewform"
    return forms.responder_uri(form, "")


def _link(req: PageRequest, record: dict[str, Any]) -> str:
    mime, fid = record["mimeType"], record["id"]
    if mime == FOLDER_MIME:
        return f"/_sandbox/drive/folders/{fid}"
    if mime == DOC_MIME:
        return f"/_sandbox/docs/{fid}"
    if mime == SHEET_MIME:
        return f"/_sandbox/sheets/{fid}"
    if mime == FORM_MIME:
        return _form_link(req, fid)
    return m.web_view_link(record)


def _by_name(record: dict[str, Any]) -> tuple[bool, str]:
    return (record["mimeType"] != FOLDER_MIME, record["name"].casefold())


def _newest_shared_first(record: dict[str, Any]) -> tuple[bool, str]:
    """Google's "Shared with me" order: folders, then the most recently shared first (``sharedWithMeTime``,
    the file's creation time in the sandbox's API)."""
    return (record["mimeType"] != FOLDER_MIME, _invert(record.get("createdTime") or record["modifiedTime"]))


def _invert(text: str) -> str:
    return "".join(chr(0x10FFFF - ord(c)) for c in text)


def _table(req: PageRequest, caption: str, records: list[dict[str, Any]], order: Any = _by_name) -> str:
    if not records:
        return f"<section><h2>{escape(caption)}</h2><p>Nothing here.</p></section>"
    rows = []
    for record in sorted(records, key=order):
        kind = _TYPE_NAMES.get(record["mimeType"], record["mimeType"])
        state = " (in trash)" if record.get("trashed") else ""
        owner = record.get("owner") or "shared drive"
        rows.append(
            f'<tr><th scope="row"><a href="{escape(_link(req, record))}">{escape(record["name"])}</a>'
            f"{escape(state)}</th><td>{escape(kind)}</td><td>{escape(owner)}</td>"
            f"<td><time datetime=\"{escape(record['modifiedTime'])}\">{escape(record['modifiedTime'][:16])}"
            "</time></td></tr>"
        )
    return (
        f"<section><h2>{escape(caption)}</h2><table><caption>{escape(caption)}</caption>"
        '<thead><tr><th scope="col">Name</th><th scope="col">Type</th><th scope="col">Owner</th>'
        '<th scope="col">Last modified (UTC)</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></section>"
    )


def _document(title: str, user: str, body: str) -> str:
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)} - Sandbox Drive</title>"
        "<style>body{font-family:sans-serif;margin:1rem 2rem}table{border-collapse:collapse}"
        "th,td{text-align:left;padding:.3rem .8rem;border-bottom:1px solid #ccc}</style></head><body>"
        f'<header><p>Signed in as <strong>{escape(user)}</strong></p><nav aria-label="Drive">'
        '<a href="/_sandbox/drive">My Drive</a></nav></header>'
        f"<main><h1>{escape(title)}</h1>{body}</main></body></html>"
    )


def _sign_in_page() -> Result:
    return html_page(
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign in - Sandbox Drive</title></head>'
        '<body><main><h1>Sign in</h1><p>Sign in to see your Drive: open '
        '<a href="/_sandbox/login">/_sandbox/login?email=you@example.org</a>.</p></main></body></html>',
        status=401,
    )


def _children(req: PageRequest, access: m.Access, folder_id: str) -> list[dict[str, Any]]:
    return [r for r in req.store.list("file", parent=folder_id) if access.role(r) is not None]


@page("/_sandbox/drive")
def drive_home(req: PageRequest) -> Result:
    """The signed-in user's My Drive, what is shared with them, and their shared drives."""
    if not req.user:
        return _sign_in_page()
    store, access = req.store, m.Access(req.store, req.user)
    root = m.root_id(store, req.user)
    mine = _children(req, access, root)
    shared = [r for r in store.list("file") if not r.get("isRoot") and not r.get("isDriveRoot")
              and access.shared_with_me(r)]
    drives = m.drives_of(store, req.user)
    body = (_table(req, "My Drive", mine) + _table(req, "Shared with me", shared, _newest_shared_first)
            + _table(req, "Shared drives", drives) + _answerable(req, access))
    return html_page(_document("My Drive", req.user, body))


def _answerable(req: PageRequest, access: m.Access) -> str:
    """Forms the user may answer but not edit. Google lists them nowhere in Drive (their link arrives by
    e-mail or in an agenda); the sandbox has no mail, so its Drive page lists them, labelled as such."""
    forms = [r for r in req.store.list("file") if r["mimeType"] == FORM_MIME and not r.get("trashed")
             and access.role(r) is None and m.can_respond(req.store, access.email, r["id"])]
    if not forms:
        return ""
    forms.sort(key=lambda r: r["modifiedTime"], reverse=True)
    items = "".join(f'<li><a href="{escape(_form_link(req, r["id"]))}">{escape(r["name"])}</a></li>' for r in forms)
    return ('<section><h2>Forms you can answer</h2><p>Not part of Google Drive: on Google these links reach you '
            f"by e-mail or in an agenda; the sandbox has no mail, so they are listed here.</p><ul>{items}</ul>"
            "</section>")


@page("/_sandbox/drive/folders/<folder_id>")
def drive_folder(req: PageRequest) -> Result:
    """One folder's content (404 for a folder the user cannot see)."""
    if not req.user:
        return _sign_in_page()
    store, access = req.store, m.Access(req.store, req.user)
    folder_id = m.resolve_id(store, req.user, req.path_params["folder_id"])
    record = access.record(folder_id)
    if record is None or record["mimeType"] != FOLDER_MIME or access.role(record) is None:
        return html_page(_document("Not found", req.user, "<p>This folder does not exist or is not shared with "
                                   "you.</p>"), status=404)
    trail = " / ".join(
        f'<a href="/_sandbox/drive/folders/{escape(a["id"])}">{escape(a["name"])}</a>'
        for a in reversed(access.chain(record)[1:]) if access.role(a) is not None
    )
    body = (f'<nav aria-label="Breadcrumb"><p>{trail}</p></nav>' if trail else "") + _table(
        req, f"Content of {record['name']}", _children(req, access, folder_id))
    return html_page(_document(record["name"], req.user, body))
