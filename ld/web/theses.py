"""Theses: /id/thesis/{key} (the thing) and /doc/thesis/{key}[.suffix] (its description)."""

from __future__ import annotations

import pyoxigraph as ox
from flask import Blueprint, Flask, Response, abort, redirect, request

from ..uris import document_iri, document_path, is_key, is_scoped_person, key_of, thesis_path
from ..vocab import DCT_IRI
from . import describe
from .headers import link_header
from .negotiation import BY_SUFFIX, Variant, negotiate, split_suffix
from .pages import OWL_SAME, Facts, schema_org, thesis_view
from .rendered import FOLDER, Bodies, Digests, Rendered, etag
from .respond import (
    alternates_except,
    base,
    choose,
    gone,
    not_found,
    not_modified,
    per_process,
    render,
    send,
    store,
    writable,
)

bp = Blueprint("theses", __name__)
MISSING = "thesis with that key"
Links = list[tuple[str, str, dict[str, str]]]


def checked_key(key: str) -> str:
    """The key if it is of a form ldpub mints; 404 otherwise, before any store access."""
    if not is_key(key):
        abort(not_found(negotiate(request), MISSING))
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
    digest = digests().get(db, snapshot, base(), key)
    if digest is None:
        return gone(variant, key, negotiated) or not_found(variant, MISSING, negotiated)
    tag = etag(digest, variant.suffix)
    if request.if_none_match.contains_weak(tag):  # a 304 costs the one lookup above
        return not_modified(tag, variant, doc_path, negotiated)
    made = bodies().get(digest, variant.suffix) or _render(db, key, variant, digest)
    return send(made.body, made.mimetype, variant, doc_path, negotiated, made.links, made.modified, tag)


def digests(app: Flask | None = None) -> Digests:
    """This worker's record digests, per snapshot."""
    return per_process("ldpub.digests", lambda _root: Digests(), app)


def bodies(app: Flask | None = None) -> Bodies:
    """This worker's representations (memory, then the files every worker shares)."""
    return per_process("ldpub.bodies", lambda root: Bodies(root / FOLDER if writable(root) else None), app)


def _render(db: ox.Store, key: str, variant: Variant, digest: str) -> Rendered:
    """Make the representation of the record `digest` names, and keep it."""
    found = describe.thesis(db, base(), key)
    if found is None:  # the digest was read from this very snapshot
        raise LookupError(f"{key}: digest without a graph")
    facts = Facts(found.triples, base())
    page = {}
    if variant.is_html:  # the page's view model only for the page
        page = {"v": thesis_view(facts, found.thing), "schema": schema_org(facts, found.thing),
                "page_title": facts.label(found.thing)}  # fmt: skip
    doc_path = document_path(key)
    body, mimetype = render(found, variant, doc_path, ("thesis.html", page))
    links = link_header([*signposts(facts, found.thing), *alternates_except(variant, doc_path)])
    made = Rendered(body, mimetype, found.modified, links)
    bodies().put(digest, variant.suffix, made)
    return made


def signposts(facts: Facts, thesis: str) -> Links:
    """Signposting level 1 and 2: cite-as, type, author, license, describedby."""
    key = key_of(thesis)
    return cite_and_type(thesis) + authorship(facts, thesis, key) + described_by(key)


def cite_and_type(thesis: str) -> Links:
    return [(thesis, "cite-as", {}), ("https://schema.org/Thesis", "type", {}),
            ("http://purl.org/ontology/bibo/Thesis", "type", {})]  # fmt: skip


def authorship(facts: Facts, thesis: str, key: str) -> Links:
    """What only the record can say: its authors (by ISNI or ORCID where known) and licence."""
    links: Links = []
    for author in facts.authors(thesis):
        ids = [i for i in facts.values(author, OWL_SAME) if "isni.org" in i or "orcid.org" in i]
        links += [(i, "author", {}) for i in ids or [author]]
    licence = facts.first(document_iri(base(), key), DCT_IRI + "license")
    if licence:
        links.append((licence, "license", {}))
    return links


def described_by(key: str) -> Links:
    return [(f"{document_path(key)}.{s}", "describedby", {"type": BY_SUFFIX[s].media_type})
            for s in ("ttl", "jsonld", "nt", "rdf")]  # fmt: skip
