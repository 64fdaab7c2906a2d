"""One registry of RDF serialisers, shared by content negotiation, URL suffixes and export."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pyoxigraph as ox

from . import jsonld
from .vocab import PREFIXES, own_terms


@dataclass(frozen=True)
class Renderer:
    suffix: str
    media_type: str
    render: Callable[[list[ox.Triple], str], bytes]  # (triples, base) -> body


def prefixes(base: str) -> dict[str, str]:
    names = {k: str(v) for k, v in PREFIXES.items()}
    names["ldpub"] = str(own_terms(base))
    names["degree"] = "http://purl.org/ontology/bibo/degrees/"  # else Turtle writers escape: bibo:degrees\/phd
    names |= SERVICE_PREFIXES
    return names


# Vocabularies of the service's own documents (VoID, DCAT, paging, service description).
SERVICE_PREFIXES = {
    "void": "http://rdfs.org/ns/void#",
    "dcat": "http://www.w3.org/ns/dcat#",
    "hydra": "http://www.w3.org/ns/hydra/core#",
    "sd": "http://www.w3.org/ns/sparql-service-description#",
}


def _oxigraph(fmt: ox.RdfFormat, with_prefixes: bool) -> Callable[[list[ox.Triple], str], bytes]:
    def render(triples: list[ox.Triple], base: str) -> bytes:
        extra = {"prefixes": prefixes(base)} if with_prefixes else {}
        return ox.serialize(triples, format=fmt, **extra) or b""

    return render


def jsonld_context(base: str) -> dict:
    """The published JSON-LD context: plain terms and the project's prefixes, nothing fetched."""
    return jsonld.context(base, prefixes(base))


def context_url(base: str) -> str:
    return f"{base}context.jsonld"


def _jsonld(triples: list[ox.Triple], base: str) -> bytes:
    """JSON-LD written from the triples (ld/jsonld.py), referencing the published context."""
    return jsonld.document(triples, base, prefixes(base), context_url(base))


RENDERERS: dict[str, Renderer] = {
    "ttl": Renderer("ttl", "text/turtle", _oxigraph(ox.RdfFormat.TURTLE, True)),
    "jsonld": Renderer("jsonld", "application/ld+json", _jsonld),
    "nt": Renderer("nt", "application/n-triples", _oxigraph(ox.RdfFormat.N_TRIPLES, False)),
    "rdf": Renderer("rdf", "application/rdf+xml", _oxigraph(ox.RdfFormat.RDF_XML, True)),
}
