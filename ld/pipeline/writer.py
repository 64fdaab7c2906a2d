"""The one writer: the store, the SQLite ledgers beside it and the publisher, held together.

Oxigraph allows one writing process at a time, and everything that changes the published
data (ingest, harvest, withdraw, reindex) goes through a `Writer`.  Opening one first
makes the change log and the search index agree with the store, in case the last writer
was killed (publishing.reconcile).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from ..config import Settings
from ..search import SearchIndex
from ..store.changes import ChangeLog
from ..store.quarantine import Quarantine
from ..store.rdf import WritableStore
from ..store.sources import SourceDigests
from ..store.tombstones import Tombstones
from ..uris import document_iri
from .publishing import Publisher, reconcile
from .render import render_site


@dataclass
class Ledgers:
    """The SQLite files beside the store that a writer keeps in step with it."""

    quarantine: Quarantine
    tombstones: Tombstones
    changes: ChangeLog
    search: SearchIndex
    sources: SourceDigests

    def close(self) -> None:
        for ledger in (self.quarantine, self.tombstones, self.changes, self.search, self.sources):
            ledger.close()


@dataclass
class Writer:
    store: WritableStore
    ledgers: Ledgers
    publisher: Publisher
    base: str

    def withdraw(self, key: str, replaced_by: str | None, reason: str | None) -> None:
        """The record's graph leaves the data; its tombstone, change event and search removal
        become visible with the next snapshot the caller publishes."""
        self.ledgers.sources.forget([key])  # before the graph goes: the ledger never claims more than the store
        self.ledgers.changes.record([(key, "Delete")])
        self.ledgers.tombstones.withdraw(key, replaced_by, reason)
        self.publisher.unindex([key])
        self.store.drop_graph(document_iri(self.base, key))


@contextmanager
def open_ledgers(settings: Settings) -> Iterator[Ledgers]:
    ledgers = Ledgers(
        Quarantine(settings.store),
        Tombstones(settings.store),
        ChangeLog(settings.store),
        SearchIndex(settings.store),
        SourceDigests(settings.store),
    )
    try:
        yield ledgers
    finally:
        ledgers.close()


@contextmanager
def writing(settings: Settings) -> Iterator[Writer]:
    """The store and its ledgers for one writer, made consistent first if the last writer died."""
    with WritableStore(settings.store, settings.base) as store, open_ledgers(settings) as ledgers:
        repaired = reconcile(store, ledgers.changes, ledgers.search, settings.base)
        if repaired.reindexed:
            tqdm.write(f"recovered: {repaired.dropped} change events of an interrupted write dropped, "
                       f"{repaired.reindexed} search rows read again from the store", file=sys.stderr)  # fmt: skip
        rendered = Path(settings.render_dir) if settings.render_dir else None
        yield Writer(store, ledgers, Publisher(store, ledgers.search, rendered), settings.base)
    if settings.render_dir:  # the changed records' files come back, from the snapshot now published
        render_site(settings, Path(settings.render_dir))
