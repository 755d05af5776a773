"""A single-instance lock per school, so two ticks started at once (cron overlap, a manual run during
the daemon's) never both write.

It guards one machine (an OS file lock). Across machines (Kubernetes, Cloud Run), Drive itself is the
guard: every artifact is found by its ``iltbot_key`` before it is created, so a second worker converges
instead of duplicating.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class LockBusy(Exception):
    """Another process holds the school's lock."""

    retry_later = True
    """A later run may succeed (the tick's exit 75): see ``ilt_bot.errors.RunError``."""

    def __init__(self, school_id: str, path: Path, holder: str) -> None:
        super().__init__(
            f"another ilt-bot run for school '{school_id}' is in progress ({holder or 'unknown process'}, "
            f"lock file {path}); try again when it has finished"
        )
        self.school_id = school_id
        self.path = path


def default_lock_dir() -> Path:
    """``$ILT_BOT_LOCK_DIR``, else ``$XDG_RUNTIME_DIR/ilt-bot``, else the system temp dir."""
    if os.environ.get("ILT_BOT_LOCK_DIR"):
        return Path(os.environ["ILT_BOT_LOCK_DIR"])
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    return Path(runtime) / "ilt-bot" if runtime else Path("/tmp") / f"ilt-bot-{os.getuid()}"  # noqa: S108


@contextmanager
def school_lock(school_id: str, lock_dir: Path | None = None, wait_seconds: float = 0.0) -> Iterator[Path]:
    """Hold the school's lock for the block; wait up to ``wait_seconds`` for it, else raise LockBusy."""
    directory = lock_dir or default_lock_dir()
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = directory / f"{school_id}.lock"
    handle = open(path, "a+")  # noqa: SIM115 - held for the whole block
    deadline = time.monotonic() + wait_seconds
    try:
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    handle.seek(0)
                    raise LockBusy(school_id, path, handle.read().strip()) from None
                time.sleep(0.1)
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}")
        handle.flush()
        yield path
    finally:
        handle.close()
