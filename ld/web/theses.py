"""Theses: /id/thesis/{key} (the thing) and /doc/thesis/{key}[.suffix] (its description)."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
from flask import Blueprint, Response, abort, redirect, request

from ..uris import document_iri, document_path, is_key, is_scoped_person, key_of, thesis_path
from ..vocab import DCT_IRI
from . import describe
from .negotiation import BY_SUFFIX, Variant, negotiate, split_suffix
from .pages import OWL_SAME, Facts, schema_org, thesis_view
from .rendered import Bodies, Kept, Rendered, digest_in, etag, stored_digest
from .respond import base, choose, gone, not_found, not_modified, per_process, render, send, store

bp = Blueprint("theses", __name__)


def checked_key(key: str) -> str:
    """The key if it is of a form ldpub mints; 404 otherwise, before any store access."""
    if not is_key(key):
        abort(not_found(negotiate(request), "thesis with that key"))
    return key


@bp.get(thesis_path("<key>"))
def thing(key: str) -> Response:
    """The thesis is not a document: 303 to the document about it (query string dropped)."""
    checked_key(key)
    variant = negotiate(request) or BY_SUFFIX["ttl"]
    return gone(variant, key) or redirect(document_path(key), code=303)


@bp.get(thesis_path("<key>") + "/<path:person>")
def record_person(key: str, person: str) -> Response:
    """Authors and supervisors without an identifier are described in their thesis's document."""
    if not is_scoped_person(person):
        abort(not_found(negotiate(request), "person at that address"))
    return redirect(document_path(checked_key(key)), code=303)


@bp.get(document_path("<name>"))
def document(name: str) -> Response:
    """The record's document, served from bytes made once per content version (rendered.py)."""
    key, suffix = split_suffix(name)
    variant = choose(suffix)
    checked_key(key)
    doc_path, negotiated = document_path(key), suffix is None
    db, snapshot = store().opened()  # CURRENT read once: every read below is of this snapshot
    kept = bodies().current((key, variant.suffix), snapshot, lambda: stored_digest(db, base(), key))
    if kept is None and request.if_none_match:  # a 304 must not cost a rendering
        digest = stored_digest(db, base(), key)
        tag = etag(digest, variant.suffix) if digest is not None else None
        if tag is not None and request.if_none_match.contains_weak(tag):
            return not_modified(tag, variant, doc_path, negotiated)
    if kept is None:
        kept = _render(db, key, variant, snapshot)
        if kept is None:
            return gone(variant, key) or not_found(variant, "thesis with that key")
        bodies().keep((key, variant.suffix), kept)
    tag = etag(kept.digest, variant.suffix)
    if request.if_none_match.contains_weak(tag):
        return not_modified(tag, variant, doc_path, negotiated)
    made = kept.rendered
    return send(made.body, made.mimetype, variant, doc_path, negotiated, made.links, made.modified, tag)


def bodies() -> Bodies:
    return per_process("ldpub.bodies", lambda _root: Bodies())


def _render(db: ox.Store, key: str, variant: Variant, snapshot: Path) -> Kept | None:
    """The representation of the record in `snapshot` (one read of its graph, which also
    states its content digest); None when it is not published."""
    found = describe.thesis(db, base(), key)
    digest = digest_in(found.triples, base(), key) if found is not None else None
    if found is None or digest is None:
        return None
    facts = Facts(found.triples, base())
    page = {}
    if variant.is_html:  # the page's view model only for the page
        page = {"v": thesis_view(facts, found.thing), "schema": schema_org(facts, found.thing),
                "page_title": facts.label(found.thing)}  # fmt: skip
    body, mimetype = render(found, variant, document_path(key), ("thesis.html", page))
    return Kept(snapshot, digest, Rendered(body, mimetype, found.modified, signposts(facts, found.thing)))


def signposts(facts: Facts, thesis: str) -> list[tuple[str, str, dict[str, str]]]:
    """Signposting level 1 and 2: cite-as, type, author, license, describedby."""
    links = [(thesis, "cite-as", {}), ("https://schema.org/Thesis", "type", {}),
             ("http://purl.org/ontology/bibo/Thesis", "type", {})]  # fmt: skip
    for author in facts.values(thesis, DCT_IRI + "creator"):
        ids = [i for i in facts.values(author, OWL_SAME) if "isni.org" in i or "orcid.org" in i]
        links += [(i, "author", {}) for i in ids or [author]]
    key = key_of(thesis)
    licence = facts.first(document_iri(base(), key), DCT_IRI + "license")
    if licence:
        links.append((licence, "license", {}))
    links += [(f"{document_path(key)}.{s}", "describedby", {"type": BY_SUFFIX[s].media_type})
              for s in ("ttl", "jsonld", "nt", "rdf")]  # fmt: skip
    return links
