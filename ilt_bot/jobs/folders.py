"""The bot's folders: the root ("ILT", or ``drive.root_folder_id``) and one folder per kind under it.

Key ``<school>/folder/<kind>`` (``root``, ``agendas``, ``feedback``, ``reflections``, ``thinking-maps``).
A folder listed in ``drive.folders`` (an existing Drive folder id) is used as is. Every folder is made
on the first run (the tick's standing step, :mod:`ilt_bot.jobs.setup`); one missing later (a folder
kind added to the bot) is made when a routine first needs it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ilt_bot.jobs import JobContext
from ilt_bot.keys import school_key

if TYPE_CHECKING:
    from ilt_bot.config import Config

ROOT_FOLDER_NAME = "ILT"
FOLDER_NAMES = {"agendas": "Agendas", "feedback": "Feedback", "reflections": "Reflections",
                "thinking-maps": "Thinking maps"}
"""Folder kind (as in keys and ``drive.folders``) -> the folder's name in Drive."""
MEETING_FOLDERS = ("agendas", "feedback")
"""The folders an agenda needs (made first on the first run: the agenda may be due in the same pass)."""


def folder_key(config: Config, kind: str) -> str:
    """``<school>/folder/<kind>``."""
    return school_key(config, "folder", kind)


def root_folder(ctx: JobContext) -> str | None:
    """The configured root folder, else the bot's own "ILT" folder in its My Drive (key ``<school>/folder/root``)."""
    configured = ctx.config.drive.root_folder_id
    if configured:
        return configured
    if "root" not in ctx.folders:
        root_key = folder_key(ctx.config, "root")
        ref = ctx.ensure(root_key, lambda: ctx.workspace.ensure_folder(root_key, ROOT_FOLDER_NAME, "root"),
                         what=ROOT_FOLDER_NAME)
        ctx.folders["root"] = ref.id if ref is not None else None
    return ctx.folders["root"]


def ensure_folder(ctx: JobContext, kind: str) -> str | None:
    """The id of the bot folder ``kind`` (``agendas``...); None if it (or the root) is in the trash."""
    if kind in ctx.folders:
        return ctx.folders[kind]
    folder_id = ctx.config.drive.folders.get(kind)  # type: ignore[call-overload]
    if folder_id is None:
        root = root_folder(ctx)
        if root is not None:
            f_key = folder_key(ctx.config, kind)
            name = FOLDER_NAMES.get(kind) or kind.replace("-", " ").replace("_", " ").capitalize()
            ref = ctx.ensure(f_key, lambda: ctx.workspace.ensure_folder(f_key, name, root), what=name)
            folder_id = ref.id if ref is not None else None
    ctx.folders[kind] = folder_id
    return folder_id


def ensure_meeting_folders(ctx: JobContext) -> dict[str, str] | None:
    """The Agendas and Feedback folders (ids by kind); None if one is in the trash."""
    ids = {kind: ensure_folder(ctx, kind) for kind in MEETING_FOLDERS}
    if any(v is None for v in ids.values()):
        return None
    return ids  # type: ignore[return-value]
