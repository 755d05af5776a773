"""Drive's state and rules: files, folders, permissions, shared drives and access control.

Pure functions over the :class:`~ilt_bot.sandbox.store.Store` (no HTTP). Store kinds used:
``file`` (file records, parent = first parent id), ``blob`` (bytes of non-Google files, base64),
``permission`` (parent = file or shared-drive id), ``root`` (a user's My Drive root id), ``group``
(``{"members": [...]}`` by group email), ``email`` (notifications), ``generated_id``, ``drive_request``.

A shared drive is a ``file`` record too (its root folder, ``isDriveRoot``) whose permissions are the
drive's members, so inheritance works the same way in My Drive and in shared drives.

Other packages use :func:`create_file`, :func:`get_file`, :func:`role_of`, :func:`can_respond`,
:func:`touch` and :func:`sent_emails`.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from ilt_bot.sandbox.core import (
    ADMIN,
    CONTENT_KINDS,
    DOC_MIME,
    FOLDER_MIME,
    FORM_MIME,
    SHEET_MIME,
    ApiError,
    Media,
    new_id,
    rfc3339,
)
from ilt_bot.sandbox.store import Store

GOOGLE_PREFIX = "application/vnd.google-apps."
ROLE_RANK = {"reader": 1, "commenter": 2, "writer": 3, "fileOrganizer": 4, "organizer": 5, "owner": 6}
PERMISSION_TYPES = ("user", "group", "domain", "anyone")
DRIVE_ROLES = ("organizer", "fileOrganizer", "writer", "commenter", "reader")
INSUFFICIENT = "The user does not have sufficient permissions for this file."
MAX_PROPERTIES = 30
MAX_PROPERTY_BYTES = 124

_UNTITLED = {
    DOC_MIME: "Untitled document",
    SHEET_MIME: "Untitled spreadsheet",
    FORM_MIME: "Untitled form",
    FOLDER_MIME: "Untitled folder",
}
_LINKS = {
    DOC_MIME: "https://docs.google.com/document/d/{id}/edit?usp=drivesdk",
    SHEET_MIME: "https://docs.google.com/spreadsheets/d/{id}/edit?usp=drivesdk",
    FORM_MIME: "https://docs.google.com/forms/d/{id}/edit?usp=drivesdk",
    "application/vnd.google-apps.presentation": "https://docs.google.com/presentation/d/{id}/edit?usp=drivesdk",
    FOLDER_MIME: "https://drive.google.com/drive/folders/{id}",
}
_EXPORT_LINKS = {
    DOC_MIME: ("https://docs.google.com/feeds/download/documents/export/Export?id={id}&exportFormat={ext}",
               {"text/html": "html", "text/plain": "txt", "application/pdf": "pdf", "text/markdown": "md",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx"}),
    SHEET_MIME: ("https://docs.google.com/spreadsheets/export?id={id}&exportFormat={ext}",
                 {"text/csv": "csv", "application/pdf": "pdf", "text/tab-separated-values": "tsv",
                  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx"}),
}


# --------------------------------------------------------------------------------------------- errors
def not_found(file_id: str) -> ApiError:
    """Drive's 404 for a file the caller cannot see (or that does not exist)."""
    return ApiError(404, f"File not found: {file_id}.", reason="notFound", location="fileId",
                    location_type="parameter")


def insufficient(message: str = INSUFFICIENT) -> ApiError:
    """Drive's 403 for a caller who can see the file but may not do this."""
    return ApiError(403, message, reason="insufficientFilePermissions")


def bad_request(message: str, reason: str = "badRequest", location: str | None = None,
                location_type: str | None = None) -> ApiError:
    return ApiError(400, message, reason=reason, location=location,
                    location_type=location_type or ("parameter" if location else None))


def invalid_value(location: str) -> ApiError:
    """Google's 400 ``Invalid Value`` for a malformed query parameter (``q``, ``pageToken``...)."""
    return ApiError(400, "Invalid Value", reason="invalid", location=location, location_type="parameter")


# ---------------------------------------------------------------------------------------------- users
def domain_of(email: str) -> str:
    return email.rsplit("@", 1)[1].lower() if "@" in email else ""


def permission_id_for(email: str) -> str:
    """A user's permission id: stable across files, twenty digits like Google's."""
    digest = hashlib.sha256(email.lower().encode()).hexdigest()
    return f"{int(digest[:16], 16):020d}"[:20]


