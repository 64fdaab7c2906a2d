"""Resident memory of one ingest worker as it works through rows: parse, map, validate.

    python bench/worker_memory.py [--rows 40000] [--data FILE]

Runs what an ingest worker runs (`process_batch_in_worker`, batches of 500) over the
generator's rows in this process and prints its RSS (`/proc/self/status`) every 10,000
rows, then the hits and misses of the IRI cache: a worker's memory is what bounds how
many of them an ingest can afford under its memory line (bench/README.md).
"""

from __future__ import annotations

import argparse
import itertools
import sys
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bench.generate import generate  # noqa: E402
from ld.model import ntriples  # noqa: E402
from ld.pipeline.processing import process_batch_in_worker  # noqa: E402
from ld.sources import read_units  # noqa: E402


def resident_mb() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        return next(int(line.split()[1]) // 1024 for line in status if line.startswith("VmRSS"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=40_000)
    parser.add_argument("--data", type=Path, help="a BL-format CSV (default: generated, bench/out/)")
    args = parser.parse_args()
    data = args.data or HERE / "out" / f"ethos-{args.rows}.csv"
    if not data.exists():
        generate(args.rows, data)
    base, licence, now = "http://127.0.0.1:8000/", "https://creativecommons.org/licenses/by/4.0/", datetime.now(UTC)
    print(f"after imports: {resident_mb()} MB")
    units = read_units(data, None, None)
    done = 0
    while done < args.rows:
        batch = [u for u in itertools.islice(units, 500) if not isinstance(u, Exception)]
        if not batch:
            break
        process_batch_in_worker(batch, base, licence, "turbo", now)
        done += len(batch)
        if done % 10_000 < 500:
            print(f"{done} rows: {resident_mb()} MB")
    print(f"IRI cache: {ntriples.iri.cache_info()}")


if __name__ == "__main__":
    main()
