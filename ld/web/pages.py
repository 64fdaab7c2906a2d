"""View models for the HTML pages: labels instead of IRIs, local links, schema.org data.

Only http(s) IRIs ever become links, so a `javascript:` value in a record stays text.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import pyoxigraph as ox

from ..uris import last_segment, local_name
from ..vocab import BIBO_IRI, DCT_IRI, RDF_TYPE, RELATORS_IRI

LABELS = ("http://xmlns.com/foaf/0.1/name", "http://www.w3.org/2004/02/skos/core#prefLabel",
          "http://www.w3.org/2000/01/rdf-schema#label", DCT_IRI + "title")  # fmt: skip
OWL_SAME = "http://www.w3.org/2002/07/owl#sameAs"
RDF_MEMBER = "http://www.w3.org/1999/02/22-rdf-syntax-ns#_"


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
        return last_segment(iri.rstrip("/"))

    def link(self, iri: str) -> Link:
        return Link(self.label(iri), self.href(iri))

    def href(self, iri: str) -> str | None:
        """Local path for our own IRIs, the IRI itself for other http(s) ones, else no link."""
        if iri.startswith(self.base):
            return "/" + iri[len(self.base) :]
        return iri if iri.startswith(("http://", "https://")) else None

    def links(self, subject: str, predicate: str) -> list[Link]:
        return [self.link(v) for v in self.values(subject, predicate)]

    def ordered(self, subject: str, predicate: str, listed_by: str) -> list[str]:
        """The values in the order the record's rdf:Seq (`listed_by`) gives them, as the
        source had them; values it does not list follow, as stored."""
        values = self.values(subject, predicate)
        listing = self.first(subject, listed_by)
        if not listing:
            return values
        position = {o.value: int(p[len(RDF_MEMBER) :]) for p, objects in self.index.get(listing, {}).items()
                    if p.startswith(RDF_MEMBER) and p[len(RDF_MEMBER) :].isdigit() for o in objects}  # fmt: skip
        return sorted(values, key=lambda v: position.get(v, len(position) + 1))

    def authors(self, thesis: str) -> list[str]:
        return self.ordered(thesis, DCT_IRI + "creator", BIBO_IRI + "authorList")

    def supervisors(self, thesis: str) -> list[str]:
        return self.ordered(thesis, RELATORS_IRI + "ths", self.base + "def/supervisorList")


def thesis_view(facts: Facts, thesis: str) -> dict:
    v = lambda p: facts.first(thesis, p)  # noqa: E731
    abstract = v(DCT_IRI + "abstract") or ""
    doi = v(BIBO_IRI + "doi")
    return {
        "title": v(DCT_IRI + "title") or "(untitled)",
        "authors": [facts.link(a) for a in facts.authors(thesis)],
        "supervisors": [facts.link(s) for s in facts.supervisors(thesis)],
        "awarding": facts.links(thesis, RELATORS_IRI + "dgg"),
        "funders": facts.links(thesis, RELATORS_IRI + "fnd"),
        "date": v(DCT_IRI + "issued"),
        "degree": facts.links(thesis, BIBO_IRI + "degree"),
        "qualification": v("http://schema.org/inSupportOf"),
        "abstract": [p for p in abstract.split("\n\n") if p],
        "subjects": facts.links(thesis, DCT_IRI + "subject"),
        "keywords": facts.values(thesis, "http://schema.org/keywords"),
        "identifier": v(DCT_IRI + "identifier"),
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
        "@context": "https://schema.org", "@type": "Thesis", "@id": thesis, "name": v(DCT_IRI + "title"),
        "author": [agent(a, "Person") for a in facts.authors(thesis)],
        "sourceOrganization": [agent(o, "Organization") for o in facts.values(thesis, RELATORS_IRI + "dgg")],
        "datePublished": v(DCT_IRI + "issued"), "inSupportOf": v("http://schema.org/inSupportOf"),
        "abstract": v(DCT_IRI + "abstract"), "identifier": v(DCT_IRI + "identifier"),
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
        rows.append((local_name(predicate), shown))
    return {"title": facts.label(iri), "kinds": [local_name(t) for t in facts.values(iri, RDF_TYPE)],
            "rows": rows}  # fmt: skip
