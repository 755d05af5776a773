"""The demo's sandbox: started on a stable port, and served afterwards with the demo's clock.

Links written into the Docs (a Form's responder address, the tracker) carry the sandbox's address, so
the demo's sandbox listens where it listened the first time: the port is kept in its database, and a
rerun or ``--serve`` comes up on the same one. While served, ``--tick-every`` runs a tick at the
sandbox's clock (which the demo left at the end of its story), so what someone answers or types in the
browser reaches the tracker as it would on a school day.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, Any

from ilt_bot.config import Config
from ilt_bot.errors import UserError

if TYPE_CHECKING:
    from ilt_bot.sandbox.server import SandboxServer

log = logging.getLogger("ilt_bot.demo")

DEMO_PORT = 8780
"""Where the demo's sandbox listens the first time, if free (``ilt-bot sandbox serve`` uses 8765)."""
PORT_RECORD = ("sandbox", "demo-port")


def start_demo_sandbox(config: Config, port: int | None = None) -> SandboxServer:
    """The embedded sandbox of ``config`` on its recorded port (else ``port``, 0 for any free one; else
    :data:`DEMO_PORT`, or a free one if it is taken), with the config's accounts and root folder; the port
    is recorded for the next run."""
    from ilt_bot.sandbox.server import SandboxServer
    from ilt_bot.sandbox.store import Store
    from ilt_bot.workspace.embedded import sandbox_db_path, seed_accounts, seed_root_folder

    store = Store(sandbox_db_path(config))
    recorded = (store.get(*PORT_RECORD) or {}).get("port")
    wanted = recorded or (DEMO_PORT if port is None else port)
    try:
        server = SandboxServer(db=store, port=wanted).start()
    except OSError as exc:
        if recorded or port is not None:
            store.close()
            raise UserError(f"port {wanted} is busy ({exc.strerror}); the demo's links point at it: stop "
                               "what uses it (another `ilt-bot demo --serve`?), or delete the demo's "
                               f"database ({config.workspace.sandbox_db}) to start afresh") from None
        server = SandboxServer(db=store, port=0).start()
    with store.transaction():
        store.put(*PORT_RECORD, {"port": int(server.url.rsplit(":", 1)[1])})
    seed_accounts(store, config)
    if config.drive.root_folder_id:
        seed_root_folder(store, config.drive.root_folder_id, config.workspace.bot_user)
    return server


def serve(demo: Any, tick_every: float, stop: threading.Event | None = None, announce: Any = None) -> int:
    """Keep the sandbox up; every ``tick_every`` seconds (0: never) tick at the sandbox's clock. Returns
    the number of ticks run; stops on Ctrl-C or when ``stop`` is set."""
    from ilt_bot.workspace.clock import workspace_now

    stop = stop or threading.Event()
    ticks = 0
    try:
        while not stop.wait(tick_every if tick_every > 0 else 3600):
            if tick_every <= 0:
                continue
            now = workspace_now(demo.config, demo.gateway)
            before = demo.run.synced_responses
            demo.tick(now)
            ticks += 1
            if announce is not None:
                announce(f"tick at {now:%Y-%m-%d %H:%M}: {demo.run.synced_responses - before} responses synced")
    except KeyboardInterrupt:
        pass
    return ticks
