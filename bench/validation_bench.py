"""SHACL engines compared on the same generated records: records validated per second.

    python bench/validation_bench.py --rows 2000 --pyshacl-rows 100

Each engine validates batches of 500 records (pyshacl: its whole sample as one batch)
through ld.model.validation, exactly as ingest does.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bench.support import mapped_records  # noqa: E402
from ld.model.validation import validate_batch  # noqa: E402


def rate(engine: str, mapped: list, batch: int) -> float:
    start = time.process_time()
    for i in range(0, len(mapped), batch):
        validate_batch(mapped[i : i + batch], engine)
    return len(mapped) / (time.process_time() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--pyshacl-rows", type=int, default=100)
    args = parser.parse_args()
    mapped = mapped_records(args.rows)
    validate_batch(mapped[:10], "turbo")  # compile the shapes once, outside the timing
    turbo = rate("turbo", mapped, 500)
    small = mapped[: args.pyshacl_rows]
    reference = rate("pyshacl", small, len(small))
    print(f"turbo:   {turbo:8.0f} records/s (CPU time, {len(mapped)} records)")
    print(f"pyshacl: {reference:8.1f} records/s (CPU time, {len(small)} records)")
    print(f"ratio:   {turbo / reference:8.0f}x")


if __name__ == "__main__":
    main()
