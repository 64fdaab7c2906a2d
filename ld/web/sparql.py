"""The SPARQL 1.1 Protocol endpoint at /sparql: read-only, killable, capped.

GET ?query=, POST form-encoded, POST application/sparql-query; default-graph-uri and
named-graph-uri; the default graph is the union of all published records.  Without a
query: the Service Description (RDF) or a query page (HTML).
"""

from __future__ import annotations

import os

import pyoxigraph as ox
from flask import Blueprint, Response, abort, current_app, render_template, request

from ..renderers import RENDERERS
from ..sparql.guard import Refused
from ..sparql.results import SELECT_TYPES, TooLarge
from ..sparql.runner import Limits, QueryFailed, QueryProcess, Timeout, Unavailable
from ..sparql.runner import Request as QueryRequest
from ..sparql.slots import slot
from ..vocab import RDF_TYPE
from .negotiation import BY_SUFFIX, negotiate
from .respond import base

bp = Blueprint("sparql", __name__)
GRAPH_TYPES = {r.media_type: suffix for suffix, r in RENDERERS.items()}
SELECT_BY_TYPE = {t: f for f, t in SELECT_TYPES.items()} | {"application/json": "json", "text/xml": "xml",
                                                             "application/xml": "xml"}  # fmt: skip
NOT_ACCEPTABLE = ""  # no format the client accepts: 406, once the query's form is known
BUSY_RETRY_SECONDS = 5
SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS = "http://www.w3.org/ns/formats/"
EXAMPLES = [
    ("Theses awarded by an institution", """PREFIX relators: <http://id.loc.gov/vocabulary/relators/>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
SELECT ?thesis ?title WHERE {
  ?thesis relators:dgg ?org ; dcterms:title ?title .
  ?org foaf:name "University of Manchester" .
} LIMIT 100"""),
    ("Theses of the person with an ISNI", """PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
SELECT ?thesis ?title WHERE {
  ?person owl:sameAs <https://isni.org/isni/0000000136122593> .
  ?thesis dcterms:creator ?person ; dcterms:title ?title .
}"""),
    ("Theses per year of award", """PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?year (COUNT(?thesis) AS ?theses) WHERE {
  ?thesis dcterms:issued ?date .
  BIND (SUBSTR(STR(?date), 1, 4) AS ?year)
} GROUP BY ?year ORDER BY DESC(?year) LIMIT 100"""),
]  # fmt: skip


@bp.route("/sparql", methods=["GET", "POST"])
def endpoint() -> Response:
    query = _query_text()
    if query is None:
        return _describe_service()
    settings = current_app.config["LDPUB"]
    job = QueryRequest(base(), query, _select_format(), _graph_format(), *_graphs())
    with slot(settings.store, settings.sparql_concurrency) as free:
        if not free:
            return _error(503, f"All {settings.sparql_concurrency} query slots are busy; try again shortly.",
                          {"Retry-After": str(BUSY_RETRY_SECONDS)})  # fmt: skip
        try:
            answer = query_process().run(job)
        except Refused as exc:
            return _error(exc.status, str(exc))
        except Timeout as exc:
            return _error(503, f"Query timed out: {exc}. Narrow it down or add a LIMIT.", {"Retry-After": "60"})
        except TooLarge as exc:
            return _error(400, f"Result too large: {exc}.")
        except QueryFailed as exc:
            return _error(400, f"Query failed: {exc}")
        except Unavailable as exc:
            current_app.logger.error("SPARQL unavailable: %s", exc)
            return _error(503, f"SPARQL is unavailable: {exc}.", {"Retry-After": "60"})
    fmt = job.graph_fmt if answer.is_graph else job.select_fmt
    if fmt == NOT_ACCEPTABLE:
        return _error(406, "Available: " + ", ".join(GRAPH_TYPES if answer.is_graph else SELECT_TYPES.values()))
    media_type = RENDERERS[fmt].media_type if answer.is_graph else SELECT_TYPES[fmt]
    response = Response(answer.body, mimetype=media_type)
    response.vary.add("Accept")
    if answer.truncated:
        response.headers["LDPUB-Results-Truncated"] = f"true; limit={settings.sparql_max_rows}"
    return response


