"""Full-text search: a Tantivy index beside the store (STORE/search/), kept current by ingest and withdraw.

Tantivy ranks the page shown without scoring every match and counts facets in compiled
code: every query of the benchmark's mix answers in under 50 ms at EThOS scale, where
SQLite FTS5 took up to a second (bench/README.md, "Search engines side by side").

One writer at a time (the store's write lock); readers in any process see each commit
at their next search. Every search reads one searcher: one snapshot of the index.
"""

from __future__ import annotations

import json
import os
import shutil
import time
import warnings
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import tantivy

from .documents import Prepared, prepare
from .facets import (
    FACETS,
    PEOPLE,
    SHOWN,
    FacetCount,
    aggregations,
    counted,
    decades,
)
from .matching import Filters, all_of, filter_clauses, term_clauses
from .query import BadQuery, Term, terms
from .rows import IndexRow
from .schema import FOLDED, LAYOUT, analyzer, schema
from .snippets import highlighter, snippet
from .suggest import suggestion

SORTS = ("relevance", "newest", "oldest")
WRITER_HEAP = 50_000_000  # bytes Tantivy buffers before spilling a segment (its minimum is 15 MB): ingest RSS
REBUILD_HEAP = 400_000_000

# People facets have nearly as many values as theses (EThOS: hundreds of thousands of
# supervisors): counting them exactly over every thesis took 228 ms (bench/facet_variety.py),
# so they are counted for searches of at most this many theses, where they help most.
PEOPLE_COUNTED = 20_000
ALWAYS = tuple(name for name in FACETS if name not in PEOPLE)
_COUNTING = ThreadPoolExecutor(max_workers=4, thread_name_prefix="ldpub-search-counting")


class IndexToRefill(UserWarning):
    """The index is empty for now (an older ldpub's, or a damaged one set aside): `ldpub reindex` refills it."""


class SearchUnavailable(RuntimeError):
    """The index cannot be read; `ldpub reindex` rebuilds it from the store."""


@dataclass
class Hit:
    key: str
    title: str | None
    year: int | None
    institution: str | None
    degree: str | None
    snippet: str | None = None
    authors: list[str] = field(default_factory=list)


@dataclass
class Results:
    total: int
    hits: list[Hit]
    facets: dict[str, list[FacetCount]] = field(default_factory=dict)
    years: dict[int, int] = field(default_factory=dict)  # matches per year, the year filter left out
    suggestion: str | None = None  # a query with a misspelt word mended, when this one found (almost) nothing
    widening: dict[str, list[FacetCount]] = field(default_factory=dict)  # filtered facets, their own filter left out
    uncounted: list[str] = field(default_factory=list)  # facets not counted: too many matches (PEOPLE_COUNTED)


