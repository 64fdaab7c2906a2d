"""A record document's representations, made once per content version and served as bytes.

Every record's graph carries the digest of the content it was made from.  That digest,
the variant and the version of the rendering code name a representation exactly, so:

- the ETag is known before any body exists, and a conditional GET answers 304 after one
  point lookup in the store, without decoding the record or serialising it;
- a body, once made, is kept per worker process with the digest it was made from and the
  snapshot it was last seen in: within that snapshot it is served without touching the
  store; after a new snapshot it is checked once against the record's digest, so a
  replaced record is never served stale and a withdrawn one (no graph, no digest) is gone.

What is kept is what depends on the record alone (body, Link targets, Last-Modified);
the headers that depend on the request (Vary, Content-Location) are set per request.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from importlib import resources
from pathlib import Path

import pyoxigraph as ox

from .. import __version__
from ..store.rdf import stored_hash
from ..uris import document_iri
from ..vocab import own_terms

KEPT = 4096  # bodies per worker process: a few MB; the store stays the source of truth

Links = list[tuple[str, str, dict[str, str]]]


@dataclass(frozen=True)
class Rendered:
    body: bytes
    mimetype: str
    modified: datetime | None
    links: Links  # Link header entries that depend on the record (signposting)


@cache
def rendering_version() -> str:
    """Changes whenever the code that makes bodies may have: ldpub's version, its templates
    and the modules that serialise and lay out a record.  Part of every ETag."""
    digest = hashlib.sha256(__version__.encode())
    package = Path(str(resources.files("ld")))
    sources = [package / "renderers.py", package / "web" / "pages.py", package / "web" / "theses.py"]
    sources += sorted((package / "web" / "templates").iterdir())
    for path in sources:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:8]


def stored_digest(db: ox.Store, base: str, key: str) -> str | None:
    """The digest stored in the record's graph; None when the record is not published."""
    return stored_hash(db, document_iri(base, key), ox.NamedNode(str(own_terms(base).contentHash)))


def digest_in(triples: list[ox.Triple], base: str, key: str) -> str | None:
    """The digest as the record's triples state it (to check what was read is what was named)."""
    graph, predicate = document_iri(base, key), str(own_terms(base).contentHash)
    return next((t.object.value for t in triples if t.subject.value == graph and t.predicate.value == predicate), None)


def etag(digest: str, suffix: str) -> str:
    """A strong validator for one representation of one content version."""
    return f"{digest[:24]}.{suffix}.{rendering_version()}"


@dataclass
class Kept:
    snapshot: Path  # the snapshot this content was last seen in
    digest: str
    rendered: Rendered


class Bodies:
    """The representations this worker has made, least recently used dropped first.

    An entry seen in the published snapshot is served without touching the store; after a
    new snapshot it is checked once against the record's digest (one point lookup) and
    dropped when the record changed or was withdrawn."""

    def __init__(self, size: int = KEPT) -> None:
        self.size = size
        self.kept: OrderedDict[tuple[str, str], Kept] = OrderedDict()

    def current(self, name: tuple[str, str], snapshot: Path, digest: Callable[[], str | None]) -> Kept | None:
        """The kept representation if it is still the record's in `snapshot`."""
        found = self.kept.get(name)
        if found is None:
            return None
        if found.snapshot != snapshot:
            if digest() != found.digest:
                del self.kept[name]
                return None
            found.snapshot = snapshot
        self.kept.move_to_end(name)
        return found

    def keep(self, name: tuple[str, str], kept: Kept) -> None:
        self.kept[name] = kept
        self.kept.move_to_end(name)
        if len(self.kept) > self.size:
            self.kept.popitem(last=False)
