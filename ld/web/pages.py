"""View models for the HTML pages: labels instead of IRIs, local links, schema.org data.

Only http(s) IRIs ever become links, so a `javascript:` value in a record stays text.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import pyoxigraph as ox

LABELS = ("http://xmlns.com/foaf/0.1/name", "http://www.w3.org/2004/02/skos/core#prefLabel",
          "http://www.w3.org/2000/01/rdf-schema#label", "http://purl.org/dc/terms/title")  # fmt: skip
DCT = "http://purl.org/dc/terms/"
REL = "http://id.loc.gov/vocabulary/relators/"
BIBO = "http://purl.org/ontology/bibo/"
OWL_SAME = "http://www.w3.org/2002/07/owl#sameAs"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


@dataclass(frozen=True)
class Link:
    label: str
    href: str | None  # None: shown as text


class Facts:
    """The triples of one page, indexed by subject and predicate."""

    def __init__(self, triples: list[ox.Triple], base: str) -> None:
        self.base = base
        self.index: dict[str, dict[str, list[ox.NamedNode | ox.Literal | ox.BlankNode]]] = defaultdict(
            lambda: defaultdict(list)
        )
        for t in triples:
            self.index[t.subject.value][t.predicate.value].append(t.object)

    def values(self, subject: str, predicate: str) -> list[str]:
        return [o.value for o in self.index.get(subject, {}).get(predicate, [])]

    def first(self, subject: str, predicate: str) -> str | None:
        found = self.values(subject, predicate)
        return found[0] if found else None

    def label(self, iri: str) -> str:
        for predicate in LABELS:
            value = self.first(iri, predicate)
            if value:
                return value
        return iri.rstrip("/").rsplit("/", 1)[-1]

    def link(self, iri: str) -> Link:
        return Link(self.label(iri), self.href(iri))

    def href(self, iri: str) -> str | None:
        """Local path for our own IRIs, the IRI itself for other http(s) ones, else no link."""
        if iri.startswith(self.base):
            return "/" + iri[len(self.base) :]
        return iri if iri.startswith(("http://", "https://")) else None

    def links(self, subject: str, predicate: str) -> list[Link]:
        return [self.link(v) for v in self.values(subject, predicate)]


def thesis_view(facts: Facts, thesis: str) -> dict:
    v = lambda p: facts.first(thesis, p)  # noqa: E731
    abstract = v(DCT + "abstract") or ""
    doi = v(BIBO + "doi")
    return {
        "title": v(DCT + "title") or "(untitled)",
        "authors": facts.links(thesis, DCT + "creator"),
        "supervisors": facts.links(thesis, REL + "ths"),
        "awarding": facts.links(thesis, REL + "dgg"),
        "funders": facts.links(thesis, REL + "fnd"),
        "date": v(DCT + "issued"),
        "degree": facts.links(thesis, BIBO + "degree"),
        "qualification": v("http://schema.org/inSupportOf"),
        "abstract": [p for p in abstract.split("\n\n") if p],
        "subjects": facts.links(thesis, DCT + "subject"),
        "keywords": facts.values(thesis, "http://schema.org/keywords"),
        "identifier": v(DCT + "identifier"),
        "doi": doi,
        "see_also": [
            Link(u, facts.href(u)) for u in facts.values(thesis, "http://www.w3.org/2000/01/rdf-schema#seeAlso")
        ],
        "pages": [Link(u, facts.href(u)) for u in facts.values(thesis, "http://xmlns.com/foaf/0.1/page")],
    }


def schema_org(facts: Facts, thesis: str) -> dict:
    """schema.org JSON-LD for search engines; Flask's tojson escapes '<' as \\u003c."""

    def agent(iri: str, kind: str) -> dict:
        data = {"@type": kind, "@id": iri, "name": facts.label(iri)}
        same = facts.values(iri, OWL_SAME)
        if same:
            data["sameAs"] = same
        return data

    v = lambda p: facts.first(thesis, p)  # noqa: E731
    data = {
        "@context": "https://schema.org", "@type": "Thesis", "@id": thesis, "name": v(DCT + "title"),
        "author": [agent(a, "Person") for a in facts.values(thesis, DCT + "creator")],
        "sourceOrganization": [agent(o, "Organization") for o in facts.values(thesis, REL + "dgg")],
        "datePublished": v(DCT + "issued"), "inSupportOf": v("http://schema.org/inSupportOf"),
        "abstract": v(DCT + "abstract"), "identifier": v(DCT + "identifier"),
        "keywords": facts.values(thesis, "http://schema.org/keywords") or None,
    }  # fmt: skip
    return {k: val for k, val in data.items() if val}


def resource_view(facts: Facts, iri: str) -> dict:
    """A person, organisation, degree or concept: its label, kind, identifiers and properties."""
    own = facts.index.get(iri, {})
    rows = []
    for predicate, objects in sorted(own.items()):
        if predicate in LABELS[:3]:
            continue
        shown = [facts.link(o.value) if isinstance(o, ox.NamedNode) else Link(o.value, None) for o in objects]
        rows.append((predicate.rsplit("/", 1)[-1].rsplit("#", 1)[-1], shown))
    return {"title": facts.label(iri), "kinds": [t.rsplit("/", 1)[-1] for t in facts.values(iri, RDF_TYPE)],
            "rows": rows}  # fmt: skip
