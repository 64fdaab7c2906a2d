"""A facet with as many values as EThOS has supervisors: what counting it exactly costs.

    python bench/facet_variety.py [--docs 627000] [--names 200000] [--runs 7]

The benchmark's generated rows draw supervisors from 300 names; EThOS's 627,000 theses
name some hundreds of thousands of people, a few of them very often. This builds a
Tantivy index of --docs theses with ldpub's own schema (ld/search/schema.py), one to
three supervisors each drawn from --names names with Zipf-like frequencies, then times
the supervisor facet as /search counts it (every value of every segment, so the counts
are exact; the top 150 returned) over every thesis and over a tenth of them, against
the same search counting the six other facets only.
"""

from __future__ import annotations

import argparse
import itertools
import random
import shutil
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import tantivy  # noqa: E402

from ld.search.facets import FACETS, SEPARATOR, aggregations, counted  # noqa: E402
from ld.search.index import _open  # noqa: E402


def build(path: Path, docs: int, names: int) -> float:
    shutil.rmtree(path, ignore_errors=True)
    index = _open(path)
    writer = index.writer(heap_size=400_000_000, num_threads=2)
    rng = random.Random(15)
    weights = list(itertools.accumulate(1 / (rank + 1) for rank in range(names)))  # a few supervise hundreds
    people = [f"Person{n:06d}, A." for n in range(names)]
    start = time.monotonic()
    for n in range(docs):
        doc = tantivy.Document(key=f"k{n}")
        doc.add_unsigned("doc", 1)
        doc.add_text("c_decade", f"{1900 + n % 120 // 10 * 10}s{SEPARATOR}")
        doc.add_text("f_decade", f"{1900 + n % 120 // 10 * 10}s")
        for person in set(rng.choices(people, cum_weights=weights, k=rng.randint(1, 3))):
            doc.add_text("c_supervisor", person + SEPARATOR)
        writer.add_document(doc)
    writer.commit()
    writer.wait_merging_threads()
    return time.monotonic() - start


def timed(searcher: tantivy.Searcher, query: tantivy.Query, names: tuple[str, ...], runs: int) -> tuple[float, int]:
    times, distinct = [], 0
    for _ in range(runs):
        start = time.monotonic()
        found = searcher.aggregate(query, aggregations(names))
        if "supervisor" in names:
            distinct = len(counted("supervisor", found["supervisor"]["buckets"]))
        times.append((time.monotonic() - start) * 1000)
    return statistics.median(times), distinct


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=627_000)
    parser.add_argument("--names", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    path = HERE / "out" / "facet-variety"
    seconds = build(path, args.docs, args.names)
    print(f"built {args.docs} theses with {args.names} possible supervisors in {seconds:.0f} s")
    index = _open(path)
    searcher = index.searcher()
    print(f"{searcher.num_segments} segments")
    others = tuple(name for name in FACETS if name != "supervisor")
    decade = tantivy.Query.term_query(index.schema, "f_decade", "1950s")
    for label, query in [("every thesis", tantivy.Query.all_query()), ("a tenth (one decade)", decade)]:
        with_people, shown = timed(searcher, query, FACETS, args.runs)
        without, _ = timed(searcher, query, others, args.runs)
        print(f"{label}: seven facets {with_people:.1f} ms (top {shown} supervisors), six without supervisors "
              f"{without:.1f} ms")  # fmt: skip
    shutil.rmtree(path, ignore_errors=True)


if __name__ == "__main__":
    main()