def display_name(store: Store, email: str) -> str:
    """A person's display name: the ``user`` record's if any, else made from the address."""
    record = store.get("user", email.lower())
    if record and record.get("displayName"):
        return str(record["displayName"])
    if email == ADMIN:
        return "Sandbox Admin"
    local = email.split("@", 1)[0]
    return " ".join(part.capitalize() for part in local.replace("_", ".").replace("-", ".").split(".") if part)


def user_resource(store: Store, email: str, viewer: str) -> dict[str, Any]:
    return {
        "kind": "drive#user",
        "displayName": display_name(store, email),
        "me": email.lower() == viewer.lower(),
        "permissionId": permission_id_for(email),
        "emailAddress": email,
    }


def set_group_members(store: Store, group: str, members: Iterable[str]) -> None:
    """Declare a Google Group's members (so permissions of type ``group`` reach them)."""
    store.put("group", group.lower(), {"id": group.lower(), "members": sorted(m.lower() for m in members)})


def _groups_of(store: Store, user: str) -> set[str]:
    user = user.lower()
    return {g["id"] for g in store.list("group") if user in g.get("members", [])}


# ---------------------------------------------------------------------------------------------- files
def is_google_type(mime_type: str) -> bool:
    return mime_type.startswith(GOOGLE_PREFIX)


def get_file(store: Store, file_id: str) -> dict[str, Any] | None:
    """The file record (internal shape; use :func:`file_resource` for the API's), or None."""
    return store.get("file", file_id)


def save_file(store: Store, record: dict[str, Any]) -> None:
    parents = record.get("parents") or []
    store.put("file", record["id"], record, parent=parents[0] if parents else None)


def root_id(store: Store, user: str) -> str:
    """The id of ``user``'s My Drive root folder (created on first use)."""
    key = user.lower()
    found = store.get("root", key)
    if found:
        return str(found["id"])
    rid = "0A" + new_id(11, prefix="") + "Uk9PVA"
    now = datetime.now().astimezone()
    record = _new_record(store, rid, "My Drive", FOLDER_MIME, [], owner=user, now=now)
    record["isRoot"] = True
    save_file(store, record)
    _put_owner_permission(store, rid, user)
    store.put("root", key, {"id": rid, "user": key})
    return rid


def resolve_id(store: Store, user: str, file_id: str) -> str:
    """``root`` means the caller's My Drive root."""
    return root_id(store, user) if file_id == "root" else file_id


def _new_record(store: Store, file_id: str, name: str, mime_type: str, parents: list[str], *,
                owner: str | None, now: datetime, drive_id: str | None = None) -> dict[str, Any]:
    stamp = rfc3339(now)
    return {
        "id": file_id,
        "name": name,
        "mimeType": mime_type,
        "parents": parents,
        "appProperties": {},
        "properties": {},
        "trashed": False,
        "explicitlyTrashed": False,
        "starred": False,
        "createdTime": stamp,
        "modifiedTime": stamp,
        "version": 1,
        "owner": owner if drive_id is None else None,
        "creator": owner,
        "driveId": drive_id,
        "lastModifyingUser": owner,
        "writersCanShare": True,
        "seq": store.next_value("file_seq"),
    }


def _put_owner_permission(store: Store, file_id: str, owner: str) -> None:
    pid = permission_id_for(owner)
    store.put("permission", f"{file_id}/{pid}", {
        "id": pid, "type": "user", "role": "owner", "emailAddress": owner, "fileId": file_id,
    }, parent=file_id)


def create_file(store: Store, *, owner: str, name: str, mime_type: str, parents: list[str] | None = None,
                now: datetime, file_id: str | None = None) -> dict[str, Any]:
    """Create the Drive record of a file (no content): in ``parents``, else in ``owner``'s My Drive root.

    Used by documents.create, forms.create and spreadsheets.create; returns the file record (has "id").
    A parent in a shared drive puts the file in that drive (owned by the drive, not by ``owner``).
    """
    parent_list = [resolve_id(store, owner, p) for p in parents] if parents else [root_id(store, owner)]
    drive_id = None
    parent = get_file(store, parent_list[0])
    if parent is not None:
        drive_id = parent.get("driveId")
    fid = file_id or new_id(44 if is_google_type(mime_type) and mime_type != FOLDER_MIME else 33)
    record = _new_record(store, fid, name or _UNTITLED.get(mime_type, "Untitled"), mime_type, parent_list,
                         owner=owner, now=now, drive_id=drive_id)
    save_file(store, record)
    if drive_id is None:
        _put_owner_permission(store, fid, owner)
    return record


