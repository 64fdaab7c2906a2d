"""What the search index holds for one thesis, read from the thesis's published graph.

The row is built from RDF, not from the source record, so ingest (from the mapped
triples) and `ldpub reindex` (from the store) index exactly the same thing, and facets
carry the published resources' own labels and IRIs: the institution table's name for a
known awarding body, not the spelling one record happened to use.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

import pyoxigraph as ox

from ..uris import key_of
from ..vocab import BIBO_IRI, DCT_IRI, RDF_MEMBER, RDF_TYPE, member_position
from .facets import DDC_CLASSES

THESIS = "http://purl.org/ontology/bibo/Thesis"
DEGREE = "http://purl.org/ontology/bibo/degree"
FOAF_NAME = "http://xmlns.com/foaf/0.1/name"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
PREF_LABEL = "http://www.w3.org/2004/02/skos/core#prefLabel"
NOTATION = "http://www.w3.org/2004/02/skos/core#notation"
KEYWORDS = "http://schema.org/keywords"
SUPERVISOR = "http://id.loc.gov/vocabulary/relators/ths"
AWARDED_BY = "http://id.loc.gov/vocabulary/relators/dgg"
AUTHOR_LIST = BIBO_IRI + "authorList"

Triple = tuple[str, str, str]  # subject, predicate, object: IRIs and literals' lexical forms alike


@dataclass(frozen=True)
class Facet:
    """One facet value of a thesis: `value` is what a filter names, `label` what people read."""

    name: str
    value: str
    label: str
    iri: str | None = None


@dataclass(frozen=True)
class IndexRow:
    key: str
    title: str
    abstract: str
    people: str
    keywords: str
    institution: str
    year: int | None
    facets: tuple[Facet, ...]
    authors: tuple[str, ...] = ()  # names in the thesis's order, for the result line

    def facet(self, name: str) -> Facet | None:
        return next((f for f in self.facets if f.name == name), None)


def from_rdflib(triples: Iterable) -> list[Triple]:
    text = str.__str__  # rdflib terms are str subclasses: their plain value, without rdflib's slower str()
    return [(text(s), text(p), text(o)) for s, p, o in triples]


def from_oxigraph(quads: Iterable[ox.Quad]) -> list[Triple]:
    return [(q.subject.value, q.predicate.value, q.object.value) for q in quads]


def index_row(own: str, triples: Iterable[Triple]) -> IndexRow | None:
    """The row for the thesis a record graph describes; None when the graph has no thesis.

    `own` is the project's vocabulary namespace ({base}def/), for its subjectDiscipline
    and awardingBodyName terms.
    """
    wanted = _wanted(own)
    about: dict[str, dict[str, list[str]]] = defaultdict(dict)
    for s, p, o in triples:
        if p in wanted or p.startswith(RDF_MEMBER):
            about[s].setdefault(p, []).append(o)
    for props in about.values():  # the same row whatever order the triples came in (mapping or store)
        for values in props.values():
            if len(values) > 1:
                values.sort()
    thesis = next((s for s, props in about.items() if THESIS in props.get(RDF_TYPE, ())), None)
    if thesis is None:
        return None
    props = about[thesis]

    def first(values: Iterable[str], predicate: str) -> str | None:
        return next((v for iri in sorted(values) for v in about[iri].get(predicate, ())), None)

    authors = _names(about, _ordered(about, props, DCT_IRI + "creator", AUTHOR_LIST))
    supervisors = _names(about, _ordered(about, props, SUPERVISOR, own + "supervisorList"))
    people = [*authors, *supervisors]
    subjects = [label for iri in props.get(DCT_IRI + "subject", ()) for label in about[iri].get(PREF_LABEL, ())]
    issued = next(iter(props.get(DCT_IRI + "issued", ())), "")
    year = int(issued[:4]) if issued[:4].isdigit() else None
    names = [*(n for iri in props.get(AWARDED_BY, ()) for n in about[iri].get(FOAF_NAME, ())),
             *props.get(own + "awardingBodyName", ())]  # fmt: skip
    return IndexRow(
        key=key_of(thesis),
        title=" ".join(props.get(DCT_IRI + "title", ())),
        abstract=" ".join(props.get(DCT_IRI + "abstract", ())),
        people=" ; ".join(people),
        keywords=" ; ".join([*props.get(KEYWORDS, ()), *subjects]),
        institution=" ; ".join(dict.fromkeys(names)),
        year=year,
        facets=tuple(_facets(about, props, own, year, first))
        + tuple(Facet("supervisor", name, name) for name in dict.fromkeys(supervisors)),
        authors=tuple(authors),
    )


def _ordered(about: dict, props: dict, predicate: str, listing: str) -> list[str]:
    """The IRIs a thesis gives under `predicate`, in its rdf:Seq's order where it has one."""
    iris = props.get(predicate, [])
    position: dict[str, int] = {}
    for seq in props.get(listing, ()):
        for p, members in about.get(seq, {}).items():
            if (n := member_position(p)) is not None:
                position.update((m, n) for m in members)
    return sorted(iris, key=lambda iri: (position.get(iri, len(iris) + 1), iri))


def _names(about: dict, iris: list[str]) -> list[str]:
    return [name for iri in iris for name in about[iri].get(FOAF_NAME, ())]


@cache
def _wanted(own: str) -> frozenset[str]:
    """The predicates a row is made from; the rest of a record's graph is skipped."""
    return frozenset({RDF_TYPE, *(DCT_IRI + name for name in ("title", "abstract", "creator", "subject", "issued")),
                      SUPERVISOR, AWARDED_BY, DEGREE, FOAF_NAME, RDFS_LABEL, PREF_LABEL, NOTATION, KEYWORDS,
                      AUTHOR_LIST, own + "supervisorList", own + "subjectDiscipline",
                      own + "awardingBodyName"})  # fmt: skip


def _facets(about: dict, props: dict, own: str, year: int | None, first) -> list[Facet]:  # type: ignore[no-untyped-def]
    found = []
    if year is not None:
        found += [Facet("year", str(year), str(year)), Facet("decade", f"{year // 10}0s", f"{year // 10}0s")]
    for name, predicate, label_predicate in (
        ("institution", AWARDED_BY, FOAF_NAME),
        ("degree", DEGREE, RDFS_LABEL),
        ("discipline", own + "subjectDiscipline", PREF_LABEL),
    ):
        iris = sorted(props.get(predicate, ()))
        label = first(iris, label_predicate)
        if label:
            found.append(Facet(name, label, label, iris[0]))
    subjects = props.get(DCT_IRI + "subject", ())
    ddc = sorted((notation, iri) for iri in subjects for notation in about[iri].get(NOTATION, ()))
    if ddc and ddc[0][0][:1] in DDC_CLASSES:
        notation, iri = ddc[0]
        main = notation[0] + "00"
        found.append(Facet("ddc", main, f"{main} {DDC_CLASSES[notation[0]]}", iri if notation == main else None))
    return found
