"""The request log: one JSON line per API call (time, user, method id, status, ms, fault)."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ilt_bot.sandbox.core import rfc3339


class RequestLog:
    """Keeps every entry in memory (``entries``) and appends it to ``path`` as a JSON line if given."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path else None
        self.entries: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def record(self, *, user: str | None, method: str, status: int, ms: float, fault: str | None = None,
               **extra: Any) -> dict[str, Any]:
        """Add one entry; returns it."""
        entry: dict[str, Any] = {
            "time": rfc3339(datetime.now(UTC)),
            "user": user,
            "method": method,
            "status": status,
            "ms": round(ms, 2),
            "fault": fault,
        }
        entry.update(extra)
        line = json.dumps(entry, ensure_ascii=False)
        with self._lock:
            self.entries.append(entry)
            if self.path is not None:
                with self.path.open("a", encoding="utf-8") as fh:
                    fh.write(line + "\n")
        return entry

    def snapshot(self) -> list[dict[str, Any]]:
        """A copy of the entries so far."""
        with self._lock:
            return list(self.entries)

    def clear(self) -> None:
        with self._lock:
            self.entries.clear()
