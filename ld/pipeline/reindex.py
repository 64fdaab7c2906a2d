"""`ldpub reindex`: rebuild the search index from the published graphs in the store.

For when the index is lost, damaged, or was built by an older ldpub: the store is the
record of what is published, and the index is derived from it alone. Reading 600,000
graphs out of RocksDB is most of the work, so worker processes read the current
snapshot (read-only, as web workers do) in chunks while this process writes the index.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from tqdm import tqdm

from ..config import Settings
from ..search import Prepared, SearchIndex, from_oxigraph, index_row, prepare
from ..search.index import IndexToRefill, set_aside
from ..store.rdf import published_changes
from ..store.shared import references
from ..uris import is_document_iri
from ..vocab import own_terms
from .workers import in_order
from .writer import writing


@dataclass
class Reindexed:
    theses: int
    damaged: Path | None  # where an unreadable index was moved aside


CHUNK = 1000  # graphs a worker reads per task


def reindex(settings: Settings, progress: bool = False) -> Reindexed:
    """Rebuild the index in one commit (searches answer from the old one meanwhile)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", IndexToRefill)  # refilling it is what this does
        damaged = _set_aside_if_damaged(settings.store)
        with writing(settings) as writer:  # no ingest may change the store meanwhile
            snapshot = writer.store.published_snapshot()
            rows = tqdm(_rows(snapshot, settings.base, settings.worker_processes), unit=" theses",
                        disable=not progress)  # fmt: skip
            changes = published_changes(settings.store)
            return Reindexed(writer.ledgers.search.rebuild(rows, changes, settings.worker_processes), damaged)


def _set_aside_if_damaged(root: Path) -> Path | None:
    """Move an index that cannot be read aside, kept for inspection; the rebuild starts afresh."""
    index = SearchIndex(root)
    readable = index.readable()
    index.close()
    return None if readable else set_aside(index.path)


def _rows(snapshot: Path, base: str, jobs: int) -> Iterator[Prepared]:
    """Every published thesis's row, in the store's graph order."""
    graphs = [g.value for g in ox.Store.read_only(str(snapshot)).named_graphs() if is_document_iri(base, g.value)]
    chunks = [graphs[i : i + CHUNK] for i in range(0, len(graphs), CHUNK)]
    for rows in in_order(_read, chunks, jobs=jobs, setup=_open, setup_args=(str(snapshot), base)):
        yield from rows


_reader: tuple[ox.Store, str, dict[str, list]] | None = None  # each worker's snapshot, base, shared descriptions


def _open(snapshot: str, base: str) -> None:
    global _reader
    _reader = (ox.Store.read_only(snapshot), base, {})


def _read(graphs: list[str]) -> list[Prepared]:
    """The rows of these record graphs. Shared resources (an institution is named by tens of
    thousands of records) are read from their graphs once per worker: the snapshot does not change."""
    assert _reader is not None
    db, base, described = _reader
    own = str(own_terms(base))
    rows = []
    for graph in graphs:
        quads = list(db.quads_for_pattern(None, None, None, ox.NamedNode(graph)))
        triples = from_oxigraph(quads)
        for resource, described_in in references(base, quads).items():
            found = described.get(resource.value)
            if found is None:
                found = described[resource.value] = from_oxigraph(db.quads_for_pattern(resource, None, None,
                                                                                        described_in))  # fmt: skip
            triples.extend(found)
        row = index_row(own, triples)
        if row is not None:
            rows.append(prepare(row))
    return rows
