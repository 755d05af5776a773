"""The embedded sandbox backend (``workspace.backend = "sandbox"``): a sandbox Workspace in this process.

The configured root folder (``drive.root_folder_id``) is created on first start, owned by the bot
user, so a config written for Google also runs unchanged on the sandbox.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ilt_bot.config import Config

if TYPE_CHECKING:
    from ilt_bot.sandbox.server import SandboxServer

log = logging.getLogger(__name__)

ROOT_FOLDER_NAME = "ILT"


def sandbox_db_path(config: Config) -> str:
    """``workspace.sandbox_db``, relative to the config file's directory (``:memory:`` kept as is)."""
    db = config.workspace.sandbox_db or ":memory:"
    if db == ":memory:" or Path(db).is_absolute():
        return db
    path = config.base_dir / db
    path.parent.mkdir(parents=True, exist_ok=True)
    return str(path)


def seed_root_folder(store: Any, folder_id: str, owner: str, name: str = ROOT_FOLDER_NAME) -> bool:
    """Create folder ``folder_id`` in ``owner``'s My Drive unless it exists; True if created."""
    from ilt_bot.sandbox.core import FOLDER_MIME
    from ilt_bot.sandbox.drive import models

    with store.transaction():
        if models.get_file(store, folder_id) is not None:
            return False
        models.create_file(store, owner=owner, name=name, mime_type=FOLDER_MIME, now=datetime.now(UTC),
                           file_id=folder_id)
    log.info("sandbox: created root folder %s owned by %s", folder_id, owner)
    return True


def start_embedded(config: Config) -> tuple[SandboxServer, str]:
    """Start the in-process sandbox (on a free local port) and seed the root folder; returns (server, url)."""
    from ilt_bot.sandbox.server import SandboxServer

    server = SandboxServer(db=sandbox_db_path(config)).start()
    try:
        root = config.drive.root_folder_id
        if root:
            seed_root_folder(server.store, root, config.workspace.bot_user)
    except BaseException:
        server.stop()
        raise
    return server, server.url
