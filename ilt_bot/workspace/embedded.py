"""The embedded sandbox backend (``workspace.backend = "sandbox"``): a sandbox Workspace in this process.

The configured root folder (``drive.root_folder_id``) is created on first start, owned by the bot
user, so a config written for Google also runs unchanged on the sandbox. The config's people (members,
teachers, stakeholders, the bot user) are the sandbox's accounts, with anyone who signs in later (the
directory rule of ``ilt_bot/sandbox/directory.py``).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ilt_bot.config import Config

if TYPE_CHECKING:
    from ilt_bot.sandbox.server import SandboxServer
    from ilt_bot.sandbox.store import Store

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


def config_people(config: Config) -> list[str]:
    """Every address the config names: the bot user, ILT members, team teachers, stakeholders."""
    people = [config.workspace.bot_user or ""]
    people += [str(member.email) for member in config.members]
    people += [str(person.email) for team in config.teams for person in team.teachers]
    people += [str(email) for email in config.stakeholders.emails]
    return sorted({p.lower() for p in people if "@" in p})


def seed_accounts(store: Store, config: Config) -> None:
    """Give the config's people Google accounts in the sandbox's directory."""
    from ilt_bot.sandbox.directory import register_accounts

    register_accounts(store, config_people(config))


def start_embedded(config: Config) -> tuple[SandboxServer, str]:
    """Start the in-process sandbox (on a free local port), seed its accounts and the root folder; returns
    (server, url)."""
    from ilt_bot.sandbox.server import SandboxServer

    server = SandboxServer(db=sandbox_db_path(config)).start()
    try:
        seed_accounts(server.store, config)
        root = config.drive.root_folder_id
        if root:
            seed_root_folder(server.store, root, config.workspace.bot_user)
    except BaseException:
        server.stop()
        raise
    return server, server.url
