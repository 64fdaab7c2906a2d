"""The SQLite files kept beside the store (quarantine, tombstones, change log, harvests,
raw-record digests, shared descriptions).

SQLite, not the RDF store, because these are bookkeeping the web workers read while an
ingest writes: SQLite allows that; Oxigraph allows one process at a time.

Write-ahead logging, because in SQLite's default rollback mode a reader is locked out
while a writer commits and its busy handler sleeps in steps of up to 100 ms; every record
page looks up tombstones while an ingest writes.  In WAL mode readers and the one writer
never wait for each other.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Self, TypeVar

T = TypeVar("T")


class Ledger:
    """One SQLite file beside the store: its name and schema, opened (and created) by root."""

    FILENAME: str
    SCHEMA: str

    def __init__(self, root: Path) -> None:
        self.db = connect(root, self.FILENAME, self.SCHEMA)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


CHUNK = 500  # values per `IN (...)` query (SQLite allows 32,766 parameters)


def chunks(values: Iterable[T]) -> Iterator[list[T]]:
    """The values in lists short enough for one `IN (?, ?, ...)` query each."""
    listed = list(values)
    for start in range(0, len(listed), CHUNK):
        yield listed[start : start + CHUNK]


def marks(chunk: list) -> str:
    """`?,?,...`: one placeholder per value of the chunk."""
    return ",".join("?" * len(chunk))


def connect(root: Path, filename: str, schema: str) -> sqlite3.Connection:
    """Open (creating if needed) one ledger; usable from the thread that serves a request."""
    Path(root).mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(Path(root) / filename, timeout=30, check_same_thread=False)
    db.execute("PRAGMA journal_mode=WAL")  # kept in the file: every later connection uses it
    db.executescript(schema)
    return db
