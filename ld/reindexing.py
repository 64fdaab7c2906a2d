"""`ldpub reindex`: rebuild the search index from the published graphs in the store.

For when the index is lost, damaged, or was built by an older ldpub: the store is the
record of what is published, and the index is derived from it alone.
"""

from __future__ import annotations

from collections.abc import Iterator

from tqdm import tqdm

from .config import Settings
from .search import IndexRow, SearchIndex, from_oxigraph, index_row
from .store import WritableStore
from .vocab import own_terms


def reindex(settings: Settings, progress: bool = False) -> int:
    """Rebuild the index in one transaction (searches answer from the old one meanwhile); returns its size."""
    with WritableStore(settings.store, settings.base) as store:  # no ingest may change the store meanwhile
        index = SearchIndex(settings.store)
        try:
            rows = tqdm(_rows(store, settings.base), unit=" theses", disable=not progress)
            return index.rebuild(rows)
        finally:
            index.close()


def _rows(store: WritableStore, base: str) -> Iterator[IndexRow]:
    own, prefix = str(own_terms(base)), f"{base}doc/thesis/"
    for graph in store.db.named_graphs():
        if graph.value.startswith(prefix):
            row = index_row(own, from_oxigraph(store.db.quads_for_pattern(None, None, None, graph)))
            if row is not None:
                yield row
