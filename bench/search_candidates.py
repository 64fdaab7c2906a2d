"""Search engines side by side on one store's search rows (issue 15's first step).

    python bench/search_candidates.py [--store bench/out/store] [--runs 7]

Reads every row of the store's search index (what `ldpub reindex` wrote: title, abstract,
people, keywords, institution and the six facets), builds a Tantivy index of the same
rows in bench/out/tantivy (accents and case folded, the same field weights), then runs
the benchmark's query mix on both, in this process, alternating engine by engine:
FTS5 as /search runs it (`SearchIndex.search`: total, first page with snippets, six
facets counted over every match) and Tantivy doing the same work (count, top 20 with
their stored titles, six terms aggregations over every match). Prints each query's
median, p95 and worst latency for both, and the first query of a fresh process.
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import tantivy  # noqa: E402

from bench.search_bench import SEARCHES  # noqa: E402
from ld.search import SearchIndex  # noqa: E402
from ld.search.facets import FACETS  # noqa: E402
from ld.search.query import WORD, fold, terms  # noqa: E402

TEXT_FIELDS = ("title", "abstract", "people", "keywords", "institution")
BOOSTS = {"title": 10.0, "abstract": 1.0, "people": 5.0, "keywords": 3.0, "institution": 2.0}  # as FTS5's bm25
FOLDED = "folded"  # words, lower case, accents folded: FTS5's unicode61 remove_diacritics 2
DECADES = {"1990s": (1990, 1999)}


def schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("key", stored=True, tokenizer_name="raw")
    for name in TEXT_FIELDS:
        builder.add_text_field(name, stored=name == "title", tokenizer_name=FOLDED, index_option="freq")
    builder.add_text_field("text", tokenizer_name=FOLDED)  # all five, with positions: what matches and counts
    builder.add_text_field("pairs", tokenizer_name="whitespace", index_option="basic")  # each two words in a row
    builder.add_unsigned_field("year", stored=True, indexed=True, fast=True)
    builder.add_unsigned_field("doc", fast=True)  # 1 in every document: what the total counts
    for name in FACETS:
        builder.add_unsigned_field(f"{name}_id", indexed=True, fast=True)
    return builder.build()


def opened(path: Path, fresh: bool) -> tantivy.Index:
    if fresh:
        shutil.rmtree(path, ignore_errors=True)
        path.mkdir(parents=True)
    index = tantivy.Index(schema(), path=str(path))
    analyzer = (tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple()).filter(tantivy.Filter.lowercase())
                .filter(tantivy.Filter.ascii_fold()).build())  # fmt: skip
    index.register_tokenizer(FOLDED, analyzer)
    return index


def rows(store: Path):  # type: ignore[no-untyped-def]
    db = sqlite3.connect(store / "search.sqlite")
    columns = ", ".join(f"d.{name}_id" for name in FACETS)
    query = (f"SELECT d.key, d.year, f.title, f.abstract, f.people, f.keywords, f.institution, {columns} "
             "FROM docs d JOIN fts f ON f.rowid = d.id")  # fmt: skip
    yield from db.execute(query)
    db.close()


def build(store: Path, path: Path) -> tuple[float, int, float]:
    """Seconds, documents and MB on disk of a Tantivy index of the store's search rows."""
    start = time.monotonic()
    index = opened(path, fresh=True)
    writer = index.writer(heap_size=512_000_000, num_threads=2)
    count = 0
    for key, year, title, abstract, people, keywords, institution, *facets in rows(store):
        doc = tantivy.Document(key=key)
        for name, value in zip(TEXT_FIELDS, (title, abstract, people, keywords, institution), strict=True):
            if value:
                doc.add_text(name, value)
                doc.add_text("text", value)
                doc.add_text("pairs", pairs(value))
        doc.add_unsigned("doc", 1)
        if year:
            doc.add_unsigned("year", year)
        for name, value in zip(FACETS, facets, strict=True):
            if value is not None:
                doc.add_unsigned(f"{name}_id", value)
        writer.add_document(doc)
        count += 1
    writer.commit()
    writer.wait_merging_threads()
    size = sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20
    return time.monotonic() - start, count, size


