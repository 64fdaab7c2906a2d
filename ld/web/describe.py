"""What the store says about one resource: a thesis's own graph, or a shared resource's
description across all graphs with the theses that point to it, a page at a time."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import pyoxigraph as ox

from ..store.rdf import ReadStore
from ..store.shared import record_quads
from ..uris import document_iri, key_of, thesis_iri
from ..vocab import DCT_IRI

PAGE_SIZE = 100
MODIFIED = ox.NamedNode(DCT_IRI + "modified")
TITLE = ox.NamedNode(DCT_IRI + "title")
HYDRA = "http://www.w3.org/ns/hydra/core#"
# Links from a thesis to a shared resource, as listed on that resource's page.
ROLES = {
    DCT_IRI + "creator": "author",
    "http://id.loc.gov/vocabulary/relators/ths": "supervisor",
    "http://id.loc.gov/vocabulary/relators/dgg": "awarding body",
    "http://id.loc.gov/vocabulary/relators/fnd": "funder",
    "http://purl.org/ontology/bibo/degree": "degree",
    DCT_IRI + "subject": "subject",
}


@dataclass
class Description:
    thing: str
    triples: list[ox.Triple]
    modified: datetime | None = None
    related: list[tuple[str, str, str]] = field(default_factory=list)  # (thesis, role, title)
    has_next: bool = False


def thesis(db: ox.Store, base: str, key: str) -> Description | None:
    """The record's graph with the shared descriptions it names, read from `db` (a snapshot
    the caller has open)."""
    graph = ox.NamedNode(document_iri(base, key))
    triples = [q.triple for q in record_quads(db, base, graph.value)]
    if not triples:
        return None
    modified = next((t.object.value for t in triples if t.subject == graph and t.predicate == MODIFIED), None)
    return Description(thesis_iri(base, key), triples, _datetime(modified))


OWN = "SELECT DISTINCT ?thing ?p ?o WHERE { ?thing ?p ?o }"
# No ORDER BY: sorting decodes every match (14 s for a discipline with 61,000 theses on the
# benchmark store); the index order is stable for a snapshot and pages in milliseconds.
_ROLE_IRIS = " ".join(f"<{p}>" for p in ROLES)
LINKS = f"""SELECT DISTINCT ?thing ?thesis ?p WHERE {{
    VALUES ?p {{ {_ROLE_IRIS} }}
    GRAPH ?g {{ ?thesis ?p ?thing }}
}} LIMIT {PAGE_SIZE + 1} OFFSET {{offset}}"""


def shared(store: ReadStore, iri: str, page: int, doc: str) -> Description | None:
    """A person, organisation, degree or concept: the union of what records say of it.

    Both queries run in Oxigraph (the resource is a bound value, never query text): an
    institution described in 40,000 record graphs is deduplicated and paged natively.
    """
    node = ox.NamedNode(iri)
    bound = {ox.Variable("thing"): node}
    own = [ox.Triple(node, row["p"], row["o"])
           for row in store.db.query(OWN, substitutions=bound, use_default_graph_as_union=True)]  # fmt: skip
    own.sort(key=str)
    if not own:
        return None
    query = LINKS.replace("{offset}", str((page - 1) * PAGE_SIZE))
    rows = [(row["thesis"], row["p"]) for row in store.db.query(query, substitutions=bound)]
    has_next = len(rows) > PAGE_SIZE
    window = rows[:PAGE_SIZE]
    related = [(t.value, ROLES[p.value], _title(store, t.value)) for t, p in window]
    inverse = [ox.Triple(t, p, node) for t, p in window]
    triples = own + inverse + _paging(doc, page, has_next)
    return Description(iri, triples, None, related, has_next)


def _paging(doc: str, page: int, has_next: bool) -> list[ox.Triple]:
    """The page's place in the collection, in Hydra terms, so RDF clients can page too."""
    this = ox.NamedNode(f"{doc}?page={page}")
    out = [ox.Triple(ox.NamedNode(doc), ox.NamedNode(HYDRA + "view"), this)]
    if has_next:
        out.append(ox.Triple(this, ox.NamedNode(HYDRA + "next"), ox.NamedNode(f"{doc}?page={page + 1}")))
    if page > 1:
        out.append(ox.Triple(this, ox.NamedNode(HYDRA + "previous"), ox.NamedNode(f"{doc}?page={page - 1}")))
    return out


def _title(store: ReadStore, thesis: str) -> str:
    for q in store.db.quads_for_pattern(ox.NamedNode(thesis), TITLE, None, None):
        return q.object.value
    return key_of(thesis)


def _datetime(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
