"""SHACL validation of records in batches, each finding traced back to its record.

Records are validated many at a time (one engine call per batch), but a batch must not
let records see each other: an organisation two records name differently would otherwise
show two names.  So in the batch graph every shared resource is renamed by what is said
of it: a description that several records give word for word (an institution's, a
degree's, a concept's, as written for its own graph) appears once, as
``<iri#ldpub-d<v>>``, and is validated once for all of them; a resource described only
within a record (a person) gets a record-scoped IRI, ``<iri#ldpub-r<i>>``.  The suffix
tells which records a finding belongs to and is removed before anyone sees it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF

from ..uris import thesis_of
from ..vocab import SH
from .mapping import Mapped
from .ntriples import iri as nt_iri

SHAPES_DIR = (
    Path(__file__).resolve().parent.parent / "shapes"
)  # ld/shapes: the top-level shapes/, shipped in the package
RECORD_SHAPES = ("prefixes.ttl", "thesis.ttl", "agents.ttl", "concepts.ttl", "document.ttl")
DATASET_SHAPES = ("prefixes.ttl", "dataset.ttl")
_SUFFIX = "#ldpub-r"  # a resource as one record describes it
_VARIANT = "#ldpub-d"  # a shared description, as every record giving it word for word
_SCOPED = "#ldpub-"
UNIQUE_SHAPE = "https://w3id.org/ldpub/shapes#uniqueIdentifier"
IDENTITY_SHAPE = "https://w3id.org/ldpub/shapes#institutionIdentity"
SEVERITIES = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}


@dataclass(frozen=True)
class Finding:
    """One SHACL result, in terms a person can act on."""

    key: str
    severity: str  # Violation, Warning or Info
    message: str
    focus: str
    path: str | None = None
    value: str | None = None
    shape: str | None = None
    component: str | None = None

    def as_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v is not None}


def not_unique(key: str, focus: str, identifier: str, detail: str) -> Finding:
    """The dataset-wide half of check 1 (unique identifier), which needs the store and the run
    and so is made by ingest, not by a SHACL engine; worded as the shape's result would be."""
    return Finding(
        key=key, severity="Violation", focus=focus, path=str(DCTERMS.identifier), value=identifier,
        message=f"Identifier {identifier} is not unique: {detail}. Two records claim the same "
                "EThOS ID; keep the right one and re-ingest.",
        shape=UNIQUE_SHAPE, component=str(SH.SPARQLConstraintComponent),
    )  # fmt: skip


@cache
def shapes_graph(names: tuple[str, ...] = RECORD_SHAPES) -> Graph:
    """The profile's shapes, parsed once per process from local files only."""
    graph = Graph()
    for name in names:
        graph.parse(Path(SHAPES_DIR, name), format="turtle")
    return graph


def batch_ntriples(batch: Sequence[Mapped]) -> str:
    """All records of a batch as one N-Triples document, as the engine is given them."""
    return group_ntriples(batch, [m.parts() for m in batch])[0]


@cache
def _compiled_turbo(names: tuple[str, ...]):  # type: ignore[no-untyped-def]
    import pyshacl_turbo

    return pyshacl_turbo.CompiledShapes(shapes_graph(names))


@dataclass(frozen=True)
class RawResult:
    """One sh:ValidationResult as plain strings (IRIs and literal values; blank nodes as None)."""

    focus: str
    severity: str
    message: str | None
    path: str | None
    value: str | None
    shape: str | None
    component: str | None


def run_engine(ntriples: str, engine: str, names: tuple[str, ...] = RECORD_SHAPES) -> list[RawResult]:
    """The results of validating N-Triples against the named shapes files.

    turbo (pyshacl-turbo, Rust) runs about 500 times faster than pyshacl on this profile
    (bench/README.md); pyshacl stays available as the reference engine, and a test checks
    that both report the same findings.
    """
    options = {"allow_warnings": True, "allow_infos": True, "abort_on_first": False}
    if engine == "turbo":
        return _turbo_results(ntriples, names)
    import pyshacl

    data = Graph().parse(data=ntriples, format="nt")
    report = pyshacl.validate(data, shacl_graph=shapes_graph(names), inference="none", do_owl_imports=False, **options)[
        1
    ]
    return _rdflib_results(report)


