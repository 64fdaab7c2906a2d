"""Facet values of every indexed thesis, held in memory by each reader as integer arrays.

Counting six facets over the 400,000 matches of a broad query took SQLite 1.5 s (a join
and a GROUP BY per facet); over arrays indexed by row id it is one `bincount` each, a
few milliseconds. Readers follow the writer incrementally: each write transaction bumps
a sequence number, and a reader loads only the rows written (or removed) since its last.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

import numpy as np

FACETS = ("institution", "decade", "year", "degree", "discipline", "ddc")
COLUMNS = ", ".join(f"{name}_id" for name in FACETS)


@dataclass(frozen=True)
class Term:
    facet: str
    value: str
    label: str
    iri: str | None


@dataclass(frozen=True)
class FacetCount:
    value: str
    label: str
    count: int
    iri: str | None


class FacetCodes:
    """Per row id: is it indexed, its year, and the term id of each facet (-1: none)."""

    def __init__(self) -> None:
        self.build: str | None = None
        self._reset()

    def _reset(self) -> None:
        self.seq = -1  # the writer's sequence number these arrays reflect
        self.alive = np.zeros(0, dtype=bool)
        self.year = np.zeros(0, dtype=np.int32)
        self.codes = np.zeros((len(FACETS), 0), dtype=np.int32)
        self.terms: dict[int, Term] = {}
        self.ids: dict[tuple[str, str], int] = {}
        self._order: np.ndarray | None = None  # everything, newest first

    def refresh(self, db: sqlite3.Connection) -> None:
        """Catch up with the writer; cheap when nothing changed (one row read).

        Call inside a read transaction, so the sequence number and the rows it covers (and
        the caller's queries after) come from one snapshot.
        """
        build, seq = db.execute("SELECT build, seq FROM meta").fetchone() or (None, 0)
        if build != self.build:
            self._reset()
            self.build = build
        if seq != self.seq:
            self._load(db, self.seq)
            self.seq = seq

    def _load(self, db: sqlite3.Connection, since: int) -> None:
        self.terms = {i: Term(*rest) for i, *rest in db.execute("SELECT id, facet, value, label, iri FROM terms")}
        self.ids = {(t.facet, t.value): i for i, t in self.terms.items()}
        gone = integers(db, "SELECT group_concat(id) FROM gone WHERE seq > ?", since)
        # A column at a time, each in the order of the covering index docs_seq (seq, id, …):
        # twice as fast as whole rows, and the columns line up.
        columns = ["id", "year", *(f"{name}_id" for name in FACETS)]
        ids, year, *codes = [
            integers(
                db,
                f"SELECT group_concat(v) FROM (SELECT coalesce({c}, -1) AS v FROM docs WHERE seq > ? ORDER BY seq, id)",
                since,
            )  # fmt: skip
            for c in columns
        ]
        self._grow(int(max(gone.max(initial=-1), ids.max(initial=-1))) + 1)
        self.alive[gone] = False
        self.alive[ids] = True
        self.year[ids] = year
        for n, column in enumerate(codes):
            self.codes[n, ids] = column
        self._order = None

    def _grow(self, size: int) -> None:
        extra = size - len(self.alive)
        if extra > 0:
            self.alive = np.concatenate([self.alive, np.zeros(extra, dtype=bool)])
            self.year = np.concatenate([self.year, np.full(extra, -1, dtype=np.int32)])
            self.codes = np.concatenate([self.codes, np.full((len(FACETS), extra), -1, dtype=np.int32)], axis=1)

    def everything(self, newest: bool = True) -> np.ndarray:
        """Every indexed row id in year order (kept until the index changes)."""
        if self._order is None:
            self._order = self.by_year(np.flatnonzero(self.alive), newest=True)
        return self._order if newest else self.by_year(self._order, newest=False)

    def by_year(self, ids: np.ndarray, newest: bool) -> np.ndarray:
        """The ids newest (or oldest) year first, unknown years last, then in index order."""
        years = self.year[ids]
        key = np.where(years < 0, np.iinfo(np.int32).max, -years if newest else years)
        return ids[np.lexsort((ids, key))]

    def keep(self, ids: np.ndarray, filters: dict[str, int]) -> np.ndarray:
        """The ids whose facets have every filtered term."""
        mask = np.ones(len(ids), dtype=bool)
        for name, term in filters.items():
            mask &= self.codes[FACETS.index(name), ids] == term
        return ids[mask]

    def count(
        self, ids: np.ndarray, names: tuple[str, ...] = FACETS, limit: int | None = 50
    ) -> dict[str, list[FacetCount]]:
        """For each facet, its most frequent values among `ids` (ties by label)."""
        found = {}
        for name in names:
            counts = np.bincount(self.codes[FACETS.index(name), ids] + 1, minlength=1)[1:]
            nonzero = np.flatnonzero(counts)
            ranked = sorted(nonzero.tolist(), key=lambda t: (-counts[t], self.terms[t].label))[:limit]
            found[name] = [self._counted(t, int(counts[t])) for t in ranked]
        return found

    def _counted(self, term: int, count: int) -> FacetCount:
        t = self.terms[term]
        return FacetCount(t.value, t.label, count, t.iri)

    def label(self, ids: np.ndarray, name: str) -> list[str | None]:
        codes = self.codes[FACETS.index(name), ids]
        return [self.terms[c].label if c >= 0 else None for c in codes.tolist()]


def integers(db: sqlite3.Connection, sql: str, *params: object) -> np.ndarray:
    """Many integers in one string from SQLite (a group_concat): ten times faster than a row per tuple."""
    text = db.execute(sql, params).fetchone()[0] or ""
    return np.fromstring(text, dtype=np.int64, sep=",") if text else np.zeros(0, dtype=np.int64)
