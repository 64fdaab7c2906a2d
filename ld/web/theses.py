"""Theses: /id/thesis/{key} (the thing) and /doc/thesis/{key}[.suffix] (its description)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, redirect, request

from ..uris import document_iri, document_path, is_key, is_scoped_person, key_of, thesis_path
from ..vocab import DCT_IRI
from . import describe
from .negotiation import BY_SUFFIX, Variant, negotiate, split_suffix
from .pages import OWL_SAME, Facts, schema_org, thesis_view
from .rendered import Bodies, Rendered, content_digest, digest_in, etag
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
    for _ in range(2):  # again if a snapshot replaced the record between the two reads
        digest = content_digest(store(), base(), key)
        if digest is None:
            break
        tag = etag(digest, variant.suffix)
        if request.if_none_match.contains_weak(tag):
            return not_modified(tag, variant, doc_path, negotiated)
        made = bodies().get((key, digest, variant.suffix), lambda: _render(key, digest, variant))  # noqa: B023
        if made is not None:
            return send(made.body, made.mimetype, variant, doc_path, negotiated, made.links, made.modified, tag)
    return gone(variant, key) or not_found(variant, "thesis with that key")


def bodies() -> Bodies:
    return per_process("ldpub.bodies", lambda _root: Bodies())


def _render(key: str, digest: str, variant: Variant) -> Rendered | None:
    """The representation of the record as the store holds it now; None if that is no longer
    the content `digest` names (then nothing is kept under that name)."""
    found = describe.thesis(store(), base(), key)
    if found is None or digest_in(found.triples, base(), key) != digest:
        return None
    facts = Facts(found.triples, base())
    page = {}
    if variant.is_html:  # the page's view model only for the page
        page = {"v": thesis_view(facts, found.thing), "schema": schema_org(facts, found.thing),
                "page_title": facts.label(found.thing)}  # fmt: skip
    body, mimetype = render(found, variant, document_path(key), ("thesis.html", page))
    return Rendered(body, mimetype, found.modified, signposts(facts, found.thing))


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
