"""Full-text search: an SQLite FTS5 index beside the store, kept current by ingest and withdraw.

Case- and accent-insensitive (unicode61, remove_diacritics), ranked by BM25, with prefix
(`glaci*`) and phrase (`"peer support"`) queries. Facet filters are folded into the
FTS5 query as tokens of a hidden `tags` column, so a filtered search ranks only the
theses it returns; facet counts come from the in-memory arrays of `facets.py`.
"""

from __future__ import annotations

import re
import sqlite3
import uuid
import warnings
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..store.ledger import connect
from .facets import COLUMNS, FACETS, FacetCodes, FacetCount, integers
from .query import BadQuery, Term, expression, terms
from .rows import Facet, IndexRow
from .snippets import highlighter, snippet

TABLES = [
    "CREATE TABLE meta (id INTEGER PRIMARY KEY CHECK (id = 1), build TEXT NOT NULL, seq INTEGER NOT NULL)",
    "CREATE TABLE terms (id INTEGER PRIMARY KEY, facet TEXT NOT NULL, value TEXT NOT NULL, label TEXT NOT NULL, "
    "iri TEXT, UNIQUE (facet, value))",
    f"CREATE TABLE docs (id INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL UNIQUE, title TEXT, year INTEGER, "
    f"seq INTEGER NOT NULL, {', '.join(f'{name}_id INTEGER' for name in FACETS)})",
    f"CREATE INDEX docs_seq ON docs (seq, id, year, {COLUMNS})",  # covering: readers load facet arrays from it
    "CREATE TABLE gone (id INTEGER PRIMARY KEY, seq INTEGER NOT NULL)",
    # The last change-log event whose change the index reflects (publishing.py): what a
    # writer that died before updating the index must re-read from the store.
    "CREATE TABLE applied (id INTEGER PRIMARY KEY CHECK (id = 1), changes INTEGER NOT NULL)",
    "CREATE INDEX gone_seq ON gone (seq)",
    "CREATE VIRTUAL TABLE fts USING fts5(title, abstract, people, keywords, institution, tags, "
    "tokenize = 'unicode61 remove_diacritics 2')",
]
# WAL lets people search while an ingest or a reindex writes.
SCHEMA = ";\n".join(
    ["PRAGMA journal_mode = WAL", *(re.sub(r"^CREATE (VIRTUAL TABLE|TABLE|INDEX) ", r"CREATE \1 IF NOT EXISTS ", t)
     for t in TABLES), "INSERT OR IGNORE INTO meta VALUES (1, hex(randomblob(8)), 0)"]
)  # fmt: skip
SORTS = ("relevance", "newest", "oldest")
TEXT = "{title abstract people keywords institution}"  # what visitors' words may match; not `tags`
WEIGHTS = "10.0, 1.0, 5.0, 3.0, 2.0, 0.0"  # BM25 weights of title, abstract, people, keywords, institution, tags


@dataclass
class Hit:
    key: str
    title: str | None
    year: int | None
    institution: str | None
    degree: str | None
    snippet: str | None = None


@dataclass
class Results:
    total: int
    hits: list[Hit]
    facets: dict[str, list[FacetCount]] = field(default_factory=dict)


