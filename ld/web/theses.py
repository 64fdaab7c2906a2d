"""Theses: /id/thesis/{key} (the thing) and /doc/thesis/{key}[.suffix] (its description)."""

from __future__ import annotations

import re

from flask import Blueprint, Response, abort, redirect, request

from . import describe
from .negotiation import BY_SUFFIX, negotiate, split_suffix
from .pages import OWL_SAME, Facts, schema_org, thesis_view
from .respond import answer, base, choose, gone, not_found, store

bp = Blueprint("theses", __name__)
KEY = re.compile(r"^(uk\.bl\.ethos\.[0-9]{1,12}|t[0-9a-f]{20})$")
SCOPED = re.compile(r"^(author|supervisor/[0-9]{1,3})$")


def checked_key(key: str) -> str:
    """The key if it is of a form ldpub mints; 404 otherwise, before any store access."""
    if not KEY.match(key):
        abort(not_found(negotiate(request), "thesis with that key"))
    return key


@bp.get("/id/thesis/<key>")
def thing(key: str) -> Response:
    """The thesis is not a document: 303 to the document about it (query string dropped)."""
    checked_key(key)
    variant = negotiate(request) or BY_SUFFIX["ttl"]
    return gone(variant, key) or redirect(f"/doc/thesis/{key}", code=303)


@bp.get("/id/thesis/<key>/<path:person>")
def record_person(key: str, person: str) -> Response:
    """Authors and supervisors without an identifier are described in their thesis's document."""
    if not SCOPED.match(person):
        abort(not_found(negotiate(request), "person at that address"))
    return redirect(f"/doc/thesis/{checked_key(key)}", code=303)


@bp.get("/doc/thesis/<name>")
def document(name: str) -> Response:
    key, suffix = split_suffix(name)
    variant = choose(suffix)
    checked_key(key)
    found = describe.thesis(store(), base(), key)
    if found is None:
        return gone(variant, key) or not_found(variant, "thesis with that key")
    facts = Facts(found.triples, base())
    html = ("thesis.html", {"v": thesis_view(facts, found.thing), "schema": schema_org(facts, found.thing),
                            "page_title": facts.label(found.thing)})  # fmt: skip
    return answer(found, variant, f"/doc/thesis/{key}", suffix is None, html, signposts(facts, found.thing))


def signposts(facts: Facts, thesis: str) -> list[tuple[str, str, dict[str, str]]]:
    """Signposting level 1 and 2: cite-as, type, author, license, describedby."""
    links = [(thesis, "cite-as", {}), ("https://schema.org/Thesis", "type", {}),
             ("http://purl.org/ontology/bibo/Thesis", "type", {})]  # fmt: skip
    for author in facts.values(thesis, "http://purl.org/dc/terms/creator"):
        ids = [i for i in facts.values(author, OWL_SAME) if "isni.org" in i or "orcid.org" in i]
        links += [(i, "author", {}) for i in ids or [author]]
    doc = f"{base()}doc/thesis/{thesis.rsplit('/', 1)[-1]}"
    licence = facts.first(doc, "http://purl.org/dc/terms/license")
    if licence:
        links.append((licence, "license", {}))
    key = thesis.rsplit("/", 1)[-1]
    links += [(f"/doc/thesis/{key}.{s}", "describedby", {"type": BY_SUFFIX[s].media_type})
              for s in ("ttl", "jsonld", "nt", "rdf")]  # fmt: skip
    return links
