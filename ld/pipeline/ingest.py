"""Read -> map -> validate -> publish or quarantine, with counts that reconcile.

Mapping and SHACL validation run in worker processes (workers.py, processing.py), a batch
at a time; the parent alone reads the sources and writes the store, since Oxigraph allows one
writer.  The workers never touch the store.
"""

from __future__ import annotations

import sys
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from tqdm import tqdm

from ..config import Settings
from ..model.combine import combine
from ..model.records import ReadError, Record, record_from_content
from ..model.validation import Finding, is_publishable, may_be, not_unique
from ..sources import READERS, Unit, read_units
from ..store.sources import Known
from ..uris import document_iri, thesis_iri
from .combining import canonical, from_graph, published_kinds
from .processing import BatchResult, Processed, map_and_validate, mapper_for, process_batch, process_batch_in_worker
from .recognition import recognise
from .unchanged import Plan, Recogniser, mapping_version
from .workers import in_order
from .writer import Writer, writing

SNAPSHOT_EVERY_SECONDS = 60
# Oxigraph's bulk loader writes one set of files per call: fewer, larger calls are much
# cheaper (bench/README.md), so validated batches are committed in groups.
COMMIT_RECORDS = 2_000
COMMIT_SECONDS = 5.0


@dataclass
class Summary:
    """What happened to every record read; read == published + quarantined + unreadable."""

    read: int = 0
    published_new: int = 0
    published_updated: int = 0
    unchanged: int = 0
    recognised: int = 0  # of the unchanged: known from their raw bytes, so neither mapped nor validated
    with_warnings: int = 0
    quarantined: int = 0
    unreadable: int = 0
    seconds: float = 0.0

    @property
    def published(self) -> int:
        return self.published_new + self.published_updated + self.unchanged

    def reconciles(self) -> bool:
        return self.read == self.published + self.quarantined + self.unreadable

    def lines(self) -> list[str]:
        rate = self.read / self.seconds if self.seconds else 0.0
        return [
            f"read:        {self.read}  ({self.seconds:.1f} s, {rate:.0f} records/s)",
            f"published:   {self.published}  (new {self.published_new}, updated "
            f"{self.published_updated}, unchanged {self.unchanged}, of which {self.recognised} recognised unread)",
            f"  with warnings: {self.with_warnings}",
            f"quarantined: {self.quarantined}  (see `ldpub quarantine list`)",
            f"unreadable:  {self.unreadable}",
            "counts reconcile" if self.reconciles() else "COUNTS DO NOT RECONCILE (a bug: please report)",
        ]

    @property
    def exit_code(self) -> int:
        """0: everything published; 1: something quarantined or unreadable."""
        return 0 if self.quarantined == 0 and self.unreadable == 0 else 1


def batches(
    items: Iterable[Unit | ReadError], size: int, on_error: Callable[[ReadError], None]
) -> Iterator[list[Unit]]:
    batch: list[Unit] = []
    for item in items:
        if isinstance(item, ReadError):
            on_error(item)
            continue
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


