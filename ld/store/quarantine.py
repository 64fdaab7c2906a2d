"""Records held back: kept durably with their SHACL report, out of public view.

SQLite beside the store (standard library, transactional, one file).  Read errors are
logged here too, so that nothing read is ever lost without a trace.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from ..model.records import ReadError
from ..model.validation import UNIQUE_SHAPE, Finding
from .ledger import Ledger

SCHEMA = """
CREATE TABLE IF NOT EXISTS quarantine (
    key TEXT NOT NULL,
    source TEXT NOT NULL,
    location TEXT NOT NULL,
    title TEXT,
    quarantined_at TEXT NOT NULL,
    findings TEXT NOT NULL,
    record TEXT NOT NULL,
    ntriples TEXT NOT NULL,
    duplicate INTEGER NOT NULL,
    PRIMARY KEY (key, location)
);
CREATE TABLE IF NOT EXISTS unreadable (
    id INTEGER PRIMARY KEY,
    source TEXT NOT NULL,
    location TEXT NOT NULL,
    message TEXT NOT NULL,
    logged_at TEXT NOT NULL,
    UNIQUE (location, message)
);
"""


@dataclass(frozen=True)
class Held:
    """One quarantined record as listed and shown."""

    key: str
    location: str
    title: str | None
    quarantined_at: str
    findings: list[dict]
    record: dict
    ntriples: str


class Quarantine(Ledger):
    FILENAME, SCHEMA = "quarantine.sqlite", SCHEMA

    def hold(self, items: Iterable[tuple[str, str, str | None, list[Finding], dict, str]]) -> None:
        """Store (key, location, title, findings, record, ntriples) rows; replaces older entries
        of the same record, whichever file they were read from."""
        now = _now()
        rows = [
            (key, location.split(",")[0], location, title, now,
             json.dumps([f.as_dict() for f in findings], ensure_ascii=False),
             json.dumps(record, ensure_ascii=False, default=str), nt,
             int(any(f.shape == UNIQUE_SHAPE for f in findings)))
            for key, location, title, findings, record, nt in items
        ]  # fmt: skip
        with self.db:
            # The same record read again from another file (next month's dump under a new name)
            # replaces its held copy; a different record under the same key stays beside it.
            self.db.executemany("DELETE FROM quarantine WHERE key = ? AND record = ? AND location != ?",
                                [(row[0], row[6], row[2]) for row in rows])  # fmt: skip
            self.db.executemany("INSERT OR REPLACE INTO quarantine VALUES (?,?,?,?,?,?,?,?,?)", rows)

    def release(self, keys: Iterable[str]) -> None:
        """Forget held versions of records that have since been published.

        Rival records refused for claiming an already used identifier stay held: publishing
        the rightful record does not settle them.
        """
        with self.db:
            self.db.executemany("DELETE FROM quarantine WHERE key = ? AND duplicate = 0", [(k,) for k in keys])

    def log_unreadable(self, errors: Iterable[ReadError]) -> None:
        now = _now()
        rows = [(e.location.source, str(e.location), e.message, now) for e in errors]
        with self.db:
            self.db.executemany(
                "INSERT OR REPLACE INTO unreadable (source, location, message, logged_at) VALUES (?,?,?,?)", rows
            )

    def entries(self) -> Iterator[Held]:
        for row in self.db.execute("SELECT key, location, title, quarantined_at, findings, record, ntriples "
                                   "FROM quarantine ORDER BY quarantined_at, key"):  # fmt: skip
            yield _held(row)

    def get(self, key: str) -> list[Held]:
        """Every held version of a record (rival duplicates share the key)."""
        rows = self.db.execute(
            "SELECT key, location, title, quarantined_at, findings, record, ntriples FROM quarantine WHERE key = ?"
            " ORDER BY location",
            (key,),
        ).fetchall()
        return [_held(row) for row in rows]

    def unreadable(self) -> list[tuple[str, str, str]]:
        return self.db.execute("SELECT location, message, logged_at FROM unreadable ORDER BY id").fetchall()

    def count(self) -> int:
        return self.db.execute("SELECT count(*) FROM quarantine").fetchone()[0]


def _held(row: tuple) -> Held:
    key, location, title, at, findings, record, nt = row
    return Held(key, location, title, at, json.loads(findings), json.loads(record), nt)


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()
