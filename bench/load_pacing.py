"""Oxigraph's bulk loader fed as an ingest feeds it: N-Quads in calls of some lines, paced.

    ldpub export --format nq -o published.nq      # the quads an ingest published
    python bench/load_pacing.py published.nq [--lines 60000] [--pause 1.5] [--checkpoint-every 16]
    python bench/load_pacing.py published.nq --whole

Loads the file into an empty store in calls of `--lines` lines (about 2,000 record graphs
for 60,000), waiting `--pause` seconds between calls (an ingest's calls come every few
seconds) and taking a checkpoint every `--checkpoint-every` calls (an ingest's snapshots),
then compacts (`optimize`, as ingest does). `--whole` loads the file in one call instead.
Prints wall seconds, CPU seconds of this process (RocksDB's threads included: the pauses
are not CPU), peak RSS and the store's size (bench/README.md).
"""

from __future__ import annotations

import argparse
import resource
import shutil
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox


def load(db: ox.Store, source: Path, args: argparse.Namespace, scratch: Path) -> None:
    if args.whole:
        db.bulk_load(path=str(source), format=ox.RdfFormat.N_QUADS, lenient=True)
        return
    calls = 0
    with open(source, "rb") as lines:
        while chunk := b"".join(line for _, line in zip(range(args.lines), lines, strict=False)):
            db.bulk_load(chunk, format=ox.RdfFormat.N_QUADS, lenient=True)
            calls += 1
            if args.checkpoint_every and calls % args.checkpoint_every == 0:
                shutil.rmtree(scratch / "checkpoint", ignore_errors=True)
                db.backup(str(scratch / "checkpoint"))
            time.sleep(args.pause)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("nquads", type=Path)
    parser.add_argument("--lines", type=int, default=60_000)
    parser.add_argument("--pause", type=float, default=0.0)
    parser.add_argument("--checkpoint-every", type=int, default=0)
    parser.add_argument("--whole", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.nquads.parent) as folder:
        scratch = Path(folder)
        start = time.monotonic()
        db = ox.Store(str(scratch / "store"))
        load(db, args.nquads, args, scratch)
        db.flush()
        db.optimize()
        seconds = time.monotonic() - start
        del db
        size = sum(f.stat().st_size for f in (scratch / "store").rglob("*") if f.is_file())
    used = resource.getrusage(resource.RUSAGE_SELF)
    print(
        f"{seconds:.1f} s wall, {used.ru_utime + used.ru_stime:.1f} CPU-s, peak RSS {used.ru_maxrss // 1024} MB, "
        f"store {size / 2**20:.0f} MiB"
    )


if __name__ == "__main__":
    main()
