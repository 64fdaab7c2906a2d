"""Shared resources: people, organisations, degrees and concepts, described across records.

/id/{kind}/… answers 303 to /doc/{kind}/…, which lists the theses pointing to the
resource a page at a time (`?page=N`, `Link: rel="next"`, and hydra:next in the RDF).
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, redirect, request

from ..uris import is_shared_path, shared_document_iri, shared_document_path, shared_iri
from . import describe
from .negotiation import negotiate, split_suffix
from .pages import Facts, resource_view
from .params import number_arg
from .respond import answer, base, choose, not_found, store

bp = Blueprint("things", __name__)
KINDS = "<any(person, org, degree, concept):kind>"
MAX_PAGE = 100_000  # 10 million theses pointing to one resource


def _checked(path: str) -> str:
    if not is_shared_path(path):
        abort(not_found(negotiate(request), "resource at that address"))
    return path


@bp.get(f"/id/{KINDS}/<path:rest>")
def thing(kind: str, rest: str) -> Response:
    return redirect(shared_document_path(_checked(f"{kind}/{rest}")), code=303)


@bp.get(f"/doc/{KINDS}/<path:rest>")
def document(kind: str, rest: str) -> Response:
    path, suffix = split_suffix(f"{kind}/{rest}")
    variant = choose(suffix)
    _checked(path)
    page = number_arg("page", 1, MAX_PAGE)
    doc_path = shared_document_path(path)
    found = describe.shared(store(), shared_iri(base(), path), page, shared_document_iri(base(), path))
    if found is None:
        return not_found(variant, "resource at that address", negotiated=suffix is None)
    facts = Facts(found.triples, base())
    links = []
    if found.has_next:
        links.append((f"{doc_path}.{variant.suffix}?page={page + 1}", "next", {}))
    if page > 1:
        links.append((f"{doc_path}.{variant.suffix}?page={page - 1}", "prev", {}))
    html = ("resource.html", {
        "v": resource_view(facts, found.thing), "page_title": facts.label(found.thing), "schema": None,
        "related": [(facts.href(t) or t, role, title) for t, role, title in found.related],
        "next_href": f"?page={page + 1}" if found.has_next else None,
        "prev_href": f"?page={page - 1}" if page > 1 else None,
    })  # fmt: skip
    return answer(found, variant, doc_path, suffix is None, html, links)
