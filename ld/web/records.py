"""Thesis records: /id/thesis/{key} (the thing) and /doc/thesis/{key}[.suffix] (its description)."""

from __future__ import annotations

import re

from flask import Blueprint, Response, abort, current_app, redirect, request, url_for

from ..renderers import RENDERERS, Renderer, by_media_type, triples_of
from ..store import ReadStore

bp = Blueprint("records", __name__)
KEY = re.compile(r"^(uk\.bl\.ethos\.[0-9]{1,12}|t[0-9a-f]{20})$")
OFFERED = ["text/turtle", "application/ld+json", "application/n-triples", "application/rdf+xml"]


def _store() -> ReadStore:
    return current_app.extensions["ldpub.store"]


def _base() -> str:
    return current_app.config["LDPUB"].base


def checked_key(key: str) -> str:
    """The key if it is of a form ldpub mints; 404 otherwise, before any store access."""
    if not KEY.match(key):
        abort(404, description=f"There is no thesis with key {key!r} here.")
    return key


@bp.get("/id/thesis/<key>")
def thing(key: str) -> Response:
    """The thesis itself is not a document: 303 to the document describing it."""
    checked_key(key)
    return redirect(url_for("records.document", name=key), code=303)


@bp.get("/doc/thesis/<name>")
def document(name: str) -> Response:
    key, suffix = _split_suffix(name)
    checked_key(key)
    renderer = RENDERERS[suffix] if suffix else _negotiate()
    graph = f"{_base()}doc/thesis/{key}"
    triples = triples_of(_store().quads(graph))
    if not triples:
        abort(404, description=f"There is no thesis with key {key!r} here.")
    response = Response(renderer.render(triples, _base()), mimetype=renderer.media_type)
    response.headers["Content-Location"] = url_for("records.document", name=f"{key}.{renderer.suffix}")
    if not suffix:
        response.vary.add("Accept")
    return response


def _split_suffix(name: str) -> tuple[str, str | None]:
    stem, dot, ext = name.rpartition(".")
    if dot and ext in RENDERERS:
        return stem, ext
    return name, None


def _negotiate() -> Renderer:
    """Best RDF type for the Accept header (no header or */* alone: Turtle); 406 otherwise."""
    if not request.headers.get("Accept"):
        return RENDERERS["ttl"]
    best = request.accept_mimetypes.best_match(OFFERED)
    if best is None:
        abort(406, description="Available types: " + ", ".join(OFFERED))
    return by_media_type()[best]