class SearchIndex:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.path = root / "search"
        self._writer: tantivy.IndexWriter | None = None
        self._damage: str | None = None
        new = not (self.path / "meta.json").exists()
        try:
            self.index = _open(self.path)
        except ValueError as exc:  # a file of the index is missing or unreadable
            self._damage = str(exc)
        self.outdated = new and self._behind_the_store()

    def _behind_the_store(self) -> bool:
        """A new index beside a store that already holds records (an older ldpub's FTS5 index
        is there, or the index was deleted) is empty until `ldpub reindex`; say so. Beside an
        empty store it is complete: it reflects change event 0."""
        if (self.root / "search.sqlite").exists() or (self.root / "CURRENT").exists():
            warnings.warn("the search index is empty but the store holds records (an older ldpub kept search.sqlite, "
                          "or the index was removed): run `ldpub reindex`", IndexToRefill, stacklevel=3)  # fmt: skip
            return True
        if self._damage is None:
            self._note_applied(0)
        return False

    def warm(self) -> int:
        """Read the index's files once, so a worker's first searches do not wait for the disk
        (after an ingest had pushed them out of the page cache, a first broad search took 1.1 s
        instead of 30-60 ms). Returns the bytes read."""
        read = 0
        for path in sorted(self.path.glob("*")):
            if path.is_file():
                with path.open("rb") as f:
                    while chunk := f.read(1 << 20):
                        read += len(chunk)
        return read

    def readable(self) -> bool:
        try:
            self._searcher()
            return True
        except SearchUnavailable:
            return False

    def close(self) -> None:
        if self._writer is not None:
            self._writer.wait_merging_threads()  # merges under way finish; the writer is spent after this
            self._writer = None

    # Writing: one process at a time (the store's write lock), many readers.

    def upsert(self, rows: Iterable[IndexRow | Prepared]) -> None:
        """Index these theses, replacing what the index held for their keys."""
        self.apply(rows, (), None)

    def delete(self, keys: Iterable[str]) -> None:
        self.apply((), keys, None)

    def stage(self, rows: Iterable[IndexRow | Prepared] = (), gone: Iterable[str] = ()) -> None:
        """Hand rows and removals to the writer, in order; searches see none of it until `apply`
        commits. The writer holds them compactly (spilling segments to disk), not Python."""
        writer = self._writing()
        for key in gone:
            writer.delete_documents_by_term("key", key)
        for row in rows:
            writer.delete_documents_by_term("key", row.key)
            writer.add_document(document(row))

    def apply(self, rows: Iterable[IndexRow | Prepared], gone: Iterable[str], changes: int | None) -> None:
        """Stage these, then commit everything staged in one go, noting the change-log event it reaches."""
        writer = self._writing()
        try:
            self.stage(rows, gone)
            writer.commit()
        except BaseException:
            writer.rollback()
            raise
        if changes is not None:
            self._note_applied(changes)

    def applied(self) -> int | None:
        """The last change-log event the index reflects; None when that is unknown (an index made
        beside a store that already held records, to be filled by `ldpub reindex`)."""
        try:
            return int((self.path / "applied").read_text())
        except (FileNotFoundError, ValueError):
            return None

    def _note_applied(self, changes: int) -> None:
        """Written after the commit: a crash between the two leaves an older event, so the next
        writer reads a few records again (reconcile), never fewer."""
        temporary = self.path / "applied.new"
        temporary.write_text(str(changes))
        os.replace(temporary, self.path / "applied")

    def rebuild(self, rows: Iterable[IndexRow | Prepared], changes: int | None = None, threads: int = 2) -> int:
        """Replace the whole index in one commit: searches see the old one until it lands."""
        if self._damage is not None:
            self._start_afresh()
        self.close()
        writer = self.index.writer(heap_size=REBUILD_HEAP, num_threads=max(1, threads))
        count = 0
        try:
            writer.delete_all_documents()
            for row in rows:
                writer.add_document(document(row))
                count += 1
            writer.commit()
        except BaseException:
            writer.rollback()
            writer.wait_merging_threads()
            raise
        writer.wait_merging_threads()
        self.outdated = False
        if changes is not None:
            self._note_applied(changes)
        (self.root / "search.sqlite").unlink(missing_ok=True)  # an older ldpub's index, replaced now
        return count

    def _writing(self) -> tantivy.IndexWriter:
        if self._damage is not None:
            self._start_afresh()
        if self._writer is None:
            self._writer = self.index.writer(heap_size=WRITER_HEAP, num_threads=1)
        return self._writer

    def _start_afresh(self) -> None:
        """Move an unreadable index aside (kept for inspection) and begin an empty one."""
        aside = set_aside(self.path)
        warnings.warn(f"the search index could not be read and was moved to {aside}: run `ldpub reindex` "
                      "to fill the new one", IndexToRefill, stacklevel=4)  # fmt: skip
        self.index, self._damage, self.outdated = _open(self.path), None, True

    # Reading: every question answered from one searcher, one snapshot of the index.

    def _searcher(self) -> tantivy.Searcher:
        if self._damage is not None:
            try:  # `ldpub reindex` may have rebuilt it since: a web worker need not be restarted
                self.index, self._damage = _open(self.path), None
            except ValueError as exc:
                raise SearchUnavailable(f"the search index cannot be read ({exc})") from exc
        try:
            self.index.reload()  # about 40 us when nothing changed
            return self.index.searcher()
        except ValueError as exc:
            raise SearchUnavailable(f"the search index cannot be read ({exc})") from exc

    def search(self, text: str, filters: Filters, page: int, size: int, sort: str | None = None) -> Results:
        """One page of results, the total, and facet counts over every match.

        `sort`: "relevance" (the default with words), "newest" (the default without) or "oldest".
        Several values of one facet: theses with any of them.
        """
        if sort not in (None, *SORTS):
            raise BadQuery(f"sort must be one of {', '.join(SORTS)}")
        query = terms(text)
        searcher = self._searcher()
        results = self._search(searcher, query, filters, page, size, sort)
        if results.total <= 2 and query:
            better = suggestion(searcher, query, filter_clauses(filters), results.total)
            results.suggestion = better
        return results

    def _search(self, searcher: tantivy.Searcher, query: list[Term], filters: Filters, page: int, size: int,
                sort: str | None) -> Results:  # fmt: skip
        words, wanted = term_clauses(query, scored=False), filter_clauses(filters)
        matching = all_of(words + wanted)
        offset = (page - 1) * size
        # Counting and ranking are two passes over the same snapshot; Tantivy lets go of the GIL,
        # so they run side by side (a broad query: 48 ms one after the other, 28 ms together).
        counting = _COUNTING.submit(self._counts, searcher, matching, words, filters)
        if words and sort in (None, "relevance"):  # the page by score; the rest of the matches stay unscored
            ranked = all_of(term_clauses(query, scored=True) + wanted)
            found = searcher.search(ranked, size, count=False, offset=offset)
        else:
            newest = sort != "oldest"
            found = searcher.search(matching, size, count=False, offset=offset,
                                    order_by_field="newest" if newest else "oldest",
                                    order=tantivy.Order.Desc if newest else tantivy.Order.Asc)  # fmt: skip
        hits = [self._hit(searcher.doc(address), query) for _, address in found.hits]
        counts = counting.result()
        return Results(counts["total"], hits, counts["facets"], counts["years"], widening=counts["widening"],
                       uncounted=counts["uncounted"])  # fmt: skip

    def _counts(self, searcher: tantivy.Searcher, matching: tantivy.Query, words: list[tantivy.Query],
                filters: Filters) -> dict:  # fmt: skip
        """The total and every facet over all matches; and each filtered facet again without its own
        filter, for the values that would widen the search (a second institution, another decade)."""
        buckets = searcher.aggregate(matching, aggregations(ALWAYS))
        total = int(buckets["total"]["value"])
        people = total <= PEOPLE_COUNTED
        if people:
            buckets |= searcher.aggregate(matching, aggregations(PEOPLE, total=False))
        facets = _facets(buckets)
        widening = {}
        for name in [n for n in FACETS if filters.get(n) and (people or n not in PEOPLE)]:
            others = {k: v for k, v in filters.items() if k != name}
            alone = searcher.aggregate(all_of(words + filter_clauses(others)), aggregations((name,), total=False))
            widening[name] = _facets(alone)[name]
        years = widening["year"] if "year" in widening else facets["year"]
        return {"total": total, "facets": {name: [] for name in FACETS} | _shown(facets), "widening": _shown(widening),
                "years": {int(c.value): c.count for c in years},
                "uncounted": [] if people else list(PEOPLE)}  # fmt: skip

    def _hit(self, doc: tantivy.Document, query: list[Term]) -> Hit:
        shown = json.loads(doc.get_first("hit"))
        snip = None
        if query:
            matches = highlighter(query)
            snip = snippet(shown.get("abstract"), matches) or snippet(shown.get("title"), matches)
        return Hit(doc.get_first("key"), shown.get("title"), shown.get("year"), shown.get("institution"),
                   shown.get("degree"), snip, shown.get("authors", []))  # fmt: skip

    def values(self, facet: str) -> list[FacetCount]:
        """Every value of one facet with its number of theses, in label order (for the browse pages)."""
        buckets = self._searcher().aggregate(tantivy.Query.all_query(), aggregations((facet,), limit=None))
        return sorted(_facets(buckets)[facet], key=lambda c: c.label)

    def count(self) -> int:
        return self._searcher().num_docs


