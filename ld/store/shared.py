"""Shared resources in the store: each described once, in a graph of its own.

Organisations, degrees and concepts are named by many records (an institution by tens of
thousands).  Each record's graph holds what that record says (its thesis, its people,
its document) and points at them by IRI; their descriptions live once, in the graph
named by `shared_graph`:

- an organisation, degree or concept in ldpub's own URI space, ``{base}id/{path}``, is
  described in the graph ``{base}doc/{path}``, the IRI of its own document;
- the terms of other vocabularies that records use (BIBO's degrees) are described in one
  graph, ``{base}graph/vocabulary``.

People stay in the graphs of the records naming them, identified ones too: in EThOS
almost every identified person is one thesis's author, so a graph and a ledger entry of
their own would cost more than the repetition they save (on generated data, 16,000 of
16,000 such graphs were people named by one record).

A shared graph holds the union of what the published records say of its resource (the
ledger in descriptions.py keeps it exact as records come and go), and states its own
content digest, as a record's graph does.  A record's document is its graph plus the
descriptions of the shared resources it names (`record_quads`), and its digest covers
both (`document_digest`), so a representation made from it can never be served after a
shared description it showed has changed.
"""

from __future__ import annotations

import hashlib

import pyoxigraph as ox

from ..uris import shared_graph
from .rdf import stored_hash


def references(base: str, quads: list[ox.Quad]) -> dict[ox.NamedNode, ox.NamedNode]:
    """The shared resources a record's quads name, each with the graph describing it."""
    found: dict[ox.NamedNode, ox.NamedNode] = {}
    for quad in quads:
        value = quad.object
        if isinstance(value, ox.NamedNode) and value not in found:
            graph = shared_graph(base, value.value)
            if graph is not None:
                found[value] = ox.NamedNode(graph)
    return found


def record_quads(db: ox.Store, base: str, graph: str) -> list[ox.Quad]:
    """A record's graph, then what the shared graphs say of each shared resource it names
    (empty when the record is not published)."""
    quads = list(db.quads_for_pattern(None, None, None, ox.NamedNode(graph)))
    for resource, described_in in references(base, quads).items():
        quads.extend(db.quads_for_pattern(resource, None, None, described_in))
    return quads


def document_digest(db: ox.Store, base: str, graph: str, predicate: ox.NamedNode) -> str | None:
    """The record's content digest, combined with those of the shared graphs it names.

    A record that names no shared resource keeps its own digest; None when not published."""
    node = ox.NamedNode(graph)
    own = stored_hash(db, graph, predicate)
    if own is None:
        return None
    quads = list(db.quads_for_pattern(None, None, None, node))
    described_in = sorted({g.value for g in references(base, quads).values()})
    if not described_in:
        return own
    combined = hashlib.blake2b(own.encode(), digest_size=32)
    for name in described_in:
        combined.update(b"\0" + (stored_hash(db, name, predicate) or "").encode())
    return combined.hexdigest()


def description_digest(ntriples: str) -> str:
    """A shared graph's content digest: of its sorted N-Triples lines."""
    return hashlib.sha256(ntriples.encode("utf-8")).hexdigest()