def _turbo_results(ntriples: str, names: tuple[str, ...]) -> list[RawResult]:
    """Validate with turbo's compiled shapes through its public API, the report read as an rdflib graph.

    turbo's private native call returns the report as N-Triples without building that graph,
    but measured on a batch of 500 generated records it was only about 1.2x faster for the
    whole validate step (bench/turbo_report_bench.py, bench/README.md): too little to depend
    on a private signature that may change in any release.
    """
    from pyshacl_turbo import Input

    data = Input(source=ntriples, format="oxigraph-nquads", base=None, blank_nodes={}, preserve_ids=True)
    report = _compiled_turbo(names).validate(data, allow_warnings=True, allow_infos=True)[1]
    return _rdflib_results(report)


def _rdflib_results(report: Graph) -> list[RawResult]:
    results = []
    for node in report.subjects(RDF.type, SH.ValidationResult):
        props = {str(p): o for p, o in report.predicate_objects(node)}
        results.append(_raw(props, lambda t: None if isinstance(t, BNode) else str(t), lambda t: isinstance(t, URIRef)))
    return results


def _raw(props: dict, text, is_iri) -> RawResult:  # type: ignore[no-untyped-def]
    def get(term: URIRef, iri_only: bool = False) -> str | None:
        value = props.get(str(term))
        if value is None or (iri_only and not is_iri(value)):
            return None
        return text(value)

    return RawResult(
        focus=get(SH.focusNode) or "",
        severity=SEVERITIES.get(URIRef(get(SH.resultSeverity) or ""), "Violation"),
        message=get(SH.resultMessage), path=get(SH.resultPath, iri_only=True), value=get(SH.value),
        shape=get(SH.sourceShape, iri_only=True), component=get(SH.sourceConstraintComponent),
    )  # fmt: skip


def may_be(key: str, focus: str, candidate: str, reason: str) -> Finding:
    """A record that may be a thesis already published under another key (pipeline/recognition.py)."""
    return Finding(
        key=key, severity="Violation", focus=focus, value=candidate, shape=IDENTITY_SHAPE,
        message=f"This record may be the published thesis {candidate}: {reason}. If it is the same thesis, "
                "correct this record to match that one (or give both the same EThOS ID or DOI) and ingest it "
                "again; if it is another thesis, give it its EThOS ID or DOI, which tell the two apart.",
    )  # fmt: skip


def identity_findings(mapped: Mapped) -> list[Finding]:
    """Check 14's other half: an organisation's identifier and name that the institutions
    table gives to different institutions.  Found while mapping (the table is not in the
    data a SHACL engine sees), so made here and worded as a shape's result would be."""
    return [
        Finding(key=mapped.key, severity="Warning", message=note, focus=str(mapped.thesis),
                path="http://id.loc.gov/vocabulary/relators/dgg", shape=IDENTITY_SHAPE)
        for note in mapped.notes
    ]  # fmt: skip


def validate_batch(
    batch: Sequence[Mapped], engine: str = "turbo", parts: Sequence[tuple[str, dict[str, str]]] | None = None
) -> list[list[Finding]]:
    """Findings for each record, in batch order (a record with nothing to report gets []).

    parts, when given, are the records' own N-Triples and shared descriptions already
    written for the store (Mapped.parts).
    """
    parts = parts if parts is not None else [m.parts() for m in batch]
    results: list[list[Finding]] = [[] for _ in batch]
    for group in _unique_key_groups(batch):
        members = [batch[i] for i in group]
        data, owners = group_ntriples(members, [parts[i] for i in group])
        for result in run_engine(data, engine):
            for index, finding in _findings(result, members, owners):
                results[group[index]].append(finding)
    for found, mapped in zip(results, batch, strict=True):
        found.extend(identity_findings(mapped))
    return results


