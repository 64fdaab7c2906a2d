"""Raw records already published: their digests, so a re-ingest can skip them unread.

A monthly EThOS dump changes a few thousand of its 627,000 rows.  Mapping and validating
the rest again only to find the same content is most of a re-ingest's time, so the
digest of each published record's raw bytes (sources.Unit.digest) is kept here with what
the ingest must still know of it without mapping it: its key, content digest,
identifier and whether it had warnings.

The ledger only ever claims less than the store holds: rows are written after their
records are in the store, and forgotten before a record is withdrawn, so a digest found
here is a record published with exactly that content.  Digests are only comparable
under one mapping version; a new version empties the ledger.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .ledger import Ledger, chunks, marks

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS published (
    key TEXT PRIMARY KEY,
    digest TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    identifier TEXT NOT NULL,
    warned INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS published_by_digest ON published (digest);
"""


@dataclass(frozen=True)
class Known:
    """A published record, as ingest needs it when it skips the record's raw bytes."""

    key: str
    digest: str
    content_hash: str
    identifier: str
    warned: bool


class SourceDigests(Ledger):
    """The ledger of published raw records (sources.sqlite)."""

    FILENAME, SCHEMA = "sources.sqlite", SCHEMA

    def use_version(self, version: str, keep: bool = True) -> None:
        """Digests made under another mapping version say nothing now: forget them (all, unless `keep`)."""
        row = self.db.execute("SELECT value FROM meta WHERE name = 'version'").fetchone()
        if keep and row and row[0] == version:
            return
        with self.db:
            self.db.execute("DELETE FROM published")
            self.db.execute("INSERT OR REPLACE INTO meta VALUES ('version', ?)", (version,))

    def known(self, digests: Iterable[str]) -> dict[str, Known]:
        """Digest -> the published record read from those bytes, for the digests found."""
        found: dict[str, Known] = {}
        for chunk in chunks(set(digests)):
            query = (
                f"SELECT key, digest, content_hash, identifier, warned FROM published WHERE digest IN ({marks(chunk)})"
            )
            for key, digest, content_hash, identifier, warned in self.db.execute(query, chunk):
                found[digest] = Known(key, digest, content_hash, identifier, bool(warned))
        return found

    def remember(self, records: Iterable[Known]) -> None:
        """Records now in the store (call after they are written): one row per key."""
        rows = [(k.key, k.digest, k.content_hash, k.identifier, int(k.warned)) for k in records]
        with self.db:
            self.db.executemany("INSERT OR REPLACE INTO published VALUES (?,?,?,?,?)", rows)

    def forget(self, keys: Iterable[str]) -> None:
        """Records about to leave the store, or replaced by bytes not yet published."""
        with self.db:
            self.db.executemany("DELETE FROM published WHERE key = ?", [(k,) for k in keys])

    def count(self) -> int:
        return self.db.execute("SELECT count(*) FROM published").fetchone()[0]
