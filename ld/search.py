"""Full-text search: an SQLite FTS5 index beside the store, kept current by ingest and withdraw.

Case- and accent-insensitive (unicode61, remove_diacritics), ranked by BM25, with prefix
(`glaci*`) and phrase (`"peer support"`) queries.  Visitors' text never reaches FTS5
syntax directly: it is parsed here into quoted terms, so a stray operator is a word.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .degrees import degree_for
from .ledger import connect

SCHEMA = """
CREATE TABLE IF NOT EXISTS docs (
    key TEXT PRIMARY KEY, title TEXT, year TEXT, decade TEXT, institution TEXT,
    degree TEXT, discipline TEXT, ddc TEXT
);
CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5(
    key UNINDEXED, title, abstract, people, keywords, institution,
    tokenize = 'unicode61 remove_diacritics 2'
);
"""
# BM25 column weights: key (not searched), title, abstract, people, keywords, institution.
WEIGHTS = "0.0, 10.0, 1.0, 5.0, 3.0, 2.0"
FACETS = ("institution", "decade", "year", "degree", "discipline", "ddc")
_DDC = re.compile(r"^([0-9])[0-9]{2}(?:\.[0-9]+)?\s")
_TERM = re.compile(r'"([^"]*)"|(\S+)')


class BadQuery(ValueError):
    """The query cannot be searched; the message says why."""


@dataclass
class Results:
    total: int
    hits: list[dict]
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)


def match_expression(text: str) -> str | None:
    """Visitor text -> FTS5 MATCH: each word or "phrase" quoted, a trailing * kept as a prefix."""
    if text.count('"') % 2:
        raise BadQuery('unbalanced quotes: close the "phrase" or remove the quote')
    parts = []
    for phrase, word in _TERM.findall(text):
        term = phrase if phrase else word
        prefix = not phrase and term.endswith("*") and len(term.rstrip("*")) >= 2
        term = term.rstrip("*") if prefix else term
        cleaned = term.replace('"', " ").strip()
        if cleaned:
            parts.append(f'"{cleaned}"' + ("*" if prefix else ""))
    return " AND ".join(parts) or None


class SearchIndex:
    def __init__(self, root: Path) -> None:
        self.db = connect(root, "search.sqlite", SCHEMA)

    def close(self) -> None:
        self.db.close()

    def upsert(self, records: Iterable[tuple[str, dict]]) -> None:
        """(key, record content) pairs; replaces what the index held for those keys."""
        rows = [(key, *_facets(content), *_texts(content)) for key, content in records]
        with self.db:
            self._remove([r[0] for r in rows])
            for row in rows:
                rowid = self.db.execute("INSERT INTO docs VALUES (?,?,?,?,?,?,?,?)", row[:8]).lastrowid
                self.db.execute("INSERT INTO fts (rowid, key, title, abstract, people, keywords, institution) "
                                "VALUES (?,?,?,?,?,?,?)", (rowid, row[0], row[1], *row[8:]))  # fmt: skip

    def delete(self, keys: Iterable[str]) -> None:
        with self.db:
            self._remove(list(keys))

    def _remove(self, keys: list[str]) -> None:
        for key in keys:
            found = self.db.execute("SELECT rowid FROM docs WHERE key = ?", (key,)).fetchone()
            if found:
                self.db.execute("DELETE FROM fts WHERE rowid = ?", found)
                self.db.execute("DELETE FROM docs WHERE rowid = ?", found)

    def search(self, text: str, filters: dict[str, str], page: int, size: int) -> Results:
        expression = match_expression(text)
        source, where, params = _where(expression, filters)
        total = self.db.execute(f"SELECT count(*) FROM {source} {where}", params).fetchone()[0]
        order = f"ORDER BY bm25(fts, {WEIGHTS}), d.key" if expression else "ORDER BY d.year DESC, d.key"
        # The abstract's snippet when the match is there, else the title's (column 0 is the key).
        snippet = ("CASE WHEN instr(snippet(fts, 2, char(2), char(3), '…', 24), char(2)) "
                   "THEN snippet(fts, 2, char(2), char(3), '…', 24) ELSE snippet(fts, 1, char(2), char(3), '…', 24) END"
                   if expression else "NULL")  # fmt: skip
        rows = self.db.execute(
            f"SELECT d.key, d.title, d.year, d.institution, d.degree, {snippet} FROM {source} {where} "
            f"{order} LIMIT ? OFFSET ?",
            [*params, size, (page - 1) * size],
        ).fetchall()
        hits = [dict(zip(("key", "title", "year", "institution", "degree", "snippet"), r, strict=True)) for r in rows]
        return Results(total, hits, {f: self._facet(f, source, where, params) for f in FACETS})

    def values(self, facet: str) -> list[tuple[str, int]]:
        """Every value of one facet with its number of theses (for the browse pages)."""
        assert facet in FACETS
        return self.db.execute(
            f"SELECT {facet}, count(*) FROM docs WHERE {facet} IS NOT NULL GROUP BY 1 ORDER BY 1"
        ).fetchall()

    def count(self) -> int:
        return self.db.execute("SELECT count(*) FROM docs").fetchone()[0]

    def _facet(self, name: str, source: str, where: str, params: list) -> list[tuple[str, int]]:
        sql = (f"SELECT d.{name}, count(*) FROM {source} {where} AND d.{name} IS NOT NULL "
               "GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 50")  # fmt: skip
        return self.db.execute(sql, params).fetchall()


def _where(expression: str | None, filters: dict[str, str]) -> tuple[str, str, list]:
    """FROM clause, WHERE clause and parameters: the match and every facet filter, bound."""
    source = "docs d JOIN fts ON fts.rowid = d.rowid" if expression else "docs d"
    clauses, params = ["1 = 1"], []
    if expression:
        clauses.append("fts MATCH ?")
        params.append(expression)
    for name in FACETS:
        if filters.get(name):
            clauses.append(f"d.{name} = ?")
            params.append(filters[name])
    return source, "WHERE " + " AND ".join(clauses), params


def _facets(content: dict) -> tuple:
    year = (content.get("date") or "")[:4] or None
    institution = (content.get("institution") or {}).get("name")
    degree = degree_for(content.get("qualification_name"), content.get("qualification_level"))
    ddc = next((f"{m.group(1)}00" for k in content.get("keywords") or [] if (m := _DDC.match(k))), None)
    decade = f"{year[:3]}0s" if year and year.isdigit() else None
    title = content.get("title")
    return (title, year, decade, institution, degree.label if degree else None, content.get("subject_discipline"), ddc)


def _texts(content: dict) -> tuple:
    people = [a["name"] for a in [content.get("author") or {}, *(content.get("supervisors") or [])] if a.get("name")]
    keywords = [*(content.get("keywords") or []), content.get("subject_discipline") or ""]
    institution = (content.get("institution") or {}).get("name") or ""
    return (content.get("abstract") or "", " ; ".join(people), " ; ".join(keywords), institution)
