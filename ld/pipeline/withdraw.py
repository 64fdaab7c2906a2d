"""`ldpub withdraw`: the record's graph leaves the published data; a tombstone stays."""

from __future__ import annotations

from ..config import Settings
from ..uris import document_iri
from .writer import writing


class NotPublished(Exception):
    """The key (or its replacement) names no published record."""


def withdraw(settings: Settings, key: str, replaced_by: str | None, reason: str | None) -> None:
    with writing(settings) as writer:
        if writer.store.content_hash(document_iri(settings.base, key)) is None:
            raise NotPublished(f"no published thesis {key!r}; nothing withdrawn")
        if replaced_by and writer.store.content_hash(document_iri(settings.base, replaced_by)) is None:
            raise NotPublished(f"the replacement {replaced_by!r} is not published; publish it first")
        writer.withdraw(key, replaced_by, reason)
        writer.publisher.publish(with_statistics=True)