def touch(store: Store, file_id: str, user: str, now: datetime) -> None:
    """Record a content change: bump version, modifiedTime and lastModifyingUser."""
    record = get_file(store, file_id)
    if record is None:
        return
    record["version"] = int(record.get("version", 1)) + 1
    record["modifiedTime"] = rfc3339(now)
    record["lastModifyingUser"] = user
    save_file(store, record)


def ancestors(store: Store, record: dict[str, Any]) -> list[dict[str, Any]]:
    """The record and then each of its parent folders up to the root (first parents, no cycles)."""
    chain, seen = [record], {record["id"]}
    current = record
    while current.get("parents"):
        parent = get_file(store, current["parents"][0])
        if parent is None or parent["id"] in seen:
            break
        chain.append(parent)
        seen.add(parent["id"])
        current = parent
    return chain


def descendants(store: Store, folder_id: str) -> list[dict[str, Any]]:
    """Every file below ``folder_id`` (depth first)."""
    out: list[dict[str, Any]] = []
    stack, seen = [folder_id], {folder_id}
    while stack:
        for child in store.list("file", parent=stack.pop()):
            if child["id"] not in seen:
                seen.add(child["id"])
                out.append(child)
                stack.append(child["id"])
    return out


# ------------------------------------------------------------------------------------------- access
class Access:
    """Who may see what: computes effective roles with per-request caches (lists call it per file)."""

    def __init__(self, store: Store, user: str) -> None:
        self.store = store
        self.user = user
        self.email = user.lower()
        self.domain = domain_of(user)
        self._groups: set[str] | None = None
        self._perms: dict[str, list[dict[str, Any]]] = {}
        self._records: dict[str, dict[str, Any] | None] = {}

    @property
    def groups(self) -> set[str]:
        if self._groups is None:
            self._groups = _groups_of(self.store, self.user)
        return self._groups

    def record(self, file_id: str) -> dict[str, Any] | None:
        if file_id not in self._records:
            self._records[file_id] = get_file(self.store, file_id)
        return self._records[file_id]

    def permissions(self, file_id: str) -> list[dict[str, Any]]:
        if file_id not in self._perms:
            self._perms[file_id] = self.store.list("permission", parent=file_id)
        return self._perms[file_id]

    def matches(self, perm: dict[str, Any]) -> bool:
        kind = perm.get("type")
        if kind == "user":
            return str(perm.get("emailAddress", "")).lower() == self.email
        if kind == "group":
            return str(perm.get("emailAddress", "")).lower() in self.groups
        if kind == "domain":
            return bool(self.domain) and str(perm.get("domain", "")).lower() == self.domain
        return kind == "anyone"

    def chain(self, record: dict[str, Any]) -> list[dict[str, Any]]:
        chain, seen = [record], {record["id"]}
        current = record
        while current.get("parents"):
            parent = self.record(current["parents"][0])
            if parent is None or parent["id"] in seen:
                break
            chain.append(parent)
            seen.add(parent["id"])
            current = parent
        return chain

    def grants(self, record: dict[str, Any]) -> list[tuple[dict[str, Any], bool]]:
        """The permissions reaching the user on ``record``: (permission, inherited), views excluded."""
        out = []
        for depth, node in enumerate(self.chain(record)):
            for perm in self.permissions(node["id"]):
                if not perm.get("view") and self.matches(perm):
                    out.append((perm, depth > 0))
        return out

    def role(self, record: dict[str, Any] | None) -> str | None:
        """The user's effective role on ``record`` (None: cannot see it)."""
        if record is None:
            return None
        if self.user == ADMIN:
            return "owner"
        best = None
        for perm, inherited in self.grants(record):
            role = "writer" if inherited and perm["role"] == "owner" else perm["role"]  # a folder's owner edits
            if best is None or ROLE_RANK[role] > ROLE_RANK[best]:
                best = role
        return best

    def discoverable(self, record: dict[str, Any]) -> bool:
        """Whether the file shows up in the user's searches (not only reachable by link)."""
        if self.user == ADMIN:
            return True
        for perm, _ in self.grants(record):
            if perm["type"] in ("user", "group") or perm.get("allowFileDiscovery"):
                return True
            if record.get("driveId"):
                return True
        return False

    def shared_with_me(self, record: dict[str, Any]) -> bool:
        if record.get("driveId") or record.get("owner", "").lower() == self.email:
            return False
        return any(
            p["type"] in ("user", "group") and p["role"] != "owner" and self.matches(p)
            for p in self.permissions(record["id"])
            if not p.get("view")
        )


