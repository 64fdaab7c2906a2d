"""One way to answer for any described resource: RDF by the renderer registry, or HTML."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import quote

import pyoxigraph as ox
from flask import Response, abort, current_app, render_template, request

from ..renderers import RENDERERS
from ..store import ReadStore
from .describe import Description
from .headers import conditional, link_header
from .negotiation import VARIANTS, Variant, negotiate

LABEL = {"ttl": "Turtle", "jsonld": "JSON-LD", "nt": "N-Triples", "rdf": "RDF/XML", "html": "HTML"}


def store() -> ReadStore:
    return current_app.extensions["ldpub.store"]


def base() -> str:
    return current_app.config["LDPUB"].base


def choose(suffix_variant: Variant | None) -> Variant:
    """The suffix's variant, else the negotiated one, else 406 listing what there is."""
    variant = suffix_variant or negotiate(request)
    if variant is None:
        abort(_not_acceptable())
    return variant


def _not_acceptable() -> Response:
    types = [v.media_type for v in VARIANTS]
    response = Response("406 Not Acceptable\n\nAvailable types: " + ", ".join(types) + "\n", 406,
                        mimetype="text/plain")  # fmt: skip
    stem = quote(request.path, safe="/")
    response.headers["Link"] = link_header((f"{stem}.{v.suffix}", "alternate", {"type": v.media_type}) for v in VARIANTS)
    response.vary.add("Accept")
    return response


def alternates(doc_path: str) -> list[dict[str, str]]:
    return [{"href": f"{doc_path}.{v.suffix}", "media_type": v.media_type, "label": LABEL[v.suffix]} for v in VARIANTS]


def answer(description: Description, variant: Variant, doc_path: str, negotiated: bool,
           html: tuple[str, dict], links: Iterable[tuple[str, str, dict[str, str]]] = ()) -> Response:  # fmt: skip
    """Body, Content-Location, Vary, Link (alternates and signposting), caching, 304."""
    if variant.is_html:
        template, context = html
        body = render_template(template, alternates=alternates(doc_path), thing=description.thing, **context)
        response = Response(body, mimetype="text/html")
    else:
        renderer = RENDERERS[variant.suffix]
        response = Response(renderer.render(description.triples, base()), mimetype=renderer.media_type)
    response.headers["Content-Location"] = f"{doc_path}.{variant.suffix}"
    if negotiated:
        response.vary.add("Accept")
    every = [(f"{doc_path}.{v.suffix}", "alternate", {"type": v.media_type}) for v in VARIANTS if v != variant]
    response.headers["Link"] = link_header([*links, *every])
    return conditional(response, description.modified)


def not_found(variant: Variant | None, what: str) -> Response:
    """404 in the negotiated format (HTML for browsers, a one-triple graph for RDF clients)."""
    message = f"There is no {what} here."
    if variant is None or variant.is_html:
        body = render_template("missing.html", message=message, alternates=[], thing=request.path)
        return Response(body, 404, mimetype="text/html")
    about = ox.Triple(ox.NamedNode(base().rstrip("/") + quote(request.path, safe="/")),
                      ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#comment"), ox.Literal(message))  # fmt: skip
    renderer = RENDERERS[variant.suffix]
    return Response(renderer.render([about], base()), 404, mimetype=renderer.media_type)
