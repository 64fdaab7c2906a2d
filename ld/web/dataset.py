"""The dataset as a whole: its VoID description and its dump files."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
from flask import Blueprint, Response, abort, current_app, render_template, request, send_from_directory
from werkzeug.http import parse_range_header

from ..renderers import RENDERERS
from ..store import statistics
from ..store.dumps import CHECKSUMS, DCAT_FILE, DUMP_FORMATS, dumps_dir
from ..uris import uri_space
from ..vocab import DCT_IRI, PREFIXES, RDF_TYPE
from .describe import Description
from .negotiation import split_suffix
from .respond import answer, base, choose

bp = Blueprint("dataset", __name__)
VOID = "http://rdfs.org/ns/void#"
OURS = ("http://purl.org/ontology/bibo/Thesis", "http://xmlns.com/foaf/0.1/Person",
        "http://xmlns.com/foaf/0.1/Organization", "http://www.w3.org/2004/02/skos/core#Concept",
        "http://purl.org/ontology/bibo/ThesisDegree")  # fmt: skip
FILE_TYPES = {".gz": "application/gzip", ".ttl": "text/turtle", "": "text/plain"}


@bp.get("/.well-known/void")
@bp.get("/void")
@bp.get("/void.<ext>")
def void(ext: str | None = None) -> Response:
    """VoID, counted from the newest snapshot by the ingest that published it."""
    _, suffix = split_suffix(f"void.{ext}" if ext else "void")
    variant = choose(suffix)
    triples = void_triples(base(), current_app.config["LDPUB"].license, _stats(), _dump_names())
    html = ("source.html", {"page_title": "Dataset description (VoID)", "schema": None,
                            "source": _turtle(triples)})  # fmt: skip
    return answer(Description(f"{base()}void#dataset", triples), variant, "/void", suffix is None, html)


def _stats() -> dict:
    found = statistics.newest(Path(current_app.config["LDPUB"].store) / "snapshots")
    return found or {"quads": 0, "classes": {}, "properties": {}, "examples": {}}


def _dump_names() -> list[str]:
    folder = dumps_dir(current_app.config["LDPUB"])
    return [f.name for f in DUMP_FORMATS if (folder / f.name).exists()]


def void_triples(base_iri: str, license_iri: str, stats: dict, dumps: list[str]) -> list[ox.Triple]:
    n = ox.NamedNode
    dataset = n(f"{base_iri}void#dataset")
    rdf_type = n(RDF_TYPE)
    integer = n("http://www.w3.org/2001/XMLSchema#integer")
    count = lambda v: ox.Literal(str(v), datatype=integer)  # noqa: E731
    t = [
        ox.Triple(dataset, rdf_type, n(VOID + "Dataset")),
        ox.Triple(dataset, n(DCT_IRI + "title"), ox.Literal("UK doctoral theses (ldpub)", language="en")),
        ox.Triple(dataset, n(DCT_IRI + "description"), ox.Literal(
            "Records of UK doctoral theses from the British Library's EThOS service and university "
            "repositories, validated against a SHACL profile.", language="en")),
        ox.Triple(dataset, n(DCT_IRI + "license"), n(license_iri)),
        ox.Triple(dataset, n(VOID + "triples"), count(stats["quads"])),
        ox.Triple(dataset, n(VOID + "entities"), count(sum(stats["classes"].get(c, 0) for c in OURS))),
        ox.Triple(dataset, n(VOID + "documents"), count(stats["classes"].get("http://xmlns.com/foaf/0.1/Document", 0))),
        ox.Triple(dataset, n(VOID + "sparqlEndpoint"), n(f"{base_iri}sparql")),
        ox.Triple(dataset, n(VOID + "uriSpace"), ox.Literal(uri_space(base_iri))),
        ox.Triple(dataset, n(VOID + "rootResource"), n(base_iri)),
    ]  # fmt: skip
    if stats.get("computed"):
        t.append(ox.Triple(dataset, n(DCT_IRI + "modified"), ox.Literal(stats["computed"],
                 datatype=n("http://www.w3.org/2001/XMLSchema#dateTime"))))  # fmt: skip
    t += [ox.Triple(dataset, n(VOID + "dataDump"), n(f"{base_iri}dumps/{name}")) for name in dumps]
    t += [ox.Triple(dataset, n(VOID + "vocabulary"), n(str(ns))) for ns in PREFIXES.values()]
    t += [ox.Triple(dataset, n(VOID + "exampleResource"), n(iri))
          for cls, iri in sorted(stats["examples"].items()) if cls in OURS]  # fmt: skip
    for i, (cls, entities) in enumerate(sorted(stats["classes"].items())):
        part = ox.BlankNode(f"class{i}")
        t += [ox.Triple(dataset, n(VOID + "classPartition"), part), ox.Triple(part, n(VOID + "class"), n(cls)),
              ox.Triple(part, n(VOID + "entities"), count(entities))]  # fmt: skip
    for i, (prop, triples) in enumerate(sorted(stats["properties"].items())):
        part = ox.BlankNode(f"property{i}")
        t += [ox.Triple(dataset, n(VOID + "propertyPartition"), part), ox.Triple(part, n(VOID + "property"), n(prop)),
              ox.Triple(part, n(VOID + "triples"), count(triples))]  # fmt: skip
    return t


def _turtle(triples: list[ox.Triple]) -> str:
    return RENDERERS["ttl"].render(triples, base()).decode("utf-8")


@bp.get("/dumps/")
def dump_list() -> Response:
    folder = dumps_dir(current_app.config["LDPUB"])
    files = [(p.name, p.stat().st_size) for p in sorted(folder.iterdir())] if folder.is_dir() else []
    files = [(name, size) for name, size in files if not name.endswith(".partial")]
    body = render_template("dumps.html", page_title="Dumps", thing=f"{base()}dumps/",
                           files=files)  # fmt: skip
    return Response(body, mimetype="text/html")


@bp.get("/dumps/<name>")
def dump_file(name: str) -> Response:
    """A dump file: only the names ldpub writes, so no path ever reaches the file system."""
    allowed = {f.name for f in DUMP_FORMATS} | {CHECKSUMS, DCAT_FILE}
    if name not in allowed:
        abort(404, description="No such dump file; see /dumps/.")
    folder = dumps_dir(current_app.config["LDPUB"])
    mimetype = next(t for ext, t in FILE_TYPES.items() if name.endswith(ext))
    _ignore_unsupported_range()
    return send_from_directory(folder, name, mimetype=mimetype, conditional=True, max_age=300)


def _ignore_unsupported_range() -> None:
    """Drop a Range header that is not one byte range, so the whole file is sent (200).

    RFC 9110 (14.2): a server must ignore a range unit it does not support, and may ignore
    a Range it does not serve, such as several ranges; werkzeug answered both 416, which
    says the file has no such bytes.  A single byte range is served (206) or, beyond the
    end of the file, refused (416), as before.
    """
    header = request.headers.get("Range")
    if header is None:
        return
    wanted = parse_range_header(header)
    if wanted is None or wanted.units != "bytes" or len(wanted.ranges) != 1:
        request.environ.pop("HTTP_RANGE", None)
