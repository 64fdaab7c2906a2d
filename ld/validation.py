"""SHACL validation of records in batches, each finding traced back to its record.

Records are validated many at a time (one engine call per batch), but a batch must not
let records see each other: a person or organisation shared by two records would
otherwise show two names.  So in the batch graph every resource a record describes,
other than its own thesis and document, gets a record-scoped IRI (``#ldpub-r<i>``); the
suffix tells which record a finding belongs to and is removed before anyone sees it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from .config import PROJECT_ROOT
from .mapping import Mapped
from .ntriples import lines as nt_lines
from .ntriples import term as nt_term
from .vocab import SH

SHAPES_DIR = PROJECT_ROOT / "shapes"
RECORD_SHAPES = ("prefixes.ttl", "thesis.ttl", "agents.ttl", "concepts.ttl", "document.ttl")
DATASET_SHAPES = ("prefixes.ttl", "dataset.ttl")
_SUFFIX = "#ldpub-r"
UNIQUE_SHAPE = "https://w3id.org/ldpub/shapes#uniqueIdentifier"
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


@cache
def shapes_graph(names: tuple[str, ...] = RECORD_SHAPES) -> Graph:
    """The profile's shapes, parsed once per process from local files only."""
    graph = Graph()
    for name in names:
        graph.parse(Path(SHAPES_DIR, name), format="turtle")
    return graph


def batch_ntriples(batch: Sequence[Mapped]) -> str:
    """All records of a batch as one N-Triples document, shared resources scoped per record."""
    return "".join(scoped_ntriples(m, nt_lines(m.triples), i) for i, m in enumerate(batch))


def scoped_ntriples(mapped: Mapped, ntriples: str, index: int) -> str:
    """A record's N-Triples with every shared resource renamed to a record-scoped IRI."""
    for node in _shared_subjects(mapped):
        iri = nt_term(node)
        ntriples = ntriples.replace(iri, f"{iri[:-1]}{_SUFFIX}{index}>")
    return ntriples


def _shared_subjects(mapped: Mapped) -> set[Node]:
    own = str(mapped.thesis)
    return {s for s, _, _ in mapped.triples if s != mapped.graph and not str(s).startswith(own)}


@cache
def _compiled_turbo(names: tuple[str, ...]):  # type: ignore[no-untyped-def]
    import pyshacl_turbo

    return pyshacl_turbo.CompiledShapes(shapes_graph(names))


def run_engine(ntriples: str, engine: str, names: tuple[str, ...] = RECORD_SHAPES) -> Graph:
    """The SHACL report graph; Warnings and Infos are findings, not failures, here.

    turbo (pyshacl-turbo, Rust) reads the N-Triples natively and runs about 500 times
    faster than pyshacl on this profile (bench/README.md); pyshacl stays available as the
    reference engine and a test checks that both report the same findings.
    """
    options = {"allow_warnings": True, "allow_infos": True, "abort_on_first": False}
    if engine == "turbo":
        from pyshacl_turbo import Input

        data = Input(ntriples, "oxigraph-nquads", None, {}, preserve_ids=True)
        return _compiled_turbo(names).validate(data, **options)[1]
    import pyshacl

    data = Graph().parse(data=ntriples, format="nt")
    return pyshacl.validate(
        data, shacl_graph=shapes_graph(names), inference="none", do_owl_imports=False, **options
    )[1]


def validate_batch(batch: Sequence[Mapped], engine: str = "turbo", ntriples: Sequence[str] | None = None) -> list[list[Finding]]:
    """Findings for each record, in batch order (a record with nothing to report gets []).

    ntriples, when given, are the records' N-Triples already written for the store.
    """
    texts = ntriples if ntriples is not None else [nt_lines(m.triples) for m in batch]
    results: list[list[Finding]] = [[] for _ in batch]
    for group in _unique_key_groups(batch):
        members = [batch[i] for i in group]
        data = "".join(scoped_ntriples(batch[i], texts[i], n) for n, i in enumerate(group))
        report = run_engine(data, engine)
        for result in report.subjects(RDF.type, SH.ValidationResult):
            index, finding = _finding(report, result, members)
            results[group[index]].append(finding)
    return results


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


def _finding(report: Graph, result: Node, batch: Sequence[Mapped]) -> tuple[int, Finding]:
    def one(pred: URIRef) -> Node | None:
        return report.value(result, pred)

    focus = str(one(SH.focusNode))
    index = _record_index(focus, batch)
    value = one(SH.value)
    path = one(SH.resultPath)
    message = one(SH.resultMessage)
    return index, Finding(
        key=batch[index].key,
        severity=SEVERITIES.get(one(SH.resultSeverity), "Violation"),  # type: ignore[arg-type]
        message=str(message) if message is not None else "constraint not met",
        focus=_unscope(focus),
        path=str(path) if isinstance(path, URIRef) else None,
        value=_unscope(str(value)) if value is not None else None,
        shape=str(one(SH.sourceShape)) if isinstance(one(SH.sourceShape), URIRef) else None,
        component=str(one(SH.sourceConstraintComponent)),
    )


def _record_index(focus: str, batch: Sequence[Mapped]) -> int:
    if _SUFFIX in focus:
        return int(focus.rsplit(_SUFFIX, 1)[1])
    for index, mapped in enumerate(batch):
        if focus == str(mapped.graph) or focus.startswith(str(mapped.thesis)):
            return index
    raise LookupError(f"SHACL result for {focus} matches no record of the batch")


def _unscope(text: str) -> str:
    return text.split(_SUFFIX, 1)[0]


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