class Ingest:
    """One ingest run into one store."""

    def __init__(
        self, settings: Settings, writer: Writer, fmt: str | None = None, progress: bool | None = None
    ) -> None:
        self.settings = settings
        self.writer = writer
        self.store = writer.store
        self.ledgers = writer.ledgers
        self.publisher = writer.publisher  # search rows wait for the snapshot holding their records
        self.fmt = fmt
        self.summary = Summary()
        # What this run has read, kept small (EThOS has 627,000 records; bench/README.md):
        self.seen: dict[str, bytes] = {}  # key -> kind, brief content digest and location of its first record
        self.also_seen: dict[tuple[str, str], bytes] = {}  # (key, kind) -> the same, for other kinds (few)
        self.claimed: dict[str, str] = {}  # identifier -> graph, for the identifiers that are not keys
        self.published: dict[str, bytes] = {}  # key -> brief content digest written in this run
        self.moving: dict[str, str] = {}  # old key -> new key, for theses recognised under a new key
        self.fresh = self.store.is_empty()  # nothing to look up in an empty store
        self.recogniser = Recogniser(writer.ledgers.sources, mapping_version(settings.base, settings.license),
                                     self.fresh)  # fmt: skip
        self.progress = tqdm(unit=" records", disable=None if progress is None else not progress,
                             file=sys.stderr)  # fmt: skip
        self.modified = datetime.now(UTC)

    def run(self, paths: Iterable[Path | tuple[Path, str]]) -> Summary:
        """Ingest files, or (file, name to report) pairs such as a harvested page and its URL."""
        start = time.monotonic()
        if self.store.recovered:
            tqdm.write(f"recovered: dropped {self.store.recovered} records of an interrupted load; they are read again",
                       file=sys.stderr)  # fmt: skip
        last_snapshot = start
        for results in _grouped(self._processed(paths), COMMIT_RECORDS, COMMIT_SECONDS):
            self._commit(results)
            if time.monotonic() - last_snapshot > SNAPSHOT_EVERY_SECONDS:
                self.publisher.publish()
                last_snapshot = time.monotonic()
        if self.store.compact_if_grown():
            tqdm.write(f"compacted the store after {self.summary.read} records", file=sys.stderr)
        self.publisher.publish(with_statistics=True)
        self.progress.close()
        self.summary.seconds = time.monotonic() - start
        return self.summary

    def _units(self, paths: Iterable[Path | tuple[Path, str]]) -> Iterator[Unit | ReadError]:
        """Paths, or (path, name to report) pairs such as a harvested page and its URL."""
        for item in paths:
            path, display = item if isinstance(item, tuple) else (item, None)
            yield from read_units(Path(path), self.fmt, display)

    def _on_error(self, error: ReadError) -> None:
        self.summary.read += 1
        self.summary.unreadable += 1
        self.ledgers.quarantine.log_unreadable([error])
        tqdm.write(f"unreadable: {error}", file=sys.stderr)

    def _processed(self, paths: Iterable[Path | tuple[Path, str]]) -> Iterator[list[Processed]]:
        """Each batch in input order; records published unchanged are recognised here, not sent to a worker."""
        s = self.settings
        plans: deque[Plan] = deque()

        def work() -> Iterator[list[Unit]]:
            for batch in batches(self._units(paths), s.batch_size, self._on_error):
                plans.append(self.recogniser.plan(batch))
                yield plans[-1].to_process

        args = (s.base, s.license, s.shacl_engine, self.modified)
        for result in in_order(process_batch_in_worker, work(), args, s.worker_processes):
            plan = plans.popleft()
            for error in result.unreadable:
                self._on_error(error)
            yield self._merged(plan, result)

    def _merged(self, plan: Plan, result: BatchResult) -> list[Processed]:
        """The batch's records in input order: the known ones beside what the worker made of the rest."""
        sent = plan.sent
        made = {sent[position]: p for p, position in zip(result.processed, result.positions, strict=True)}
        for i, p in made.items():
            p.digest = plan.digests[i]
        merged = []
        for i, unit in enumerate(plan.units):
            if i in plan.known:
                merged.append(self._known(plan.known[i], unit))
            elif i in made:
                merged.append(made[i])
        return merged

    def _known(self, known: Known, unit: Unit) -> Processed:
        base = self.settings.base
        return Processed(
            key=known.key, graph=document_iri(base, known.key), thesis=thesis_iri(base, known.key),
            identifier=known.identifier, title=None, location=str(unit.where()), content_hash=known.content_hash,
            ntriples="", findings=[], record={}, digest=known.digest, known=unit, warned=known.warned, kind=unit.reader,
        )  # fmt: skip

    def _mapped_after_all(self, p: Processed) -> Processed:
        """A known record that this run's checks now hold back: mapped, to quarantine it with its report."""
        assert p.known is not None
        s = self.settings
        result = process_batch([p.known], s.base, s.license, s.shacl_engine, self.modified)
        mapped = result.processed[0]
        mapped.digest = p.digest
        return mapped

    def _commit(self, results: list[Processed]) -> None:
        """Decide each record's fate, then write the batch in as few transactions as possible."""
        new: list[tuple[str, str]] = []
        changed: list[tuple[str, str]] = []
        held, released, published, routed = [], [], [], []
        sources: Sources = {}  # key -> kind -> record, read in this batch
        for p in results:
            self.summary.read += 1
            self.progress.update(1)
            self._dataset_checks(p)
            if p.known is not None and (p.findings or self._published_otherwise(p)):
                p = self._mapped_after_all(p)  # e.g. a duplicate, or combined with another source this run
                self._dataset_checks(p)
            if is_publishable(p.findings):
                p = self._combined(self._recognised(p), sources)
            if not is_publishable(p.findings):
                held.append((p.key, p.location, p.title, p.findings, p.record, p.all_ntriples))
                self.summary.quarantined += 1
                continue
            released.append(p.key)
            published.append(p)
            if p.has_warnings:
                self.summary.with_warnings += 1
            if self._route(p, new, changed):
                routed.append(p)
        by_graph = {p.graph: p for p in routed}  # the last of a graph written here is what it holds
        # A thesis recognised under a new key is updated, not created: its old key moves to it.
        events = [
            (by_graph[g].key, "Update" if by_graph[g].replaces else "Create", by_graph[g].setspec) for g, _ in new
        ]
        events += [(by_graph[g].key, "Update", by_graph[g].setspec) for g, _ in changed]
        self.ledgers.changes.record(events)
        self.publisher.index(p.search_row for p in by_graph.values() if p.search_row)
        self.ledgers.sources.forget(by_graph[g].key for g, _ in changed)  # the ledger never claims more than the store
        said = {p.key: p.shared for p in by_graph.values()}
        for p in by_graph.values():  # sources are kept before the store is written: a crash between
            if p.combined:  # leaves them claiming a combination the store lacks, which the next ingest redoes
                self.ledgers.contributions.keep(p.key, p.combined)
        self.writer.write_records(new, changed, said)
        for p in by_graph.values():
            if p.replaces and p.replaces != p.key:
                self.writer.move(p.replaces, p.key, f"replaced by a newer record of the same thesis ({p.because})")
        final = {p.key: p.content_hash for p in by_graph.values()}
        self.ledgers.sources.remember(_known_as(p, final.get(p.key)) for p in published
                                      if p.known is None and p.digest and p.key not in self.moving)  # fmt: skip
        self.ledgers.tombstones.restore(k for k in released if k not in self.moving)
        self.ledgers.quarantine.release(released)
        self.ledgers.quarantine.hold(held)

    def _recognised(self, p: Processed) -> Processed:
        """A record under a key not yet published may be a thesis published under another
        (recognition.py): sure, it will replace that one; doubtful, it is held back."""
        base = self.settings.base
        if p.key in self.moving:  # another record of this run moved this thesis to a new key
            new = thesis_iri(base, self.moving[p.key])
            p.findings.append(may_be(p.key, p.thesis, new, "a record read earlier in this ingest replaced it "
                                     "under that key; ingest this one on its own to publish it there"))  # fmt: skip
            return p
        if self.fresh or p.known is not None or p.origin is None or p.key in self.published:
            return p
        if self.store.content_hash(p.graph) is not None:
            return p
        match = recognise(self.store.db, base, p.key, record_from_content(p.record, p.origin))
        if match is None:
            return p
        if match.sure and match.key not in self.published:  # one published in this run is no old version
            p.replaces, p.because = match.key, match.reason
            self.moving[match.key] = p.key
        else:
            p.findings.append(may_be(p.key, p.thesis, thesis_iri(base, match.key), match.reason))
        return p

    def _published_otherwise(self, p: Processed) -> bool:
        """Whether this run already published the record's thesis with other content (another
        source's record combined with it): a record known unchanged must then be read again."""
        earlier = self.published.get(p.key)
        return earlier is not None and earlier != _brief(p.content_hash)

    def _combined(self, p: Processed, batch: Sources) -> Processed:
        """The record combined with the other kinds of source of its thesis, when there are
        any (model/combine.py): mapped and validated again here, as one record."""
        if p.known is not None or not p.kind or p.origin is None:
            return p
        others = self._other_sources(p, batch)
        if not others:
            batch[p.key] = {p.kind: p}  # made a Record of only if another source of it comes
            return p
        s = self.settings
        mapper = mapper_for(s.base, s.license)  # canonical is idempotent: a record read back stays as it is
        records = {kind: canonical(_record_of(r), mapper) for kind, r in {**others, p.kind: p}.items()}
        batch[p.key] = dict(records)
        made = map_and_validate([combine(records)], s.base, s.license, s.shacl_engine, self.modified)[0]
        made.digest, made.kind, made.origin, made.combined = p.digest, p.kind, p.origin, records
        made.replaces, made.because = p.replaces, p.because
        self._dataset_checks(made, again=True)
        return made

    def _other_sources(self, p: Processed, batch: Sources) -> dict[str, Record | Processed]:
        """Records of other kinds of source about p's thesis: from this batch, the ledger of
        combined theses, or the published graph of a thesis one other kind described; under
        its key, and under the key it was published with until now (`replaces`)."""
        assert p.kind is not None
        if p.key in batch:
            return {kind: r for kind, r in batch[p.key].items() if kind != p.kind}
        keys = [p.key] if not p.replaces else [p.replaces, p.key]  # the newer key's records win
        if (
            self.fresh
            and not p.replaces
            and p.key not in self.published
            and self.seen.get(p.key, b"")[:1] in (b"", _kind_code(p.kind))
        ):
            return {}  # nothing in an empty store, and nothing of another kind in this run
        found: dict[str, Record | Processed] = {}
        for key in keys:
            kept = self.ledgers.contributions.of([key]).get(key)
            if kept:
                found.update(kept)
                continue
            kinds = published_kinds(self.store.db, self.settings.base, key)
            if len(kinds) == 1 and kinds[0] != p.kind:  # one other kind: read its record back
                said = self.ledgers.descriptions.said_by(key)
                if record := from_graph(self.store.db, self.settings.base, key, kinds[0], said):
                    found[kinds[0]] = record
        found.pop(p.kind, None)
        return found

    def _route(self, p: Processed, new: list, changed: list) -> bool:
        """Add the record to the new or changed ones; False when the store holds it already."""
        digest = _brief(p.content_hash)
        previous = self.published.get(p.key)  # published earlier in this run
        if previous is None and p.known is not None:  # the ledger's word: in the store with this content
            previous = digest
            self.summary.recognised += 1
        if previous is None and not self.fresh:
            stored = self.store.content_hash(p.graph)
            previous = _brief(stored) if stored is not None else None
        self.published[p.key] = digest
        if previous == digest:
            self.summary.unchanged += 1
            return False
        if previous is None:
            new.append((p.graph, p.ntriples))
            if p.replaces:  # a thesis already published, under the key it had
                self.summary.published_updated += 1
            else:
                self.summary.published_new += 1
        else:
            changed.append((p.graph, p.ntriples))
            self.summary.published_updated += 1
        return True

    def _dataset_checks(self, p: Processed, again: bool = False) -> None:
        """Check 1's dataset-wide half (unique identifier), against this run and the store's
        index.  Records of different kinds of source with one key are one thesis, combined
        (`_combined`); two different records of one kind are a conflict.  `again`: the
        record was combined, and was checked as it was read."""
        if not again:
            self._same_kind_checks(p)
        # An identifier that is its record's key (an EThOS ID, or a digest key) names one graph only.
        claimant = self.claimed.setdefault(p.identifier, p.graph) if p.identifier != p.key else p.graph
        # A known record claimed its identifier when it was published; later claimants were held back.
        others = set() if self.fresh or p.known is not None else self.store.graphs_with_identifier(p.identifier)
        others = (others | {claimant}) - {p.graph}
        if others:
            p.findings.append(_duplicate(p, f"already published as {sorted(others)[0]}"))

    def _same_kind_checks(self, p: Processed) -> None:
        code = _kind_code(p.kind)
        digest = _brief(p.content_hash)
        first = self.seen.get(p.key)
        table, at = (self.seen, p.key) if first is None or first[:1] == code else (self.also_seen, (p.key, p.kind))
        earlier = table.get(at)  # type: ignore[call-overload]
        if earlier and earlier[1 : 1 + BRIEF] != digest:
            where = earlier[1 + BRIEF :].decode("utf-8", "surrogateescape")
            p.findings.append(_duplicate(p, f"a different record with this identifier was read at {where}"))
        elif not earlier:
            table[at] = code + digest + p.location.encode("utf-8", "surrogateescape")  # type: ignore[index]


