"""SQLite persistence for the sandbox: JSON documents by (kind, id), grouped by an optional parent.

One connection, one lock: the sandbox serves requests from several threads but applies them one at
a time, which is what makes every API call atomic (a failing batchUpdate rolls back whole).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS objects (
    kind   TEXT NOT NULL,
    id     TEXT NOT NULL,
    parent TEXT,
    seq    INTEGER NOT NULL,
    data   TEXT NOT NULL,
    PRIMARY KEY (kind, id)
);
CREATE INDEX IF NOT EXISTS objects_by_parent ON objects (kind, parent, seq);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
"""


class Store:
    """A small document store on SQLite (a file path, or ``:memory:``).

    ``kind`` names a collection (``file``, ``permission``, ``document``, ``form``, ``response``,
    ``spreadsheet``, ``email`` ...); ``parent`` groups children (permissions of a file, responses of
    a form) so they list in insertion order without a scan.
    """

    def __init__(self, path: str = ":memory:") -> None:
        self.path = path
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._conn.execute("PRAGMA journal_mode=WAL" if path != ":memory:" else "PRAGMA journal_mode=MEMORY")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.executescript(_SCHEMA)
        self.lock = threading.RLock()
        self._depth = 0

    @contextmanager
    def transaction(self) -> Iterator[Store]:
        """Run a block atomically: everything it wrote is committed together, or rolled back on error.

        Nested use joins the outer transaction (savepoints make a failing inner block roll back alone).
        """
        with self.lock:
            name = f"sp{self._depth}"
            self._conn.execute("BEGIN IMMEDIATE" if self._depth == 0 else f"SAVEPOINT {name}")
            self._depth += 1
            try:
                yield self
            except BaseException:
                self._depth -= 1
                self._conn.execute("ROLLBACK" if self._depth == 0 else f"ROLLBACK TO {name}")
                if self._depth:
                    self._conn.execute(f"RELEASE {name}")
                raise
            else:
                self._depth -= 1
                self._conn.execute("COMMIT" if self._depth == 0 else f"RELEASE {name}")

    def get(self, kind: str, id: str) -> dict[str, Any] | None:
        """The document ``kind``/``id``, or None."""
        with self.lock:
            row = self._conn.execute("SELECT data FROM objects WHERE kind=? AND id=?", (kind, id)).fetchone()
        return json.loads(row[0]) if row else None

    def put(self, kind: str, id: str, data: dict[str, Any], parent: str | None = None) -> None:
        """Insert or replace a document (a replaced document keeps its place in listings)."""
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        with self.lock:
            updated = self._conn.execute(
                "UPDATE objects SET data=?, parent=? WHERE kind=? AND id=?", (text, parent, kind, id)
            ).rowcount
            if not updated:
                self._conn.execute(
                    "INSERT INTO objects (kind, id, parent, seq, data) VALUES (?, ?, ?, ?, ?)",
                    (kind, id, parent, self.next_value("seq"), text),
                )

    def delete(self, kind: str, id: str) -> bool:
        """Remove a document; True if it existed."""
        with self.lock:
            return self._conn.execute("DELETE FROM objects WHERE kind=? AND id=?", (kind, id)).rowcount > 0

    def delete_children(self, kind: str, parent: str) -> int:
        """Remove every ``kind`` document under ``parent``."""
        with self.lock:
            return self._conn.execute("DELETE FROM objects WHERE kind=? AND parent=?", (kind, parent)).rowcount

    def list(self, kind: str, parent: str | None = None) -> list[dict[str, Any]]:
        """All documents of ``kind`` (under ``parent`` when given), oldest first."""
        with self.lock:
            if parent is None:
                rows = self._conn.execute("SELECT data FROM objects WHERE kind=? ORDER BY seq", (kind,))
            else:
                rows = self._conn.execute(
                    "SELECT data FROM objects WHERE kind=? AND parent=? ORDER BY seq", (kind, parent)
                )
            return [json.loads(r[0]) for r in rows.fetchall()]

    def count(self, kind: str, parent: str | None = None) -> int:
        with self.lock:
            if parent is None:
                return self._conn.execute("SELECT COUNT(*) FROM objects WHERE kind=?", (kind,)).fetchone()[0]
            return self._conn.execute(
                "SELECT COUNT(*) FROM objects WHERE kind=? AND parent=?", (kind, parent)
            ).fetchone()[0]

    def next_value(self, name: str) -> int:
        """A persistent counter (revision numbers, sequence ids): 1, 2, 3 ..."""
        with self.lock:
            self._conn.execute(
                "INSERT INTO counters (name, value) VALUES (?, 1) "
                "ON CONFLICT(name) DO UPDATE SET value = value + 1",
                (name,),
            )
            return self._conn.execute("SELECT value FROM counters WHERE name=?", (name,)).fetchone()[0]

    def close(self) -> None:
        with self.lock:
            self._conn.close()