def role_of(store: Store, user: str, file_id: str) -> str | None:
    """The user's effective role on the file (user, group, domain, anyone, inherited, shared-drive)."""
    return Access(store, user).role(get_file(store, file_id))


def can_respond(store: Store, user: str, file_id: str) -> bool:
    """May ``user`` answer the Form: an editor, or a ``view: "published"`` permission reaching them."""
    access = Access(store, user)
    record = get_file(store, file_id)
    role = access.role(record)
    if role is not None and ROLE_RANK[role] >= ROLE_RANK["writer"]:
        return True
    return record is not None and any(
        p.get("view") == "published" and access.matches(p) for p in access.permissions(file_id)
    )


def is_editor(role: str | None) -> bool:
    return role is not None and ROLE_RANK[role] >= ROLE_RANK["writer"]


def can_share(record: dict[str, Any], role: str | None) -> bool:
    if role is None:
        return False
    if role in ("owner", "organizer", "fileOrganizer"):
        return True
    return role == "writer" and (bool(record.get("driveId")) or record.get("writersCanShare", True))


def can_delete(record: dict[str, Any], role: str | None) -> bool:
    """Delete or trash for good: the owner in My Drive, an organizer (or file organizer) in a shared drive."""
    if record.get("driveId"):
        return role in ("owner", "organizer", "fileOrganizer")
    return role == "owner"


def visible_record(store: Store, user: str, file_id: str, *, supports_all_drives: bool = False,
                   access: Access | None = None) -> tuple[dict[str, Any], str]:
    """The record and the caller's role, or Drive's 404 (also for shared-drive items without the flag)."""
    access = access or Access(store, user)
    fid = resolve_id(store, user, file_id)
    record = access.record(fid)
    role = access.role(record)
    if record is None or role is None:
        raise not_found(file_id)
    if record.get("driveId") and not supports_all_drives and user != ADMIN:
        raise not_found(file_id)
    return record, role


# ---------------------------------------------------------------------------------------- properties
def merge_properties(current: dict[str, str], changes: dict[str, Any] | None, field: str) -> dict[str, str]:
    """Apply a PATCH of ``properties``/``appProperties`` (null deletes a key), enforcing Google's limits."""
    merged = dict(current)
    for key, value in (changes or {}).items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = str(value)
    for key, value in merged.items():
        if len(key.encode()) + len(value.encode()) > MAX_PROPERTY_BYTES:
            raise bad_request(
                f"The size of the property, {key}, exceeds the {MAX_PROPERTY_BYTES} bytes limit on the size "
                "of a property including both the key and the value.",
                location=field, location_type="other",
            )
        if not key:
            raise bad_request("Property keys must not be empty.", location=field, location_type="other")
    if len(merged) > MAX_PROPERTIES:
        raise bad_request(
            f"The limit of {MAX_PROPERTIES} {'private' if field == 'appProperties' else 'public'} properties per "
            "file has been exceeded.",
            reason="propertiesLimitExceeded" if field == "properties" else "appPropertiesLimitExceeded",
            location=field, location_type="other",
        )
    return merged


# ---------------------------------------------------------------------------------------------- blobs
_TEXT_MIMES = ("text/", "application/json", "application/xml", "application/javascript")


def full_text(store: Store, record: dict[str, Any]) -> str:
    """What ``fullText contains`` searches: the name, description, ``contentHints.indexableText`` and
    the content (a Doc's text, a Sheet's cells, a Form's questions, an uploaded text file)."""
    parts = [record["name"], record.get("description", ""), record.get("indexableText", "")]
    kind = CONTENT_KINDS.get(record["mimeType"])
    if kind is not None and kind.text is not None:
        parts.append(kind.text(store, record["id"]))
    elif record["mimeType"].startswith(_TEXT_MIMES):
        parts.append(get_blob(store, record["id"]).decode("utf-8", errors="replace"))
    return "\n".join(p for p in parts if p)


def put_blob(store: Store, record: dict[str, Any], data: bytes) -> None:
    store.put("blob", record["id"], {"data": base64.b64encode(data).decode("ascii")})
    record["size"] = len(data)
    record["md5Checksum"] = hashlib.md5(data, usedforsecurity=False).hexdigest()


