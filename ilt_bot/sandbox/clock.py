"""The sandbox clock: real time plus an offset the admin sets, kept in the store.

What handlers and pages see as ``now`` (``Call.now``, ``PageRequest.now``), so a simulated school year
gets the timestamps of its own dates; ``/_sandbox/clock`` and ``SandboxServer.set_now`` move it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ilt_bot.sandbox.store import Store


def sandbox_now(store: Store) -> datetime:
    """The sandbox's "now": real time plus the offset set by :func:`set_sandbox_now` (kept in the store)."""
    record = store.get("sandbox", "clock")
    offset = record.get("offset_seconds", 0.0) if record else 0.0
    return datetime.now(UTC) + timedelta(seconds=offset)


def set_sandbox_now(store: Store, moment: datetime | None) -> datetime:
    """Move the sandbox clock so that it reads ``moment`` now (None: back to real time); time keeps
    running from there, so timestamps stay ordered. Returns the new sandbox time."""
    offset = 0.0 if moment is None else (moment.astimezone(UTC) - datetime.now(UTC)).total_seconds()
    with store.transaction():
        store.put("sandbox", "clock", {"offset_seconds": offset})
    return sandbox_now(store)
