"""What several benchmarks need: free ports, stopping what they started, percentiles, and
generated records mapped as ingest maps them."""

from __future__ import annotations

import contextlib
import os
import random
import signal
import socket
import sqlite3
import subprocess
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def spawn(command: list[str], env: dict[str, str], cwd: Path) -> subprocess.Popen:
    """A server in a session of its own, so that `stop` takes everything it starts with it."""
    return subprocess.Popen(command, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)  # fmt: skip


def stop(process: subprocess.Popen | None, grace: float = 20) -> None:
    """Stop a child started in its own session, with everything it started (gunicorn's
    workers, query processes, an ingest's pool)."""
    if process is None or process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def nearest_rank(values: list[float], p: float) -> float:
    """The p-th percentile by nearest rank (a value that was measured, never interpolated)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, -(-len(ordered) * p // 100) - 1))]


def mapped_records(rows: int) -> list:
    """`rows` generated BL-format rows (cached under bench/out/), read and mapped."""
    from bench.generate import generate
    from ld.model.mapping import Mapper
    from ld.model.records import Record
    from ld.sources import read_file

    data = HERE / "out" / f"ethos-{rows}.csv"
    if not data.exists():
        generate(rows, data)
    mapper = Mapper("http://127.0.0.1:8000/", "https://creativecommons.org/licenses/by/4.0/")
    now = datetime.now(UTC)
    return [mapper.map(r, now) for r in read_file(data) if isinstance(r, Record)]


def published_keys(store: Path, count: int, seed: int) -> list[str]:
    """`count` thesis keys drawn at random from the store's change log (read-only)."""
    db = sqlite3.connect(f"file:{store / 'changes.sqlite'}?mode=ro", uri=True)
    try:
        found = [row[0] for row in db.execute("SELECT DISTINCT key FROM changes WHERE kind != 'Delete'")]
    finally:
        db.close()
    return random.Random(seed).sample(found, min(count, len(found)))
