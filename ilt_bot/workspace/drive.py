"""Drive v3 operations of the gateway: find by key, create once, HTML import, permissions, moves.

Every files/permissions call passes ``supportsAllDrives=True``; lists add ``includeItemsFromAllDrives``
with ``corpora=drive`` and ``driveId`` when the school works in a shared drive (without them Drive
answers 404 for shared-drive files and silently leaves them out of lists).
"""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import quote_plus

from googleapiclient.http import MediaIoBaseUpload

from ilt_bot.workspace.api import KEY_PROPERTY, FileRef
from ilt_bot.workspace.clients import Caller
from ilt_bot.workspace.errors import NotFound, WorkspaceError
from ilt_bot.workspace.retry import is_retryable

FOLDER_MIME = "application/vnd.google-apps.folder"
DOC_MIME = "application/vnd.google-apps.document"
FORM_MIME = "application/vnd.google-apps.form"
SHEET_MIME = "application/vnd.google-apps.spreadsheet"

FILE_FIELDS = "id,name,mimeType,trashed,webViewLink,appProperties,modifiedTime,createdTime,parents"
PERMISSION_FIELDS = "id,type,role,emailAddress,domain,view"
MAX_QUERY_CHARS = 1400
"""The longest URL-encoded ``q`` :meth:`DriveOps.find_many` sends: with the other parameters the request URL
stays under the 2,048 characters above which google-api-python-client turns a GET into a POST with
``X-HTTP-Method-Override`` (``googleapiclient.discovery.MAX_URI_LENGTH``)."""


def escape_q(value: str) -> str:
    """Escape a string literal for a Drive ``q`` (backslash and single quote)."""
    return value.replace("\\", "\\\\").replace("'", "\\'")


def key_query(key: str) -> str:
    """The ``q`` finding files whose ``iltbot_key`` appProperty is ``key`` (trashed ones too)."""
    return f"appProperties has {{ key='{KEY_PROPERTY}' and value='{escape_q(key)}' }}"


def key_chunks(keys: list[str]) -> list[list[str]]:
    """``keys`` in order, cut so each chunk's ``or``-joined query is at most :data:`MAX_QUERY_CHARS` encoded."""
    chunks: list[list[str]] = []
    size = 0
    for key in keys:
        cost = len(quote_plus(f" or {key_query(key)}"))
        if not chunks or size + cost > MAX_QUERY_CHARS:
            chunks.append([])
            size = 0
        chunks[-1].append(key)
        size += cost
    return chunks


def check_property(name: str, value: str) -> None:
    """Refuse an appProperty Drive would refuse (key + value over 124 bytes)."""
    size = len(name.encode("utf-8")) + len(value.encode("utf-8"))
    if size > 124:
        raise ValueError(f"appProperty {name!r} is {size} bytes with its value; Drive allows 124: shorten the key")


def to_ref(item: dict[str, Any]) -> FileRef:
    """A :class:`FileRef` from a Drive file resource."""
    props = dict(item.get("appProperties") or {})
    return FileRef(
        id=item["id"],
        name=item.get("name", ""),
        mime_type=item.get("mimeType", ""),
        key=props.get(KEY_PROPERTY),
        trashed=bool(item.get("trashed", False)),
        web_link=item.get("webViewLink"),
        app_properties=props,
        modified_time=item.get("modifiedTime"),
    )


