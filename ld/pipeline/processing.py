"""What an ingest worker does to a batch of raw records: parse, map, validate (workers.py).

Kept apart from ingest.py, which also holds the writer's side, so that a worker process
imports mapping, validation and the search document's form, and not the store, the web
app or the command line (each worker is about 40 MB lighter for it; bench/README.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cache

from ..model.mapping import Mapped, Mapper
from ..model.records import Location, ReadError, Record, content_digest
from ..model.validation import Finding, validate_batch
from ..search.documents import Prepared, prepare
from ..search.rows import IndexRow, from_rdflib, index_row
from ..sources import Unit
from ..uris import oai_set
from ..vocab import own_terms
from .memory import release_free_memory
from .unchanged import mapping_version


@dataclass
class Processed:
    """One record after mapping and validation, ready to publish or hold."""

    key: str
    graph: str
    thesis: str
    identifier: str
    title: str | None
    location: str
    content_hash: str
    ntriples: str  # the record's own graph
    findings: list[Finding]
    record: dict
    setspec: str | None = None  # the OAI-PMH set: the awarding body
    search_row: Prepared | None = None  # what the search index holds for it, read from its graph
    digest: str = ""  # of the raw record it was read from (sources.Unit.digest)
    known: Unit | None = None  # the raw record, when it was recognised as published unchanged and not mapped
    warned: bool = False  # had warnings when it was published (for a known record, whose findings are not made)
    shared: dict[str, str] = field(default_factory=dict)  # shared graph -> what this record says there
    kind: str | None = None  # the reader's name: what kind of source it came from
    origin: Location | None = None  # where it was read, for combining with other sources
    combined: dict[str, Record] | None = None  # kind -> record, when several sources were combined into it
    replaces: str | None = None  # the key this thesis was published under until now (recognition.py)
    because: str = ""  # how it was recognised

    @property
    def all_ntriples(self) -> str:
        """Everything the record says, its shared descriptions included (what SHACL checked)."""
        return self.ntriples + "".join(self.shared.values())

    @property
    def has_warnings(self) -> bool:
        return self.warned or any(f.severity == "Warning" for f in self.findings)


@cache
def mapper_for(base: str, license_iri: str) -> Mapper:
    return Mapper(base, license_iri)


@dataclass
class BatchResult:
    processed: list[Processed]
    unreadable: list[ReadError]
    positions: list[int]  # of each processed record in the batch's units


def process_batch(units: list[Unit], base: str, license_iri: str, engine: str, modified: datetime) -> BatchResult:
    """Parse, map and validate one batch of raw records (runs in a worker process)."""
    records: list[Record] = []
    positions: list[int] = []
    errors: list[ReadError] = []
    for position, unit in enumerate(units):
        item = unit.parse()
        if isinstance(item, ReadError):
            errors.append(item)
        else:
            records.append(item)
            positions.append(position)
    return BatchResult(map_and_validate(records, base, license_iri, engine, modified), errors, positions)


def process_batch_in_worker(
    units: list[Unit], base: str, license_iri: str, engine: str, modified: datetime
) -> BatchResult:
    """process_batch, then the memory it freed given back: what ingest's worker processes run."""
    try:
        return process_batch(units, base, license_iri, engine, modified)
    finally:
        release_free_memory()


def map_and_validate(
    records: list[Record], base: str, license_iri: str, engine: str, modified: datetime
) -> list[Processed]:
    mapper = mapper_for(base, license_iri)
    own = str(own_terms(base))
    version = mapping_version(base, license_iri)
    contents = [r.content() for r in records]
    hashes = [content_digest(c, version) for c in contents]
    mapped = [mapper.map(r, modified, h) for r, h in zip(records, hashes, strict=True)]
    parts = [m.parts() for m in mapped]
    findings = validate_batch(mapped, engine, parts)
    return [
        Processed(
            key=m.key, graph=str(m.graph), thesis=str(m.thesis), identifier=r.ethos_id or m.key,
            title=r.title, location=str(r.location), content_hash=h, ntriples=nt, shared=shared,
            findings=found, record=c, setspec=setspec_of(m), kind=r.kind, origin=r.location,
            search_row=_prepared(index_row(own, from_rdflib(m.triples))),
        )
        for r, m, h, (nt, shared), found, c in zip(records, mapped, hashes, parts, findings, contents, strict=True)
    ]  # fmt: skip


def _prepared(row: IndexRow | None) -> Prepared | None:
    return prepare(row) if row is not None else None


def setspec_of(mapped: Mapped) -> str | None:
    """The record's OAI-PMH set: its awarding body, as 'isni-…' or 'name-…' (no ':' hierarchy)."""
    for _, predicate, value in mapped.triples:
        if str(predicate) == "http://id.loc.gov/vocabulary/relators/dgg":
            return oai_set(str(value))
    return None
