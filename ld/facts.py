"""One page's triples, indexed by subject and predicate, with the labels and order people read.

The HTML views (web/pages.py) and the metadata formats (metadata.py) read a thesis
through it, so that both show authors and supervisors in the source's order.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import pyoxigraph as ox

from .uris import last_segment
from .vocab import BIBO_IRI, DCT_IRI, RELATORS_IRI, member_position

LABELS = ("http://xmlns.com/foaf/0.1/name", "http://www.w3.org/2004/02/skos/core#prefLabel",
          "http://www.w3.org/2000/01/rdf-schema#label", DCT_IRI + "title")  # fmt: skip
OWL_SAME = "http://www.w3.org/2002/07/owl#sameAs"


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
        position = {o.value: n for p, objects in self.index.get(listing, {}).items()
                    if (n := member_position(p)) is not None for o in objects}  # fmt: skip
        return sorted(values, key=lambda v: position.get(v, len(position) + 1))

    def authors(self, thesis: str) -> list[str]:
        return self.ordered(thesis, DCT_IRI + "creator", BIBO_IRI + "authorList")

    def supervisors(self, thesis: str) -> list[str]:
        return self.ordered(thesis, RELATORS_IRI + "ths", self.base + "def/supervisorList")