def get_blob(store: Store, file_id: str) -> bytes:
    found = store.get("blob", file_id)
    return base64.b64decode(found["data"]) if found else b""


def import_content(store: Store, record: dict[str, Any], media: Media) -> None:
    """Give ``record`` the uploaded content: convert into a Google type, or keep the bytes."""
    if is_google_type(record["mimeType"]):
        kind = CONTENT_KINDS.get(record["mimeType"])
        if kind is None or kind.import_media is None:
            raise bad_request("The requested conversion is not supported.", location="convertTo")
        kind.import_media(store, record["id"], record["name"], media)
    else:
        put_blob(store, record, media.data)


def make_content(store: Store, record: dict[str, Any]) -> None:
    """An empty item of a Google type (files.create without media)."""
    kind = CONTENT_KINDS.get(record["mimeType"])
    if kind is not None:
        kind.create_empty(store, record["id"], record["name"])


def delete_file(store: Store, record: dict[str, Any]) -> list[str]:
    """Delete a file for good with what is below it; returns the deleted ids.

    In My Drive only the descendants with the folder's owner go; others' files lose that parent (orphans).
    """
    doomed = [record]
    for item in descendants(store, record["id"]) if record["mimeType"] == FOLDER_MIME else []:
        if record.get("driveId") or (item.get("owner") or "").lower() == (record.get("owner") or "").lower():
            doomed.append(item)
    gone = {item["id"] for item in doomed}
    for item in descendants(store, record["id"]) if record["mimeType"] == FOLDER_MIME else []:
        if item["id"] not in gone and item.get("parents") and item["parents"][0] in gone:
            item["parents"] = []
            save_file(store, item)
    for item in doomed:
        kind = CONTENT_KINDS.get(item["mimeType"])
        if kind is not None and kind.delete is not None:
            kind.delete(store, item["id"])
        store.delete("blob", item["id"])
        store.delete_children("permission", item["id"])
        store.delete("file", item["id"])
    return [item["id"] for item in doomed]


def _mark_trashed(record: dict[str, Any], trashed: bool, user: str, now: datetime) -> None:
    record["trashed"] = trashed
    if trashed:
        record["trashedTime"] = rfc3339(now)
        record["trashingUser"] = user
    else:
        record.pop("trashedTime", None)
        record.pop("trashingUser", None)


def set_trashed(store: Store, record: dict[str, Any], trashed: bool, user: str, now: datetime) -> None:
    """Trash or restore a file; a folder's content follows (implicitly trashed)."""
    _mark_trashed(record, trashed, user, now)
    record["explicitlyTrashed"] = trashed
    if record["mimeType"] == FOLDER_MIME:
        for child in descendants(store, record["id"]):
            if child.get("explicitlyTrashed"):
                continue
            _mark_trashed(child, trashed, user, now)
            save_file(store, child)


def copy_file(store: Store, source: dict[str, Any], *, user: str, name: str | None, parents: list[str],
              now: datetime, extra: dict[str, Any]) -> dict[str, Any]:
    """Copy a file's record and content (via the content kind's copy hook) into ``parents``."""
    record = create_file(store, owner=user, name=name or f"Copy of {source['name']}",
                         mime_type=source["mimeType"], parents=parents, now=now)
    for key in ("description",):
        if source.get(key):
            record[key] = source[key]
    record.update(extra)
    kind = CONTENT_KINDS.get(source["mimeType"])
    if is_google_type(source["mimeType"]):
        if kind is not None and kind.copy is not None:
            kind.copy(store, source["id"], record["id"], record["name"])
        elif kind is not None:
            kind.create_empty(store, record["id"], record["name"])
    else:
        put_blob(store, record, get_blob(store, source["id"]))
    save_file(store, record)
    return record


# -------------------------------------------------------------------------------------- permissions
def permission_key(perm: dict[str, Any]) -> tuple[str, str, str]:
    who = perm.get("emailAddress") or perm.get("domain") or ""
    return (perm["type"], str(who).lower(), perm.get("view") or "")


def make_permission_id(perm: dict[str, Any]) -> str:
    kind = perm["type"]
    if kind in ("user", "group"):
        base = permission_id_for(perm["emailAddress"])
    elif kind == "domain":
        base = permission_id_for(perm["domain"])[:19] + "k"
    else:
        base = "anyone" if perm.get("allowFileDiscovery") else "anyoneWithLink"
    return base + ("-published" if perm.get("view") == "published" else "")


