"""The on-disk store: embedded Oxigraph (RocksDB), one named graph per record.

Layout under the store directory::

    primary/     the only database ingest writes (one writer at a time: write.lock)
    snapshots/   read-only checkpoints the web workers open (hard links, cheap); one
                 superseded by a newer is deleted 30 s later, and right away after a
                 compaction (it would pin the whole database as it was)
    CURRENT      name of the newest snapshot and the last change-log event it includes,
                 replaced atomically after each ingest
    UNPUBLISHED  present while primary holds writes no snapshot has yet
    BASE         the base URI the data was published under (config.built_with)
    quarantine.sqlite   records held back with their reports (quarantine.py)

Why snapshots: Oxigraph allows one writing process, opening a database read-only while
another process writes it is undefined behaviour, and a database opened before a fork
corrupts.  Ingest therefore writes ``primary`` alone and publishes a checkpoint; each
web worker opens the newest checkpoint read-only, in its own process, after the fork,
and moves to a newer one when CURRENT changes.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import threading
import time
import weakref
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox

from ..config import BASE_FILE
from ..vocab import DCT_IRI, own_terms
from . import changes, statistics

# A snapshot CURRENT no longer names is deleted this long after its successor was
# published.  Oxigraph opens a read-only database's files lazily, so a reader must be
# done with a snapshot by then: web requests read CURRENT afresh and take at most the
# SPARQL timeout (10 s by default); longer readers (dumps) read a `pinned_snapshot`.
SUPERSEDED_GRACE_NS = 30 * 10**9
READER_PREFIX = "reader-"  # snapshots/reader-PID-NS: a long reader's own links to a snapshot
# After this many records written, compaction rewrites the store's files (a bulk load
# leaves many small, overlapping ones: about 40% more disk at EThOS scale).
COMPACT_AFTER = 10_000
# A writer that leaves superseded snapshots pinning more than this deletes them before it
# ends: at once when no process reads the store, else after the grace.
SETTLE_BYTES = 64 << 20
# Every process reading snapshots (ReadStore) holds a shared lock on this file while it
# lives: a writer that can lock it alone knows nobody is reading a superseded snapshot.
READERS_LOCK = "readers.lock"
JOURNAL = "bulk-load.journal"
DROPPED = "bulk-load.dropped"  # graphs of interrupted loads, until a writer's ledgers forget them
UNPUBLISHED = "UNPUBLISHED"
DCTERMS_IDENTIFIER = ox.NamedNode(DCT_IRI + "identifier")


class StoreBusy(Exception):
    """Another process is writing the store."""


class StoreMissing(Exception):
    """No published data at that path yet."""


class WritableStore:
    """The primary database, for ingest and maintenance commands (one process at a time)."""

    def __init__(self, root: Path, base: str) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self._lock = open(self.root / "write.lock", "a+")  # noqa: SIM115 - held for our lifetime
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            self._lock.close()
            raise StoreBusy(f"{self.root} is being written by another ldpub process; wait for it to finish") from exc
        self._db = ox.Store(str(self.root / "primary"))
        self._loading: threading.Thread | None = None  # the bulk load in flight (add_records)
        self._load_failed: BaseException | None = None
        self._when_landed: list[Callable[[], None]] = []
        self.hash_predicate = ox.NamedNode(str(own_terms(base).contentHash))
        if not (self.root / BASE_FILE).exists() or self.is_empty():
            write_durably(self.root / BASE_FILE, (self._minted_under() or base) + "\n")
        # The figures of the current snapshot describe primary only if nothing was written
        # since it was published: then dropping graphs can adjust them instead of recounting.
        self._figures_follow = not (self.root / UNPUBLISHED).exists()
        self._removed: list[statistics.Removal] = []
        self.written = 0  # graphs written since this process opened or last compacted the store
        self.recovered = self._recover()

    @property
    def dropped(self) -> list[str]:
        """Graphs of interrupted bulk loads that opening the store dropped, kept on disk until
        `forget_dropped`: the ledgers of whoever opened it first may not have heard of them."""
        path = self.root / DROPPED
        return [g for g in path.read_text("utf-8").splitlines() if g] if path.exists() else []

    def forget_dropped(self) -> None:
        (self.root / DROPPED).unlink(missing_ok=True)

    @property
    def db(self) -> ox.Store:
        """The database, once the bulk load in flight has landed: whoever reads or writes
        it next sees every record add_records was given."""
        self.wait_for_load()
        return self._db

    def wait_for_load(self) -> None:
        """Block until the bulk load in flight (if any) has landed, then run what waited for
        it (`when_landed`); a load that failed raises here, its journal left for the next writer."""
        loading, self._loading = self._loading, None
        if loading is None:
            return
        loading.join()
        failed, self._load_failed = self._load_failed, None
        if failed is not None:
            self._when_landed = []
            raise failed
        landed, self._when_landed = self._when_landed, []
        for action in landed:
            action()

    def when_landed(self, action: Callable[[], None]) -> None:
        """Run `action` once the records handed to add_records so far are in the store (now,
        when no load is in flight): e.g. removing a note that a crash must find."""
        if self._loading is None:
            action()
        else:
            self._when_landed.append(action)

    def close(self) -> None:
        try:
            self.db.flush()  # waits for a load in flight; one that failed raises here
        finally:
            del self._db
            fcntl.flock(self._lock, fcntl.LOCK_UN)
            self._lock.close()

    def _minted_under(self) -> str | None:
        """The base a store written before BASE was kept minted its IRIs under (read from a
        record's graph name), so that the first command run on it without --base does not
        record the default instead."""
        for graph in self.db.named_graphs():
            if isinstance(graph, ox.NamedNode) and "/doc/thesis/" in graph.value:
                return graph.value.split("doc/thesis/", 1)[0]
        return None

    def is_empty(self) -> bool:
        return next(iter(self.db.named_graphs()), None) is None

    def content_hash(self, graph: str) -> str | None:
        """The content digest stored with a published record, None when not published."""
        return stored_hash(self.db, graph, self.hash_predicate)

    def graphs_with_identifier(self, identifier: str) -> set[str]:
        """Named graphs whose thesis carries this dcterms:identifier (the uniqueness index)."""
        found = self.db.quads_for_pattern(None, DCTERMS_IDENTIFIER, ox.Literal(identifier), None)
        return {q.graph_name.value for q in found if isinstance(q.graph_name, ox.NamedNode)}

    def add_records(self, records: Iterable[tuple[str, str]]) -> None:
        """Insert new records, (graph IRI, N-Triples) pairs, with Oxigraph's bulk loader.

        The bulk loader is four times faster than a transactional load but not atomic, so
        the batch's graph names go to a journal first; if the process dies mid-load, the
        next writer drops those graphs (they were new, so nothing else is lost; `dropped`
        names them) and a rerun loads them again.  Readers never see a half batch: they
        read snapshots, taken between batches.

        The load runs in a thread of its own, which Oxigraph lets go of the GIL for: the
        caller goes on with the next records (the ingest workers are not left waiting for
        a load to finish, bench/README.md) while the next use of `db` waits for it.
        """
        records = list(records)
        if not records:
            return
        db = self.db  # one load at a time, under one journal
        self._writing(adjustable=False)
        journal = self.root / JOURNAL
        write_durably(journal, "\n".join(graph for graph, _ in records))
        nquads = "".join(in_graph(ntriples, graph) for graph, ntriples in records).encode("utf-8")
        self._loading = threading.Thread(target=self._load, args=(db, nquads, journal), name="ldpub-load")
        self._loading.start()
        self.written += len(records)

    def _load(self, db: ox.Store, nquads: bytes, journal: Path) -> None:
        try:
            # lenient: our own strict writer made this N-Quads (and SHACL checked it); skip re-validating IRIs.
            db.bulk_load(nquads, format=ox.RdfFormat.N_QUADS, lenient=True)
            journal.unlink()
        except BaseException as failed:  # raised in the thread that waits for the load
            self._load_failed = failed

    def _recover(self) -> int:
        """Drop the graphs of a bulk load that did not finish; return how many."""
        journal = self.root / JOURNAL
        if not journal.exists():
            return 0
        graphs = [g for g in journal.read_text("utf-8").splitlines() if g]
        write_durably(self.root / DROPPED, "\n".join([*self.dropped, *graphs]))
        self._writing(adjustable=False)
        for start in range(0, len(graphs), 500):
            chunk = graphs[start : start + 500]
            self.db.update(" ".join(f"DROP SILENT GRAPH <{g}> ;" for g in chunk).rstrip(" ;"))
        self.db.flush()
        journal.unlink()
        return len(graphs)

    def replace_records(self, records: Iterable[tuple[str, str]]) -> None:
        """Drop and rewrite records' graphs in one SPARQL update: a crash leaves old or new, never half."""
        records = list(records)
        if not records:
            return
        self._writing(adjustable=False)
        drops = " ".join(f"DROP SILENT GRAPH <{graph}> ;" for graph, _ in records)
        body = "".join(f"GRAPH <{graph}> {{\n{nt}}}\n" for graph, nt in records)
        self.db.update(f"{drops}\nINSERT DATA {{\n{body}}}")
        self.written += len(records)

    def mark_interrupted(self, graph: str) -> bool:
        """Give a record's graph a content digest no ingest makes, so that the next ingest
        replaces it; False when the record is not in the store."""
        node = ox.NamedNode(graph)
        if not self.db.contains_named_graph(node):
            return False
        self._writing(adjustable=False)
        g, p = f"<{node.value}>", f"<{self.hash_predicate.value}>"
        mark = ox.Literal(f"interrupted-{time.time_ns()}")
        self.db.update(f"DELETE {{ GRAPH {g} {{ {g} {p} ?h }} }} INSERT {{ GRAPH {g} {{ {g} {p} {mark} }} }} "
                       f"WHERE {{ GRAPH {g} {{ {g} {p} ?h }} }}")  # fmt: skip
        return True

    def drop_graph(self, graph: str) -> None:
        self._writing(adjustable=True)
        self._removed.append(statistics.removal(self.db, graph))
        self.db.update(f"DROP SILENT GRAPH <{ox.NamedNode(graph).value}>")

    def _writing(self, adjustable: bool) -> None:
        """Note that primary is about to change; only drops leave the figures adjustable."""
        (self.root / UNPUBLISHED).touch()
        self._figures_follow = self._figures_follow and adjustable

    def compact_if_grown(self) -> bool:
        """Compact the database after a bulk write (COMPACT_AFTER records or more): minutes
        at EThOS scale, but a third less disk and fewer files for every reader."""
        if self.written < COMPACT_AFTER:
            return False
        self.db.flush()
        self.db.optimize()
        self.written = 0
        return True

    def settle(self) -> None:
        """Delete superseded snapshots when they pin much disk (after a compaction, the whole
        database as it was before): at once when no process reads the store, else after
        their grace, which a reader may still be using."""
        snapshots = self.root / "snapshots"
        if _pinned_bytes(self.root) <= SETTLE_BYTES:
            return
        with _alone(self.root) as alone:
            if alone:
                _prune(snapshots, grace_ns=0)
                return
        newest = max((int(p.name) for p in snapshots.iterdir() if p.name.isdigit()), default=0)
        time.sleep(max(0.0, (newest + SUPERSEDED_GRACE_NS - time.time_ns()) / 1e9))
        _prune(snapshots)

    def published_snapshot(self) -> Path:
        """The current snapshot, published anew first when primary holds writes it lacks."""
        current = current_snapshot(self.root)
        if current is None or (self.root / UNPUBLISHED).exists():
            current = self.publish_snapshot(with_statistics=True)
        return current

    def publish_snapshot(self, with_statistics: bool = False) -> Path:
        """Checkpoint primary for the web workers and point CURRENT at it.

        with_statistics: also figures for the VoID description: adjusted from the current
        snapshot's when only graphs were dropped since, else counted (about 20 s at EThOS
        scale, so done at the end of an ingest, not for the snapshots taken during one).
        """
        self.db.flush()
        snapshots = self.root / "snapshots"
        snapshots.mkdir(exist_ok=True)
        name = f"{time.time_ns()}"
        included = changes.last_seq(self.root)  # every event so far is in primary: events precede writes
        self.db.backup(str(snapshots / name))
        if with_statistics:
            previous = statistics.of_snapshot(current_snapshot(self.root)) if self._figures_follow else None
            known = statistics.adjusted(previous, self._removed, self.db) if previous else None
            statistics.write(snapshots / name, known)
        write_durably(self.root / "CURRENT", f"{name}\nchanges {included}\n")
        (self.root / UNPUBLISHED).unlink(missing_ok=True)
        self._figures_follow, self._removed = with_statistics, []
        _prune(snapshots)
        return snapshots / name

    def __enter__(self) -> WritableStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def stored_hash(db: ox.Store, graph: str, predicate: ox.NamedNode) -> str | None:
    """The content digest a record's graph states about itself (one point lookup)."""
    node = ox.NamedNode(graph)
    for quad in db.quads_for_pattern(node, predicate, None, node):
        return quad.object.value
    return None


def write_durably(path: Path, text: str) -> None:
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w", encoding="utf-8") as stream:
        stream.write(text)
        stream.flush()
        os.fsync(stream.fileno())
    os.replace(tmp, path)


def in_graph(ntriples: str, graph: str) -> str:
    """N-Triples lines (each ending ' .\\n', as ld.model.ntriples writes them) as N-Quads lines in one named graph."""
    return ntriples.replace(" .\n", f" <{graph}> .\n")  # our writer escapes newlines: " .\n" ends lines only


@contextmanager
def pinned_snapshot(root: Path) -> Iterator[ox.Store]:
    """The newest snapshot, opened through hard links of the reader's own, which no pruning
    removes: for readers that take minutes (a dump of the whole dataset)."""
    current = current_snapshot(root)
    if current is None:
        raise StoreMissing(f"no published data in {root}: run `ldpub ingest FILE` first")
    own = Path(root) / "snapshots" / f"{READER_PREFIX}{os.getpid()}-{time.time_ns()}"
    own.mkdir()
    try:
        for f in current.iterdir():
            os.link(f, own / f.name)
        yield ox.Store.read_only(str(own))
    finally:
        shutil.rmtree(own, ignore_errors=True)


def _prune(snapshots: Path, grace_ns: int | None = None) -> None:
    """Remove the snapshots superseded more than the grace ago; workers re-open the newest
    on their next request."""
    names = sorted((p for p in snapshots.iterdir() if p.name.isdigit()), key=lambda p: int(p.name))
    grace_ns = SUPERSEDED_GRACE_NS if grace_ns is None else grace_ns
    now = time.time_ns()
    kept = {names[-1].name} if names else set()
    for old, successor in zip(names, names[1:], strict=False):
        if now - int(successor.name) > grace_ns:
            shutil.rmtree(old, ignore_errors=True)
        else:
            kept.add(old.name)
    for reader in snapshots.glob(f"{READER_PREFIX}*"):  # left by a reader that was killed
        if not _alive(int(reader.name.split("-")[1])):
            shutil.rmtree(reader, ignore_errors=True)
    stats = sorted(snapshots.glob("*.stats.json"), key=lambda p: int(p.name.split(".")[0]))
    for old in stats[:-1]:  # the newest statistics stay, even when their snapshot has gone
        if old.name.split(".")[0] not in kept:
            old.unlink(missing_ok=True)


@contextmanager
def _alone(root: Path) -> Iterator[bool]:
    """Whether no process reads the store's snapshots (READERS_LOCK); while True, none can
    start to (a reader waits for the lock before it reads CURRENT)."""
    with open(Path(root) / READERS_LOCK, "ab") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _reading(root: Path) -> int | None:
    """A reader's shared hold on READERS_LOCK, kept while the descriptor stays open; None
    when the file is missing and this reader may not make it (tried again on its next read)."""
    path = Path(root) / READERS_LOCK
    try:
        fd = os.open(path, os.O_RDONLY)  # a reader may not be allowed to write the store
    except FileNotFoundError:
        try:
            fd = os.open(path, os.O_RDONLY | os.O_CREAT, 0o644)
        except OSError:
            return None
    fcntl.flock(fd, fcntl.LOCK_SH)
    return fd


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def _pinned_bytes(root: Path) -> int:
    """Bytes of files that only superseded snapshots still hold."""
    current = current_snapshot(root)
    live = {inode for d in (root / "primary", current) if d and d.is_dir() for inode, _ in _files(d)}
    superseded = [p for p in (root / "snapshots").iterdir() if p.name.isdigit() and p != current]
    files = {inode: size for d in superseded for inode, size in _files(d)}
    return sum(size for inode, size in files.items() if inode not in live)


def _files(folder: Path) -> Iterator[tuple[int, int]]:
    """(inode, size) of each file in a folder; RocksDB's compaction deletes files in
    primary at any moment, so a file listed may be gone by the time it is looked at."""
    for path in folder.iterdir():
        with contextlib.suppress(FileNotFoundError):
            status = path.stat()
            yield status.st_ino, status.st_size


def current_snapshot(root: Path) -> Path | None:
    return _published(root)[0]


def published_changes(root: Path) -> int | None:
    """The last change-log event the current snapshot includes (None: a store from before this was kept)."""
    return _published(root)[1]


_read: dict[str, tuple[tuple[int, int, int], tuple[Path | None, int | None]]] = {}


def _published(root: Path) -> tuple[Path | None, int | None]:
    """CURRENT: the snapshot's name, then `changes N`.  Read again only when the file changed
    (a stat, not an open and a read, on every request: CURRENT is replaced, never edited)."""
    current = os.path.join(root, "CURRENT")  # a string: this runs on every request
    try:
        seen = os.stat(current)
    except FileNotFoundError:
        return None, None
    stamp = (seen.st_ino, seen.st_mtime_ns, seen.st_size)
    held = _read.get(current)
    if held is not None and held[0] == stamp:
        return held[1]
    try:
        lines = Path(current).read_text().split("\n")
    except FileNotFoundError:
        return None, None
    included = lines[1].split() if len(lines) > 1 else []
    last = int(included[1]) if len(included) == 2 and included[0] == "changes" else None
    found = (Path(root) / "snapshots" / lines[0].strip(), last)
    _read[current] = (stamp, found)
    return found


class ReadStore:
    """Per-process read access to the newest snapshot; reopens when ingest publishes a newer one."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self._path: Path | None = None
        self._db: ox.Store | None = None
        self._pid = os.getpid()
        self._lock: int | None = None  # a descriptor held from the first read on (READERS_LOCK)

    @property
    def db(self) -> ox.Store:
        """The open snapshot, checked against CURRENT on every use (one small file read)."""
        return self.opened()[0]

    def opened(self) -> tuple[ox.Store, Path]:
        """The newest snapshot, open, and its path: for a request that reads it more than once
        and must read the same snapshot each time (CURRENT is read once)."""
        if self._pid != os.getpid():  # never use a handle inherited through fork
            self._db, self._path, self._pid, self._lock = None, None, os.getpid(), None
        if self._lock is None:  # before CURRENT is read: a writer then waits out the grace
            self._lock = _reading(self.root)
            if self._lock is not None:
                weakref.finalize(self, os.close, self._lock)
        newest = current_snapshot(self.root)
        if newest is None:
            raise StoreMissing(f"no published data in {self.root}: run `ldpub ingest FILE` first")
        if newest != self._path or self._db is None:
            self._db = ox.Store.read_only(str(newest))
            self._path = newest
        return self._db, newest

    def quads(self, graph: str) -> Iterator[ox.Quad]:
        node = ox.NamedNode(graph)
        return self.db.quads_for_pattern(None, None, None, node)

    def published_changes(self) -> int | None:
        """The last change-log event the newest snapshot includes: readers list nothing later."""
        return published_changes(self.root)

    def has_graph(self, graph: str) -> bool:
        return self.db.contains_named_graph(ox.NamedNode(graph))
