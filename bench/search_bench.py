"""Rebuild the search index from a store of N generated theses, then time searches on it.

    python bench/search_bench.py --rows 627000

Uses the store `bench/ingest_bench.py` leaves in bench/out/store (ingesting N rows first
when there is none). Reports `ldpub reindex`'s time, peak memory and the index's size on
disk, then the median latency of searches as /search runs them: the total, the first
page with snippets, and six facets counted over every match.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

import psutil

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bench.ingest_bench import run as ingest_run  # noqa: E402
from bench.ingest_bench import tree_rss  # noqa: E402
from ld.search import SearchIndex  # noqa: E402

SEARCHES: list[tuple[str, dict[str, str]]] = [  # filters may include "sort"
    ("muller zoe", {}), ("Müller", {}), ("Davies", {}), ('"turbulent flow"', {}), ("quantum protein", {}),
    ("policy evidence migration", {}), ("glacial", {}), ("recovery", {}), ("synth*", {}),
    ("recovery", {"sort": "newest"}),
    ("recovery", {"decade": "1990s", "degree": "Doctor of Philosophy"}), ("recovery", {"year": "2001"}),
    ("", {}), ("", {"decade": "1990s"}),
]  # fmt: skip


def reindex(store: Path) -> dict:
    command = [sys.executable, "-m", "ld.cli", "reindex", "--no-progress", "--store", str(store)]
    start = time.monotonic()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    watcher, peak = psutil.Process(child.pid), 0
    while child.poll() is None:
        peak = max(peak, tree_rss(watcher))
        time.sleep(0.2)
    if child.returncode:
        raise SystemExit(f"reindex failed with exit code {child.returncode}")
    size = sum(p.stat().st_size for p in store.glob("search.sqlite*"))
    return {"seconds": time.monotonic() - start, "peak_mb": peak / 2**20, "size_mb": size / 2**20,
            "output": child.stdout.read().strip() if child.stdout else ""}  # fmt: skip


def latencies(store: Path, runs: int = 5) -> tuple[float, list[tuple[str, int, float]]]:
    index = SearchIndex(store)
    start = time.monotonic()
    index.search("", {}, 1, 20)  # the first search of a process loads the facet arrays
    first = time.monotonic() - start
    found = []
    for text, filters in SEARCHES:
        times, total = [], 0
        for _ in range(runs):
            start = time.monotonic()
            rest = {k: v for k, v in filters.items() if k != "sort"}
            total = index.search(text, rest, 1, 20, filters.get("sort")).total
            times.append(time.monotonic() - start)
        label = text or "(no words)"
        label += "".join(f" +{k}={v}" for k, v in filters.items())
        found.append((label, total, statistics.median(times)))
    index.close()
    return first, found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=627_000)
    args = parser.parse_args()
    store = HERE / "out" / "store"
    if not (store / "primary").exists():
        ingest_run(args.rows, 0, "turbo", 500)
    built = reindex(store)
    print(f"{built['output']}: {built['seconds']:.0f} s wall, peak RSS {built['peak_mb']:.0f} MB, "
          f"index {built['size_mb']:.0f} MB on disk")  # fmt: skip
    first, found = latencies(store)
    print(f"first search of a process (loads facet arrays): {first * 1000:.0f} ms")
    for label, total, seconds in found:
        print(f"  {label:58} {total:8d} matches {seconds * 1000:7.1f} ms")


if __name__ == "__main__":
    main()