def find_permission(store: Store, file_id: str, permission_id: str) -> dict[str, Any] | None:
    return store.get("permission", f"{file_id}/{permission_id}")


def save_permission(store: Store, file_id: str, perm: dict[str, Any]) -> None:
    store.put("permission", f"{file_id}/{perm['id']}", perm, parent=file_id)


def delete_permission(store: Store, file_id: str, permission_id: str) -> bool:
    return store.delete("permission", f"{file_id}/{permission_id}")


def effective_permissions(store: Store, record: dict[str, Any], include_views: bool = False
                          ) -> list[tuple[dict[str, Any], str | None]]:
    """The file's own permissions then those inherited from its folders: (permission, inheritedFrom)."""
    seen: dict[str, int] = {}
    out: list[tuple[dict[str, Any], str | None]] = []
    for depth, node in enumerate(ancestors(store, record)):
        for perm in store.list("permission", parent=node["id"]):
            if perm.get("view") and not include_views:
                continue
            if depth and perm.get("view"):
                continue
            if depth and perm["role"] == "owner" and not record.get("driveId"):
                continue  # a folder's owner does not own what others put in it
            inherited = node["id"] if depth else None
            if perm["id"] in seen:
                index = seen[perm["id"]]
                if ROLE_RANK[perm["role"]] > ROLE_RANK[out[index][0]["role"]]:
                    out[index] = (perm, inherited)
                continue
            seen[perm["id"]] = len(out)
            out.append((perm, inherited))
    return out


def record_email(store: Store, *, to: str, sender: str, file_id: str, role: str, message: str | None,
                 now: datetime) -> None:
    eid = f"{store.next_value('email_seq'):08d}"
    store.put("email", eid, {
        "id": eid, "to": to, "from": sender, "fileId": file_id, "role": role,
        "message": message or "", "time": rfc3339(now),
    })


def sent_emails(store: Store) -> list[dict[str, Any]]:
    """Notification e-mails recorded by permissions.create, oldest first."""
    return [{k: e[k] for k in ("to", "from", "fileId", "role", "message", "time")} for e in store.list("email")]


# --------------------------------------------------------------------------------------- resources
def web_view_link(record: dict[str, Any]) -> str:
    template = _LINKS.get(record["mimeType"], "https://drive.google.com/file/d/{id}/view?usp=drivesdk")
    return template.format(id=record["id"])


def icon_link(mime_type: str) -> str:
    return f"https://drive-thirdparty.googleusercontent.com/16/type/{mime_type}"


def capabilities(record: dict[str, Any], role: str | None) -> dict[str, bool]:
    edit = is_editor(role)
    comment = role is not None and ROLE_RANK[role] >= ROLE_RANK["commenter"]
    folder = record["mimeType"] == FOLDER_MIME
    in_drive = bool(record.get("driveId"))
    delete = can_delete(record, role)
    locked = bool(record.get("copyRequiresWriterPermission")) and not edit  # readers may not copy or download
    return {
        "canAcceptOwnership": False,
        "canAddChildren": folder and edit,
        "canAddMyDriveParent": False,
        "canChangeCopyRequiresWriterPermission": edit,
        "canChangeViewersCanCopyContent": edit,
        "canComment": comment,
        "canCopy": not folder and not locked,
        "canDelete": delete,
        "canDeleteChildren": folder and in_drive and role in ("organizer", "fileOrganizer"),
        "canDownload": not locked,
        "canEdit": edit,
        "canListChildren": folder,
        "canModifyContent": edit,
        "canModifyLabels": False,
        "canMoveItemWithinDrive": edit,
        "canReadLabels": False,
        "canReadRevisions": edit,
        "canRemoveChildren": folder and edit,
        "canRemoveMyDriveParent": not in_drive and role == "owner",
        "canRename": edit,
        "canShare": can_share(record, role),
        "canTrash": delete,
        "canTrashChildren": folder and in_drive and role in ("organizer", "fileOrganizer"),
        "canUntrash": delete,
        **({"canReadDrive": True} if in_drive else {}),
    }


