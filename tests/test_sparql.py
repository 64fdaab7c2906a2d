"""The SPARQL endpoint with real clients (SPARQLWrapper, rdflib's SPARQLStore) against a real
granian server, and its safety: read-only, no SSRF, queries stopped at the deadline."""

from __future__ import annotations

import http.server
import os
import threading
import time
from collections.abc import Iterator

import pytest
import requests
from rdflib import Graph, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, TSV, TURTLE, XML, SPARQLWrapper

from .servers import Site, serving_samples

TITLES = """SELECT ?thesis ?title WHERE { ?thesis <http://purl.org/dc/terms/title> ?title } ORDER BY ?thesis"""
EXPECTED = {
    "http://{host}/id/thesis/tcd3dc49c1347f397b166": "Mental health and recovery : experiences of peer support workers employed in mental health services",
    "http://{host}/id/thesis/uk.bl.ethos.232781": "Computation and measurement of turbulent flow through idealized turbine blade passages",
}
CROSS_PRODUCT = "SELECT (COUNT(*) AS ?count) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n ?o }"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[Site]:  # type: ignore[no-untyped-def]
    os.environ["LDPUB_SPARQL_TIMEOUT"] = "3"
    try:
        with serving_samples(tmp_path_factory.mktemp("sparql") / "store", workers=2) as running:
            yield running
    finally:
        del os.environ["LDPUB_SPARQL_TIMEOUT"]


def expected(site: Site) -> dict[str, str]:
    host = site.base.split("//")[1].rstrip("/")
    return {k.format(host=host): v for k, v in EXPECTED.items()}


def wrapper(site: Site, fmt: str, method: str = "GET") -> SPARQLWrapper:
    client = SPARQLWrapper(f"{site.base}sparql")
    client.setReturnFormat(fmt)
    client.setMethod(method)
    return client


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_sparqlwrapper_select_json_matches_the_store(site: Site, method: str) -> None:
    client = wrapper(site, JSON, method)
    client.setQuery(TITLES)
    rows = client.query().convert()["results"]["bindings"]
    assert {r["thesis"]["value"]: r["title"]["value"] for r in rows} == expected(site)


@pytest.mark.parametrize("fmt", [XML, CSV, TSV])
def test_sparqlwrapper_other_result_formats(site: Site, fmt: str) -> None:
    client = wrapper(site, fmt)
    client.setQuery(TITLES)
    result = client.query()
    body = result.convert()
    text = body.toxml() if fmt == XML else body.decode("utf-8")
    for thesis, title in expected(site).items():
        assert thesis in text and title in text


def test_ask_and_construct(site: Site) -> None:
    client = wrapper(site, JSON)
    client.setQuery("ASK { ?t <http://purl.org/dc/terms/identifier> 'uk.bl.ethos.232781' }")
    assert client.query().convert()["boolean"] is True
    client = wrapper(site, TURTLE)
    client.setQuery("CONSTRUCT WHERE { ?t <http://purl.org/dc/terms/title> ?title }")
    graph = Graph().parse(data=client.query().convert(), format="turtle")
    assert {str(s): str(o) for s, _, o in graph} == expected(site)


def test_rdflib_sparqlstore(site: Site) -> None:
    store = SPARQLStore(f"{site.base}sparql", returnFormat="json")
    rows = list(store.query(TITLES))
    assert {str(r[0]): str(r[1]) for r in rows} == expected(site)
    graph = Graph(store=store)
    assert (URIRef(list(expected(site))[1]), URIRef("http://purl.org/dc/terms/identifier"), None) in graph


def test_named_and_default_graph_parameters(site: Site) -> None:
    graph = f"{site.base}doc/thesis/uk.bl.ethos.232781"
    answer = requests.get(f"{site.base}sparql", params={"query": TITLES, "default-graph-uri": graph}, timeout=10).json()
    assert [b["thesis"]["value"] for b in answer["results"]["bindings"]] == [f"{site.base}id/thesis/uk.bl.ethos.232781"]
    bad = requests.get(
        f"{site.base}sparql", params={"query": TITLES, "default-graph-uri": "http://evil.example/"}, timeout=10
    )
    assert bad.status_code == 400


