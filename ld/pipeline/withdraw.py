"""`ldpub withdraw`: the record's graph leaves the published data; a tombstone stays."""

from __future__ import annotations

from ..config import Settings
from .ingest import writing
from .publishing import Publisher


class NotPublished(Exception):
    """The key (or its replacement) names no published record."""


def withdraw(settings: Settings, key: str, replaced_by: str | None, reason: str | None) -> None:
    with writing(settings) as (store, (_, tombstones, changes, search)):
        graph = f"{settings.base}doc/thesis/{key}"
        if store.content_hash(graph) is None:
            raise NotPublished(f"no published thesis {key!r}; nothing withdrawn")
        if replaced_by and store.content_hash(f"{settings.base}doc/thesis/{replaced_by}") is None:
            raise NotPublished(f"the replacement {replaced_by!r} is not published; publish it first")
        publisher = Publisher(store, search)
        changes.record([(key, "Delete")])
        tombstones.withdraw(key, replaced_by, reason)
        publisher.unindex([key])
        store.drop_graph(graph)
        publisher.publish(with_statistics=True)
