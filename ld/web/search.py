"""/search: full-text search with facets, as HTML for people and JSON for programs."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from flask import Blueprint, Response, render_template, request

from ..search import FACETS, SORTS, BadQuery, Results, SearchIndex
from ..uris import document_path, thesis_iri
from ..vocab import BIBO_IRI, DCT_IRI
from .errors import error_response
from .params import number_arg
from .respond import base, per_process

bp = Blueprint("search", __name__)
MAX_PAGE, MAX_SIZE = 1000, 100


def index() -> SearchIndex:
    return per_process("ldpub.search", SearchIndex)


@bp.get("/search")
@bp.get("/search.json")
@bp.get("/search.jsonld")
def search() -> Response:
    wants_json = request.path.endswith((".json", ".jsonld")) or request.accept_mimetypes.best == "application/json"
    text = request.args.get("q", "")[:500]
    filters = {name: request.args[name] for name in FACETS if request.args.get(name)}
    page, size = number_arg("page", 1, MAX_PAGE), number_arg("size", 20, MAX_SIZE)
    sort = request.args.get("sort") or None
    try:
        results = index().search(text, filters, page, size, sort)
    except BadQuery as exc:
        return error_response(400, "Bad search", str(exc), as_json=wants_json)
    data = _data({"q": text, **filters, "sort": sort}, page, size, results)
    if request.path.endswith(".jsonld"):
        return Response(json.dumps(hydra(data), ensure_ascii=False, indent=1), mimetype="application/ld+json")
    if wants_json:
        return Response(json.dumps(data, ensure_ascii=False, indent=1), mimetype="application/json")
    body = render_template("search.html", page_title="Search", thing=f"{base()}search",
                           data=data, text=text, filters=filters, sort=sort,
                           sorts=_sorts(text, filters, sort))  # fmt: skip
    return Response(body, mimetype="text/html")


# Inline, so a client need not fetch www.w3.org's Hydra context to read the results.
HYDRA_CONTEXT = {
    "hydra": "http://www.w3.org/ns/hydra/core#", "dcterms": DCT_IRI,
    "bibo": BIBO_IRI, "xsd": "http://www.w3.org/2001/XMLSchema#",
    "Collection": "hydra:Collection", "PartialCollectionView": "hydra:PartialCollectionView",
    "totalItems": {"@id": "hydra:totalItems", "@type": "xsd:integer"},
    "member": {"@id": "hydra:member"}, "view": {"@id": "hydra:view"},
    "first": {"@id": "hydra:first", "@type": "@id"}, "next": {"@id": "hydra:next", "@type": "@id"},
    "previous": {"@id": "hydra:previous", "@type": "@id"},
    "title": "dcterms:title", "issued": {"@id": "dcterms:issued", "@type": "xsd:gYear"},
}  # fmt: skip


def hydra(data: dict) -> dict:
    """The same results as a Hydra collection (the query and filters) with a view (this page)."""
    collection = _query_string(data, paged=False)
    view = {"@id": base() + "search?" + _query_string(data, paged=True), "@type": "PartialCollectionView",
            "first": base() + "search?" + _query_string({**data, "page": 1}, paged=True)}  # fmt: skip
    for link in ("next", "previous"):
        if link in data:
            view[link] = base() + data[link].lstrip("/")
    members = []
    for hit in data["hits"]:
        member = {"@id": hit["id"], "@type": "bibo:Thesis", "title": hit["title"]}
        if hit["year"]:
            member["issued"] = str(hit["year"])
        members.append(member)
    return {
        "@context": HYDRA_CONTEXT, "@id": base() + "search" + (f"?{collection}" if collection else ""),
        "@type": "Collection", "totalItems": data["total"], "member": members, "view": view,
    }  # fmt: skip


def _query_string(data: dict, paged: bool) -> str:
    params = {"q": data["query"], **data["filters"], "sort": data["sort"]}
    if paged:
        params |= {"page": data["page"], "size": data["size"]}
    return urlencode({k: v for k, v in params.items() if v not in (None, "")})


@bp.get("/opensearch.xml")
def opensearch() -> Response:
    """OpenSearch description: lets browsers add ldpub as a search engine."""
    body = render_template("opensearch.xml", base=base())
    return Response(body, mimetype="application/opensearchdescription+xml")


@bp.get("/browse/<any(institution, year, decade, degree, discipline, ddc):facet>")
def browse(facet: str) -> Response:
    """Every value of one facet with its count, linking to the filtered search (and the resource's page)."""
    rows = [
        {"value": c.value, "label": c.label, "count": c.count, "search": _link({facet: c.value}),
         "page": _local(c.iri)}
        for c in index().values(facet)
    ]  # fmt: skip
    if request.accept_mimetypes.best == "application/json":
        return Response(json.dumps({"facet": facet, "values": rows}, ensure_ascii=False), mimetype="application/json")
    body = render_template("browse.html", page_title=f"Browse by {facet}",
                           thing=f"{base()}browse/{facet}", facet=facet, rows=rows)  # fmt: skip
    return Response(body, mimetype="text/html")


def _local(iri: str | None) -> str | None:
    """A resource's page on this server, for IRIs under our base (others are not ours to link)."""
    return "/" + iri[len(base()) :] if iri and iri.startswith(base()) else iri


def _link(state: dict, **changes: object) -> str:
    """/search with the current query, filters and sort, changed as given (None removes)."""
    params = {**state, **changes}
    return "/search?" + urlencode({k: v for k, v in params.items() if v not in (None, "")})


def _sorts(text: str, filters: dict, sort: str | None) -> list[dict]:
    """The orders a person can switch to, the current one marked."""
    current = sort or ("relevance" if text.strip() else "newest")
    offered = SORTS if text.strip() else SORTS[1:]
    state = {"q": text, **filters}
    return [{"name": name, "href": _link(state, sort=name), "current": name == current} for name in offered]


def _data(state: dict, page: int, size: int, results: Results) -> dict:
    filters = {k: v for k, v in state.items() if k in FACETS}
    hits = [{
        "id": thesis_iri(base(), h.key), "url": document_path(h.key), "title": h.title,
        "year": h.year, "institution": h.institution, "degree": h.degree, "snippet": _segments(h.snippet),
    } for h in results.hits]  # fmt: skip
    facets = {name: [{"value": c.value, "label": c.label, "count": c.count,
                      "href": _link(state, **{name: c.value})} for c in counts]
              for name, counts in results.facets.items()}  # fmt: skip
    data = {"query": state["q"], "filters": filters, "sort": state["sort"], "total": results.total, "page": page,
            "size": size, "hits": hits, "facets": facets,
            "remove": {name: _link(state, **{name: None}) for name in filters}}  # fmt: skip
    if page * size < results.total:
        data["next"] = _link(state, page=page + 1, size=size)
    if page > 1:
        data["previous"] = _link(state, page=page - 1, size=size)
    return data


def _segments(snippet: str | None) -> list[list]:
    """[[text, highlighted], ...] from FTS5's \\x02…\\x03 markers, for safe rendering."""
    if not snippet:
        return []
    out = []
    for i, part in enumerate(snippet.replace("\x03", "\x02").split("\x02")):
        if part:
            out.append([part, i % 2 == 1])
    return out
