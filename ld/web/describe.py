"""What the store says about one resource: a thesis's own graph, or a shared resource's
description across all graphs with the theses that point to it, a page at a time."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import pyoxigraph as ox

from ..store import ReadStore

PAGE_SIZE = 100
MODIFIED = ox.NamedNode("http://purl.org/dc/terms/modified")
TITLE = ox.NamedNode("http://purl.org/dc/terms/title")
HYDRA = "http://www.w3.org/ns/hydra/core#"
# Links from a thesis to a shared resource, as listed on that resource's page.
ROLES = {
    "http://purl.org/dc/terms/creator": "author",
    "http://id.loc.gov/vocabulary/relators/ths": "supervisor",
    "http://id.loc.gov/vocabulary/relators/dgg": "awarding body",
    "http://id.loc.gov/vocabulary/relators/fnd": "funder",
    "http://purl.org/ontology/bibo/degree": "degree",
    "http://purl.org/dc/terms/subject": "subject",
}


@dataclass
class Description:
    thing: str
    triples: list[ox.Triple]
    modified: datetime | None = None
    related: list[tuple[str, str, str]] = field(default_factory=list)  # (thesis, role, title)
    page: int = 1
    has_next: bool = False


def thesis(store: ReadStore, base: str, key: str) -> Description | None:
    graph = ox.NamedNode(f"{base}doc/thesis/{key}")
    triples = [q.triple for q in store.db.quads_for_pattern(None, None, None, graph)]
    if not triples:
        return None
    modified = next((t.object.value for t in triples if t.subject == graph and t.predicate == MODIFIED), None)
    return Description(f"{base}id/thesis/{key}", triples, _datetime(modified))


def shared(store: ReadStore, iri: str, page: int, doc: str) -> Description | None:
    """A person, organisation, degree or concept: the union of what records say of it."""
    node = ox.NamedNode(iri)
    own = {q.triple for q in store.db.quads_for_pattern(node, None, None, None)}
    if not own:
        return None
    links = sorted({(q.subject.value, ROLES[q.predicate.value])
                    for q in store.db.quads_for_pattern(None, None, node, None) if q.predicate.value in ROLES})  # fmt: skip
    start = (page - 1) * PAGE_SIZE
    window = links[start : start + PAGE_SIZE]
    has_next = len(links) > start + PAGE_SIZE
    related = [(t, role, _title(store, t)) for t, role in window]
    triples = sorted(own, key=str) + _inverse_triples(store, node, window) + _paging(doc, page, has_next)
    return Description(iri, triples, None, related, page, has_next)


def _inverse_triples(store: ReadStore, node: ox.NamedNode, window: list[tuple[str, str]]) -> list[ox.Triple]:
    out = []
    for thesis_iri, _ in window:
        for q in store.db.quads_for_pattern(ox.NamedNode(thesis_iri), None, node, None):
            out.append(q.triple)
    return list(dict.fromkeys(out))


def _paging(doc: str, page: int, has_next: bool) -> list[ox.Triple]:
    """The page's place in the collection, in Hydra terms, so RDF clients can page too."""
    this = ox.NamedNode(f"{doc}?page={page}")
    out = [ox.Triple(ox.NamedNode(doc), ox.NamedNode(HYDRA + "view"), this)]
    if has_next:
        out.append(ox.Triple(this, ox.NamedNode(HYDRA + "next"), ox.NamedNode(f"{doc}?page={page + 1}")))
    if page > 1:
        out.append(ox.Triple(this, ox.NamedNode(HYDRA + "previous"), ox.NamedNode(f"{doc}?page={page - 1}")))
    return out


def _title(store: ReadStore, thesis_iri: str) -> str:
    for q in store.db.quads_for_pattern(ox.NamedNode(thesis_iri), TITLE, None, None):
        return q.object.value
    return thesis_iri.rsplit("/", 1)[-1]


def _datetime(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
