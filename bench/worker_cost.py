"""CPU one ingest worker spends per record: parse, map, validate (`process_batch`).

    python bench/worker_cost.py [--rows 2000] [--source DIR]

Generates the rows (bench/generate.py, the same seed as every bench), then times
`process_batch` over them in batches of 500, three times, in this process, and prints
the CPU milliseconds per record of each pass. With --source DIR (a checkout of another
commit, e.g. `git worktree add DIR REV`) the code is imported from there: run it for two
commits one after the other, twice, and compare the best passes.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--source", type=Path, default=HERE.parent)
    args = parser.parse_args()
    sys.path.insert(0, str(args.source.resolve()))
    from bench.generate import generate
    from ld.pipeline.ingest import process_batch
    from ld.sources import read_units

    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder) / "rows.csv"
        generate(args.rows, data)
        units = [u for u in read_units(data, None, None) if not isinstance(u, Exception)]
    base, licence, now = "http://127.0.0.1:8000/", "https://creativecommons.org/licenses/by/4.0/", datetime.now(UTC)
    process_batch(units[:100], base, licence, "turbo", now)  # shapes compiled, caches warm
    passes = []
    for _ in range(3):
        start = time.process_time()
        for i in range(0, len(units), 500):
            process_batch(units[i : i + 500], base, licence, "turbo", now)
        passes.append(round((time.process_time() - start) / len(units) * 1e3, 3))
    print(f"{args.source}: CPU ms per record, three passes: {passes}")


if __name__ == "__main__":
    main()
