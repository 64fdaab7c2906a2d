"""`ldpub withdraw`: the record's graph leaves the published data; a tombstone stays."""

from __future__ import annotations

from .changes import ChangeLog
from .config import Settings
from .store import WritableStore
from .tombstones import Tombstones


class NotPublished(Exception):
    """The key (or its replacement) names no published record."""


def withdraw(settings: Settings, key: str, replaced_by: str | None, reason: str | None) -> None:
    with WritableStore(settings.store, settings.base) as store:
        graph = f"{settings.base}doc/thesis/{key}"
        if store.content_hash(graph) is None:
            raise NotPublished(f"no published thesis {key!r}; nothing withdrawn")
        if replaced_by and store.content_hash(f"{settings.base}doc/thesis/{replaced_by}") is None:
            raise NotPublished(f"the replacement {replaced_by!r} is not published; publish it first")
        tombstones, changes = Tombstones(settings.store), ChangeLog(settings.store)
        try:
            changes.record([(key, "Delete")])
            tombstones.withdraw(key, replaced_by, reason)
        finally:
            tombstones.close()
            changes.close()
        store.drop_graph(graph)
        store.publish_snapshot(with_statistics=True)
