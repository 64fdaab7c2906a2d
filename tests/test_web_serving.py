"""Linked-data serving as real clients and browsers use it (issue 3): negotiation table,
303s for every thing, caching, CORS, signposting, paging, and hostile content and paths."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic

from ld.config import Settings
from ld.pipeline.ingest import ingest

from .conftest import BASE, jsonld_graph
from .helpers import csv_file, thesis

DOC = "/doc/thesis/uk.bl.ethos.232781"
CHROME = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8"
FIREFOX = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
RDFLIB = "application/rdf+xml, text/rdf+xml, text/xml;q=0.9, text/plain;q=0.8, */*;q=0.5"
JENA = "text/turtle,application/n-triples;q=0.9,application/ld+json;q=0.8,application/rdf+xml;q=0.7,*/*;q=0.5"
COMUNICA = (
    "application/n-quads,application/trig;q=0.95,application/ld+json;q=0.9,application/n-triples;q=0.8,"
    "text/turtle;q=0.6,application/rdf+xml;q=0.5,text/n3;q=0.35,application/xml;q=0.3,*/*;q=0.1"
)
RAPPER = "application/rdf+xml,text/turtle;q=0.8,application/n-triples;q=0.6,*/*;q=0.1"
GOOGLEBOT = "text/html,application/xhtml+xml,application/signed-exchange;v=b3,application/xml;q=0.9,*/*;q=0.8"

ACCEPT_TABLE = [
    ("curl", "*/*", 200, "text/turtle"),
    ("missing", None, 200, "text/turtle"),
    ("Firefox", FIREFOX, 200, "text/html"),
    ("Chrome", CHROME, 200, "text/html"),
    ("Googlebot", GOOGLEBOT, 200, "text/html"),
    ("rdflib", RDFLIB, 200, "application/rdf+xml"),
    ("Jena", JENA, 200, "text/turtle"),
    ("Comunica", COMUNICA, 200, "application/ld+json"),
    ("rapper", RAPPER, 200, "application/rdf+xml"),
    ("text/*", "text/*", 200, "text/turtle"),
    ("xhtml", "application/xhtml+xml", 200, "text/html"),
    ("q=0 exclusion", "text/turtle;q=0, */*", 200, "application/ld+json"),
    ("html excluded", "text/html;q=0, application/xhtml+xml;q=0, text/*", 200, "text/turtle"),
    ("specificity", "text/*;q=0.2, text/html;q=0.1, application/n-triples;q=0.15", 200, "text/turtle"),
    ("garbage", "garbage", 200, "text/turtle"),
    ("only unavailable", "image/png, application/pdf", 406, None),
    ("everything refused", "*/*;q=0", 406, None),
]


@pytest.mark.parametrize(
    ("client_name", "accept", "status", "media_type"), ACCEPT_TABLE, ids=[r[0] for r in ACCEPT_TABLE]
)
def test_accept_headers_of_real_clients(
    client, client_name: str, accept: str | None, status: int, media_type: str | None
) -> None:  # type: ignore[no-untyped-def]
    response = client.get(DOC, headers={"Accept": accept} if accept is not None else {})
    assert response.status_code == status
    assert "Accept" in response.headers.get("Vary", "")
    if media_type:
        assert response.mimetype == media_type
        suffix = {"text/turtle": "ttl", "text/html": "html", "application/ld+json": "jsonld",
                  "application/rdf+xml": "rdf", "application/n-triples": "nt"}[media_type]  # fmt: skip
        assert response.headers["Content-Location"] == f"{DOC}.{suffix}"
    else:
        assert "text/turtle" in response.get_data(as_text=True)
        assert 'rel="alternate"' in response.headers["Link"]


@pytest.mark.parametrize("path", ["/id/person/isni/0000000136122593", "/id/org/isni/0000000121662407",
                                  "/id/degree/professional-doctorate", "/id/concept/ddc/360",
                                  "/id/concept/discipline/physical-sciences",
                                  "/id/thesis/uk.bl.ethos.232781", "/id/thesis/tcd3dc49c1347f397b166/author"])  # fmt: skip
def test_every_thing_uri_answers_303_to_its_document(client, path: str) -> None:  # type: ignore[no-untyped-def]
    response = client.get(path + "?utm_source=x", headers={"Accept": "text/turtle"})
    assert response.status_code == 303
    location = response.headers["Location"]
    assert location.startswith("/doc/") and "?" not in location  # nothing carried over
    assert client.get(location, headers={"Accept": "text/turtle"}).status_code == 200


def test_head_and_conditional_get(client) -> None:  # type: ignore[no-untyped-def]
    first = client.get(DOC, headers={"Accept": "text/turtle"})
    head = client.head(DOC, headers={"Accept": "text/turtle"})
    assert head.status_code == 200 and head.data == b"" and head.headers["ETag"] == first.headers["ETag"]
    assert first.headers["Cache-Control"].startswith("public") and first.headers["Last-Modified"]
    again = client.get(DOC, headers={"Accept": "text/turtle", "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    since = client.get(DOC, headers={"Accept": "text/turtle", "If-Modified-Since": first.headers["Last-Modified"]})
    assert since.status_code == 304
    other = client.get(DOC, headers={"Accept": "application/ld+json", "If-None-Match": first.headers["ETag"]})
    assert other.status_code == 200  # a different representation has a different strong ETag


def test_cors_and_signposting(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get(DOC + ".ttl")
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert {"Link", "ETag", "Content-Location"} <= set(response.headers["Access-Control-Expose-Headers"].split(", "))
    link = response.headers["Link"]
    assert f'<{BASE}id/thesis/uk.bl.ethos.232781>; rel="cite-as"' in link
    assert '<https://isni.org/isni/0000000136122593>; rel="author"' in link
    assert '<https://creativecommons.org/licenses/by/4.0/>; rel="license"' in link
    assert '<https://schema.org/Thesis>; rel="type"' in link
    assert len(re.findall(r'rel="describedby"', link)) == 4


@pytest.mark.parametrize("suffix", ["ttl", "jsonld", "nt", "rdf"])
def test_every_rdf_format_gives_the_same_graph(client, suffix: str) -> None:  # type: ignore[no-untyped-def]
    formats = {"ttl": "turtle", "jsonld": "json-ld", "nt": "nt", "rdf": "xml"}
    reference = Graph().parse(data=client.get(f"{DOC}.ttl").data, format="turtle")
    data = client.get(f"{DOC}.{suffix}").data
    graph = jsonld_graph(client, data) if suffix == "jsonld" else Graph().parse(data=data, format=formats[suffix])
    assert isomorphic(reference, graph)


def test_html_page_for_people(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get(DOC, headers={"Accept": CHROME})
    html = response.get_data(as_text=True)
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    assert '<a href="/id/person/isni/0000000136122593">Loizou, Panos A.</a>' in html
    assert '<a href="/id/org/isni/0000000121662407">University of Manchester</a>' in html
    assert f'<link rel="alternate" type="text/turtle" href="{DOC}.ttl">' in html
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))
    assert data["@type"] == "Thesis" and data["author"][0]["name"] == "Loizou, Panos A."


def test_organisation_lists_its_theses_in_pages(settings: Settings, tmp_path: Path) -> None:
    rows = [thesis(n, **{"Institution ISNI": "https://isni.org/isni/0000000121662407",
                         "Institution": "University of Manchester"}) for n in range(1, 131)]  # fmt: skip
    ingest(settings, [csv_file(tmp_path, rows)], progress=False)
    from ld.web import create_app

    client = create_app(settings).test_client()
    first = client.get("/doc/org/isni/0000000121662407.ttl")
    assert 'rel="next"' in first.headers["Link"] and "page=2" in first.headers["Link"]
    g = Graph().parse(data=first.data, format="turtle")
    org = URIRef(f"{BASE}id/org/isni/0000000121662407")
    assert len(set(g.subjects(URIRef("http://id.loc.gov/vocabulary/relators/dgg"), org))) == 100
    assert (None, URIRef("http://www.w3.org/ns/hydra/core#next"), None) in g
    second = client.get("/doc/org/isni/0000000121662407.ttl?page=2")
    g2 = Graph().parse(data=second.data, format="turtle")
    assert len(set(g2.subjects(URIRef("http://id.loc.gov/vocabulary/relators/dgg"), org))) == 30
    assert client.get("/doc/org/isni/0000000121662407.ttl?page=-1").status_code == 400
    html = client.get("/doc/org/isni/0000000121662407", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert html.count("(awarding body)") == 100 and 'rel="next"' in html


HOSTILE = {
    "Title": 'Evil </script><script>alert(1)</script> "onmouseover="alert(2)',
    "Abstract": "<img src=x onerror=alert(3)> and </script>",
    "IR URL": "javascript:alert(4)",
}


def test_hostile_record_content_is_inert(settings: Settings, tmp_path: Path) -> None:
    ingest(settings, [csv_file(tmp_path, [thesis(66, **HOSTILE)])], progress=False)
    from ld.web import create_app

    html = create_app(settings).test_client().get("/doc/thesis/uk.bl.ethos.66.html").get_data(as_text=True)
    assert "<script>alert" not in html and "<img src=x" not in html
    assert 'href="javascript:' not in html
    assert "&lt;/script&gt;&lt;script&gt;alert(1)" in html
    embedded = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    assert "<" not in embedded and "\\u003c/script\\u003e" in embedded
    assert json.loads(embedded)["name"].startswith("Evil </script>")


@pytest.mark.parametrize("path", [
    "/doc/thesis/uk.bl.ethos.1%3E%20INSERT", "/doc/thesis/%7D", '/doc/thesis/x"y', "/id/person/isni/123",
    "/doc/org/name/a%3Eb", "/doc/concept/ddc/36", "/id/thesis/uk.bl.ethos.1/INSERT%20DATA",
    "/doc/degree/phd%7D%20UNION",
])  # fmt: skip
def test_hostile_paths_never_reach_the_store(client, path: str) -> None:  # type: ignore[no-untyped-def]
    for accept in ("text/turtle", "text/html"):
        response = client.get(path, headers={"Accept": accept})
        assert response.status_code in (400, 404)
        assert "<script" not in response.get_data(as_text=True).replace('<script type="application/ld+json">', "")


def test_unknown_uri_gets_404_in_the_negotiated_format(client) -> None:  # type: ignore[no-untyped-def]
    turtle = client.get("/doc/thesis/uk.bl.ethos.1", headers={"Accept": "text/turtle"})
    assert turtle.status_code == 404 and turtle.mimetype == "text/turtle"
    assert len(Graph().parse(data=turtle.data, format="turtle")) == 1
    html = client.get("/doc/person/isni/0000000136122594", headers={"Accept": "text/html"})
    assert html.status_code == 404 and html.mimetype == "text/html"


def _pyld_loader(client):  # type: ignore[no-untyped-def]
    """A PyLD document loader that serves this app's context and refuses everything else."""

    def load(url: str, options: dict | None = None) -> dict:
        if url != f"{BASE}context.jsonld":
            raise ValueError(f"refusing to fetch {url}")
        response = client.get("/context.jsonld")
        return {"contentType": "application/ld+json", "contextUrl": None, "documentUrl": url,
                "document": json.loads(response.data)}  # fmt: skip

    return load