def query_process() -> QueryProcess:
    """This web worker's warm query process (one per process: never inherited through a fork)."""
    settings = current_app.config["LDPUB"]
    key = (os.getpid(), settings.store, settings.sparql_timeout, settings.sparql_max_rows, settings.sparql_max_bytes)
    if key not in _QUERY_PROCESSES:
        limits = Limits(settings.sparql_timeout, settings.sparql_max_rows, settings.sparql_max_bytes)
        _QUERY_PROCESSES[key] = QueryProcess(settings.store, limits)
    return _QUERY_PROCESSES[key]


_QUERY_PROCESSES: dict[tuple, QueryProcess] = {}  # by process and app settings: one per app in a worker


def _query_text() -> str | None:
    if request.method == "POST":
        mimetype = request.mimetype
        if mimetype == "application/sparql-update" or "update" in request.form:
            abort(_error(403, "This endpoint is read-only: SPARQL updates are not accepted."))
        if mimetype == "application/sparql-query":
            return request.get_data(as_text=True)
        if mimetype != "application/x-www-form-urlencoded":
            abort(_error(415, "POST a query as application/sparql-query or application/x-www-form-urlencoded."))
        return request.form.get("query")
    if "update" in request.args:
        abort(_error(403, "This endpoint is read-only: SPARQL updates are not accepted."))
    return request.args.get("query")


def _graphs() -> tuple[tuple[str, ...], tuple[str, ...]]:
    source = (
        request.form if request.method == "POST" and request.mimetype != "application/sparql-query" else request.args
    )
    graphs = [tuple(source.getlist(name)) for name in ("default-graph-uri", "named-graph-uri")]
    for iri in graphs[0] + graphs[1]:
        if not iri.startswith(base()):
            abort(_error(400, f"<{iri}> is not a graph of this dataset."))
    return graphs[0], graphs[1]


def _select_format() -> str:
    """The results format for SELECT and ASK (the form is known only once the query is vetted)."""
    if not request.headers.get("Accept"):
        return "json"
    best = request.accept_mimetypes.best_match(list(SELECT_BY_TYPE))
    return SELECT_BY_TYPE[best] if best else NOT_ACCEPTABLE


def _graph_format() -> str:
    """The RDF format for CONSTRUCT and DESCRIBE; a browser gets Turtle, which it shows as text."""
    variant = negotiate(request)
    if variant is None:
        return NOT_ACCEPTABLE
    return BY_SUFFIX["ttl"].suffix if variant.is_html else variant.suffix


def _describe_service() -> Response:
    variant = negotiate(request)
    if variant is not None and variant.is_html:
        body = render_template("sparql.html", page_title="SPARQL", thing=f"{base()}sparql",
                               examples=EXAMPLES)  # fmt: skip
        return Response(body, mimetype="text/html")
    variant = variant or BY_SUFFIX["ttl"]
    renderer = RENDERERS[variant.suffix]
    response = Response(renderer.render(service_description(base()), base()), mimetype=renderer.media_type)
    response.vary.add("Accept")
    return response


def service_description(base_iri: str) -> list[ox.Triple]:
    """SPARQL 1.1 Service Description of this endpoint."""
    service, dataset, graph = ox.NamedNode(f"{base_iri}sparql"), ox.BlankNode("dataset"), ox.BlankNode("default")
    sd = lambda name: ox.NamedNode(SD + name)  # noqa: E731
    rdf_type = ox.NamedNode(RDF_TYPE)
    triples = [
        ox.Triple(service, rdf_type, sd("Service")),
        ox.Triple(service, sd("endpoint"), service),
        ox.Triple(service, sd("supportedLanguage"), sd("SPARQL11Query")),
        ox.Triple(service, sd("feature"), sd("UnionDefaultGraph")),
        ox.Triple(service, sd("defaultDataset"), dataset),
        ox.Triple(dataset, rdf_type, sd("Dataset")),
        ox.Triple(dataset, sd("defaultGraph"), graph),
        ox.Triple(graph, rdf_type, sd("Graph")),
    ]
    for name in ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                 "Turtle", "JSON-LD", "N-Triples", "RDF_XML"):  # fmt: skip
        triples.append(ox.Triple(service, sd("resultFormat"), ox.NamedNode(FORMATS + name)))
    return triples


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    response = Response(message + "\n", status, mimetype="text/plain")
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response
