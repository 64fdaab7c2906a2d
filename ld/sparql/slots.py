"""At most N SPARQL queries at once across every web worker of a store.

Each web worker is a separate process, so the bound is a set of N lock files beside the
store: a query takes any free one with a non-blocking ``flock`` and gives it back when it
ends; the kernel frees it if the worker dies.  No free slot means an immediate 503, so a
burst of runaway queries holds at most N workers and the rest keep serving records.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

DIRECTORY = "sparql-slots"


@contextmanager
def slot(store: Path, count: int) -> Iterator[bool]:
    """Yields True while holding one of `count` slots, False when all are taken."""
    directory = Path(store) / DIRECTORY
    directory.mkdir(parents=True, exist_ok=True)
    for number in range(count):
        descriptor = os.open(directory / f"{number}.lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(descriptor)
            continue
        try:
            yield True
        finally:
            os.close(descriptor)  # closing the descriptor releases the lock
        return
    yield False
