"""The one writer: the store, the SQLite ledgers beside it and the publisher, held together.

Oxigraph allows one writing process at a time, and everything that changes the published
data (ingest, harvest, withdraw, reindex) goes through a `Writer`.  Opening one first
makes the change log and the search index agree with the store, in case the last writer
was killed (publishing.reconcile).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from tqdm import tqdm

from ..config import Settings
from ..search import SearchIndex
from ..store.changes import ChangeLog
from ..store.contributions import Contributions
from ..store.descriptions import Descriptions, Rewrites, Said
from ..store.quarantine import Quarantine
from ..store.rdf import WritableStore, write_durably
from ..store.shared import description_digest
from ..store.sources import SourceDigests
from ..store.tombstones import Tombstones
from ..uris import document_iri, document_key
from .memory import limit_arenas
from .publishing import Publisher, reconcile
from .render import render_site

PENDING = "descriptions.pending"  # shared graphs being written, until their ledger commits
Record = tuple[str, str]  # (graph IRI, N-Triples)


@dataclass
class Ledgers:
    """The SQLite files beside the store that a writer keeps in step with it."""

    quarantine: Quarantine
    tombstones: Tombstones
    changes: ChangeLog
    search: SearchIndex
    sources: SourceDigests
    descriptions: Descriptions
    contributions: Contributions

    def close(self) -> None:
        for ledger in (self.quarantine, self.tombstones, self.changes, self.search, self.sources, self.descriptions,
                       self.contributions):  # fmt: skip
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
        self.ledgers.contributions.forget([key])
        self.ledgers.changes.record([(key, "Delete")])
        self.ledgers.tombstones.withdraw(key, replaced_by, reason)
        self.publisher.unindex([key])
        rewrites = self.ledgers.descriptions.change({}, [key])
        with self._describing(rewrites, [key]):
            self.store.drop_graph(document_iri(self.base, key))
            self.store.replace_records(with_digests(rewrites.changed, self.store.hash_predicate.value))

    def move(self, old: str, new: str, reason: str) -> None:
        """The thesis published as `old` is now `new` (published already): every key it had
        answers 301 to `new`."""
        self.withdraw(old, new, reason)
        self.ledgers.tombstones.redirect(old, new)

    def write_records(self, new: list[Record], changed: list[Record], said: dict[str, Said]) -> None:
        """New and replaced records' graphs, with the shared graphs their descriptions change
        (`said`: key -> what the record says in each shared graph)."""
        rewrites = self.ledgers.descriptions.change(said)
        with self._describing(rewrites, list(said)):
            predicate = self.store.hash_predicate.value
            self.store.add_records(new + with_digests(rewrites.new, predicate))
            self.store.replace_records(changed + with_digests(rewrites.changed, predicate))

    @contextmanager
    def _describing(self, rewrites: Rewrites, keys: list[str]) -> Iterator[None]:
        """Write the store, then commit the descriptions ledger; a crash before the store
        holds it all (a bulk load may still be landing: WritableStore.add_records) is
        repaired by the next writer (`repair_descriptions`), which the note in PENDING tells."""
        pending = self.store.root / PENDING
        graphs = [*rewrites.new, *rewrites.changed, *rewrites.gone]
        self.store.wait_for_load()  # the last write's note goes once its load has landed, not before
        write_durably(pending, json.dumps({"graphs": graphs, "keys": keys}))
        try:
            yield
            for graph in rewrites.gone:  # the body writes the new and changed ones with its records
                self.store.drop_graph(graph)
        except BaseException:
            self.ledgers.descriptions.rollback()
            raise
        self.ledgers.descriptions.commit()
        self.store.when_landed(pending.unlink)


def with_digests(graphs: dict[str, str], predicate: str) -> list[Record]:
    """Shared graphs' N-Triples, each stating its own content digest, as a record's graph does."""
    return [(g, f'{nt}<{g}> <{predicate}> "{description_digest(nt)}" .\n') for g, nt in graphs.items()]


def repair_descriptions(store: WritableStore, descriptions: Descriptions, base: str) -> list[str]:
    """After a writer died between writing the store and committing the descriptions ledger.

    Records it was withdrawing or adding that are not in the store say nothing; each shared
    graph it touched is written again from the ledger; each record it wrote that is in the
    store gets a content digest no ingest makes, so that the next ingest of that record
    replaces it, descriptions and all, rather than count it unchanged.  Returns the keys of
    the records marked so."""
    pending = store.root / PENDING
    if not pending.is_file():
        return []
    touched = json.loads(pending.read_text("utf-8"))
    graphs = {key: document_iri(base, key) for key in touched["keys"]}
    absent = [key for key, graph in graphs.items() if not store.db.contains_named_graph(ox.NamedNode(graph))]
    rewrites = descriptions.change({}, absent)
    for graph in sorted({*touched["graphs"], *rewrites.new, *rewrites.changed, *rewrites.gone}):
        content = descriptions.content(graph)
        if content is None:
            store.drop_graph(graph)
        else:
            store.replace_records(with_digests({graph: content}, store.hash_predicate.value))
    descriptions.commit()
    marked = [key for key, graph in graphs.items() if key not in absent and store.mark_interrupted(graph)]
    pending.unlink()
    return marked


@contextmanager
def open_ledgers(settings: Settings) -> Iterator[Ledgers]:
    ledgers = Ledgers(
        Quarantine(settings.store),
        Tombstones(settings.store),
        ChangeLog(settings.store),
        SearchIndex(settings.store),
        SourceDigests(settings.store),
        Descriptions(settings.store),
        Contributions(settings.store),
    )
    try:
        yield ledgers
    finally:
        ledgers.close()


@contextmanager
def writing(settings: Settings) -> Iterator[Writer]:
    """The store and its ledgers for one writer, made consistent first if the last writer died."""
    limit_arenas()  # before the store's threads start (memory.py)
    with WritableStore(settings.store, settings.base) as store, open_ledgers(settings) as ledgers:
        if store.is_empty():
            ledgers.descriptions.clear()
        # The ledger of raw records may already name records of a load that never landed.
        ledgers.sources.forget(k for g in store.dropped if (k := document_key(settings.base, g)))
        store.forget_dropped()
        marked = repair_descriptions(store, ledgers.descriptions, settings.base)
        if marked:
            ledgers.sources.forget(marked)  # read again, not recognised from their bytes
            tqdm.write(f"recovered: {len(marked)} records of an interrupted write will be replaced when next read",
                       file=sys.stderr)  # fmt: skip
        repaired = reconcile(store, ledgers.changes, ledgers.search, settings.base)
        if repaired.reindexed:
            tqdm.write(f"recovered: {repaired.dropped} change events of an interrupted write dropped, "
                       f"{repaired.reindexed} search rows read again from the store", file=sys.stderr)  # fmt: skip
        rendered = Path(settings.render_dir) if settings.render_dir else None
        yield Writer(store, ledgers, Publisher(store, ledgers.search, rendered), settings.base)
        store.settle()
    if settings.render_dir:  # the changed records' files come back, from the snapshot now published
        render_site(settings, Path(settings.render_dir))
