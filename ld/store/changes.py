"""The change log: every record published, replaced or withdrawn, in order.

It feeds the Activity Streams change feed (/changes), the sitemaps and OAI-PMH.  Events
are written before the store is changed, so a crash can leave an event for a change that
never happened, but never a change without its event: the log is the writer's journal.

Readers never see the future: each published snapshot records the last event it includes
(CURRENT, see store.py), and the web reads the log only up to there (`as_of`).  After a
crash, the next writer drops the events whose change did not reach the store
(`consistency.py`) before it publishes anything.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from .ledger import Ledger

FILENAME = "changes.sqlite"
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
EVERYTHING = (1 << 63) - 1  # a store published before snapshots recorded their last event


@dataclass(frozen=True)
class Change:
    seq: int
    key: str
    kind: str
    at: str
    setspec: str | None = None


def last_seq(root: Path) -> int:
    """The newest event's number (0 for none), read without creating the log."""
    path = Path(root) / FILENAME
    if not path.exists():
        return 0
    db = sqlite3.connect(path, timeout=30)
    try:
        return db.execute("SELECT coalesce(max(seq), 0) FROM changes").fetchone()[0]
    except sqlite3.OperationalError:  # no table yet
        return 0
    finally:
        db.close()


class ChangeLog(Ledger):
    """The writer's side: one process at a time (the store's write lock)."""

    FILENAME, SCHEMA = FILENAME, SCHEMA

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

    def after(self, seq: int) -> list[Change]:
        """Events newer than `seq`, oldest first: what a crashed writer may have left unfinished."""
        rows = self.db.execute("SELECT seq, key, kind, at, setspec FROM changes WHERE seq > ? ORDER BY seq", (seq,))
        return [Change(*row) for row in rows]

    def forget(self, seqs: Iterable[int]) -> None:
        """Remove events whose change never reached the store."""
        with self.db:
            self.db.executemany("DELETE FROM changes WHERE seq = ?", [(s,) for s in seqs])

    def as_of(self, upto: int | None) -> PublishedChanges:
        return PublishedChanges(self.db, EVERYTHING if upto is None else upto)


class PublishedChanges:
    """The log as far as the published snapshot reaches (events up to `upto`)."""

    def __init__(self, db: sqlite3.Connection, upto: int) -> None:
        self.db = db
        self.upto = upto

    def earliest(self) -> str | None:
        return self.db.execute("SELECT min(at) FROM changes WHERE seq <= ?", (self.upto,)).fetchone()[0]

    def latest(self, key: str) -> Change | None:
        found = self.db.execute(
            "SELECT seq, key, kind, at, setspec FROM changes WHERE key = ? AND seq <= ? ORDER BY seq DESC LIMIT 1",
            (key, self.upto),
        ).fetchone()
        return Change(*found) if found else None

    def current(
        self, after_key: str, limit: int, setspec: str | None, since: str | None, until: str | None
    ) -> list[tuple[str, str, str, str | None]]:
        """(key, kind, at, setspec) of each record's latest event, by key, for OAI-PMH lists."""
        return self.db.execute(
            f"SELECT key, kind, at, setspec FROM changes AS c WHERE {_LATEST} AND key > ?"
            " AND (? IS NULL OR setspec = ?) AND (? IS NULL OR at >= ?) AND (? IS NULL OR at <= ?)"
            " ORDER BY key LIMIT ?",
            (self.upto, self.upto, after_key, setspec, setspec, since, since, until, until, limit),
        ).fetchall()

    def setspecs(self) -> list[str]:
        rows = self.db.execute(
            "SELECT DISTINCT setspec FROM changes WHERE setspec IS NOT NULL AND seq <= ? ORDER BY 1", (self.upto,)
        )
        return [r[0] for r in rows]

    def count(self) -> int:
        return self.db.execute("SELECT count(*) FROM changes WHERE seq <= ?", (self.upto,)).fetchone()[0]

    def newest_first(self, limit: int, offset: int) -> list[Change]:
        rows = self.db.execute(
            "SELECT seq, key, kind, at FROM changes WHERE seq <= ? ORDER BY seq DESC LIMIT ? OFFSET ?",
            (self.upto, limit, offset),
        )
        return [Change(*row) for row in rows]

    def live_count(self) -> int:
        return self.db.execute(f"SELECT count(*) FROM ({_LIVE})", (self.upto, self.upto)).fetchone()[0]

    def live(self, limit: int, offset: int) -> list[tuple[str, str]]:
        """(key, time of last change) of every record whose latest event is not a Delete, by key."""
        rows = self.db.execute(f"{_LIVE} ORDER BY key LIMIT ? OFFSET ?", (self.upto, self.upto, limit, offset))
        return rows.fetchall()


# A record's latest published event (two `upto` parameters: the event's and the subquery's).
_LATEST = "seq <= ? AND seq = (SELECT max(seq) FROM changes WHERE key = c.key AND seq <= ?)"
_LIVE = f"SELECT key, at FROM changes AS c WHERE {_LATEST} AND kind != 'Delete'"