class SearchIndex:
    def __init__(self, root: Path) -> None:
        self.db = connect(root, "search.sqlite", "")
        self._drop_old_layout()
        self.db.executescript(SCHEMA)
        self.codes = FacetCodes()
        self._terms: dict[tuple[str, str], tuple[int, str | None]] = {}

    def close(self) -> None:
        self.db.close()

    def _drop_old_layout(self) -> None:
        """An index from before facet codes cannot be read: start empty and say how to refill it."""
        columns = {row[1] for row in self.db.execute("PRAGMA table_info(docs)")}
        if columns and "seq" not in columns:
            self.db.executescript("BEGIN; DROP TABLE IF EXISTS fts; DROP TABLE docs; COMMIT;")
            warnings.warn(
                "the search index was built by an older ldpub and has been emptied: run `ldpub reindex`", stacklevel=2
            )

    # Writing: one process at a time (the store's write lock), many readers.

    def upsert(self, rows: Iterable[IndexRow]) -> None:
        """Index these theses, replacing what the index held for their keys."""
        with self.db:
            seq = self._next_seq()
            for row in rows:
                self._remove(row.key, seq)
                self._insert(row, seq)

    def delete(self, keys: Iterable[str]) -> None:
        with self.db:
            seq = self._next_seq()
            for key in keys:
                self._remove(key, seq)

    def apply(self, rows: Iterable[IndexRow], gone: Iterable[str], changes: int | None) -> None:
        """Index rows and remove keys in one transaction, noting the change-log event they reach."""
        with self.db:
            seq = self._next_seq()
            for key in gone:
                self._remove(key, seq)
            for row in rows:
                self._remove(row.key, seq)
                self._insert(row, seq)
            if changes is not None:
                self.db.execute("INSERT OR REPLACE INTO applied VALUES (1, ?)", (changes,))

    def applied(self) -> int | None:
        """The last change-log event the index reflects: 0 for an index never written to, None
        for one written by an ldpub from before this was kept (its rows went in before publishing)."""
        row = self.db.execute("SELECT changes FROM applied").fetchone()
        if row:
            return row[0]
        return None if self.db.execute("SELECT 1 FROM docs LIMIT 1").fetchone() else 0

    def rebuild(self, rows: Iterable[IndexRow], changes: int | None = None) -> int:
        """Replace the whole index in one transaction: searches see the old one until it commits."""
        self.db.execute("BEGIN")
        try:
            for table in ("fts", "docs", "terms", "gone", "meta", "applied"):
                self.db.execute(f"DROP TABLE IF EXISTS {table}")
            for statement in TABLES:
                self.db.execute(statement)
            self.db.execute("INSERT INTO meta VALUES (1, ?, 1)", (uuid.uuid4().hex,))
            self._terms.clear()
            count = 0
            for row in rows:
                self._insert(row, 1)
                count += 1
            if changes is not None:
                self.db.execute("INSERT INTO applied VALUES (1, ?)", (changes,))
            self.db.commit()
        except BaseException:
            self.db.rollback()
            self._terms.clear()
            raise
        self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the log held a whole index; give the disk back
        return count

    def _next_seq(self) -> int:
        return self.db.execute("UPDATE meta SET seq = seq + 1 RETURNING seq").fetchone()[0]

    def _remove(self, key: str, seq: int) -> None:
        found = self.db.execute("DELETE FROM docs WHERE key = ? RETURNING id", (key,)).fetchone()
        if found:
            self.db.execute("DELETE FROM fts WHERE rowid = ?", found)
            self.db.execute("INSERT OR REPLACE INTO gone VALUES (?, ?)", (found[0], seq))

    def _insert(self, row: IndexRow, seq: int) -> None:
        ids = {f.name: self._term(f) for f in row.facets}
        values = [ids.get(name) for name in FACETS]
        rowid = self.db.execute(
            f"INSERT INTO docs (key, title, year, seq, {COLUMNS}) VALUES (?,?,?,?,{','.join('?' * len(FACETS))})",
            (row.key, row.title, row.year, seq, *values),
        ).lastrowid
        tags = " ".join(f"t{i}" for i in ids.values())
        self.db.execute(
            "INSERT INTO fts (rowid, title, abstract, people, keywords, institution, tags) VALUES (?,?,?,?,?,?,?)",
            (rowid, row.title, row.abstract, row.people, row.keywords, row.institution, tags),
        )

    def _term(self, facet: Facet) -> int:
        known = self._terms.get((facet.name, facet.value))
        if known and (known[1] or not facet.iri):
            return known[0]
        term = self.db.execute(
            "INSERT INTO terms (facet, value, label, iri) VALUES (?,?,?,?) ON CONFLICT (facet, value) "
            "DO UPDATE SET iri = coalesce(terms.iri, excluded.iri) RETURNING id, iri",
            (facet.name, facet.value, facet.label, facet.iri),
        ).fetchone()
        self._terms[(facet.name, facet.value)] = term
        return term[0]

    # Reading: every question answered from one snapshot of the index.

    @contextmanager
    def _reading(self) -> Iterator[FacetCodes]:
        self.db.execute("BEGIN")
        try:
            self.codes.refresh(self.db)
            yield self.codes
        finally:
            self.db.commit()

    def search(self, text: str, filters: dict[str, str], page: int, size: int, sort: str | None = None) -> Results:
        """One page of results, the total, and facet counts over every match.

        `sort`: "relevance" (the default with words), "newest" (the default without) or "oldest".
        """
        if sort not in (None, *SORTS):
            raise BadQuery(f"sort must be one of {', '.join(SORTS)}")
        query = terms(text)
        words = expression(query)
        with self._reading() as codes:
            wanted = {name: codes.ids.get((name, value)) for name, value in filters.items() if name in FACETS}
            if None in wanted.values():  # a value no thesis has
                return Results(0, [], {name: [] for name in FACETS})
            window = slice((page - 1) * size, page * size)
            if words:
                match = f"{TEXT} : ({words})" + "".join(f" AND tags : t{t}" for t in wanted.values())
                ids = self._matching(match)
                if sort in (None, "relevance"):
                    shown = self._ranked(match, page, size)
                else:  # no BM25 needed: the arrays know every match's year
                    shown = codes.by_year(ids, newest=sort == "newest")[window]
            else:
                ids = codes.keep(codes.everything(newest=sort != "oldest"), wanted)  # type: ignore[arg-type]
                shown = ids[window]
            return Results(len(ids), self._hits(shown, query), codes.count(ids))

    def _matching(self, match: str) -> np.ndarray:
        try:
            return integers(self.db, "SELECT group_concat(rowid) FROM fts WHERE fts MATCH ?", match)
        except sqlite3.OperationalError as exc:  # quoting makes this rare: e.g. a query of only punctuation
            raise BadQuery(f"cannot search for that: {exc}") from exc

    def _ranked(self, match: str, page: int, size: int) -> np.ndarray:
        rows = self.db.execute(
            f"SELECT rowid FROM fts WHERE fts MATCH ? ORDER BY bm25(fts, {WEIGHTS}), rowid LIMIT ? OFFSET ?",
            (match, size, (page - 1) * size),
        ).fetchall()
        return np.array([r[0] for r in rows], dtype=np.int64)

    def _snippets(self, listed: str, query: list[Term]) -> dict[int, str | None]:
        """The abstract's snippet when the query's words are there, else the title's."""
        matches = highlighter(query)
        rows = self.db.execute(f"SELECT rowid, title, abstract FROM fts WHERE rowid IN ({listed})")
        return {i: snippet(abstract, matches) or snippet(title, matches) for i, title, abstract in rows}

    def _hits(self, ids: np.ndarray, query: list[Term]) -> list[Hit]:
        if not len(ids):
            return []
        listed = ",".join(str(i) for i in ids.tolist())
        docs = {i: (k, t) for i, k, t in self.db.execute(f"SELECT id, key, title FROM docs WHERE id IN ({listed})")}
        snippets = self._snippets(listed, query) if query else {}
        institutions, degrees = self.codes.label(ids, "institution"), self.codes.label(ids, "degree")
        years = self.codes.year[ids].tolist()
        return [
            Hit(docs[i][0], docs[i][1], y if y >= 0 else None, inst, deg, snippets.get(i))
            for i, y, inst, deg in zip(ids.tolist(), years, institutions, degrees, strict=True)
        ]

    def values(self, facet: str) -> list[FacetCount]:
        """Every value of one facet with its number of theses, in label order (for the browse pages)."""
        with self._reading() as codes:
            counted = codes.count(np.flatnonzero(codes.alive), names=(facet,), limit=None)[facet]
        return sorted(counted, key=lambda c: c.label)

    def count(self) -> int:
        with self._reading() as codes:
            return int(codes.alive.sum())
