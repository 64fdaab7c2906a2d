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
    at TEXT NOT NULL,
    setspec TEXT
);
CREATE INDEX IF NOT EXISTS changes_by_key ON changes (key, seq);
"""


@dataclass(frozen=True)
class Change:
    seq: int
    key: str
    kind: str
    at: str
    setspec: str | None = None


class ChangeLog:
    def __init__(self, root: Path) -> None:
        self.db = connect(root, "changes.sqlite", SCHEMA)

    def close(self) -> None:
        self.db.close()

    def record(self, events: Iterable[tuple[str, str] | tuple[str, str, str | None]]) -> None:
        """Log (key, kind[, OAI-PMH set]) events, all stamped now; a Delete keeps the record's last set."""
        now = datetime.now(UTC).replace(microsecond=0).isoformat()
        rows = [(e[0], e[1], now, e[2] if len(e) > 2 else None, e[0]) for e in events]
        with self.db:
            self.db.executemany(
                "INSERT INTO changes (key, kind, at, setspec) VALUES (?, ?, ?, coalesce(?, "
                "(SELECT setspec FROM changes WHERE key = ? ORDER BY seq DESC LIMIT 1)))",
                rows,
            )

    def earliest(self) -> str | None:
        return self.db.execute("SELECT min(at) FROM changes").fetchone()[0]

    def latest(self, key: str) -> Change | None:
        row = self.db.execute(
            "SELECT seq, key, kind, at, setspec FROM changes WHERE key = ? ORDER BY seq DESC LIMIT 1", (key,)
        )
        found = row.fetchone()
        return Change(*found) if found else None

    def current(
        self, after_key: str, limit: int, setspec: str | None, since: str | None, until: str | None
    ) -> list[tuple[str, str, str, str | None]]:
        """(key, kind, at, setspec) of each record's latest event, by key, for OAI-PMH lists."""
        return self.db.execute(
            "SELECT key, kind, at, setspec FROM changes AS c"
            " WHERE seq = (SELECT max(seq) FROM changes WHERE key = c.key) AND key > ?"
            " AND (? IS NULL OR setspec = ?) AND (? IS NULL OR at >= ?) AND (? IS NULL OR at <= ?)"
            " ORDER BY key LIMIT ?",
            (after_key, setspec, setspec, since, since, until, until, limit),
        ).fetchall()

    def setspecs(self) -> list[str]:
        return [
            r[0] for r in self.db.execute("SELECT DISTINCT setspec FROM changes WHERE setspec IS NOT NULL ORDER BY 1")
        ]

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
