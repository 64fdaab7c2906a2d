"""Shared resources: people, organisations, degrees and concepts, described across records.

/id/{kind}/… answers 303 to /doc/{kind}/…, which lists the theses pointing to the
resource a page at a time (`?page=N`, `Link: rel="next"`, and hydra:next in the RDF).
"""

from __future__ import annotations

import re

from flask import Blueprint, Response, abort, redirect, request

from . import describe
from .negotiation import negotiate, split_suffix
from .pages import Facts, resource_view
from .params import number_arg
from .respond import answer, base, choose, not_found, store

bp = Blueprint("things", __name__)
PATHS = re.compile(
    r"^(person/isni/[0-9]{15}[0-9X]|person/orcid/[0-9]{4}-[0-9]{4}-[0-9]{4}-[0-9]{3}[0-9X]"
    r"|org/isni/[0-9]{15}[0-9X]|org/name/[a-z0-9-]{1,80}|degree/[a-z-]{1,40}"
    r"|concept/ddc/[0-9]{3}(\.[0-9]{1,12})?|concept/discipline/[a-z0-9-]{1,80})$"
)
KINDS = "<any(person, org, degree, concept):kind>"
MAX_PAGE = 100_000  # 10 million theses pointing to one resource


def _checked(path: str) -> str:
    if not PATHS.match(path):
        abort(not_found(negotiate(request), "resource at that address"))
    return path


@bp.get(f"/id/{KINDS}/<path:rest>")
def thing(kind: str, rest: str) -> Response:
    return redirect(f"/doc/{_checked(f'{kind}/{rest}')}", code=303)


@bp.get(f"/doc/{KINDS}/<path:rest>")
def document(kind: str, rest: str) -> Response:
    path, suffix = split_suffix(f"{kind}/{rest}")
    variant = choose(suffix)
    _checked(path)
    page = number_arg("page", 1, MAX_PAGE)
    doc_path = f"/doc/{path}"
    found = describe.shared(store(), f"{base()}id/{path}", page, f"{base()}doc/{path}")
    if found is None:
        return not_found(variant, "resource at that address")
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
