"""What readers see changes only when a snapshot is published, even after a crash.

Web workers read snapshots of the store, but the SQLite files beside it (change log,
search index) are visible the moment they are written.  Written first and shown at once,
they listed records a reader could not yet (or, after a kill -9, ever) dereference.  So:

- the change log is read only up to the last event the current snapshot includes
  (changes.py, `as_of`);
- search rows are staged in the index's writer as records are written, and committed
  (made visible) in one go when the snapshot holding their records is published, marked
  with that event;
- a writer that finds events the current snapshot does not include (its predecessor
  died) first `reconcile`s: events whose change never reached the store are dropped,
  the rest are published, and the search rows of every record they touched are read
  again from the store.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from ..search import IndexRow, Prepared, SearchIndex, from_oxigraph, index_row
from ..store.changes import ChangeLog
from ..store.rdf import WritableStore, current_snapshot, published_changes
from ..store.shared import record_quads
from ..uris import document_iri
from ..vocab import own_terms
from .render import unrender


@dataclass
class Publisher:
    """Publishes snapshots and, right after each, the search changes of what it now holds."""

    store: WritableStore
    search: SearchIndex
    rendered: Path | None = None  # a rendered site (`render_dir`) to take changed records out of
    changed: list[str] = field(default_factory=list)  # keys staged since the last publish, for `rendered`

    def index(self, rows: Iterable[IndexRow | Prepared]) -> None:
        rows = list(rows)
        self.search.stage(rows=rows)
        if self.rendered is not None:
            self.changed.extend(row.key for row in rows)

    def unindex(self, keys: Iterable[str]) -> None:
        keys = list(keys)
        self.search.stage(gone=keys)
        if self.rendered is not None:
            self.changed.extend(keys)

    def publish(self, with_statistics: bool = False) -> Path:
        if self.rendered is not None:  # nginx must not send the old files once the change is visible
            unrender(self.rendered, self.changed)
        snapshot = self.store.publish_snapshot(with_statistics)
        self.search.apply((), (), published_changes(self.store.root))  # what was staged becomes visible
        self.changed = []
        return snapshot


@dataclass(frozen=True)
class Reconciled:
    dropped: int  # events whose change never reached the store
    reindexed: int  # records whose search row was read again from the store


def reconcile(store: WritableStore, log: ChangeLog, search: SearchIndex, base: str) -> Reconciled:
    """Make the change log and the search index agree with primary, then publish."""
    published = published_changes(store.root) if current_snapshot(store.root) else 0  # never published: from 0
    if published is None:  # a store from before snapshots recorded their last event
        return Reconciled(0, 0)
    applied = search.applied()
    events = log.after(published if applied is None else min(published, applied))
    if not events:
        return Reconciled(0, 0)
    present = {key: store.db.contains_named_graph(_graph(base, key)) for key in {e.key for e in events}}
    unfinished = [e.seq for e in events if e.seq > published and (e.kind == "Delete") == present[e.key]]
    log.forget(unfinished)
    publisher = Publisher(store, search)
    own = str(own_terms(base))
    for key, there in present.items():
        if there:
            row = index_row(own, from_oxigraph(record_quads(store.db, base, document_iri(base, key))))
            publisher.index([row] if row else [])
        else:
            publisher.unindex([key])
    publisher.publish(with_statistics=True)
    return Reconciled(len(unfinished), len(present))


def _graph(base: str, key: str) -> ox.NamedNode:
    return ox.NamedNode(document_iri(base, key))