def _grouped(results: Iterator[list[Processed]], size: int, seconds: float) -> Iterator[list[Processed]]:
    """Concatenate batches until `size` records or `seconds` have gone by."""
    group: list[Processed] = []
    since = time.monotonic()
    for batch in results:
        group.extend(batch)
        if len(group) >= size or time.monotonic() - since >= seconds:
            yield group
            group, since = [], time.monotonic()
    if group:
        yield group


BRIEF = 16  # bytes of a content digest kept per record in a run: 64 bits tell versions of one record apart


def _brief(content_hash: str) -> bytes:
    return content_hash.encode()[:BRIEF]


Sources = dict[str, dict[str, "Record | Processed"]]  # key -> kind -> what that source said


def _record_of(said: Record | Processed) -> Record:
    """A source's record; a record read in this batch is made one only when it is combined."""
    if isinstance(said, Record):
        return said
    assert said.origin is not None
    record = record_from_content(said.record, said.origin)
    record.kind = said.kind
    return record


def _known_as(p: Processed, published_as: str | None) -> Known:
    """The ledger's row for a record's raw bytes: the content they were published with (a
    record combined with another source's was published as the combination)."""
    return Known(p.key, p.digest, published_as or p.content_hash, p.identifier, p.has_warnings)


_KINDS = {name: bytes([n]) for n, name in enumerate(sorted(READERS), start=1)}


def _kind_code(kind: str | None) -> bytes:
    return _KINDS.get(kind or "", b"\x00")


def _duplicate(p: Processed, detail: str) -> Finding:
    return not_unique(p.key, p.thesis, p.identifier, detail)


def ingest(settings: Settings, paths: Iterable[Path], fmt: str | None = None, progress: bool | None = None) -> Summary:
    """Ingest files into the store named by settings; the library entry point behind `ldpub ingest`."""
    with writing(settings) as writer:
        return Ingest(settings, writer, fmt=fmt, progress=progress).run(paths)