def pairs(text: str) -> str:
    """Each two words in a row, folded as the index folds them, as one token: a phrase of two
    words is then one term to look up, not two posting lists and their positions."""
    words = [fold(w) for w in WORD.findall(text)]
    return " ".join(f"{a}_{b}" for a, b in zip(words, words[1:], strict=False))


def term_ids(store: Path) -> dict[tuple[str, str], int]:
    db = sqlite3.connect(store / "search.sqlite")
    found = {(facet, value): id_ for id_, facet, value in db.execute("SELECT id, facet, value FROM terms")}
    db.close()
    return found


class Tantivy:
    """The mix's work in Tantivy: count, the first 20 with titles, six facets over every match."""

    def __init__(self, path: Path, ids: dict[tuple[str, str], int]) -> None:
        self.index = opened(path, fresh=False)
        self.index.reload()
        self.ids = ids
        self.aggs = {name: {"terms": {"field": f"{name}_id", "size": 100_000, "segment_size": 100_000}}
                     for name in FACETS}  # fmt: skip
        self.aggs["total"] = {"value_count": {"field": "doc"}}

    def words(self, text: str, scored: bool) -> tantivy.Query:
        """Every word or phrase required (as FTS5's `AND`); a trailing * a prefix. Built from
        ldpub's own parse, never Tantivy's query syntax. `scored`: each word in any of the five
        fields with its weight (for ranking the page shown); else in the one field holding all
        five, with positions (for matching, counting and facets: one posting list a word)."""
        schema = self.index.schema
        required = []
        for term in terms(text):
            tokens = [fold(w) for w in WORD.findall(term.text)]
            if not tokens:
                continue
            if len(tokens) > 1 and not term.prefix:  # a phrase: its word pairs first, then positions
                for pair in zip(tokens, tokens[1:], strict=False):
                    required.append((tantivy.Occur.Must, tantivy.Query.term_query(schema, "pairs", "_".join(pair))))
                if len(tokens) > 2:
                    required.append((tantivy.Occur.Must, tantivy.Query.phrase_query(schema, "text", tokens)))
                continue
            fields = BOOSTS.items() if scored else [("text", 1.0)]
            either = []
            for name, boost in fields:
                if term.prefix:
                    field = tantivy.Query.phrase_prefix_query(schema, name, tokens)
                else:
                    field = tantivy.Query.term_query(schema, name, tokens[0])
                either.append((tantivy.Occur.Should, tantivy.Query.boost_query(field, boost)))
            required.append(
                (tantivy.Occur.Must, either[0][1] if len(either) == 1 else tantivy.Query.boolean_query(either))
            )
        if not required:
            return tantivy.Query.all_query()
        return required[0][1] if len(required) == 1 else tantivy.Query.boolean_query(required)

    def query(self, text: str, filters: dict[str, str], scored: bool = True) -> tantivy.Query:
        clauses = [(tantivy.Occur.Must, self.words(text, scored))]
        for name, value in filters.items():
            if name == "decade":
                low, high = DECADES[value]
                clauses.append((tantivy.Occur.Must, tantivy.Query.range_query(self.index.schema, "year",
                                tantivy.FieldType.Unsigned, low, high)))  # fmt: skip
            elif name == "year":
                clauses.append((tantivy.Occur.Must, tantivy.Query.term_query(self.index.schema, "year", int(value))))
            else:
                term = self.ids.get((name, value), 0)
                clauses.append((tantivy.Occur.Must, tantivy.Query.term_query(self.index.schema, f"{name}_id", term)))
        return clauses[0][1] if len(clauses) == 1 else tantivy.Query.boolean_query(clauses)

    def search(self, text: str, filters: dict[str, str]) -> int:
        searcher = self.index.searcher()
        rest = {k: v for k, v in filters.items() if k != "sort"}
        if filters.get("sort") in ("newest", "oldest"):
            order = tantivy.Order.Desc if filters["sort"] == "newest" else tantivy.Order.Asc
            found = searcher.search(self.query(text, rest, False), 20, count=False, order_by_field="year", order=order)
        else:  # the top 20 by score, without counting: the rest is skipped unscored
            found = searcher.search(self.query(text, rest), 20, count=False)
        [searcher.doc(address)["title"] for _, address in found.hits]
        counted = searcher.aggregate(self.query(text, rest, False), self.aggs)  # every match, once
        return int(counted["total"]["value"])


