"""Ingest N generated BL-format rows into a fresh store; report records/s and peak memory.

    python bench/ingest_bench.py --rows 627000 [--jobs 2] [--engine turbo]

Peak memory is the largest sum of resident set sizes over the ingest process and its
worker processes, sampled every 0.2 s with psutil.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import psutil

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bench.generate import generate  # noqa: E402


def tree_rss(process: psutil.Process) -> int:
    total = 0
    for p in [process, *process.children(recursive=True)]:
        try:
            total += p.memory_info().rss
        except psutil.NoSuchProcess:
            pass
    return total


def disk_bytes(root: Path) -> int:
    """Bytes on disk, each file once: snapshots share the primary's files through hard links."""
    inodes = {f.stat().st_ino: f.stat().st_size for f in root.rglob("*") if f.is_file()}
    return sum(inodes.values())


def run(rows: int, jobs: int, engine: str, batch_size: int) -> dict:
    data = HERE / "out" / f"ethos-{rows}.csv"
    if not data.exists():
        generate(rows, data)
    store = HERE / "out" / "store"
    shutil.rmtree(store, ignore_errors=True)
    command = [sys.executable, "-m", "ld.cli", "ingest", "--no-progress", "--store", str(store), "--jobs", str(jobs),
               "--shacl-engine", engine, "--batch-size", str(batch_size), str(data)]  # fmt: skip
    start = time.monotonic()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    watcher, peak = psutil.Process(child.pid), 0
    while child.poll() is None:
        peak = max(peak, tree_rss(watcher))
        time.sleep(0.2)
    seconds = time.monotonic() - start
    output = child.stdout.read() if child.stdout else ""
    return {"rows": rows, "jobs": jobs, "engine": engine, "batch_size": batch_size, "seconds": round(seconds, 1),
            "records_per_second": round(rows / seconds), "peak_rss_mb": round(peak / 2**20),
            "store_mb": round(disk_bytes(store) / 2**20),
            "exit_code": child.returncode, "summary": output.strip().splitlines()}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=627_000)
    parser.add_argument("--jobs", type=int, default=0)
    parser.add_argument("--engine", default="turbo")
    parser.add_argument("--batch-size", type=int, default=500)
    args = parser.parse_args()
    print(json.dumps(run(args.rows, args.jobs, args.engine, args.batch_size), indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