@pytest.mark.parametrize(
    "path",
    [DOC, "/doc/thesis/tcd3dc49c1347f397b166", "/doc/org/isni/0000000121662407", "/doc/person/isni/0000000136122593"],
)
def test_jsonld_is_compact_with_a_published_context_and_expands_to_the_turtle(client, path: str) -> None:  # type: ignore[no-untyped-def]
    from pyld import jsonld

    document = json.loads(client.get(f"{path}.jsonld").data)
    assert document["@context"] == f"{BASE}context.jsonld"
    context = client.get("/context.jsonld")
    assert context.status_code == 200 and context.headers["Access-Control-Allow-Origin"] == "*"
    nquads = jsonld.to_rdf(document, {"format": "application/n-quads", "documentLoader": _pyld_loader(client)})
    expanded = Graph().parse(data=nquads, format="nt")
    turtle = Graph().parse(data=client.get(f"{path}.ttl").data, format="turtle")
    assert len(turtle) > 3 and isomorphic(expanded, turtle)


def test_withdrawn_records_answer_410_or_301(settings: Settings, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from ld.cli import main
    from ld.web import create_app

    ingest(settings, [csv_file(tmp_path, [thesis(1), thesis(2), thesis(3)])], progress=False)
    run = lambda *a: CliRunner().invoke(main, [*a, "--store", str(settings.store), "--base", BASE])  # noqa: E731
    assert run("withdraw", "uk.bl.ethos.1", "--reason", "duplicate of a later record").exit_code == 0
    assert run("withdraw", "uk.bl.ethos.2", "--replaced-by", "uk.bl.ethos.3").exit_code == 0
    assert run("withdraw", "uk.bl.ethos.9").exit_code == 1  # never published
    client = create_app(settings).test_client()
    gone = client.get("/doc/thesis/uk.bl.ethos.1", headers={"Accept": "text/turtle"})
    assert gone.status_code == 410 and b"deprecated" in gone.data
    assert client.get("/id/thesis/uk.bl.ethos.1", headers={"Accept": "text/html"}).status_code == 410
    assert b"duplicate of a later record" in client.get("/doc/thesis/uk.bl.ethos.1.html").data
    moved = client.get("/doc/thesis/uk.bl.ethos.2.ttl")
    assert moved.status_code == 301 and moved.headers["Location"] == "/doc/thesis/uk.bl.ethos.3.ttl"
    ingest(settings, [csv_file(tmp_path, [thesis(1, Title="Back again")])], progress=False)
    assert create_app(settings).test_client().get("/doc/thesis/uk.bl.ethos.1.ttl").status_code == 200


def test_vocabulary_defines_every_own_term_the_mapping_uses(client, mapper, loizou, mackin) -> None:  # type: ignore[no-untyped-def]
    vocab = Graph().parse(data=client.get("/def/", headers={"Accept": "text/turtle"}).data, format="turtle")
    defined = {str(s) for s in vocab.subjects()}
    rich = mapper.map(replace_record(loizou))
    used = {str(p) for _, p, _ in rich.triples + mapper.map(mackin).triples if str(p).startswith(f"{BASE}def/")}
    assert used and used <= defined
    assert client.get("/def/awardingBodyName").status_code == 303
    assert client.get("/def/index.jsonld").mimetype == "application/ld+json"


def replace_record(record):  # type: ignore[no-untyped-def]
    """The record with every optional field the project's own terms describe."""
    from .conftest import replace

    return replace(record, department="Physics", qualification_level="Doctoral", current_institution="Elsewhere",
                   repository_urls=["hdl:1/2"])  # fmt: skip


def test_shapes_are_served_and_are_the_profile(client) -> None:  # type: ignore[no-untyped-def]
    from ld.model.validation import DATASET_SHAPES, RECORD_SHAPES, shapes_graph

    served = Graph().parse(data=client.get("/shapes", headers={"Accept": "text/turtle"}).data, format="turtle")
    assert isomorphic(served, shapes_graph(tuple(sorted(set(RECORD_SHAPES) | set(DATASET_SHAPES)))))
    assert client.get("/shapes", headers={"Accept": "text/html"}).mimetype == "text/html"
    assert client.get("/shapes.jsonld").mimetype == "application/ld+json"