def same_facets(fts5: SearchIndex, candidate: Tantivy, ids: dict[tuple[str, str], int], text: str,
                filters: dict[str, str]) -> bool:  # fmt: skip
    """Whether Tantivy counts every value FTS5 lists (its top 50 of each facet) the same."""
    rest = {k: v for k, v in filters.items() if k != "sort"}
    listed = fts5.search(text, rest, 1, 20).facets
    counted = candidate.index.searcher().aggregate(candidate.query(text, rest, False), candidate.aggs)
    for name, values in listed.items():
        buckets = {int(b["key"]): b["doc_count"] for b in counted[name]["buckets"]}
        if any(buckets.get(ids[(name, v.value)]) != v.count for v in values):
            return False
    return True


def timed(engine, text: str, filters: dict[str, str], runs: int) -> tuple[int, list[float]]:  # type: ignore[no-untyped-def]
    times, total = [], 0
    for _ in range(runs):
        start = time.monotonic()
        total = engine(text, filters)
        times.append((time.monotonic() - start) * 1000)
    return total, times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--store", type=Path, default=HERE / "out" / "store")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--no-build", action="store_true", help="Use the Tantivy index built last time.")
    args = parser.parse_args()
    path = HERE / "out" / "tantivy"
    if not args.no_build:
        seconds, count, size = build(args.store, path)
        print(f"tantivy index: {count} documents in {seconds:.0f} s, {size:.0f} MB on disk")
    fts5_size = sum(p.stat().st_size for p in args.store.glob("search.sqlite*")) / 2**20
    print(f"fts5 index: {fts5_size:.0f} MB on disk")

    start = time.monotonic()
    fts5 = SearchIndex(args.store)
    fts5.search("", {}, 1, 20)
    print(f"first query of a process: fts5 {(time.monotonic() - start) * 1000:.0f} ms", end="")
    start = time.monotonic()
    candidate = Tantivy(path, term_ids(args.store))
    candidate.search("", {})
    print(f", tantivy {(time.monotonic() - start) * 1000:.0f} ms")

    def fts5_search(text: str, filters: dict[str, str]) -> int:
        rest = {k: v for k, v in filters.items() if k != "sort"}
        return fts5.search(text, rest, 1, 20, filters.get("sort")).total

    print(
        f"{'query':50} {'fts5 matches':>12} {'median/p95/max ms':>20} {'tantivy matches':>15} {'median/p95/max ms':>20}"
    )
    for text, filters in SEARCHES:
        label = (text or "(no words)") + "".join(f" +{k}={v}" for k, v in filters.items())
        a_total, a = timed(fts5_search, text, filters, args.runs)
        b_total, b = timed(candidate.search, text, filters, args.runs)
        equal = same_facets(fts5, candidate, candidate.ids, text, filters)
        print(f"{label:50} {a_total:12d} {_figures(a):>20} {b_total:15d} {_figures(b):>20} {'yes' if equal else 'NO'}")
    fts5.close()


def _figures(times: list[float]) -> str:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"{statistics.median(ordered):.1f}/{p95:.1f}/{ordered[-1]:.1f}"


if __name__ == "__main__":
    main()
