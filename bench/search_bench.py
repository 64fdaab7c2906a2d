"""Build the full-text index for N generated rows from scratch, then time typical searches.

    python bench/search_bench.py --rows 627000

Reports the build time (records/s), the index's size on disk, and the latency of a set
of searches with their facets, as /search runs them.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bench.generate import generate  # noqa: E402
from ld.records import Record  # noqa: E402
from ld.search import SearchIndex  # noqa: E402
from ld.sources import read_file  # noqa: E402

QUERIES = ["glacial", "recovery", "quantum protein", '"turbulent flow"', "synth*", "Müller", "muller zoe",
           "policy evidence migration", "Davies"]  # fmt: skip


def build(data: Path, folder: Path, batch: int = 5000) -> tuple[int, float]:
    shutil.rmtree(folder, ignore_errors=True)
    index = SearchIndex(folder)
    start, count, pending = time.monotonic(), 0, []
    for n, item in enumerate(read_file(data)):
        if isinstance(item, Record):
            pending.append((f"k{n}", item.content()))
        if len(pending) >= batch:
            index.upsert(pending)
            count, pending = count + len(pending), []
    index.upsert(pending)
    count += len(pending)
    index.close()
    return count, time.monotonic() - start


def latencies(folder: Path) -> dict[str, float]:
    index = SearchIndex(folder)
    found = {}
    for query in QUERIES:
        runs = []
        for _ in range(3):
            start = time.monotonic()
            index.search(query, {}, 1, 20)
            runs.append(time.monotonic() - start)
        found[query] = statistics.median(runs)
    start = time.monotonic()
    index.search("recovery", {"decade": "1990s", "degree": "Doctor of Philosophy"}, 1, 20)
    found["recovery + 2 filters"] = time.monotonic() - start
    start = time.monotonic()
    index.search("", {}, 1, 20)
    found["(everything, all facets)"] = time.monotonic() - start
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=627_000)
    args = parser.parse_args()
    data = HERE / "out" / f"ethos-{args.rows}.csv"
    if not data.exists():
        generate(args.rows, data)
    folder = HERE / "out" / "search"
    count, seconds = build(data, folder)
    size = (folder / "search.sqlite").stat().st_size
    print(f"indexed {count} records in {seconds:.0f} s ({count / seconds:.0f} records/s); index {size / 2**20:.0f} MB")
    for query, seconds in latencies(folder).items():
        print(f"  {query!r:32} {seconds * 1000:7.1f} ms")


if __name__ == "__main__":
    main()
