"""View models for the HTML pages: labels instead of IRIs, local links, schema.org data.

Only http(s) IRIs ever become links, so a `javascript:` value in a record stays text.
"""

from __future__ import annotations

import pyoxigraph as ox

from ..facts import LABELS, OWL_SAME, Facts, Link
from ..uris import local_name
from ..vocab import BIBO_IRI, DCT_IRI, RDF_TYPE, RELATORS_IRI


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