def permission_resource(store: Store, perm: dict[str, Any], record: dict[str, Any] | None = None,
                        inherited_from: str | None = None) -> dict[str, Any]:
    """A permission as Drive shows it (full shape; the server projects ``fields``)."""
    out: dict[str, Any] = {"kind": "drive#permission", "id": perm["id"], "type": perm["type"]}
    if perm.get("emailAddress"):
        out["emailAddress"] = perm["emailAddress"]
    if perm.get("domain"):
        out["domain"] = perm["domain"]
    out["role"] = perm["role"]
    if perm["type"] in ("user", "group"):
        out["displayName"] = display_name(store, perm["emailAddress"])
    elif perm["type"] == "domain":
        out["displayName"] = perm["domain"]
    if perm["type"] in ("domain", "anyone"):
        out["allowFileDiscovery"] = bool(perm.get("allowFileDiscovery"))
    if perm.get("view"):
        out["view"] = perm["view"]
    out["deleted"] = False
    out["pendingOwner"] = bool(perm.get("pendingOwner"))
    if record is not None and record.get("driveId"):
        member = inherited_from == record["driveId"] or (record.get("isDriveRoot") and inherited_from is None)
        detail: dict[str, Any] = {
            "permissionType": "member" if member else "file",
            "role": perm["role"],
            "inherited": inherited_from is not None,
        }
        if inherited_from:
            detail["inheritedFrom"] = inherited_from
        out["permissionDetails"] = [detail]
    return out


def _metadata_fields(store: Store, record: dict[str, Any], viewer: str, out: dict[str, Any]) -> None:
    """Description, star and trash state, parents and properties."""
    if record.get("description"):
        out["description"] = record["description"]
    out["starred"] = bool(record.get("starred"))
    out["trashed"] = bool(record.get("trashed"))
    out["explicitlyTrashed"] = bool(record.get("explicitlyTrashed"))
    if record.get("trashed") and record.get("trashedTime"):
        out["trashedTime"] = record["trashedTime"]
        if record.get("trashingUser"):
            out["trashingUser"] = user_resource(store, record["trashingUser"], viewer)
    if record.get("parents"):
        out["parents"] = list(record["parents"])
    if record.get("properties"):
        out["properties"] = dict(record["properties"])
    if record.get("appProperties"):
        out["appProperties"] = dict(record["appProperties"])


def _people_fields(store: Store, record: dict[str, Any], viewer: str, out: dict[str, Any]) -> None:
    """Who created, modified and owns the file, as ``viewer`` sees it."""
    out["modifiedByMe"] = (record.get("lastModifyingUser") or "").lower() == viewer.lower()
    if out["modifiedByMe"]:
        out["modifiedByMeTime"] = record["modifiedTime"]
    owner = record.get("owner")
    if owner and not record.get("driveId"):
        out["owners"] = [user_resource(store, owner, viewer)]
    if record.get("driveId"):
        out["driveId"] = record["driveId"]
        out["teamDriveId"] = record["driveId"]
    if record.get("lastModifyingUser"):
        out["lastModifyingUser"] = user_resource(store, record["lastModifyingUser"], viewer)
    out["ownedByMe"] = bool(owner) and owner.lower() == viewer.lower() and not record.get("driveId")


def _content_fields(record: dict[str, Any], out: dict[str, Any]) -> None:
    """Size, checksum and links of the content (export links for Google types)."""
    mime = record["mimeType"]
    if is_google_type(mime):
        out["quotaBytesUsed"] = "0"
        links = _EXPORT_LINKS.get(mime)
        if links:
            out["exportLinks"] = {m: links[0].format(id=record["id"], ext=e) for m, e in links[1].items()}
        return
    name = record["name"]
    ext = name.rsplit(".", 1)[1] if "." in name else ""
    out["originalFilename"] = record.get("originalFilename", name)
    if ext:
        out["fullFileExtension"] = ext
        out["fileExtension"] = ext
    out["md5Checksum"] = record.get("md5Checksum", hashlib.md5(b"", usedforsecurity=False).hexdigest())
    out["size"] = str(record.get("size", 0))
    out["quotaBytesUsed"] = str(record.get("size", 0))
    out["headRevisionId"] = f"0B{record['id'][:10]}v{record.get('version', 1)}"
    out["webContentLink"] = f"https://drive.google.com/uc?id={record['id']}&export=download"


