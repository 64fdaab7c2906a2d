"""Documents about the service itself: the JSON-LD context, the vocabulary, the shapes."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from itertools import islice
from pathlib import Path

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, redirect, render_template

from ..model.validation import SHAPES_DIR
from ..renderers import RENDERERS, jsonld_context
from ..search import SearchUnavailable
from ..store.rdf import StoreMissing
from ..uris import document_key, thesis_path
from .describe import Description
from .headers import conditional
from .negotiation import split_suffix
from .respond import answer, base, choose, store
from .search import index

bp = Blueprint("discovery", __name__)
EXAMPLE_SEARCH = 100_000  # graphs looked at for an example thesis


@bp.get("/")
def home() -> Response:
    """What the dataset is and how to use it; one published thesis as an example."""
    example = None
    try:
        graphs = store().db.named_graphs()
    except StoreMissing:
        graphs = iter(())
    # The shared resources' graphs come first in some stores: a few thousand at EThOS scale.
    key = next((k for g in islice(graphs, EXAMPLE_SEARCH) if (k := document_key(base(), g.value))), None)
    if key is not None:
        example = {"href": thesis_path(key), "label": f"thesis {key}"}
    try:
        counts = {"theses": index().count(), "institutions": len(index().values("institution"))}
    except SearchUnavailable:  # a damaged search index must not take the front page down with it
        counts = None
    body = render_template("home.html", page_title="ldpub", thing=base(), example=example,
                           counts=counts, licence=current_app.config["LDPUB"].license)  # fmt: skip
    return conditional(Response(body, mimetype="text/html"), None)


@bp.get("/context.jsonld")
def context() -> Response:
    """The context every JSON-LD document references; stable for a given base URI."""
    body = json.dumps(jsonld_context(base()), indent=2, sort_keys=True)
    return conditional(Response(body, mimetype="application/ld+json"), None)


@cache
def vocabulary(base_iri: str) -> tuple[ox.Triple, ...]:
    text = resources.files("ld").joinpath("data/vocabulary.ttl").read_text("utf-8")
    return tuple(ox.parse(text, format=ox.RdfFormat.TURTLE, base_iri=f"{base_iri}def/"))


@cache
def shapes() -> tuple[ox.Triple, ...]:
    """The profile's triples, blank nodes named by order of appearance: the parser's random
    labels would change the bytes (and the ETag) in every process and every render."""
    triples: list[ox.Triple] = []
    for path in sorted(Path(SHAPES_DIR).glob("*.ttl")):
        triples += ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)
    names: dict[ox.BlankNode, ox.BlankNode] = {}

    def named(term):  # type: ignore[no-untyped-def]
        if isinstance(term, ox.BlankNode):
            return names.setdefault(term, ox.BlankNode(f"s{len(names)}"))
        return term

    return tuple(ox.Triple(named(t.subject), t.predicate, named(t.object)) for t in triples)


def _document(triples: tuple[ox.Triple, ...], thing: str, doc_path: str, suffix_name: str, title: str) -> Response:
    _, suffix = split_suffix(suffix_name)
    variant = choose(suffix)
    described = Description(thing, list(triples))
    turtle = RENDERERS["ttl"].render(list(triples), base()).decode("utf-8")
    html = ("source.html", {"page_title": title, "source": turtle, "schema": None})
    return answer(described, variant, doc_path, suffix is None, html)


@bp.get("/def/")
def vocabulary_document() -> Response:
    """The project's own terms as RDFS/OWL, negotiated like every document."""
    return _document(vocabulary(base()), f"{base()}def/", "/def/index", "index", "ldpub vocabulary")


@bp.get("/def/<name>")
def vocabulary_term(name: str) -> Response:
    stem, suffix = split_suffix(name)
    if stem == "index" and suffix:
        return _document(vocabulary(base()), f"{base()}def/", "/def/index", name, "ldpub vocabulary")
    return redirect("/def/", code=303)


@bp.get("/shapes")
@bp.get("/shapes.<ext>")
def shapes_document(ext: str | None = None) -> Response:
    """The SHACL profile every record is validated against."""
    name = f"shapes.{ext}" if ext else "shapes"
    return _document(shapes(), f"{base()}shapes", "/shapes", name, "ldpub SHACL profile")
