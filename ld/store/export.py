"""`ldpub export`: the published dataset as one stream, read from the newest snapshot."""

from __future__ import annotations

from typing import BinaryIO

import pyoxigraph as ox

from ..config import Settings
from ..renderers import prefixes
from .rdf import pinned_snapshot

EXPORT_FORMATS = {
    "nq": ox.RdfFormat.N_QUADS,
    "nt": ox.RdfFormat.N_TRIPLES,
    "ttl": ox.RdfFormat.TURTLE,
    "jsonld": ox.RdfFormat.JSON_LD,
}
_UNION = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"


def export(settings: Settings, fmt: str, stream: BinaryIO) -> None:
    """N-Quads keep one graph per record; the triple formats give the union, each triple once."""
    with pinned_snapshot(settings.store) as db:  # an ingest may publish and prune meanwhile
        rdf_format = EXPORT_FORMATS[fmt]
        if fmt == "nq":
            db.dump(stream, format=rdf_format)
            return
        extra = {"prefixes": prefixes(settings.base)} if fmt == "ttl" else {}
        ox.serialize(db.query(_UNION), stream, format=rdf_format, **extra)
