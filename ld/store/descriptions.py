"""Who says what about shared resources: the ledger that keeps each shared graph exact.

A shared graph (shared.py) holds the union of what the published records say of its
resource.  Records are replaced and withdrawn whole, so the union must shrink when the
last record giving a name (say, one spelling of an organisation's) goes.  This ledger
(descriptions.sqlite) keeps each distinct description a record gave, once, with how many
published records give it, and which descriptions each record gave.  A shared graph is
rewritten only when one of its descriptions gains its first record or loses its last:
a fresh ingest writes each shared graph about once, whatever the number of records.

Changes are made in one SQLite transaction that the writer commits after the store
holds them (`commit`), or rolls back if writing the store failed.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from .ledger import Ledger, chunks, marks

SCHEMA = """
CREATE TABLE IF NOT EXISTS descriptions (
    digest BLOB PRIMARY KEY,
    graph TEXT NOT NULL,
    ntriples TEXT NOT NULL,
    uses INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS descriptions_by_graph ON descriptions (graph);
CREATE TABLE IF NOT EXISTS records (key TEXT PRIMARY KEY, digests BLOB NOT NULL) WITHOUT ROWID;
"""
DIGEST_SIZE = 16

Said = Mapping[str, str]  # shared graph -> the N-Triples one record gives for it


@dataclass
class Rewrites:
    """Shared graphs whose content changes: the new N-Triples (sorted lines), or gone."""

    new: dict[str, str] = field(default_factory=dict)  # not in the store before
    changed: dict[str, str] = field(default_factory=dict)
    gone: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.new or self.changed or self.gone)


def digest(graph: str, ntriples: str) -> bytes:
    return hashlib.blake2b(f"{graph}\0{ntriples}".encode(), digest_size=DIGEST_SIZE).digest()


class Descriptions(Ledger):
    """The ledger of shared descriptions (descriptions.sqlite)."""

    FILENAME, SCHEMA = "descriptions.sqlite", SCHEMA

    def close(self) -> None:
        self.db.rollback()  # what a writer that failed did not commit
        super().close()

    def change(self, said: Mapping[str, Said], leaving: Iterable[str] = ()) -> Rewrites:
        """Records `said` (key -> what it says of each shared graph) are published in place of
        their previous versions, records `leaving` are withdrawn: the shared graphs to rewrite.
        Nothing is committed until `commit`."""
        keys = set(said) | set(leaving)
        delta: Counter[bytes] = Counter()
        for old in self._given(keys).values():
            delta.subtract(old)
        text: dict[bytes, tuple[str, str]] = {}
        rows = []
        for key, graphs in said.items():
            mine = []
            for graph, ntriples in graphs.items():
                d = digest(graph, ntriples)
                text[d] = (graph, ntriples)
                mine.append(d)
            delta.update(mine)
            rows.append((key, b"".join(sorted(mine))))
        self.db.executemany("DELETE FROM records WHERE key = ?", [(k,) for k in keys - set(said)])
        self.db.executemany("INSERT OR REPLACE INTO records VALUES (?, ?)", rows)
        return self._apply({d: n for d, n in delta.items() if n}, text)

    def _given(self, keys: set[str]) -> dict[str, list[bytes]]:
        found: dict[str, list[bytes]] = {}
        for chunk in chunks(sorted(keys)):
            query = f"SELECT key, digests FROM records WHERE key IN ({marks(chunk)})"
            for key, blob in self.db.execute(query, chunk):
                found[key] = [blob[i : i + DIGEST_SIZE] for i in range(0, len(blob), DIGEST_SIZE)]
        return found

    def _apply(self, delta: dict[bytes, int], text: dict[bytes, tuple[str, str]]) -> Rewrites:
        """Add the changes in use to each description; rewrite the graphs where one appears or goes."""
        before: dict[bytes, tuple[str, int]] = {}
        for chunk in chunks(list(delta)):
            query = f"SELECT digest, graph, uses FROM descriptions WHERE digest IN ({marks(chunk)})"
            before.update((d, (g, n)) for d, g, n in self.db.execute(query, chunk))
        touched: set[str] = set()
        for d, change in delta.items():
            graph, uses = before.get(d) or (text[d][0], 0)
            if (uses > 0) != (uses + change > 0):
                touched.add(graph)
        existed = {g for g in touched if self._in_use(g)}
        updates, inserts, deletes = [], [], []
        for d, change in delta.items():
            if d in before:
                uses = before[d][1] + change
                (updates.append((uses, d)) if uses > 0 else deletes.append((d,)))
            elif change > 0:
                inserts.append((d, *text[d], change))
        self.db.executemany("UPDATE descriptions SET uses = ? WHERE digest = ?", updates)
        self.db.executemany("DELETE FROM descriptions WHERE digest = ?", deletes)
        self.db.executemany("INSERT INTO descriptions VALUES (?, ?, ?, ?)", inserts)
        rewrites = Rewrites()
        for graph in sorted(touched):
            content = self.content(graph)
            if content is None:
                if graph in existed:
                    rewrites.gone.append(graph)
            elif graph in existed:
                rewrites.changed[graph] = content
            else:
                rewrites.new[graph] = content
        return rewrites

    def _in_use(self, graph: str) -> bool:
        row = self.db.execute("SELECT 1 FROM descriptions WHERE graph = ? AND uses > 0 LIMIT 1", (graph,))
        return row.fetchone() is not None

    def said_by(self, key: str) -> str:
        """The shared descriptions one published record gave, as N-Triples (not what others said)."""
        digests = self._given({key}).get(key, [])
        found = []
        for chunk in chunks(digests):
            query = f"SELECT ntriples FROM descriptions WHERE digest IN ({marks(chunk)})"
            found += [ntriples for (ntriples,) in self.db.execute(query, chunk)]
        return "".join(found)

    def content(self, graph: str) -> str | None:
        """The union of the descriptions of `graph` in use, as sorted N-Triples lines."""
        lines: set[str] = set()
        for (ntriples,) in self.db.execute("SELECT ntriples FROM descriptions WHERE graph = ? AND uses > 0", (graph,)):
            lines.update(line for line in ntriples.splitlines() if line)
        return "".join(f"{line}\n" for line in sorted(lines)) if lines else None

    def commit(self) -> None:
        self.db.commit()

    def rollback(self) -> None:
        self.db.rollback()

    def clear(self) -> None:
        """Forget everything (the store was emptied)."""
        with self.db:
            self.db.execute("DELETE FROM descriptions")
            self.db.execute("DELETE FROM records")
