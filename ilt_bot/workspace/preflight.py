"""``ilt-bot check --online``: do the credentials work, and can the bot user list and write where it must?

Each failure is a :class:`~ilt_bot.errors.Problem` naming the config field, what is wrong and the
fix (delegation scopes not granted in the Admin console, folder not shared with the bot user, a
shared drive not configured...). Nothing here prints tokens or keys.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import TYPE_CHECKING

from ilt_bot.config import Config
from ilt_bot.errors import Problem
from ilt_bot.workspace.auth import required_scopes
from ilt_bot.workspace.drive import FOLDER_MIME
from ilt_bot.workspace.errors import AuthFailed, NotFound, PermissionDenied, WorkspaceError

if TYPE_CHECKING:
    from ilt_bot.workspace.clients import HttpFactory
    from ilt_bot.workspace.gateway import Gateway

_FOLDER_FIELDS = "id,name,mimeType,trashed,driveId,capabilities(canAddChildren,canListChildren)"


def _auth_problem(config: Config, error: WorkspaceError) -> Problem:
    scopes = ", ".join(required_scopes(config))
    method = config.workspace.auth.method if config.workspace.auth else "sandbox"
    if method in ("service_account", "impersonation"):
        fix = ("in the Admin console (Security > API controls > Domain-wide delegation) grant the service "
               f"account's client ID exactly these scopes: {scopes}; and check workspace.bot_user is a real user")
    elif method == "oauth":
        fix = "run `ilt-bot auth login` again (the token was revoked, expired or lacks scopes: " + scopes + ")"
    else:
        fix = f"check workspace.auth (method {method}) and that the credentials carry the scopes {scopes}"
    return Problem("workspace.auth", str(error), fix)


def key_file_problem(config: Config) -> Problem | None:
    """A service-account key file that is unset, missing, unreadable or not a key, said as such."""
    auth = config.workspace.auth
    if auth is None or auth.method != "service_account":
        return None
    fix = ("download a JSON key for the service account (Cloud console > IAM & Admin > Service accounts > Keys > "
           "Add key), save it readable only by the user running the bot (chmod 600), and set "
           "workspace.auth.key_file to its path")
    key_file = auth.key_file
    if not key_file:
        return Problem("workspace.auth.key_file", "not set (workspace.auth.method is service_account)", fix)
    path = Path(str(key_file)).expanduser().absolute()  # as auth.py opens it
    try:
        data = json.loads(path.read_bytes())
    except FileNotFoundError:
        return Problem("workspace.auth.key_file", f"the key file {path} does not exist", fix)
    except OSError as error:
        return Problem("workspace.auth.key_file", f"the key file {path} cannot be read ({error.strerror})",
                       f"let the user running the bot read it (chown that user, chmod 600 {path}), or {fix}")
    except ValueError:
        data = None
    if not isinstance(data, dict) or not {"client_email", "private_key"} <= data.keys():
        return Problem("workspace.auth.key_file", f"{path} is not a service account JSON key", fix)
    return None


def _folder_problems(gw: Gateway, config: Config, path: str, folder_id: str) -> list[Problem]:
    bot = gw.user
    shared = config.drive.shared_drive_id
    try:
        item = gw.drive.get(folder_id, _FOLDER_FIELDS)
    except NotFound:
        fix = (f"share the folder with {bot} as Editor; if it is on a shared drive, add {bot} to the drive as "
               "Content manager and set drive.shared_drive_id")
        return [Problem(path, f"folder {folder_id} does not exist or is not shared with {bot}", fix)]
    except PermissionDenied as error:
        return [Problem(path, f"{bot} may not read folder {folder_id}: {error}",
                        f"share the folder with {bot} as Editor")]
    problems: list[Problem] = []
    if item.get("mimeType") != FOLDER_MIME:
        problems.append(Problem(path, f"{folder_id} is a {item.get('mimeType')}, not a folder",
                                "use the id at the end of the folder's Drive URL"))
    if item.get("trashed"):
        problems.append(Problem(path, f"folder {folder_id} ({item.get('name')}) is in the trash",
                                "restore it from the trash, or point the config at another folder"))
    drive_id = item.get("driveId")
    if drive_id and drive_id != shared:
        problems.append(Problem("drive.shared_drive_id", f"folder {folder_id} is on shared drive {drive_id}, which "
                                "the config does not name (files there would be missed by searches)",
                                f'set drive.shared_drive_id = "{drive_id}"'))
    caps = item.get("capabilities") or {}
    if caps and caps.get("canListChildren") is False:
        problems.append(Problem(path, f"{bot} cannot list folder {folder_id} ({item.get('name')})",
                                f"share it with {bot} as Editor"))
    elif not problems:
        try:
            gw.drive.list_files(f"'{folder_id}' in parents and trashed = false", what=f"Listing folder {folder_id}",
                                fields="id")
        except PermissionDenied as error:
            problems.append(Problem(path, f"{bot} cannot list folder {folder_id}: {error}",
                                    f"share it with {bot} as Editor"))
    if caps and not caps.get("canAddChildren", False):
        role = "Content manager of the shared drive" if drive_id else "Editor"
        problems.append(Problem(path, f"{bot} can see folder {folder_id} ({item.get('name')}) but cannot add files "
                                "to it", f"share it with {bot} as {role}"))
    if not caps and not problems:
        problems.extend(_write_probe(gw, path, folder_id))
    return problems


def _write_probe(gw: Gateway, path: str, folder_id: str) -> list[Problem]:
    """Create and delete a small folder (when Drive did not tell the capabilities)."""
    try:
        made = gw.drive.caller.call(
            lambda: gw.drive.files().create(body={"name": "ilt-bot write check", "mimeType": FOLDER_MIME,
                                                  "parents": [folder_id]}, fields="id", supportsAllDrives=True),
            what=f"Write check in folder {folder_id}", file_id=folder_id)
    except (PermissionDenied, NotFound) as error:
        return [Problem(path, f"{gw.user} cannot add files to folder {folder_id}: {error}",
                        f"share it with {gw.user} as Editor")]
    with contextlib.suppress(WorkspaceError):  # a leftover empty "ilt-bot write check" folder is harmless
        gw.drive.caller.call(lambda: gw.drive.files().delete(fileId=made["id"], supportsAllDrives=True),
                             what="Removing the write check folder", file_id=made["id"])
    return []


def check_online(config: Config, *, http_factory: HttpFactory | None = None) -> list[Problem]:
    """Problems with credentials and Drive access for ``config`` (empty when all is well).

    ``http_factory``: the transport (tests point a Google config at the sandbox with it, see ``connect``)."""
    from ilt_bot.workspace.gateway import connect
    from ilt_bot.workspace.retry import RetryPolicy

    key_problem = key_file_problem(config)
    if key_problem is not None:
        return [key_problem]
    try:
        gw = connect(config, policy=RetryPolicy(max_attempts=3), http_factory=http_factory)
    except AuthFailed as error:
        return [_auth_problem(config, error)]
    problems: list[Problem] = []
    try:
        shared = config.drive.shared_drive_id
        if shared:
            try:
                gw.drive.caller.call(lambda: gw.drive.service.drives().get(driveId=shared, fields="id,name"),
                                     what=f"Reading shared drive {shared}")
            except NotFound:
                problems.append(Problem("drive.shared_drive_id", f"shared drive {shared} does not exist or "
                                        f"{gw.user} is not a member", f"add {gw.user} to the shared drive as "
                                        "Content manager"))
        root = config.drive.root_folder_id
        if root:
            problems.extend(_folder_problems(gw, config, "drive.root_folder_id", str(root)))
        else:  # the bot makes its own root in its My Drive: it must at least list it
            gw.drive.list_files("'root' in parents and trashed = false", what="Listing the bot's My Drive",
                                fields="id", in_shared_drive=False)
        for name, folder_id in config.drive.folders.items():
            problems.extend(_folder_problems(gw, config, f"drive.folders.{name}", str(folder_id)))
        template = config.templates.agenda_doc_id
        if template:
            try:
                gw.drive.get(str(template), "id,mimeType")
            except (NotFound, PermissionDenied):
                problems.append(Problem("templates.agenda_doc_id", f"template Doc {template} is not readable by "
                                        f"{gw.user}", f"share the Doc with {gw.user} (Viewer is enough)"))
    except AuthFailed as error:
        problems.append(_auth_problem(config, error))
    except WorkspaceError as error:
        problems.append(Problem("workspace", str(error), "check the network and the workspace settings"))
    finally:
        gw.close()
    return problems