def document(row: IndexRow | Prepared) -> tantivy.Document:
    prepared = row if isinstance(row, Prepared) else prepare(row)
    return tantivy.Document.from_dict(prepared.fields, schema())


def _facets(buckets: dict) -> dict[str, list[FacetCount]]:
    """Every value of each facet the aggregation counted, decades added up from years."""
    found = {name: counted(name, buckets[name]["buckets"], limit=None) for name in FACETS if name in buckets}
    if "year" in found:
        found["decade"] = decades(found["year"], limit=None)
    return found


def _shown(facets: dict[str, list[FacetCount]]) -> dict[str, list[FacetCount]]:
    return {name: facets[name][:SHOWN] for name in FACETS if name in facets}


def _open(path: Path) -> tantivy.Index:
    """The index at `path`, made empty if there is none; ValueError if it is unreadable or of another layout."""
    marker = path / "layout"
    if (path / "meta.json").exists():
        found = marker.read_text().strip() if marker.exists() else "unknown"
        if found != LAYOUT:
            raise ValueError(f"its layout is {found}, this ldpub reads {LAYOUT}")
    else:
        path.mkdir(parents=True, exist_ok=True)
        marker.write_text(LAYOUT + "\n")
    index = tantivy.Index(schema(), path=str(path), reuse=True)
    index.register_tokenizer(FOLDED, analyzer())
    return index


def set_aside(path: Path) -> Path:
    aside = path.with_name(f"{path.name}.damaged-{time.strftime('%Y%m%dT%H%M%S')}")
    shutil.move(path, aside)
    return aside


__all__ = ["SHOWN", "SORTS", "BadQuery", "Hit", "IndexToRefill", "Prepared", "Results", "SearchIndex",
           "SearchUnavailable", "prepare"]  # fmt: skip