@pytest.mark.parametrize(("body", "status"), [
    ({"update": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}, 403),
    ({"query": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}, 403),
    ({"query": "DROP ALL"}, 403),
    ({"query": "SELEKT * WHERE { ?s ?p ?o }"}, 400),
])  # fmt: skip
def test_updates_refused_and_syntax_errors_explained(site: Site, body: dict, status: int) -> None:
    response = requests.post(f"{site.base}sparql", data=body, timeout=10)
    assert response.status_code == status and response.text.strip()
    assert requests.get(f"{site.base}sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=10).json()["boolean"]


class Canary(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:  # noqa: N802
        Canary.hits.append(self.path)
        self.send_response(200)
        self.end_headers()

    do_POST = do_GET  # noqa: N815

    def log_message(self, *args: object) -> None:
        pass


def test_no_request_leaves_the_server_on_a_visitors_behalf(site: Site) -> None:
    canary = http.server.HTTPServer(("127.0.0.1", 0), Canary)
    threading.Thread(target=canary.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{canary.server_address[1]}/"
    try:
        for query in (f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
                      f"SELECT * FROM <{url}data.ttl> WHERE {{ ?s ?p ?o }}",
                      f"SELECT * FROM NAMED <{url}g> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
                      f"LOAD <{url}data.ttl>"):  # fmt: skip
            response = requests.post(f"{site.base}sparql", data={"query": query}, timeout=10)
            assert response.status_code in (400, 403), query
        time.sleep(0.5)
        assert Canary.hits == []
    finally:
        canary.shutdown()
        canary.server_close()


def test_runaway_query_is_stopped_and_the_server_keeps_answering(site: Site) -> None:
    results: dict[str, object] = {}

    def slow() -> None:
        start = time.monotonic()
        results["response"] = requests.get(f"{site.base}sparql", params={"query": CROSS_PRODUCT}, timeout=60)
        results["seconds"] = time.monotonic() - start

    worker = threading.Thread(target=slow)
    worker.start()
    time.sleep(0.5)
    meanwhile = requests.get(f"{site.base}doc/thesis/uk.bl.ethos.232781.ttl", timeout=10)
    assert meanwhile.status_code == 200  # the other worker answers while the query runs
    worker.join(30)
    assert results["response"].status_code == 503 and "timed out" in results["response"].text
    assert results["seconds"] < 3 + 1  # the deadline plus one second
    assert requests.get(f"{site.base}sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=10).status_code == 200


def test_request_bodies_over_the_limit_get_413(site: Site) -> None:
    big = "#" + "x" * (2 << 20) + "\nASK { ?s ?p ?o }"
    sized = requests.post(
        f"{site.base}sparql", data=big, headers={"Content-Type": "application/sparql-query"}, timeout=30
    )
    assert sized.status_code == 413
    chunks = (big[i : i + 65536].encode() for i in range(0, len(big), 65536))
    chunked = requests.post(
        f"{site.base}sparql", data=chunks, headers={"Content-Type": "application/sparql-query"}, timeout=30
    )
    assert chunked.status_code == 413
    small = (part.encode() for part in ("ASK { ?s ", "?p ?o }"))
    fine = requests.post(
        f"{site.base}sparql", data=small, headers={"Content-Type": "application/sparql-query"}, timeout=30
    )
    assert fine.status_code == 200 and fine.json()["boolean"] is True


def test_service_description_and_query_page(site: Site) -> None:
    sd = requests.get(f"{site.base}sparql", headers={"Accept": "text/turtle"}, timeout=10)
    graph = Graph().parse(data=sd.text, format="turtle")
    service = URIRef(f"{site.base}sparql")
    assert (service, URIRef("http://www.w3.org/ns/sparql-service-description#endpoint"), service) in graph
    page = requests.get(f"{site.base}sparql", headers={"Accept": "text/html"}, timeout=10)
    assert page.status_code == 200 and "<form" in page.text and "Theses per year" in page.text
    assert page.headers["Access-Control-Allow-Origin"] == "*"


def test_cors_preflight_for_posted_queries(site: Site) -> None:
    response = requests.options(f"{site.base}sparql", headers={"Origin": "https://example.org",
                                "Access-Control-Request-Method": "POST",
                                "Access-Control-Request-Headers": "Content-Type"}, timeout=10)  # fmt: skip
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in response.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in response.headers["Access-Control-Allow-Headers"]


def test_deeply_nested_json_body_is_refused_cleanly(site: Site) -> None:
    nested = "[" * 100_000 + "]" * 100_000
    response = requests.post(
        f"{site.base}sparql", data=nested, headers={"Content-Type": "application/json"}, timeout=30
    )
    assert response.status_code == 415 and "application/sparql-query" in response.text
