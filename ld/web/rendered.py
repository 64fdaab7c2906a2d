"""A record document's representations, made once per content version and served as bytes.

Every record's graph carries the digest of the content it was made from, and every shared
graph the digest of its description; the record's digest combined with those of the
shared graphs it names (store/shared.py), the variant and the version of the rendering
code name a representation exactly, so:

- the ETag is known before any body exists: a conditional GET answers 304 after one point
  lookup in the store, without decoding the record or serialising it;
- a representation, once made, is kept under that name, where no other content can ever
  be found: a replaced record has a new digest, a withdrawn one has none, so neither can
  be answered with old bytes, and nothing has to be invalidated.

Bodies are kept twice: in each worker's memory (most recently used first, up to a byte
budget), and as files under the store's `rendered/` folder that every worker, and every
later server process, shares.  A record is made at most once per rendering version,
whichever worker sees it first.  The files are a cache: deleting them loses nothing.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from importlib import resources
from pathlib import Path

import pyoxigraph as ox

from .. import __version__
from ..store.shared import document_digest
from ..uris import document_iri
from ..vocab import own_terms

MEMORY_BUDGET = 64 << 20  # bytes of bodies per worker process; the files hold the rest
DIGESTS_KEPT = 700_000  # record digests per worker process (about 100 bytes each): every EThOS record
FOLDER = "rendered"  # under the store's root


@dataclass(frozen=True)
class Rendered:
    """One representation with what it says about itself in headers."""

    body: bytes
    mimetype: str
    modified: datetime | None
    links: str  # the whole Link header: signposting, then the other variants

    def to_bytes(self) -> bytes:
        head = {"mimetype": self.mimetype, "links": self.links,
                "modified": self.modified.isoformat() if self.modified else None}  # fmt: skip
        return json.dumps(head).encode() + b"\n" + self.body

    @classmethod
    def from_bytes(cls, data: bytes) -> Rendered:
        line, _, body = data.partition(b"\n")
        head = json.loads(line)
        modified = datetime.fromisoformat(head["modified"]) if head["modified"] else None
        return cls(body, head["mimetype"], modified, head["links"])


@cache
def rendering_version() -> str:
    """Changes whenever the code that makes bodies may have: ldpub's version, its templates
    and the modules that serialise and lay out a record.  Part of every ETag and of the
    shared folder's name."""
    digest = hashlib.sha256(__version__.encode())
    package = Path(str(resources.files("ld")))
    sources = [package / "renderers.py", package / "jsonld.py", package / "web" / "pages.py",
               package / "web" / "theses.py", package / "web" / "respond.py"]  # fmt: skip
    sources += sorted((package / "web" / "templates").iterdir())
    for path in sources:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:8]


def stored_digest(db: ox.Store, base: str, key: str) -> str | None:
    """The digest of the record's document (its graph and the shared descriptions it
    names); None when the record is not published."""
    return document_digest(db, base, document_iri(base, key), _hash_predicate(base))


@cache
def _hash_predicate(base: str) -> ox.NamedNode:
    return ox.NamedNode(str(own_terms(base).contentHash))


class Digests:
    """Each record's digest as the published snapshot states it, remembered for that snapshot.

    A point lookup in a large store costs a few hundred microseconds (RocksDB blocks read
    and decoded), more than everything else a kept record's answer needs; within one
    snapshot a record's digest cannot change, so it is looked up once per snapshot and
    process.  A new snapshot starts afresh."""

    def __init__(self, size: int = DIGESTS_KEPT) -> None:
        self.size = size
        self.snapshot: Path | None = None
        self.known: OrderedDict[str, str | None] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, db: ox.Store, snapshot: Path, base: str, key: str) -> str | None:
        with self.lock:
            if snapshot is not self.snapshot and snapshot != self.snapshot:
                self.snapshot, self.known = snapshot, OrderedDict()
            elif key in self.known:
                self.known.move_to_end(key)
                return self.known[key]
        digest = stored_digest(db, base, key)
        with self.lock:
            if snapshot is self.snapshot or snapshot == self.snapshot:
                self.known[key] = digest
                if len(self.known) > self.size:
                    self.known.popitem(last=False)
        return digest


def etag(digest: str, suffix: str) -> str:
    """A strong validator for one representation of one content version."""
    return f"{digest[:24]}.{suffix}.{rendering_version()}"


class Bodies:
    """Representations by (digest, variant): this process's memory first, then the files
    every worker shares.  Safe to share between a worker's threads."""

    def __init__(self, folder: Path | None, budget: int = MEMORY_BUDGET) -> None:
        self.folder = folder / rendering_version() if folder is not None else None
        self.held_in = str(self.folder)
        self.budget = budget
        self.held = 0
        self.kept: OrderedDict[tuple[str, str], Rendered] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, digest: str, suffix: str) -> Rendered | None:
        name = (digest, suffix)
        with self.lock:
            found = self.kept.get(name)
            if found is not None:
                self.kept.move_to_end(name)
                return found
        path = self._path(digest, suffix)
        if path is None:
            return None
        try:
            with open(path, "rb") as stream:
                found = Rendered.from_bytes(stream.read())
        except (OSError, ValueError):  # not made yet (or a torn file from a crash: made again)
            return None
        self._remember(name, found)
        return found

    def put(self, digest: str, suffix: str, rendered: Rendered) -> None:
        self._remember((digest, suffix), rendered)
        name = self._path(digest, suffix)
        if name is None:
            return
        path = Path(name)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.part")
            partial.write_bytes(rendered.to_bytes())
            os.replace(partial, path)  # readers see the whole file or none
        except OSError as error:  # a read-only store: keep serving from memory
            print(f"ldpub: not keeping rendered bodies in {self.folder}: {error}", file=sys.stderr)
            self.folder = None

    def _path(self, digest: str, suffix: str) -> str | None:
        if self.folder is None or not digest.isalnum():
            return None
        return f"{self.held_in}/{digest[:2]}/{digest}.{suffix}"

    def _remember(self, name: tuple[str, str], rendered: Rendered) -> None:
        with self.lock:
            if name in self.kept:
                return
            self.kept[name] = rendered
            self.held += len(rendered.body)
            while self.held > self.budget and len(self.kept) > 1:
                _, dropped = self.kept.popitem(last=False)
                self.held -= len(dropped.body)


def prune(store_root: Path) -> None:
    """Delete bodies made by other versions of the rendering code (they can never be served)."""
    folder = store_root / FOLDER
    if not folder.is_dir():
        return
    for entry in folder.iterdir():
        if entry.is_dir() and entry.name != rendering_version():
            shutil.rmtree(entry, ignore_errors=True)