def group_ntriples(
    members: Sequence[Mapped], parts: Sequence[tuple[str, dict[str, str]]]
) -> tuple[str, dict[int, list[int]]]:
    """The group's records as one N-Triples document, each distinct shared description once;
    and for each description's number, the records (positions in `members`) that give it."""
    variants: dict[str, int] = {}
    owners: dict[int, list[int]] = {}
    chunks: list[str] = []
    for n, (mapped, (own, shared)) in enumerate(zip(members, parts, strict=True)):
        renames: dict[str, str] = {}
        for text in shared.values():
            number = variants.get(text)
            iris = _described(text)
            if number is None:
                number = variants[text] = len(variants)
                chunks.append(_renamed(text, {iri: f"{iri[:-1]}{_VARIANT}{number}>" for iri in iris}))
            owners.setdefault(number, []).append(n)
            renames.update((iri, f"{iri[:-1]}{_VARIANT}{number}>") for iri in iris)
        for node in mapped.shared:
            iri = nt_iri(node)
            renames.setdefault(iri, f"{iri[:-1]}{_SUFFIX}{n}>")
        chunks.append(_renamed(own, renames))
    return "".join(chunks), owners


def _described(text: str) -> list[str]:
    """The subjects of a shared description's N-Triples lines (IRIs in angle brackets)."""
    return list(dict.fromkeys(line[: line.index(">") + 1] for line in text.splitlines() if line))


def _renamed(ntriples: str, renames: dict[str, str]) -> str:
    for old, new in renames.items():
        ntriples = ntriples.replace(old, new)
    return ntriples


def _unique_key_groups(batch: Sequence[Mapped]) -> list[list[int]]:
    """Split the batch so that no group holds one thesis twice (it would merge in the graph)."""
    groups: list[tuple[set[str], list[int]]] = []
    for index, mapped in enumerate(batch):
        for keys, members in groups:
            if mapped.key not in keys:
                keys.add(mapped.key)
                members.append(index)
                break
        else:
            groups.append(({mapped.key}, [index]))
    return [members for _, members in groups]


def _findings(result: RawResult, batch: Sequence[Mapped], owners: dict[int, list[int]]) -> list[tuple[int, Finding]]:
    """The result as a finding of each record it concerns: one record, or all those giving a
    shared description."""
    if _VARIANT in result.focus:
        indices = owners[int(result.focus.rsplit(_VARIANT, 1)[1])]
    else:
        indices = [_record_index(result.focus, batch)]
    return [(index, Finding(
        key=batch[index].key,
        severity=result.severity,
        message=result.message or "constraint not met",
        focus=_unscope(result.focus),
        path=result.path,
        value=_unscope(result.value) if result.value is not None else None,
        shape=result.shape,
        component=result.component,
    )) for index in indices]  # fmt: skip


def _record_index(focus: str, batch: Sequence[Mapped]) -> int:
    if _SUFFIX in focus:
        return int(focus.rsplit(_SUFFIX, 1)[1])
    wanted = thesis_of(focus) or focus
    for index, mapped in enumerate(batch):
        if wanted == str(mapped.thesis) or focus == str(mapped.graph):
            return index
    raise LookupError(f"SHACL result for {focus} matches no record of the batch")


def _unscope(text: str) -> str:
    return text.split(_SCOPED, 1)[0]


def is_publishable(findings: Sequence[Finding]) -> bool:
    return not any(f.severity == "Violation" for f in findings)


def report_graph(findings: Sequence[Finding]) -> Graph:
    """One sh:ValidationReport holding every finding (engine and store-index checks alike)."""
    graph = Graph()
    graph.bind("sh", SH)
    report = URIRef("urn:ldpub:report")
    graph.add((report, RDF.type, SH.ValidationReport))
    graph.add((report, SH.conforms, Literal(is_publishable(findings))))
    by_name = {v: k for k, v in SEVERITIES.items()}
    for n, f in enumerate(findings):
        node = URIRef(f"urn:ldpub:report:result:{n}")
        graph.add((report, SH.result, node))
        graph.add((node, RDF.type, SH.ValidationResult))
        graph.add((node, SH.focusNode, URIRef(f.focus)))
        graph.add((node, SH.resultSeverity, by_name[f.severity]))
        graph.add((node, SH.resultMessage, Literal(f.message)))
        if f.path:
            graph.add((node, SH.resultPath, URIRef(f.path)))
        if f.value is not None:
            graph.add((node, SH.value, Literal(f.value)))
        if f.shape:
            graph.add((node, SH.sourceShape, URIRef(f.shape)))
        if f.component:
            graph.add((node, SH.sourceConstraintComponent, URIRef(f.component)))
    return graph
