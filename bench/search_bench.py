"""Rebuild the search index from a store of N generated theses, then time searches on it.

    python bench/search_bench.py --rows 627000

Uses the store `bench/ingest_bench.py` leaves in bench/out/store (ingesting N rows first
when there is none). Reports `ldpub reindex`'s time, peak memory and the index's size on
disk, then each search of the mix as /search runs it (the total, the first page with
snippets, every facet counted over every match, the years' histogram, and a "did you
mean" for searches that find almost nothing): median, p95 and worst of --runs runs, and
the first search of a fresh process (timed in a child process of its own).
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

SEARCHES: list[tuple[str, dict]] = [  # filters may include "sort"; a list: any of those values
    ("muller zoe", {}), ("Müller", {}), ("Davies", {}), ('"turbulent flow"', {}), ("quantum protein", {}),
    ("policy evidence migration", {}), ("glacial", {}), ("recovery", {}), ("synth*", {}),
    ('"patient involvement in recovery"', {}),
    ("recovery", {"sort": "newest"}), ("recovery", {"sort": "oldest"}),
    ("recovery", {"decade": "1990s", "degree": "Doctor of Philosophy"}), ("recovery", {"year": "2001"}),
    ("recovery", {"institution": ["University of Oxford", "University of Cambridge"]}),
    ("", {}), ("", {"decade": "1990s"}), ("", {"decade": ["1960s", "1970s", "1980s"], "sort": "oldest"}),
    ("Daviess", {}), ("glacail sediments", {}),  # misspelt: nothing found, a suggestion looked for
]  # fmt: skip


def reindex(store: Path) -> dict:
    command = [sys.executable, "-m", "ld", "reindex", "--no-progress", "--store", str(store)]
    start = time.monotonic()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    watcher, peak = psutil.Process(child.pid), 0
    while child.poll() is None:
        peak = max(peak, tree_rss(watcher))
        time.sleep(0.2)
    if child.returncode:
        raise SystemExit(f"reindex failed with exit code {child.returncode}")
    size = sum(p.stat().st_size for p in (store / "search").rglob("*") if p.is_file())
    return {"seconds": time.monotonic() - start, "peak_mb": peak / 2**20, "size_mb": size / 2**20,
            "output": child.stdout.read().strip() if child.stdout else ""}  # fmt: skip


def latencies(store: Path, runs: int) -> list[tuple[str, int, list[float]]]:
    index = SearchIndex(store)
    found = []
    for text, filters in SEARCHES:
        times, total = [], 0
        rest = {k: v for k, v in filters.items() if k != "sort"}
        for _ in range(runs):
            start = time.monotonic()
            total = index.search(text, rest, 1, 20, filters.get("sort")).total
            times.append(time.monotonic() - start)
        label = text or "(no words)"
        label += "".join(f" +{k}={'|'.join(v) if isinstance(v, list) else v}" for k, v in filters.items())
        found.append((label, total, times))
    index.close()
    return found


FIRST = """
import sys, time
sys.path.insert(0, {root!r})
from ld.search import SearchIndex
start = time.monotonic()
index = SearchIndex(__import__("pathlib").Path({store!r}))
opened = time.monotonic()
index.search({text!r}, {{}}, 1, 20)
print((opened - start) * 1000, (time.monotonic() - opened) * 1000)
"""


def first_search(store: Path, text: str) -> tuple[float, float]:
    """Milliseconds a fresh process takes to open the index, then to answer its first search."""
    code = FIRST.format(root=str(HERE.parent), store=str(store), text=text)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    return float(out[0]), float(out[1])


def figures(times: list[float]) -> tuple[float, float, float]:
    ordered = sorted(t * 1000 for t in times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95, ordered[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=627_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--no-reindex", action="store_true", help="Time searches on the index as it is.")
    args = parser.parse_args()
    store = HERE / "out" / "store"
    if not (store / "primary").exists():
        ingest_run(args.rows, 0, "turbo", 500)
    if not args.no_reindex:
        built = reindex(store)
        print(f"{built['output']}: {built['seconds']:.0f} s wall, peak RSS {built['peak_mb']:.0f} MB, "
              f"index {built['size_mb']:.0f} MB on disk")  # fmt: skip
    for text in ("", "recovery", "policy evidence migration"):
        opened, first = first_search(store, text)
        print(f"fresh process, {text or '(no words)'!r}: index opened in {opened:.0f} ms, first search {first:.0f} ms")
    worst = 0.0
    print(f"  {'search':66} {'matches':>8}   median / p95 / worst ms")
    for label, total, times in latencies(store, args.runs):
        median, p95, top = figures(times)
        worst = max(worst, top)
        print(f"  {label:66} {total:8d}   {median:6.1f} / {p95:6.1f} / {top:6.1f}")
    print(f"worst of every search: {worst:.1f} ms")


if __name__ == "__main__":
    main()