def file_resource(store: Store, record: dict[str, Any], viewer: str, *, access: Access | None = None,
                  want: set[str] | None = None) -> dict[str, Any]:
    """The full Drive ``File`` resource as ``viewer`` sees it (``want``: the costly parts to include)."""
    access = access or Access(store, viewer)
    role = access.role(record)
    mime = record["mimeType"]
    out: dict[str, Any] = {"kind": "drive#file", "id": record["id"], "name": record["name"], "mimeType": mime}
    _metadata_fields(store, record, viewer, out)
    out["spaces"] = ["drive"]
    out["version"] = str(record.get("version", 1))
    out["webViewLink"] = web_view_link(record)
    out["iconLink"] = icon_link(mime)
    out["hasThumbnail"] = False
    out["thumbnailVersion"] = "0"
    out["viewedByMe"] = role is not None
    out["createdTime"] = record["createdTime"]
    out["modifiedTime"] = record["modifiedTime"]
    _people_fields(store, record, viewer, out)
    perms = effective_permissions(store, record) if want is None or "permissions" in want or "shared" in want \
        else []
    out["shared"] = any(p["role"] != "owner" for p, _ in perms) if perms else False
    if access.shared_with_me(record):
        out["sharedWithMeTime"] = record["createdTime"]
    out["capabilities"] = capabilities(record, role)
    out["copyRequiresWriterPermission"] = bool(record.get("copyRequiresWriterPermission", False))
    out["viewersCanCopyContent"] = not out["copyRequiresWriterPermission"]  # the deprecated field mirrors it
    out["writersCanShare"] = bool(record.get("writersCanShare", True))
    if can_share(record, role) and (want is None or "permissions" in want):
        out["permissions"] = [permission_resource(store, p, record, inh) for p, inh in perms]
        out["permissionIds"] = [p["id"] for p, _ in perms]
    _content_fields(record, out)
    out["isAppAuthorized"] = True
    return out


# --------------------------------------------------------------------------------------- shared drives
def new_drive_id() -> str:
    return "0A" + new_id(11, prefix="") + "Uk9PVA"


def create_drive(store: Store, *, user: str, name: str, request_id: str, now: datetime) -> dict[str, Any]:
    """Create a shared drive (its root folder record) with ``user`` as organizer; 409 on a reused requestId."""
    key = f"{user.lower()}/{request_id}"
    if store.get("drive_request", key):
        raise ApiError(409, "A shared drive with this requestId already exists.", reason="duplicate",
                       location="requestId", location_type="parameter")
    did = new_drive_id()
    record = _new_record(store, did, name, FOLDER_MIME, [], owner=user, now=now, drive_id=did)
    record["isDriveRoot"] = True
    record["hidden"] = False
    save_file(store, record)
    if user != ADMIN:
        save_permission(store, did, {"id": permission_id_for(user), "type": "user", "role": "organizer",
                                     "emailAddress": user, "fileId": did})
    store.put("drive_request", key, {"driveId": did})
    return record


def drive_resource(store: Store, record: dict[str, Any], role: str | None) -> dict[str, Any]:
    organizer = role in ("organizer", "owner")
    edit = is_editor(role)
    return {
        "kind": "drive#drive",
        "id": record["id"],
        "name": record["name"],
        "colorRgb": "#4986e7",
        "backgroundImageLink": "https://ssl.gstatic.com/team_drive_themes/abstract_background_a1_1024.jpg",
        "capabilities": {
            "canAddChildren": edit,
            "canChangeDriveBackground": organizer,
            "canComment": role is not None and ROLE_RANK[role] >= ROLE_RANK["commenter"],
            "canCopy": True,
            "canDeleteChildren": role in ("organizer", "owner", "fileOrganizer"),
            "canDeleteDrive": organizer,
            "canDownload": True,
            "canEdit": edit,
            "canListChildren": True,
            "canManageMembers": organizer,
            "canReadRevisions": edit,
            "canRename": organizer,
            "canRenameDrive": organizer,
            "canShare": edit,
            "canTrashChildren": role in ("organizer", "owner", "fileOrganizer"),
        },
        "createdTime": record["createdTime"],
        "hidden": bool(record.get("hidden")),
        "restrictions": {
            "adminManagedRestrictions": False,
            "copyRequiresWriterPermission": False,
            "domainUsersOnly": False,
            "driveMembersOnly": False,
            "sharingFoldersRequiresOrganizerPermission": False,
        },
    }


def drives_of(store: Store, user: str) -> list[dict[str, Any]]:
    """The shared drives ``user`` is a member of (every drive for the admin), oldest first."""
    access = Access(store, user)
    return [r for r in store.list("file", parent=None) if r.get("isDriveRoot") and access.role(r) is not None]
