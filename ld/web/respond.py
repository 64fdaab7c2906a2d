"""One way to answer for any described resource: RDF by the renderer registry, or HTML."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import TypeVar
from urllib.parse import quote

import pyoxigraph as ox
from flask import Flask, Response, abort, current_app, redirect, render_template, request

from ..renderers import RENDERERS
from ..store.changes import ChangeLog, PublishedChanges
from ..store.rdf import ReadStore
from ..store.tombstones import Tombstones
from ..uris import document_path, last_segment, thesis_iri
from .describe import Description
from .headers import CACHE_CONTROL, conditional, link_header
from .negotiation import VARIANTS, Variant, negotiate

T = TypeVar("T")
LABEL = {"ttl": "Turtle", "jsonld": "JSON-LD", "nt": "N-Triples", "rdf": "RDF/XML", "html": "HTML"}


def store() -> ReadStore:
    return current_app.extensions["ldpub.store"]


def changes() -> PublishedChanges:
    """The change log as far as the published snapshot reaches: readers never see the future."""
    return per_process("ldpub.changes", ChangeLog).as_of(store().published_changes())


def per_process(name: str, factory: Callable[[Path], T], app: Flask | None = None) -> T:
    """One object per worker process, made on first use (SQLite connections must not cross a fork)."""
    app = app or current_app
    held = app.extensions.get(name)
    if held is None or held[0] != os.getpid():
        held = (os.getpid(), factory(app.config["LDPUB"].store))
        app.extensions[name] = held
    return held[1]


def writable(root: Path) -> bool:
    """Whether this process may keep files in the store's folder (a read-only mount may not)."""
    return os.access(root, os.W_OK)


def tombstones(app: Flask | None = None) -> Tombstones:
    return per_process("ldpub.tombstones", Tombstones, app)


def gone(variant: Variant, key: str, negotiated: bool = True) -> Response | None:
    """410 for a withdrawn thesis, 301 to its replacement; None when it was never withdrawn."""
    stone = tombstones().get(key)
    if stone is None:
        return None
    if stone.replaced_by:
        suffix = f".{variant.suffix}" if last_segment(request.path).endswith(f".{variant.suffix}") else ""
        return redirect(document_path(stone.replaced_by) + suffix, code=301)
    thing = thesis_iri(base(), key)
    if variant.is_html:
        body = render_template("gone.html", stone=stone, thing=thing)
        return by_accept(Response(body, 410, mimetype="text/html"), negotiated)
    said = [
        ox.Triple(ox.NamedNode(thing), ox.NamedNode("http://www.w3.org/2002/07/owl#deprecated"),
                  ox.Literal("true", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean"))),
        ox.Triple(ox.NamedNode(thing), ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#comment"),
                  ox.Literal(f"Withdrawn {stone.withdrawn_at}" + (f": {stone.reason}" if stone.reason else ""))),
    ]  # fmt: skip
    renderer = RENDERERS[variant.suffix]
    return by_accept(Response(renderer.render(said, base()), 410, mimetype=renderer.media_type), negotiated)


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
    response.vary.add("Accept")
    stem = quote(request.path, safe="/")
    response.headers["Link"] = link_header(
        (f"{stem}.{v.suffix}", "alternate", {"type": v.media_type}) for v in VARIANTS
    )
    response.vary.add("Accept")
    return response


def alternates(doc_path: str) -> list[dict[str, str]]:
    return [{"href": f"{doc_path}.{v.suffix}", "media_type": v.media_type, "label": LABEL[v.suffix]} for v in VARIANTS]


def answer(description: Description, variant: Variant, doc_path: str, negotiated: bool,
           html: tuple[str, dict], links: Iterable[tuple[str, str, dict[str, str]]] = ()) -> Response:  # fmt: skip
    """Body, Content-Location, Vary, Link (alternates and signposting), caching, 304."""
    body, mimetype = render(description, variant, doc_path, html)
    every = link_header([*links, *alternates_except(variant, doc_path)])
    return send(body, mimetype, variant, doc_path, negotiated, every, description.modified)


def render(description: Description, variant: Variant, doc_path: str, html: tuple[str, dict]) -> tuple[bytes, str]:
    """The representation's bytes and media type: the page, or the graph by the renderer registry."""
    if variant.is_html:
        template, context = html
        page = render_template(template, alternates=alternates(doc_path), thing=description.thing, **context)
        return page.encode("utf-8"), "text/html"
    renderer = RENDERERS[variant.suffix]
    return renderer.render(description.triples, base()), renderer.media_type


def alternates_except(variant: Variant, doc_path: str) -> list[tuple[str, str, dict[str, str]]]:
    """Link entries for the representations other than `variant`."""
    return [(f"{doc_path}.{v.suffix}", "alternate", {"type": v.media_type}) for v in VARIANTS if v != variant]


def send(body: bytes, mimetype: str, variant: Variant, doc_path: str, negotiated: bool, links: str,
         modified: datetime | None, tag: str | None = None) -> Response:  # fmt: skip
    """A representation with every header it promises (`links`: the whole Link header);
    `tag` when the ETag is known already."""
    response = Response(body, mimetype=mimetype)
    _where(response, variant, doc_path, negotiated)
    response.headers["Link"] = links
    return conditional(response, modified, tag)


def not_modified(tag: str, variant: Variant, doc_path: str, negotiated: bool) -> Response:
    """304 with what RFC 9110 asks of it (ETag, Content-Location, Vary, Cache-Control), no body."""
    response = Response(status=304, mimetype=variant.media_type)  # CSP (headers.py) for a page's 304 only
    response.set_etag(tag)
    response.headers["Cache-Control"] = CACHE_CONTROL
    _where(response, variant, doc_path, negotiated)
    return response


def _where(response: Response, variant: Variant, doc_path: str, negotiated: bool) -> None:
    response.headers["Content-Location"] = f"{doc_path}.{variant.suffix}"
    by_accept(response, negotiated)


def not_found(variant: Variant | None, what: str, negotiated: bool = True) -> Response:
    """404 in the negotiated format (HTML for browsers, a one-triple graph for RDF clients);
    `negotiated`: the format was chosen by the Accept header, not by a suffix."""
    if variant is None or variant.is_html:
        body = render_template("missing.html", message=_nothing(what), thing=request.path)
        return by_accept(Response(body, 404, mimetype="text/html"), negotiated)
    body, mimetype = missing_graph(base(), request.path, variant, what)
    return by_accept(Response(body, 404, mimetype=mimetype), negotiated)


def _nothing(what: str) -> str:
    return f"There is no {what} here."


def missing_graph(base_iri: str, path: str, variant: Variant, what: str) -> tuple[bytes, str]:
    """A 404's body for RDF clients: one triple saying that there is no `what` at `path`."""
    comment = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#comment")
    about = ox.Triple(ox.NamedNode(base_iri.rstrip("/") + quote(path, safe="/")), comment, ox.Literal(_nothing(what)))
    renderer = RENDERERS[variant.suffix]
    return renderer.render([about], base_iri), renderer.media_type


def by_accept(response: Response, negotiated: bool) -> Response:
    """Vary: Accept on an answer whose format the Accept header chose: a cache in front
    must not give a browser's 404 page to an RDF client."""
    if negotiated:
        response.vary.add("Accept")
    return response
