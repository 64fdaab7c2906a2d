"""`ldpub reindex`: rebuild the search index from the published graphs in the store.

For when the index is lost, damaged, or was built by an older ldpub: the store is the
record of what is published, and the index is derived from it alone.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from .config import Settings
from .search import IndexRow, SearchIndex, from_oxigraph, index_row
from .store import WritableStore
from .vocab import own_terms


@dataclass
class Reindexed:
    theses: int
    damaged: Path | None  # where an unreadable index was moved aside


def reindex(settings: Settings, progress: bool = False) -> Reindexed:
    """Rebuild the index in one transaction (searches answer from the old one meanwhile)."""
    with WritableStore(settings.store, settings.base) as store:  # no ingest may change the store meanwhile
        damaged = _set_aside_if_damaged(settings.store)
        index = SearchIndex(settings.store)
        try:
            rows = tqdm(_rows(store, settings.base), unit=" theses", disable=not progress)
            return Reindexed(index.rebuild(rows), damaged)
        finally:
            index.close()


def _set_aside_if_damaged(root: Path) -> Path | None:
    """Rename an index SQLite cannot read (with its WAL files), kept for inspection."""
    try:
        SearchIndex(root).close()
        return None
    except sqlite3.DatabaseError:
        stamp = time.strftime("%Y%m%dT%H%M%S")
        for suffix in ("", "-wal", "-shm"):
            found = root / f"search.sqlite{suffix}"
            if found.exists():
                found.rename(root / f"search.sqlite{suffix}.damaged-{stamp}")
        return root / f"search.sqlite.damaged-{stamp}"


def _rows(store: WritableStore, base: str) -> Iterator[IndexRow]:
    own, prefix = str(own_terms(base)), f"{base}doc/thesis/"
    for graph in store.db.named_graphs():
        if graph.value.startswith(prefix):
            row = index_row(own, from_oxigraph(store.db.quads_for_pattern(None, None, None, graph)))
            if row is not None:
                yield row
