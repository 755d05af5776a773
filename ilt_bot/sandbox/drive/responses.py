"""Drive v3 handlers: translate a :class:`Call` into models calls and Drive's JSON shapes.

When the request has no ``fields`` parameter a handler answers Drive's default subset (``kind,id,name,
mimeType`` for a file); with ``fields`` it answers the full resource and the server projects it.
"""

from __future__ import annotations

import base64
import json
import re
from datetime import datetime
from typing import Any

from ilt_bot.sandbox import directory
from ilt_bot.sandbox.core import (
    ADMIN,
    CONTENT_KINDS,
    FOLDER_MIME,
    ApiError,
    Call,
    Result,
    implements,
    new_id,
)
from ilt_bot.sandbox.drive import models as m
from ilt_bot.sandbox.drive import query as qlang

MAX_EXPORT_BYTES = 10 * 1024 * 1024
_WRITABLE_FILE_FIELDS = {
    "name", "mimeType", "description", "parents", "appProperties", "properties", "starred", "trashed",
    "writersCanShare", "viewersCanCopyContent", "copyRequiresWriterPermission", "createdTime", "modifiedTime",
    "viewedByMeTime", "originalFilename", "folderColorRgb", "contentHints", "id", "contentRestrictions",
    "shortcutDetails", "inheritedPermissionsDisabled", "downloadRestrictions",
}
_ORDER_KEYS = {
    "createdTime", "folder", "modifiedByMeTime", "modifiedTime", "name", "name_natural", "quotaBytesUsed",
    "recency", "sharedWithMeTime", "starred", "viewedByMeTime",
}


# ------------------------------------------------------------------------------------------ helpers
def _supports_all_drives(call: Call) -> bool:
    return bool(call.query.get("supportsAllDrives") or call.query.get("supportsTeamDrives"))


def _fields(call: Call) -> str | None:
    value = call.query.get("fields")
    return str(value) if value else None


def _want(call: Call) -> set[str] | None:
    """The field names mentioned in ``fields`` (None: everything, for ``*`` or no mask)."""
    fields = _fields(call)
    if not fields or "*" in fields:
        return None
    return set(re.findall(r"[A-Za-z]+", fields))


def _no_content() -> Result:
    return Result(status=204, content_type="text/html", raw=b"")


def _file_out(call: Call, record: dict[str, Any], access: m.Access) -> dict[str, Any]:
    if _fields(call):
        return m.file_resource(call.store, record, call.user, access=access, want=_want(call))
    out = {"kind": "drive#file", "id": record["id"], "name": record["name"], "mimeType": record["mimeType"]}
    if record.get("driveId") and not record.get("isDriveRoot"):
        out["teamDriveId"] = out["driveId"] = record["driveId"]  # default fields of shared-drive items
    return out


def _perm_out(call: Call, perm: dict[str, Any], record: dict[str, Any], inherited: str | None = None
              ) -> dict[str, Any]:
    if _fields(call):
        return m.permission_resource(call.store, perm, record, inherited)
    return {"kind": "drive#permission", "id": perm["id"], "type": perm["type"], "role": perm["role"]}


def _bump_version(call: Call, file_id: str) -> None:
    """Sharing changes count as changes to the file (its version goes up, as on Google)."""
    record = m.get_file(call.store, file_id)
    if record is not None:
        record["version"] = int(record.get("version", 1)) + 1
        m.save_file(call.store, record)


