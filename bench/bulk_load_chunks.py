"""Does loading in fewer, larger `bulk_load` calls cost less?  Times one N-Quads dump
loaded into a fresh Oxigraph store in calls of N graphs each.

    ldpub export --store bench/out/store --format nq -o /tmp/all.nq
    python bench/bulk_load_chunks.py /tmp/all.nq --graphs 200000 --chunk 2000
    python bench/bulk_load_chunks.py /tmp/all.nq --graphs 200000 --chunk 60000

The dump must hold each graph's quads together (`ldpub export` writes them so). Prints
the seconds spent in `bulk_load`, in the compaction after it, and the store's size; run
it under `/usr/bin/time -v` for CPU and peak memory.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time

import pyoxigraph as ox


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("nquads")
    parser.add_argument("--graphs", type=int, default=200_000, help="load the first this many graphs")
    parser.add_argument("--chunk", type=int, default=2000, help="graphs per bulk_load call")
    args = parser.parse_args()
    target = tempfile.mkdtemp(prefix="bulk-load-", dir=os.path.dirname(os.path.abspath(args.nquads)))
    db = ox.Store(target)
    lines: list[str] = []
    loading = 0.0

    def load() -> None:
        nonlocal loading
        if lines:
            start = time.perf_counter()
            db.bulk_load("".join(lines).encode(), format=ox.RdfFormat.N_QUADS, lenient=True)
            loading += time.perf_counter() - start
            lines.clear()

    graphs, last = 0, None
    with open(args.nquads, encoding="utf-8") as stream:
        for line in stream:
            graph = line[line.rstrip(" .\n").rfind(" <") :]
            if graph != last:
                graphs, last = graphs + 1, graph
                if graphs > args.graphs:
                    break
                if (graphs - 1) % args.chunk == 0:
                    load()
            lines.append(line)
    load()
    start = time.perf_counter()
    db.flush()
    db.optimize()
    compacting = time.perf_counter() - start
    size = sum(os.path.getsize(os.path.join(target, f)) for f in os.listdir(target))
    shutil.rmtree(target)
    print(f"{args.graphs} graphs, {args.chunk} per call: bulk_load {loading:.1f} s, optimize {compacting:.1f} s, "
          f"{size / 1e6:.0f} MB")  # fmt: skip


if __name__ == "__main__":
    main()
