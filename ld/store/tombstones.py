"""Withdrawn records: their URIs answer 410 Gone, or 301 to the record that replaces them.

Kept in SQLite beside the store (readable by every web worker while a writer works), so
that a withdrawn record's graph can leave the published data entirely.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from .ledger import Ledger

SCHEMA = """
CREATE TABLE IF NOT EXISTS withdrawn (
    key TEXT PRIMARY KEY,
    withdrawn_at TEXT NOT NULL,
    replaced_by TEXT,
    reason TEXT
);
"""


@dataclass(frozen=True)
class Tombstone:
    key: str
    withdrawn_at: str
    replaced_by: str | None
    reason: str | None


class Tombstones(Ledger):
    FILENAME, SCHEMA = "withdrawn.sqlite", SCHEMA

    def withdraw(self, key: str, replaced_by: str | None, reason: str | None) -> None:
        now = datetime.now(UTC).replace(microsecond=0).isoformat()
        with self.db:
            self.db.execute("INSERT OR REPLACE INTO withdrawn VALUES (?,?,?,?)", (key, now, replaced_by, reason))

    def redirect(self, old: str, new: str) -> None:
        """Keys that led to `old` lead to `new` now: one 301, never a chain."""
        with self.db:
            self.db.execute("UPDATE withdrawn SET replaced_by = ? WHERE replaced_by = ?", (new, old))

    def restore(self, keys: Iterable[str]) -> None:
        """Records published again (ingested anew) are no longer withdrawn."""
        with self.db:
            self.db.executemany("DELETE FROM withdrawn WHERE key = ?", [(k,) for k in keys])

    def get(self, key: str) -> Tombstone | None:
        row = self.db.execute("SELECT key, withdrawn_at, replaced_by, reason FROM withdrawn WHERE key = ?",
                              (key,)).fetchone()  # fmt: skip
        return Tombstone(*row) if row else None

    def all(self) -> list[Tombstone]:
        """Every withdrawn record (few: for `ldpub render`)."""
        rows = self.db.execute("SELECT key, withdrawn_at, replaced_by, reason FROM withdrawn ORDER BY key")
        return [Tombstone(*row) for row in rows]