def pick(items: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The file to use among several with one key: a live one before a trashed one, oldest first."""
    if not items:
        return None
    return sorted(items, key=lambda f: (bool(f.get("trashed")), f.get("createdTime") or "", f["id"]))[0]


class DriveOps:
    """Drive calls for one user (through :class:`Caller`)."""

    def __init__(self, caller: Caller, service: Any, *, shared_drive_id: str | None = None) -> None:
        self.caller = caller
        self.files = service.files
        self.permissions = service.permissions
        self.service = service
        self.shared_drive_id = shared_drive_id

    def list_kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"supportsAllDrives": True}
        if self.shared_drive_id:
            kwargs.update(includeItemsFromAllDrives=True, corpora="drive", driveId=self.shared_drive_id)
        return kwargs

    def list_files(self, q: str, *, what: str, fields: str = FILE_FIELDS,
                   in_shared_drive: bool = True) -> list[dict[str, Any]]:
        """Every file matching ``q`` (all pages); in the shared drive when one is configured and
        ``in_shared_drive``, else in the user's own corpus (My Drive and files shared with them)."""
        items: list[dict[str, Any]] = []
        token: str | None = None
        while True:
            def make(token: str | None = token) -> Any:
                extra = self.list_kwargs() if in_shared_drive else {"supportsAllDrives": True}
                kwargs = dict(q=q, fields=f"nextPageToken,files({fields})", pageSize=1000, **extra)
                if token:
                    kwargs["pageToken"] = token
                return self.files().list(**kwargs)

            page = self.caller.call(make, what=what)
            items.extend(page.get("files", []))
            token = page.get("nextPageToken")
            if not token:
                return items

    def find_items(self, key: str) -> list[dict[str, Any]]:
        return self.list_files(key_query(key), what=f"Looking up {key}")

    def find(self, key: str) -> FileRef | None:
        item = pick(self.find_items(key))
        return to_ref(item) if item else None

    def find_many(self, keys: list[str]) -> dict[str, FileRef | None]:
        """Each key's file (as :meth:`find`), with one ``files.list`` per :func:`key_chunks` chunk.

        Drive's search language joins ``appProperties has`` terms with ``or`` (Drive v3 "Search for files
        and folders": query terms combine with ``and``, ``or``, ``not``), so one request answers for
        several keys; the answers are sorted back to their key by the ``iltbot_key`` they carry.
        """
        wanted = list(dict.fromkeys(keys))
        found: dict[str, list[dict[str, Any]]] = {key: [] for key in wanted}
        queries = [" or ".join(key_query(key) for key in chunk) for chunk in key_chunks(wanted)]
        pages = self._first_pages(queries) if len(queries) > 1 else {}
        for n, q in enumerate(queries):
            items = pages.get(str(n))
            if items is None:
                items = self.list_files(q, what=f"Looking up {len(found)} keys ({q[:60]}...)")
            for item in items:
                key = (item.get("appProperties") or {}).get(KEY_PROPERTY)
                if key in found:
                    found[key].append(item)
        return {key: (to_ref(item) if (item := pick(items)) else None) for key, items in found.items()}

    def _first_pages(self, queries: list[str]) -> dict[str, list[dict[str, Any]]]:
        """Several ``files.list`` in one HTTP batch (Drive's ``/batch/drive/v3``), by index; a query whose
        answer failed or has more pages is left out (listed on its own)."""
        def make(q: str) -> Any:
            return self.files().list(q=q, fields=f"nextPageToken,files({FILE_FIELDS})", pageSize=1000,
                                     **self.list_kwargs())

        try:
            answers = self.caller.batch(self.service, [(str(n), make(q)) for n, q in enumerate(queries)],
                                        what=f"Looking up keys in {len(queries)} queries")
        except WorkspaceError:
            return {}
        return {n: list(a.get("files") or []) for n, a in answers.items()
                if isinstance(a, dict) and not a.get("nextPageToken")}

    def get(self, file_id: str, fields: str = FILE_FIELDS) -> dict[str, Any]:
        return self.caller.call(
            lambda: self.files().get(fileId=file_id, fields=fields, supportsAllDrives=True),
            what=f"Reading file {file_id}", file_id=file_id,
        )

    def _create_once(self, key: str, make: Any, what: str, parent: str) -> dict[str, Any]:
        def recover() -> dict[str, Any] | None:
            return pick([f for f in self.find_items(key) if not f.get("trashed")])

        return self.caller.once(make, recover, what=what, file_id=parent)

    def create(
        self, key: str, name: str, mime_type: str, parent_id: str, properties: dict[str, str] | None = None
    ) -> dict[str, Any]:
        """Create an (empty) file once: after a lost answer, the file is looked up by key, not re-created."""
        props = {**(properties or {}), KEY_PROPERTY: key}
        for prop, value in props.items():
            check_property(prop, value)
        body = {"name": name, "mimeType": mime_type, "parents": [parent_id], "appProperties": props}
        return self._create_once(
            key,
            lambda: self.files().create(body=body, fields=FILE_FIELDS, supportsAllDrives=True),
            f"Creating {name!r} ({key}) in folder {parent_id}",
            parent_id,
        )

    def create_doc_from_html(
        self, key: str, name: str, html: str, parent_id: str, properties: dict[str, str] | None = None
    ) -> dict[str, Any]:
        """Multipart upload of ``text/html`` converted to a Google Doc, in ``parent_id``, created once."""
        props = {**(properties or {}), KEY_PROPERTY: key}
        for prop, value in props.items():
            check_property(prop, value)
        body = {"name": name, "mimeType": DOC_MIME, "parents": [parent_id], "appProperties": props}
        data = html.encode("utf-8")

        def make() -> Any:
            media = MediaIoBaseUpload(io.BytesIO(data), mimetype="text/html", resumable=False)
            return self.files().create(body=body, media_body=media, fields=FILE_FIELDS, supportsAllDrives=True)

        return self._create_once(key, make, f"Creating Doc {name!r} ({key}) in folder {parent_id}", parent_id)

    def update(self, file_id: str, *, body: dict[str, Any] | None = None, add_parents: str | None = None,
               remove_parents: str | None = None, what: str) -> dict[str, Any]:
        """files.update (metadata and/or parents); idempotent, so retried plainly."""
        def make() -> Any:
            kwargs: dict[str, Any] = {"fileId": file_id, "body": body or {}, "fields": FILE_FIELDS,
                                      "supportsAllDrives": True}
            if add_parents:
                kwargs["addParents"] = add_parents
            if remove_parents:
                kwargs["removeParents"] = remove_parents
            return self.files().update(**kwargs)

        return self.caller.call(make, what=what, file_id=file_id)

    def move(self, file_id: str, folder_id: str, *, body: dict[str, Any] | None = None,
             parents: list[str] | None = None) -> dict[str, Any] | None:
        """Put a file in ``folder_id`` only; no write when it is already there alone (and no body)."""
        if parents is None:
            parents = list(self.get(file_id, "id,parents").get("parents") or [])
        others = [p for p in parents if p != folder_id]
        if folder_id in parents and not others and not body:
            return None
        return self.update(
            file_id, body=body, add_parents=folder_id if folder_id not in parents else None,
            remove_parents=",".join(others) or None, what=f"Moving file {file_id} to folder {folder_id}",
        )

    def export(self, file_id: str, mime_type: str = "text/html") -> bytes:
        return self.caller.call(lambda: self.files().export(fileId=file_id, mimeType=mime_type),
                                what=f"Exporting file {file_id} as {mime_type}", file_id=file_id)

    def bot_files_with_permissions(self) -> list[dict[str, Any]]:
        """The bot's files (those with an ``iltbot_key``), not trashed, each with its ``permissions``.

        One ``files.list`` (paged by 1000) with ``permissions`` in its fields: in My Drive the files the bot
        owns, in the configured shared drive every file. Drive leaves ``permissions`` out for shared-drive
        items, so those are listed one by one (``permissions.list``).
        """
        shared = bool(self.shared_drive_id)
        q = "trashed = false" if shared else "'me' in owners and trashed = false"
        fields = f"id,name,mimeType,appProperties,webViewLink,permissionIds,permissions({PERMISSION_FIELDS})"
        items = [f for f in self.list_files(q, what="Listing the bot's files and who has access", fields=fields,
                                            in_shared_drive=shared)
                 if KEY_PROPERTY in (f.get("appProperties") or {})]
        for item in items:
            if "permissions" not in item:
                item["permissions"] = self.list_permissions(item["id"])
        return items

    def list_permissions(self, file_id: str) -> list[dict[str, Any]]:
        """Every permission on the file, published-view (Form responder) ones included."""
        perms: list[dict[str, Any]] = []
        token: str | None = None
        while True:
            def make(token: str | None = token) -> Any:
                kwargs: dict[str, Any] = dict(fileId=file_id, fields=f"nextPageToken,permissions({PERMISSION_FIELDS})",
                                              supportsAllDrives=True, includePermissionsForView="published",
                                              pageSize=100)
                if token:
                    kwargs["pageToken"] = token
                return self.permissions().list(**kwargs)

            page = self.caller.call(make, what=f"Listing who has access to file {file_id}", file_id=file_id)
            perms.extend(page.get("permissions", []))
            token = page.get("nextPageToken")
            if not token:
                return perms


ROLE_RANK = {"reader": 1, "publishedReader": 1, "commenter": 2, "writer": 3, "fileOrganizer": 4, "organizer": 5,
             "owner": 6}
ANYONE = "anyone"
"""Pseudo-address in :meth:`Sharing.share` meaning "anyone with the link" (needs ``sharing.link_sharing``)."""


def domain_guard(
    emails: list[str], *, domain: str | None, allow_external: list[str] | tuple[str, ...] = (),
    link_sharing: bool = False,
) -> list[str]:
    """The normalized, de-duplicated addresses, or :class:`SharingRefused` for the first one not allowed.

    Allowed: addresses in the school's domain (``school.domain``), addresses or domains listed in
    ``sharing.allow_external``, and ``anyone`` only when ``sharing.link_sharing`` is true.
    """
    from ilt_bot.workspace.errors import SharingRefused

    allowed = {a.strip().lower().lstrip("@") for a in allow_external}
    school = (domain or "").strip().lower().lstrip("@")
    seen: list[str] = []
    for raw in emails:
        email = raw.strip().lower()
        if not email or email in seen:
            continue
        if email == ANYONE:
            if not link_sharing:
                raise SharingRefused("Refusing to share with anyone who has the link: set sharing.link_sharing = true "
                                     "in config to allow link sharing.", reason="linkSharingDisabled")
        elif "@" not in email:
            raise SharingRefused(f"Refusing to share with {raw!r}: not an email address.", reason="badAddress")
        else:
            email_domain = email.rsplit("@", 1)[1]
            if email_domain != school and email not in allowed and email_domain not in allowed:
                raise SharingRefused(
                    f"Refusing to share with {email}: outside the school's domain ({school or 'school.domain unset'}). "
                    f"Add {email} (or {email_domain}) to sharing.allow_external in config to allow it.",
                    reason="outsideDomain",
                )
        seen.append(email)
    return seen


def _satisfied(perms: list[dict[str, Any]], email: str, role: str, published_view: bool) -> tuple[bool, str | None]:
    """(has access already, id of a weaker permission to upgrade) for one address."""
    rank = ROLE_RANK[role]
    mine = [p for p in perms if (email == ANYONE and p.get("type") == "anyone")
            or (p.get("emailAddress") or "").lower() == email]
    full = [p for p in mine if p.get("view") != "published"]
    if published_view:
        # Writers and owners may answer anyway; otherwise a published-view reader permission is needed.
        if any(p.get("view") == "published" for p in mine) or any(ROLE_RANK.get(p.get("role", ""), 0) >= 3
                                                                  for p in full):
            return True, None
        return False, None
    if any(ROLE_RANK.get(p.get("role", ""), 0) >= rank for p in full):
        return True, None
    weaker = [p for p in full if p.get("role") != "owner"]
    return False, (weaker[0]["id"] if weaker else None)


PERSON_REFUSALS = frozenset({
    "invalidSharingRequest", "shareOutNotPermitted", "shareOutNotPermittedToUser", "shareInNotPermitted",
    "publishOutNotPermitted", "cannotShareTeamDriveWithNonGoogleAccounts",
})
"""Drive's reasons for refusing one grant because of who it is for (no Google account, a domain the
Workspace's sharing settings exclude), not because of the file or the caller."""


def refused_for_person(error: BaseException) -> bool:
    """Whether a failed permission create was refused for its recipient (see :data:`PERSON_REFUSALS`)."""
    return isinstance(error, WorkspaceError) and error.reason in PERSON_REFUSALS


class Sharing:
    """Batch permission changes for one file (one ``permissions.list``, one HTTP batch)."""

    def __init__(self, drive: DriveOps) -> None:
        self.drive = drive

    def _request(self, file_id: str, email: str, role: str, upgrade: str | None, notify: bool,
                 message: str | None, published_view: bool) -> Any:
        perms = self.drive.permissions
        if upgrade:
            return perms().update(fileId=file_id, permissionId=upgrade, body={"role": role},
                                  fields=PERMISSION_FIELDS, supportsAllDrives=True)
        body: dict[str, Any] = {"role": "reader" if published_view else role}
        if email == ANYONE:
            body.update(type="anyone", allowFileDiscovery=False)
        else:
            body.update(type="user", emailAddress=email)
        if published_view:
            body["view"] = "published"
        kwargs: dict[str, Any] = {"fileId": file_id, "body": body, "fields": PERMISSION_FIELDS,
                                  "supportsAllDrives": True}
        if email != ANYONE:
            kwargs["sendNotificationEmail"] = bool(notify)
            if notify and message:
                kwargs["emailMessage"] = message
        return perms().create(**kwargs)

    def _todo(self, file_id: str, emails: list[str], role: str, published_view: bool) -> list[tuple[str, str | None]]:
        perms = self.drive.list_permissions(file_id)
        todo = []
        for email in emails:
            done, upgrade = _satisfied(perms, email, role, published_view)
            if not done:
                todo.append((email, upgrade))
        return todo

    def share(self, file_id: str, emails: list[str], role: str, *, notify: bool = False, message: str | None = None,
              published_view: bool = False, refused: dict[str, WorkspaceError] | None = None) -> int:
        """Grant ``role`` to each address lacking it; returns how many permissions were added or upgraded.

        An address Google refuses (:func:`refused_for_person`: no account, sharing outside the domain
        not allowed...) fails only its own grant: it goes in ``refused`` (when given) and the others are
        granted. Any other failure raises.
        """
        caller = self.drive.caller
        what = f"Sharing file {file_id}"
        todo = self._todo(file_id, emails, role, published_view)
        added = len(todo)
        attempt = 0
        while todo:
            requests = [(email, self._request(file_id, email, role, upgrade, notify, message, published_view))
                        for email, upgrade in todo]
            try:
                results = caller.batch(self.drive.service, requests, what=what, file_id=file_id)
            except Exception as error:
                if not is_retryable(error) or attempt >= caller.policy.max_attempts - 1:
                    raise
                caller.policy.wait(attempt, error, what)
                attempt += 1
                todo = self._todo(file_id, [e for e, _ in todo], role, published_view)  # lost answer: re-read
                continue
            upgrades = dict(todo)
            for email, result in results.items():
                if not isinstance(result, BaseException):
                    continue
                if refused is not None and refused_for_person(result):
                    refused[email] = result  # type: ignore[assignment]
                    added -= 1
                    continue
                if not is_retryable(result):
                    raise result

                def recover(email: str = email) -> bool | None:
                    return True if not self._todo(file_id, [email], role, published_view) else None

                caller.once(
                    lambda email=email, upgrade=upgrades[email]: self._request(
                        file_id, email, role, upgrade, notify, message, published_view),
                    recover, what=f"{what} with {email}", file_id=file_id,
                )
            todo = []
        return added

    def remove(self, file_id: str, permission_ids: list[str]) -> int:
        """Delete these permissions (one HTTP batch; one already gone counts as removed); returns how many."""
        if not permission_ids:
            return 0
        what = f"Removing access to file {file_id}"

        def delete(pid: str) -> Any:
            return self.drive.permissions().delete(fileId=file_id, permissionId=pid, supportsAllDrives=True)

        results = self.drive.caller.batch(self.drive.service, [(pid, delete(pid)) for pid in permission_ids],
                                          what=what, file_id=file_id)
        for pid, result in results.items():
            if isinstance(result, BaseException) and not isinstance(result, NotFound):
                try:
                    self.drive.caller.call(lambda pid=pid: delete(pid), what=what, file_id=file_id)
                except NotFound:
                    continue  # gone meanwhile
        return len(permission_ids)

    def unshare(self, file_id: str, emails: list[str]) -> int:
        """Remove every (non-owner) permission of ``emails``; returns how many were removed."""
        wanted = {e.strip().lower() for e in emails}

        def matches(p: dict[str, Any]) -> bool:
            if p.get("role") == "owner":
                return False
            return (p.get("emailAddress") or "").lower() in wanted or (ANYONE in wanted and p.get("type") == "anyone")

        perms = [p for p in self.drive.list_permissions(file_id) if matches(p)]
        if not perms:
            return 0
        caller = self.drive.caller
        what = f"Removing access to file {file_id}"

        def delete(pid: str) -> Any:
            return self.drive.permissions().delete(fileId=file_id, permissionId=pid, supportsAllDrives=True)

        try:
            results = caller.batch(self.drive.service, [(p["id"], delete(p["id"])) for p in perms], what=what,
                                   file_id=file_id)
        except Exception as error:
            if not is_retryable(error):
                raise
            results = {p["id"]: error for p in perms}
        for pid, result in results.items():
            if isinstance(result, BaseException):
                if isinstance(result, NotFound):
                    continue  # already gone (a lost answer to an earlier delete)
                try:
                    caller.call(lambda pid=pid: delete(pid), what=what, file_id=file_id)
                except NotFound:
                    continue
        return len(perms)
