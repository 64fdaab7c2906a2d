"""The change log: every record published, replaced or withdrawn, in order.

It feeds the Activity Streams change feed (/changes) and the sitemaps.  Events are
written before the store is changed, so a crash can leave an event for a change that a
rerun then makes again, but never a change without its event.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from .ledger import connect

SCHEMA = """
CREATE TABLE IF NOT EXISTS changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('Create', 'Update', 'Delete')),
    at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS changes_by_key ON changes (key, seq);
"""


@dataclass(frozen=True)
class Change:
    seq: int
    key: str
    kind: str
    at: str


class ChangeLog:
    def __init__(self, root: Path) -> None:
        self.db = connect(root, "changes.sqlite", SCHEMA)

    def close(self) -> None:
        self.db.close()

    def record(self, events: Iterable[tuple[str, str]]) -> None:
        """Log (key, kind) events, all stamped now."""
        now = datetime.now(UTC).replace(microsecond=0).isoformat()
        with self.db:
            self.db.executemany(
                "INSERT INTO changes (key, kind, at) VALUES (?, ?, ?)", [(k, kind, now) for k, kind in events]
            )

    def count(self) -> int:
        return self.db.execute("SELECT count(*) FROM changes").fetchone()[0]

    def newest_first(self, limit: int, offset: int) -> list[Change]:
        rows = self.db.execute(
            "SELECT seq, key, kind, at FROM changes ORDER BY seq DESC LIMIT ? OFFSET ?", (limit, offset)
        )
        return [Change(*row) for row in rows]

    def live_count(self) -> int:
        return self.db.execute(f"SELECT count(*) FROM ({_LIVE})").fetchone()[0]

    def live(self, limit: int, offset: int) -> list[tuple[str, str]]:
        """(key, time of last change) of every record whose latest event is not a Delete, by key."""
        return self.db.execute(f"{_LIVE} ORDER BY key LIMIT ? OFFSET ?", (limit, offset)).fetchall()


_LIVE = """SELECT key, at FROM changes AS c
    WHERE seq = (SELECT max(seq) FROM changes WHERE key = c.key) AND kind != 'Delete'"""