def _encode_token(offset: int, signature: str) -> str:
    raw = json.dumps({"o": offset, "s": signature}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_token(token: str | None, signature: str) -> int:
    if not token:
        return 0
    try:
        data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        offset = int(data["o"])
    except (ValueError, KeyError, TypeError) as exc:
        raise m.invalid_value("pageToken") from exc
    if data.get("s") != signature or offset < 0:
        raise m.invalid_value("pageToken")
    return offset


def _page_size(call: Call, default: int, maximum: int) -> int:
    size = call.query.get("pageSize")
    if size is None:
        return default
    size = int(size)
    if size < 1 or size > maximum:
        raise m.invalid_value("pageSize")
    return size


def _check_writable(body: dict[str, Any], allowed: set[str]) -> None:
    extra = [key for key in body if key not in allowed and key != "kind"]
    if extra:
        raise ApiError(403, "The resource body includes fields which are not directly writable.",
                       reason="fieldNotWritable")


def _split_ids(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def _parent_for_write(call: Call, parent_id: str, access: m.Access) -> dict[str, Any]:
    """A parent folder the caller may add files to (404 if unseen, 403 if read-only)."""
    record, role = m.visible_record(call.store, call.user, parent_id,
                                    supports_all_drives=_supports_all_drives(call), access=access)
    if record["mimeType"] != FOLDER_MIME:
        raise m.bad_request("The specified parent is not a folder.", reason="badRequest")
    if not m.is_editor(role):
        raise ApiError(403, "Insufficient permissions for the specified parent.",
                       reason="insufficientParentPermissions", location="parents", location_type="other")
    return record


def _apply_metadata(record: dict[str, Any], body: dict[str, Any]) -> None:
    """Copy writable simple fields from a request body onto a record (PATCH semantics)."""
    for key in ("description", "starred", "writersCanShare", "copyRequiresWriterPermission", "originalFilename",
                "folderColorRgb"):
        if key in body:
            if body[key] is None:
                record.pop(key, None)
            else:
                record[key] = body[key]
    for key in ("appProperties", "properties"):
        if key in body:
            record[key] = m.merge_properties(record.get(key) or {}, body[key], key)
    indexable = (body.get("contentHints") or {}).get("indexableText")
    if indexable is not None:
        record["indexableText"] = str(indexable)


def _stamp(value: Any, location: str) -> str:
    try:
        return m.rfc3339(qlang.parse_time(str(value)))
    except qlang.QueryError as exc:
        raise m.invalid_value(location) from exc


# ------------------------------------------------------------------------------------------- files
@implements("drive.files.create")
def files_create(call: Call) -> dict[str, Any]:
    """Create a file or folder: metadata only, or with media (simple, multipart or resumable upload)."""
    store, body, media = call.store, dict(call.body or {}), call.media
    _check_writable(body, _WRITABLE_FILE_FIELDS)
    access = m.Access(store, call.user)
    mime = body.get("mimeType") or (media.content_type if media else None) or "application/octet-stream"
    parents = body.get("parents") or []
    if len(parents) > 1:
        raise ApiError(403, "Increasing the number of parents is not allowed.", reason="cannotAddParent")
    for parent in parents:
        _parent_for_write(call, parent, access)
    file_id = body.get("id")
    if file_id:
        if m.get_file(store, file_id) is not None:
            raise ApiError(409, "A file already exists with the provided ID.", reason="fileIdInUse")
        if store.get("generated_id", file_id) is None:
            raise m.bad_request("The provided file ID is not usable.", reason="fileIdNotUsable")
        store.delete("generated_id", file_id)
    name = body.get("name") or ("Untitled" if media else "")
    record = m.create_file(store, owner=call.user, name=name, mime_type=mime, parents=parents or None,
                           now=call.now, file_id=file_id)
    _apply_metadata(record, body)
    for key in ("createdTime", "modifiedTime"):
        if body.get(key):
            record[key] = _stamp(body[key], key)
    if media is not None and mime != FOLDER_MIME:
        m.import_content(store, record, media)
    elif m.is_google_type(mime):
        m.make_content(store, record)
    m.save_file(store, record)
    return _file_out(call, record, m.Access(store, call.user))


@implements("drive.files.get")
def files_get(call: Call) -> Result | dict[str, Any]:
    """A file's metadata, or its bytes with ``alt=media`` (Google types are not downloadable)."""
    access = m.Access(call.store, call.user)
    record, _ = m.visible_record(call.store, call.user, call.param("fileId"),
                                 supports_all_drives=_supports_all_drives(call), access=access)
    if call.query.get("alt") == "media":
        if m.is_google_type(record["mimeType"]):
            raise ApiError(403, "Only files with binary content can be downloaded. Use Export with Docs Editors "
                           "files.", reason="fileNotDownloadable", location="alt", location_type="parameter")
        return Result(raw=m.get_blob(call.store, record["id"]), content_type=record["mimeType"])
    return _file_out(call, record, access)


class _Subject:
    """One file as the query evaluator sees it, from the viewer's side."""

    def __init__(self, record: dict[str, Any], access: m.Access, viewer_root: str) -> None:
        self.record = record
        self.access = access
        self.viewer_root = viewer_root

    def text(self, field: str) -> str:
        if field == "fullText":
            return m.full_text(self.access.store, self.record)
        return str(self.record.get(field, ""))

    def time(self, field: str) -> datetime | None:
        if field == "sharedWithMeTime":
            if not self.access.shared_with_me(self.record):
                return None
            field = "createdTime"
        if field == "viewedByMeTime":
            field = "modifiedTime"
        return qlang.parse_time(self.record[field])

    def flag(self, field: str) -> bool:
        if field == "sharedWithMe":
            return self.access.shared_with_me(self.record)
        return bool(self.record.get(field, False))

    def members(self, field: str) -> set[str]:
        if field == "parents":
            parents = set(self.record.get("parents") or [])
            return parents | {"root"} if self.viewer_root in parents else parents
        if field == "owners":
            out = {self.record["owner"]} if self.record.get("owner") else set()
        else:
            roles = ("writer", "fileOrganizer", "organizer") if field == "writers" else ("reader", "commenter")
            out = {perm["emailAddress"] for perm, _ in m.effective_permissions(self.access.store, self.record)
                   if perm["role"] in roles and perm.get("emailAddress")}
        if self.access.email in {member.lower() for member in out}:
            out.add("me")  # 'me' in owners
        return out

    def props(self, field: str) -> dict[str, str]:
        return dict(self.record.get(field) or {})

    def visibility(self) -> str:
        perms = [p for p, _ in m.effective_permissions(self.access.store, self.record)]
        for kind, find, link in (("anyone", "anyoneCanFind", "anyoneWithLink"),
                                 ("domain", "domainCanFind", "domainWithLink")):
            found = [p for p in perms if p["type"] == kind]
            if found:
                return find if any(p.get("allowFileDiscovery") for p in found) else link
        return "limited"


def _natural(text: str) -> list[Any]:
    return [int(part) if part.isdigit() else part.casefold() for part in re.split(r"(\d+)", text)]


def _order_key(name: str, record: dict[str, Any]) -> Any:
    if name == "folder":
        return 0 if record["mimeType"] == FOLDER_MIME else 1
    if name == "starred":
        return 0 if record.get("starred") else 1
    if name == "name":
        return record["name"].casefold()
    if name == "name_natural":
        return _natural(record["name"])
    if name == "quotaBytesUsed":
        return int(record.get("size", 0))
    if name == "createdTime":
        return record["createdTime"]
    return record["modifiedTime"]


def _sort(records: list[dict[str, Any]], order_by: str | None) -> list[dict[str, Any]]:
    records = sorted(records, key=lambda r: r.get("seq", 0), reverse=True)
    specs = []
    for part in _split_ids(order_by):
        words = part.split()
        if not words or words[0] not in _ORDER_KEYS or len(words) > 2 or (len(words) == 2 and words[1] != "desc"):
            raise m.invalid_value("orderBy")
        specs.append((words[0], len(words) == 2))
    if not specs:
        specs = [("modifiedTime", True)]
    for name, desc in reversed(specs):
        records.sort(key=lambda r, n=name: _order_key(n, r), reverse=desc)
    return records


def _list_scope(call: Call, access: m.Access) -> tuple[str | None, bool]:
    """Check corpora/driveId/includeItemsFromAllDrives; returns (driveId to scope to, include drive items)."""
    corpora = call.query.get("corpora") or "user"
    drive_id = call.query.get("driveId") or call.query.get("teamDriveId")
    include = bool(call.query.get("includeItemsFromAllDrives") or call.query.get("includeTeamDriveItems"))
    if corpora not in ("user", "drive", "domain", "allDrives"):
        raise m.invalid_value("corpora")
    if (corpora == "drive") != bool(drive_id):
        raise m.bad_request("The driveId parameter must be specified if and only if corpora is set to drive.",
                            reason="invalid", location="driveId")
    if include and not _supports_all_drives(call):
        raise ApiError(403, "The includeItemsFromAllDrives parameter can only be set to true when "
                       "supportsAllDrives is set to true.", reason="invalid",
                       location="includeItemsFromAllDrives", location_type="parameter")
    if corpora in ("drive", "allDrives") and not include:
        raise m.bad_request(f"The includeItemsFromAllDrives parameter must be set to true when corpora is set to "
                            f"{corpora}.", reason="invalid", location="includeItemsFromAllDrives")
    if drive_id:
        root = access.record(drive_id)
        if root is None or not root.get("isDriveRoot") or access.role(root) is None:
            raise ApiError(404, f"Shared drive not found: {drive_id}", reason="notFound", location="driveId",
                           location_type="parameter")
    return drive_id, include


@implements("drive.files.list")
def files_list(call: Call) -> dict[str, Any]:
    """Search the files the caller can see (``q``, ``orderBy``, paging, shared-drive scoping)."""
    store = call.store
    access = m.Access(store, call.user)
    q = call.query.get("q") or ""
    try:
        node = qlang.parse(q)
    except qlang.QueryError as exc:
        raise m.invalid_value("q") from exc
    drive_id, include_drives = _list_scope(call, access)
    spaces = _split_ids(call.query.get("spaces")) or ["drive"]
    if any(s not in ("drive", "appDataFolder", "photos") for s in spaces):
        raise m.invalid_value("spaces")
    page_size = _page_size(call, 100, 1000)
    order_by = call.query.get("orderBy")
    signature = json.dumps([q, order_by, drive_id, include_drives, call.query.get("corpora")])
    offset = _decode_token(call.query.get("pageToken"), signature)
    viewer_root = m.root_id(store, call.user)

    parent_filter = qlang.parent_ids(node)
    if parent_filter is not None:
        pid = viewer_root if parent_filter[0] == "root" else parent_filter[0]
        candidates = store.list("file", parent=pid)
    else:
        candidates = store.list("file")
    matches = []
    if "drive" in spaces:
        for record in candidates:
            if record.get("isRoot") or record.get("isDriveRoot"):
                continue
            in_drive = record.get("driveId")
            if drive_id and in_drive != drive_id:
                continue
            if in_drive and not include_drives:
                continue
            if not qlang.evaluate(node, _Subject(record, access, viewer_root)):
                continue
            if access.role(record) is not None and access.discoverable(record):
                matches.append(record)
    ordered = _sort(matches, order_by)
    page = ordered[offset: offset + page_size]
    out: dict[str, Any] = {"kind": "drive#fileList"}
    if offset + page_size < len(ordered):
        out["nextPageToken"] = _encode_token(offset + page_size, signature)
    out["incompleteSearch"] = False
    out["files"] = [_file_out(call, record, access) for record in page]
    return out


@implements("drive.files.update")
def files_update(call: Call) -> dict[str, Any]:
    """PATCH metadata (merge of app/properties, trash, rename), move with add/removeParents, media update."""
    store, body, now = call.store, dict(call.body or {}), call.now
    _check_writable(body, _WRITABLE_FILE_FIELDS - {"parents", "id"})
    access = m.Access(store, call.user)
    record, role = m.visible_record(store, call.user, call.param("fileId"),
                                    supports_all_drives=_supports_all_drives(call), access=access)
    content_change = call.media is not None or any(k in body for k in ("name", "description"))
    metadata_keys = set(body) - {"starred", "viewedByMeTime"}
    if (metadata_keys - {"trashed"} or call.media is not None or call.query.get("addParents")
            or call.query.get("removeParents")) and not m.is_editor(role):
        raise m.insufficient()
    if "trashed" in body and bool(body["trashed"]) != bool(record.get("trashed")):
        if not m.can_delete(record, role):
            raise m.insufficient()
        if record.get("isRoot") or record.get("isDriveRoot"):
            raise m.insufficient()
        m.set_trashed(store, record, bool(body["trashed"]), call.user, now)
    old_name = record["name"]
    if body.get("name"):
        record["name"] = body["name"]
    if body.get("mimeType") and body["mimeType"] != record["mimeType"] and not m.is_google_type(record["mimeType"]):
        record["mimeType"] = body["mimeType"]
    _apply_metadata(record, body)
    if body.get("modifiedTime"):
        record["modifiedTime"] = _stamp(body["modifiedTime"], "modifiedTime")
        content_change = False
    _move(call, record, access)
    if call.media is not None:
        m.import_content(store, record, call.media)
    kind = CONTENT_KINDS.get(record["mimeType"])
    if record["name"] != old_name and kind is not None and kind.rename is not None:
        kind.rename(store, record["id"], record["name"])
    record["version"] = int(record.get("version", 1)) + 1
    if content_change:
        record["modifiedTime"] = m.rfc3339(now)
        record["lastModifyingUser"] = call.user
    m.save_file(store, record)
    return _file_out(call, record, m.Access(store, call.user))


def _move(call: Call, record: dict[str, Any], access: m.Access) -> None:
    """Apply ``addParents``/``removeParents`` (one parent at most, no cycles, drive follows the parent)."""
    add = _split_ids(call.query.get("addParents"))
    remove = {m.resolve_id(call.store, call.user, p) for p in _split_ids(call.query.get("removeParents"))}
    if not add and not remove:
        return
    parents = [p for p in record.get("parents") or [] if p not in remove]
    new_parents = []
    for pid in add:
        parent = _parent_for_write(call, pid, access)
        if parent["id"] == record["id"] or parent["id"] in {d["id"] for d in m.descendants(call.store, record["id"])}:
            raise m.bad_request("A folder cannot be moved into itself or one of its subfolders.",
                                location="addParents")
        if parent["id"] not in parents:
            new_parents.append(parent)
    if len(parents) + len(new_parents) > 1:
        raise ApiError(403, "Increasing the number of parents is not allowed.", reason="cannotAddParent")
    if not parents and not new_parents:
        if record.get("driveId"):
            raise ApiError(403, "A shared drive item must have exactly one parent.", reason="teamDrivesParentLimit")
        parents = [m.root_id(call.store, call.user)]
    record["parents"] = parents + [p["id"] for p in new_parents]
    target = call.store.get("file", record["parents"][0]) or {}
    new_drive = target.get("driveId")
    if new_drive != record.get("driveId"):
        _change_drive(call, record, new_drive)


def _change_drive(call: Call, record: dict[str, Any], drive_id: str | None) -> None:
    """Moving into (or out of) a shared drive: the drive (or the mover) owns the items from now on."""
    for item in [record, *m.descendants(call.store, record["id"])]:
        item["driveId"] = drive_id
        for perm in call.store.list("permission", parent=item["id"]):
            if perm["role"] == "owner":
                m.delete_permission(call.store, item["id"], perm["id"])
        if drive_id:
            item["owner"] = None
        else:
            item["owner"] = call.user
            m.save_permission(call.store, item["id"], {"id": m.permission_id_for(call.user), "type": "user",
                                                       "role": "owner", "emailAddress": call.user,
                                                       "fileId": item["id"]})
        if item is not record:
            m.save_file(call.store, item)


@implements("drive.files.copy")
def files_copy(call: Call) -> dict[str, Any]:
    """Copy a file (its content through the content kind's copy hook); metadata patches apply on top."""
    store, body = call.store, dict(call.body or {})
    _check_writable(body, _WRITABLE_FILE_FIELDS - {"id"})
    access = m.Access(store, call.user)
    source, _ = m.visible_record(store, call.user, call.param("fileId"),
                                 supports_all_drives=_supports_all_drives(call), access=access)
    if source["mimeType"] == FOLDER_MIME:
        raise ApiError(403, "This file cannot be copied by the user.", reason="cannotCopyFile")
    parents = body.get("parents")
    if parents:
        if len(parents) > 1:
            raise ApiError(403, "Increasing the number of parents is not allowed.", reason="cannotAddParent")
        _parent_for_write(call, parents[0], access)
    else:
        parents = []
        for pid in source.get("parents") or []:
            parent = access.record(pid)
            if parent is not None and m.is_editor(access.role(parent)) and (
                    not parent.get("driveId") or _supports_all_drives(call)):
                parents = [pid]
        parents = parents or [m.root_id(store, call.user)]
    extra = {"appProperties": dict(source.get("appProperties") or {}),
             "properties": dict(source.get("properties") or {})}
    record = m.copy_file(store, source, user=call.user, name=body.get("name"), parents=parents, now=call.now,
                         extra=extra)
    _apply_metadata(record, body)
    m.save_file(store, record)
    return _file_out(call, record, m.Access(store, call.user))


@implements("drive.files.delete")
def files_delete(call: Call) -> Result:
    """Delete for good (owner in My Drive, organizer in a shared drive), with everything inside a folder."""
    record, role = m.visible_record(call.store, call.user, call.param("fileId"),
                                    supports_all_drives=_supports_all_drives(call))
    if record.get("isRoot") or record.get("isDriveRoot") or not m.can_delete(record, role):
        raise m.insufficient()
    m.delete_file(call.store, record)
    return _no_content()


@implements("drive.files.emptyTrash")
def files_empty_trash(call: Call) -> Result:
    """Delete every explicitly trashed file the caller owns (or, with ``driveId``, of that shared drive)."""
    store = call.store
    access = m.Access(store, call.user)
    drive_id = call.query.get("driveId")
    if drive_id:
        root = access.record(drive_id)
        if root is None or not root.get("isDriveRoot") or access.role(root) is None:
            raise ApiError(404, f"Shared drive not found: {drive_id}", reason="notFound", location="driveId",
                           location_type="parameter")
        if access.role(root) not in ("organizer", "owner"):
            raise m.insufficient()
    for record in store.list("file"):
        if not record.get("explicitlyTrashed") or store.get("file", record["id"]) is None:
            continue
        if drive_id:
            if record.get("driveId") == drive_id:
                m.delete_file(store, record)
        elif not record.get("driveId") and (call.user == ADMIN or
                                            (record.get("owner") or "").lower() == call.user.lower()):
            m.delete_file(store, record)
    return _no_content()


@implements("drive.files.export")
def files_export(call: Call) -> Result:
    """Export a Docs-editors file to ``mimeType`` through its content kind (10 MB at most)."""
    record, _ = m.visible_record(call.store, call.user, call.param("fileId"), supports_all_drives=True)
    mime = call.query.get("mimeType") or ""
    kind = CONTENT_KINDS.get(record["mimeType"])
    if not m.is_google_type(record["mimeType"]) or record["mimeType"] == FOLDER_MIME:
        raise ApiError(403, "Export only supports Docs Editors files.", reason="fileNotExportable")
    if kind is None or kind.export is None or (kind.export_formats and mime not in kind.export_formats):
        raise m.bad_request("The requested conversion is not supported.", location="convertTo")
    data = kind.export(call.store, record["id"], mime)
    if len(data) > MAX_EXPORT_BYTES:
        raise ApiError(403, "This file is too large to be exported.", reason="exportSizeLimitExceeded")
    return Result(raw=data, content_type=mime)


@implements("drive.files.generateIds")
def files_generate_ids(call: Call) -> dict[str, Any]:
    """Ids that files.create (body ``id``) will accept."""
    count = int(call.query.get("count") or 10)
    if count < 1 or count > 1000:
        raise m.invalid_value("count")
    space = call.query.get("space") or "drive"
    if space not in ("drive", "appDataFolder"):
        raise m.invalid_value("space")
    ids = [new_id(33) for _ in range(count)]
    for fid in ids:
        call.store.put("generated_id", fid, {"id": fid, "user": call.user})
    return {"kind": "drive#generatedIds", "space": space, "ids": ids}


def _require_fields(call: Call) -> None:
    if not _fields(call):
        raise ApiError(400, "The 'fields' parameter is required for this method.", reason="required",
                       location="fields", location_type="parameter")


@implements("drive.about.get")
def about_get(call: Call) -> dict[str, Any]:
    """The caller and a minimal storage quota (``fields`` is required, as on Google)."""
    _require_fields(call)
    usage = sum(int(r.get("size", 0)) for r in call.store.list("file")
                if (r.get("owner") or "").lower() == call.user.lower())
    trash = sum(int(r.get("size", 0)) for r in call.store.list("file")
                if (r.get("owner") or "").lower() == call.user.lower() and r.get("trashed"))
    return {
        "kind": "drive#about",
        "user": m.user_resource(call.store, call.user, call.user),
        "storageQuota": {"limit": str(15 * 1024**3), "usage": str(usage), "usageInDrive": str(usage),
                         "usageInDriveTrash": str(trash)},
        "canCreateDrives": True,
        "maxUploadSize": str(5 * 1024**4),
        "appInstalled": False,
        "importFormats": {"text/html": [m.DOC_MIME], "text/plain": [m.DOC_MIME], "text/csv": [m.SHEET_MIME]},
        "exportFormats": {mime: list(kind.export_formats) for mime, kind in CONTENT_KINDS.items()
                          if kind.export_formats},
    }


@implements("drive.comments.list")
def comments_list(call: Call) -> dict[str, Any]:
    """No comments are kept: an empty list for a file the caller can see."""
    _require_fields(call)
    m.visible_record(call.store, call.user, call.param("fileId"), supports_all_drives=True)
    return {"kind": "drive#commentList", "comments": []}


# ------------------------------------------------------------------------------------- permissions
_NOTIFY_ONLY_PEOPLE = ("sendNotificationEmail parameter is only applicable for permissions of type 'user' or "
                       "'group', and must not be disabled for ownership transfers.")


def _sharable(call: Call, for_drive_members: bool = False) -> tuple[dict[str, Any], str]:
    record, role = m.visible_record(call.store, call.user, call.param("fileId"),
                                    supports_all_drives=_supports_all_drives(call))
    if record.get("isDriveRoot") and role not in ("organizer", "owner") and for_drive_members:
        raise m.insufficient()
    if not m.can_share(record, role):
        raise m.insufficient()
    return record, role


def _required_permission_fields(body: dict[str, Any]) -> tuple[str, str]:
    """The permission's ``type`` and ``role``, present and known."""
    kind, role = body.get("type"), body.get("role")
    for name, value in (("type", kind), ("role", role)):
        if not value:
            raise m.bad_request(f"The permission {name} field is required.", reason="required",
                                location=f"permission.{name}", location_type="other")
    for name, value, known in (("type", kind, m.PERMISSION_TYPES), ("role", role, m.ROLE_RANK)):
        if value not in known:
            raise m.bad_request(f"The permission {name} field is invalid.", reason="invalid",
                                location=f"permission.{name}", location_type="other")
    return str(kind), str(role)


def _check_grantee(call: Call, body: dict[str, Any], kind: str) -> None:
    """``emailAddress`` for users and groups, ``domain`` for domains; the notification switch only for people."""
    if kind in ("user", "group") and not body.get("emailAddress"):
        raise m.bad_request("The permission emailAddress field is required.", reason="required",
                            location="permission.emailAddress", location_type="other")
    if kind == "domain" and not body.get("domain"):
        raise m.bad_request("The permission domain field is required.", reason="required",
                            location="permission.domain", location_type="other")
    notify = call.query.get("sendNotificationEmail")
    if kind in ("domain", "anyone") and notify is not None:
        raise m.bad_request(_NOTIFY_ONLY_PEOPLE, reason="invalidSharingRequest")


def _check_account(call: Call, body: dict[str, Any], kind: str) -> None:
    """Without a notification e-mail Google shares only with an address that has a Google account
    (the rule of :mod:`ilt_bot.sandbox.directory`)."""
    address = body.get("emailAddress")
    if kind not in ("user", "group") or call.query.get("sendNotificationEmail") is not False:
        return
    if not directory.has_account(call.store, address):
        raise m.bad_request(
            f'Bad Request. User message: "You are trying to invite {address}. Since there is no '
            "Google account associated with this email address, you must check the 'Notify people' box to "
            'invite this recipient."', reason="invalidSharingRequest")


def _check_role(call: Call, body: dict[str, Any], kind: str, role: str, record: dict[str, Any],
                my_role: str) -> None:
    """Ownership transfers and shared-drive roles: who may grant them, and where."""
    if role == "owner":
        if not call.query.get("transferOwnership"):
            raise ApiError(403, "The transferOwnership parameter must be enabled when the permission role is "
                           "'owner'.", reason="forbidden", location="transferOwnership", location_type="parameter")
        if call.query.get("sendNotificationEmail") is False:
            raise m.bad_request(_NOTIFY_ONLY_PEOPLE, reason="invalidSharingRequest")
        if record.get("driveId"):
            raise ApiError(403, "Shared drive items are owned by the shared drive.", reason="teamDrivesOwnership")
        if my_role != "owner" or kind != "user" or record.get("isDriveRoot"):
            raise m.insufficient()
        if call.user != ADMIN and m.domain_of(body["emailAddress"]) != m.domain_of(record["owner"] or ""):
            raise ApiError(403, "Ownership can be transferred only to a user in the same organization as the "
                           "current owner.", reason="forbidden")
    elif role in ("organizer", "fileOrganizer") and not record.get("driveId"):
        raise m.bad_request("The organizer and fileOrganizer roles are only valid for shared drives.",
                            reason="invalidSharingRequest")
    view = body.get("view")
    if view is not None and (view != "published" or role != "reader"):
        raise m.bad_request("A permission with view 'published' must have the role 'reader'.",
                            reason="invalidSharingRequest")


def _new_permission(body: dict[str, Any], kind: str, role: str, file_id: str) -> dict[str, Any]:
    """The stored permission a valid request creates."""
    perm: dict[str, Any] = {"type": kind, "role": role, "fileId": file_id}
    if kind in ("user", "group"):
        perm["emailAddress"] = body["emailAddress"]
    if kind == "domain":
        perm["domain"] = body["domain"]
    if kind in ("domain", "anyone"):
        perm["allowFileDiscovery"] = bool(body.get("allowFileDiscovery", False))
    if body.get("view"):
        perm["view"] = body["view"]
    if body.get("expirationTime"):
        perm["expirationTime"] = _stamp(body["expirationTime"], "expirationTime")
    perm["id"] = m.make_permission_id(perm)
    return perm


@implements("drive.permissions.create")
def permissions_create(call: Call) -> dict[str, Any]:
    """Share a file, folder or shared drive (membership); notifies people by (recorded) e-mail."""
    store, body = call.store, dict(call.body or {})
    kind, role = _required_permission_fields(body)
    record, my_role = _sharable(call, for_drive_members=True)
    _check_grantee(call, body, kind)
    _check_role(call, body, kind, role, record, my_role)
    _check_account(call, body, kind)
    perm = _new_permission(body, kind, role, record["id"])
    existing = next((p for p in store.list("permission", parent=record["id"])
                     if m.permission_key(p) == m.permission_key(perm)), None)
    if existing is not None and existing["role"] == "owner" and role != "owner":
        return _perm_out(call, existing, record)
    if existing is not None:
        m.delete_permission(store, record["id"], existing["id"])
        perm["id"] = existing["id"]
    if role == "owner":
        _transfer(call, record, perm)
    m.save_permission(store, record["id"], perm)
    _bump_version(call, record["id"])
    notify = call.query.get("sendNotificationEmail")
    if kind in ("user", "group") and (notify is not False or role == "owner"):
        m.record_email(store, to=perm["emailAddress"], sender=call.user, file_id=record["id"], role=role,
                       message=call.query.get("emailMessage"), now=call.now)
    return _perm_out(call, perm, record)


def _transfer(call: Call, record: dict[str, Any], perm: dict[str, Any]) -> None:
    """Make ``perm``'s user the owner; the previous owner stays as a writer (parents stay unless
    ``moveToNewOwnersRoot``)."""
    old = record.get("owner")
    if old:
        old_id = m.permission_id_for(old)
        m.save_permission(call.store, record["id"], {"id": old_id, "type": "user", "role": "writer",
                                                     "emailAddress": old, "fileId": record["id"]})
    record["owner"] = perm["emailAddress"]
    if call.query.get("moveToNewOwnersRoot"):
        record["parents"] = [m.root_id(call.store, perm["emailAddress"])]
    m.save_file(call.store, record)


def _find_perm(call: Call, record: dict[str, Any], include_views: bool = True
               ) -> tuple[dict[str, Any], str | None]:
    pid = call.param("permissionId")
    for perm, inherited in m.effective_permissions(call.store, record, include_views=include_views):
        if perm["id"] == pid:
            return perm, inherited
    raise ApiError(404, f"Permission not found: {pid}.", reason="notFound", location="permissionId",
                   location_type="parameter")


@implements("drive.permissions.list")
def permissions_list(call: Call) -> dict[str, Any]:
    """Who has access (own and inherited permissions; published views with includePermissionsForView)."""
    record, role = m.visible_record(call.store, call.user, call.param("fileId"),
                                    supports_all_drives=_supports_all_drives(call))
    if m.ROLE_RANK[role] < m.ROLE_RANK["writer"]:
        raise m.insufficient()
    views = call.query.get("includePermissionsForView") == "published"
    perms = m.effective_permissions(call.store, record, include_views=views)
    size = _page_size(call, max(len(perms), 1), 100) if call.query.get("pageSize") else len(perms) or 1
    signature = f"perms:{record['id']}:{views}"
    offset = _decode_token(call.query.get("pageToken"), signature)
    page = perms[offset: offset + size]
    out: dict[str, Any] = {"kind": "drive#permissionList"}
    if offset + size < len(perms):
        out["nextPageToken"] = _encode_token(offset + size, signature)
    out["permissions"] = [_perm_out(call, p, record, inh) for p, inh in page]
    return out


@implements("drive.permissions.get")
def permissions_get(call: Call) -> dict[str, Any]:
    record, _ = m.visible_record(call.store, call.user, call.param("fileId"),
                                 supports_all_drives=_supports_all_drives(call))
    perm, inherited = _find_perm(call, record)
    return _perm_out(call, perm, record, inherited)


def _offer_ownership(call: Call, record: dict[str, Any], perm: dict[str, Any], my_role: str, offer: bool) -> None:
    """``pendingOwner``: the owner offers the file to a user (mailed) or withdraws the offer."""
    if my_role != "owner" or perm["type"] != "user" or record.get("driveId"):
        raise m.insufficient()
    if offer:
        perm["pendingOwner"] = True
        m.record_email(call.store, to=perm["emailAddress"], sender=call.user, file_id=record["id"],
                       role="owner", message=None, now=call.now)
    else:
        perm.pop("pendingOwner", None)


def _update_to_owner(call: Call, record: dict[str, Any], perm: dict[str, Any], my_role: str,
                     accepting: bool) -> None:
    """Make ``perm``'s user the owner: the owner transfers, or a pending owner accepts."""
    if not call.query.get("transferOwnership"):
        raise ApiError(403, "The transferOwnership parameter must be enabled when the permission role is "
                       "'owner'.", reason="forbidden", location="transferOwnership", location_type="parameter")
    if not accepting and (my_role != "owner" or perm["type"] != "user" or record.get("driveId")):
        raise m.insufficient()
    _transfer(call, record, perm)
    perm.pop("pendingOwner", None)
    if not accepting:
        m.record_email(call.store, to=perm["emailAddress"], sender=call.user, file_id=record["id"], role="owner",
                       message=None, now=call.now)


@implements("drive.permissions.update")
def permissions_update(call: Call) -> dict[str, Any]:
    """Change a permission's role (or expiry); ``owner`` needs transferOwnership. An owner may offer the
    file with ``pendingOwner``; that user then accepts by making themselves owner (consumer-account flow)."""
    body = dict(call.body or {})
    record, my_role = m.visible_record(call.store, call.user, call.param("fileId"),
                                       supports_all_drives=_supports_all_drives(call))
    perm, inherited = _find_perm(call, record)
    accepting = (body.get("role") == "owner" and perm.get("pendingOwner") and perm["type"] == "user"
                 and str(perm.get("emailAddress", "")).lower() == call.user.lower())
    if not accepting:
        if record.get("isDriveRoot") and my_role not in ("organizer", "owner"):
            raise m.insufficient()
        if not m.can_share(record, my_role):
            raise m.insufficient()
    if inherited is not None:
        raise ApiError(403, "Inherited permissions cannot be modified on this item.",
                       reason="cannotModifyInheritedPermission")
    role = body.get("role", perm["role"])
    if role not in m.ROLE_RANK:
        raise m.bad_request("The permission role field is invalid.", reason="invalid",
                            location="permission.role", location_type="other")
    if perm["role"] == "owner" and role != "owner":
        raise ApiError(403, "The owner of a file cannot be removed.", reason="cannotRemoveOwner")
    if "pendingOwner" in body:
        _offer_ownership(call, record, perm, my_role, bool(body["pendingOwner"]))
    if role == "owner" and perm["role"] != "owner":
        _update_to_owner(call, record, perm, my_role, accepting)
    perm["role"] = role
    if "expirationTime" in body:
        perm["expirationTime"] = _stamp(body["expirationTime"], "expirationTime")
    if call.query.get("removeExpiration"):
        perm.pop("expirationTime", None)
    m.save_permission(call.store, record["id"], perm)
    _bump_version(call, record["id"])
    return _perm_out(call, perm, record)


@implements("drive.permissions.delete")
def permissions_delete(call: Call) -> Result:
    """Remove a permission (sharers may remove any but the owner's; anyone may remove their own)."""
    record, role = m.visible_record(call.store, call.user, call.param("fileId"),
                                    supports_all_drives=_supports_all_drives(call))
    perm, inherited = _find_perm(call, record)
    own = perm["type"] == "user" and str(perm.get("emailAddress", "")).lower() == call.user.lower()
    if not own and not m.can_share(record, role):
        raise m.insufficient()
    if record.get("isDriveRoot") and not own and role not in ("organizer", "owner"):
        raise m.insufficient()
    if inherited is not None:
        raise ApiError(403, "Inherited permissions cannot be removed from this item.",
                       reason="cannotDeleteInheritedPermission")
    if perm["role"] == "owner":
        raise ApiError(403, "The owner of a file cannot be removed.", reason="cannotRemoveOwner")
    m.delete_permission(call.store, record["id"], perm["id"])
    _bump_version(call, record["id"])
    return _no_content()


# ----------------------------------------------------------------------------------- shared drives
def _drive_out(call: Call, record: dict[str, Any], role: str | None) -> dict[str, Any]:
    if _fields(call):
        return m.drive_resource(call.store, record, role)
    return {"kind": "drive#drive", "id": record["id"], "name": record["name"]}


def _visible_drive(call: Call) -> tuple[dict[str, Any], str]:
    drive_id = call.param("driveId")
    record = m.get_file(call.store, drive_id)
    role = m.Access(call.store, call.user).role(record) if record else None
    if record is None or not record.get("isDriveRoot") or role is None:
        raise ApiError(404, f"Shared drive not found: {drive_id}", reason="notFound", location="driveId",
                       location_type="parameter")
    return record, role


@implements("drive.drives.create")
def drives_create(call: Call) -> dict[str, Any]:
    """A new shared drive with the caller as organizer; a reused ``requestId`` is a 409."""
    body = dict(call.body or {})
    request_id = call.query.get("requestId")
    if not request_id:
        raise ApiError(400, "Required parameter: requestId", reason="required", location="requestId",
                       location_type="parameter")
    record = m.create_drive(call.store, user=call.user, name=body.get("name") or "Untitled shared drive",
                            request_id=str(request_id), now=call.now)
    return _drive_out(call, record, "organizer")


@implements("drive.drives.get")
def drives_get(call: Call) -> dict[str, Any]:
    record, role = _visible_drive(call)
    return _drive_out(call, record, role)


@implements("drive.drives.update")
def drives_update(call: Call) -> dict[str, Any]:
    record, role = _visible_drive(call)
    if role not in ("organizer", "owner"):
        raise m.insufficient()
    body = dict(call.body or {})
    if body.get("name"):
        record["name"] = body["name"]
    if "hidden" in body:
        record["hidden"] = bool(body["hidden"])
    m.save_file(call.store, record)
    return _drive_out(call, record, role)


@implements("drive.drives.delete")
def drives_delete(call: Call) -> Result:
    """Delete an empty shared drive (organizers); with ``allowItemDeletion`` its items go too (admins)."""
    record, role = _visible_drive(call)
    if role not in ("organizer", "owner"):
        raise m.insufficient()
    items = [r for r in call.store.list("file") if r.get("driveId") == record["id"] and r["id"] != record["id"]]
    if items and not (call.query.get("allowItemDeletion") and call.user == ADMIN):
        raise ApiError(403, "The shared drive cannot be deleted because it contains items.",
                       reason="cannotDeleteTeamDriveWithNonTrashedItems")
    for item in items:
        if call.store.get("file", item["id"]) is not None:
            m.delete_file(call.store, item)
    m.delete_file(call.store, record)
    return _no_content()


@implements("drive.drives.list")
def drives_list(call: Call) -> dict[str, Any]:
    """The shared drives the caller is a member of (all of them for the admin), paged (default 10)."""
    drives = m.drives_of(call.store, call.user)
    size = _page_size(call, 10, 100)
    signature = "drives"
    offset = _decode_token(call.query.get("pageToken"), signature)
    access = m.Access(call.store, call.user)
    out: dict[str, Any] = {"kind": "drive#driveList"}
    if offset + size < len(drives):
        out["nextPageToken"] = _encode_token(offset + size, signature)
    out["drives"] = [_drive_out(call, d, access.role(d)) for d in drives[offset: offset + size]]
    return out


def _set_hidden(call: Call, hidden: bool) -> dict[str, Any]:
    record, role = _visible_drive(call)
    if role not in ("organizer", "owner"):
        raise m.insufficient()
    record["hidden"] = hidden
    m.save_file(call.store, record)
    return _drive_out(call, record, role)


@implements("drive.drives.hide")
def drives_hide(call: Call) -> dict[str, Any]:
    """Hide a shared drive from the default view."""
    return _set_hidden(call, True)


@implements("drive.drives.unhide")
def drives_unhide(call: Call) -> dict[str, Any]:
    """Show a hidden shared drive again."""
    return _set_hidden(call, False)
