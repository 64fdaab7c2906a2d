"""Dereferencing theses: 303 from the thing to its document, Turtle or JSON-LD by Accept or suffix."""

from __future__ import annotations

import pytest
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, FOAF, OWL

from ld.model.mapping import thesis_key

from .conftest import BASE, jsonld_graph

KEY = "uk.bl.ethos.232781"


def test_thing_uri_redirects_to_document(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get(f"/id/thesis/{KEY}", headers={"Accept": "text/turtle"})
    assert response.status_code == 303 and response.headers["Location"] == f"/doc/thesis/{KEY}"


def test_loizou_as_turtle_with_isni_author_and_manchester(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get(f"/id/thesis/{KEY}", headers={"Accept": "text/turtle"}, follow_redirects=True)
    assert response.status_code == 200 and response.mimetype == "text/turtle"
    g = Graph().parse(data=response.data, format="turtle")
    thesis = URIRef(f"{BASE}id/thesis/{KEY}")
    author = g.value(thesis, DCTERMS.creator)
    assert (author, OWL.sameAs, URIRef("https://isni.org/isni/0000000136122593")) in g
    assert str(g.value(g.value(thesis, DCTERMS.publisher), FOAF.name)) == "University of Manchester"
    assert response.headers["Vary"] == "Accept"
    assert response.headers["Content-Location"] == f"/doc/thesis/{KEY}.ttl"


def test_text_record_served_under_its_derived_key(client, mackin) -> None:  # type: ignore[no-untyped-def]
    response = client.get(f"/doc/thesis/{thesis_key(mackin)}.ttl")
    assert response.status_code == 200 and b"Mackin, Michelle" in response.data


@pytest.mark.parametrize(("accept", "media_type"), [
    (None, "text/turtle"), ("*/*", "text/turtle"), ("application/ld+json", "application/ld+json"),
    ("application/ld+json;q=0.5, text/turtle;q=0.9", "text/turtle"),
    ("text/turtle;q=0.1, application/ld+json", "application/ld+json"),
    ("application/n-triples", "application/n-triples"), ("application/rdf+xml", "application/rdf+xml"),
])  # fmt: skip
def test_negotiation(client, accept: str | None, media_type: str) -> None:  # type: ignore[no-untyped-def]
    headers = {"Accept": accept} if accept else {}
    response = client.get(f"/doc/thesis/{KEY}", headers=headers)
    assert response.status_code == 200 and response.mimetype == media_type


def test_unacceptable_gets_406_listing_types(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get(f"/doc/thesis/{KEY}", headers={"Accept": "image/png"})
    assert response.status_code == 406 and b"text/turtle" in response.data


@pytest.mark.parametrize(("suffix", "media_type"), [("ttl", "text/turtle"), ("jsonld", "application/ld+json")])
def test_suffix_bypasses_negotiation(client, suffix: str, media_type: str) -> None:  # type: ignore[no-untyped-def]
    response = client.get(f"/doc/thesis/{KEY}.{suffix}", headers={"Accept": "image/png"})
    assert response.status_code == 200 and response.mimetype == media_type


def test_turtle_and_jsonld_are_the_same_triples(client) -> None:  # type: ignore[no-untyped-def]
    turtle = Graph().parse(data=client.get(f"/doc/thesis/{KEY}.ttl").data, format="turtle")
    jsonld = jsonld_graph(client, client.get(f"/doc/thesis/{KEY}.jsonld").data)
    assert len(turtle) > 30 and isomorphic(turtle, jsonld)


@pytest.mark.parametrize("path", [
    "/doc/thesis/uk.bl.ethos.1", "/id/thesis/nonsense", "/doc/thesis/x%3E%7D", "/doc/thesis/INSERT%20DATA",
])  # fmt: skip
def test_unknown_or_hostile_keys_get_404(client, path: str) -> None:  # type: ignore[no-untyped-def]
    assert client.get(path).status_code == 404


def test_no_data_yet_is_503_with_advice(settings) -> None:  # type: ignore[no-untyped-def]
    from ld.web import create_app

    response = create_app(settings).test_client().get(f"/doc/thesis/{KEY}")
    assert response.status_code == 503 and b"ldpub ingest" in response.data
