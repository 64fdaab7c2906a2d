"""/search: full-text search with facets, as HTML for people and JSON for programs."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from flask import Blueprint, Response, render_template, request

from ..search import FACETS, SORTS, BadQuery, FacetCount, Results, SearchIndex
from ..search.index import PEOPLE_COUNTED
from ..uris import document_path, thesis_iri
from ..vocab import BIBO_IRI, DCT_IRI
from .errors import error_response
from .histogram import histogram
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
    page, size = number_arg("page", 1, MAX_PAGE), number_arg("size", 20, MAX_SIZE)
    sort = request.args.get("sort") or None
    try:
        filters = _filters()
        results = index().search(text, filters, page, size, sort)
    except BadQuery as exc:
        return error_response(400, "Bad search", str(exc), as_json=wants_json)
    data = _data({"q": text, **filters, "sort": sort}, page, size, results)
    if request.path.endswith(".jsonld"):
        return Response(json.dumps(hydra(data), ensure_ascii=False, indent=1), mimetype="application/ld+json")
    if wants_json:
        return Response(json.dumps(data, ensure_ascii=False, indent=1), mimetype="application/json")
    state = {"q": text, **filters, "sort": sort}
    years = histogram(results.years, lambda y: _year_link(state, y),
                      {int(y) for y in filters.get("year", []) if y.isdigit()})  # fmt: skip
    body = render_template("search.html", page_title="Search", thing=f"{base()}search",
                           data=data, text=text, filters=filters, sort=sort, histogram=years,
                           sorts=_sorts(text, filters, sort), people_counted=PEOPLE_COUNTED)  # fmt: skip
    return Response(body, mimetype="text/html")


MAX_VALUES = 20  # values of one facet a search may name at once


def _filters() -> dict[str, list[str]]:
    """Each facet's values from the query string (`institution=A&institution=B`: either), in order, once each."""
    found = {}
    for name in FACETS:
        values = list(dict.fromkeys(v for v in request.args.getlist(name) if v))
        if len(values) > MAX_VALUES:
            raise BadQuery(f"at most {MAX_VALUES} values of {name} at once")
        if values:
            found[name] = values
    return found


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
    return urlencode({k: v for k, v in params.items() if v not in (None, "", [])}, doseq=True)


@bp.get("/opensearch.xml")
def opensearch() -> Response:
    """OpenSearch description: lets browsers add ldpub as a search engine."""
    body = render_template("opensearch.xml", base=base())
    return Response(body, mimetype="application/opensearchdescription+xml")


@bp.get("/browse/<any(institution, year, decade, degree, discipline, ddc):facet>")
def browse(facet: str) -> Response:
    """Every value of one facet with its count, linking to the filtered search (and the resource's page)."""
    values = index().values(facet)
    rows = [
        {"value": c.value, "label": c.label, "count": c.count, "search": _link({facet: c.value}),
         "page": _local(c.iri)}
        for c in values
    ]  # fmt: skip
    if request.accept_mimetypes.best == "application/json":
        return Response(json.dumps({"facet": facet, "values": rows}, ensure_ascii=False), mimetype="application/json")
    per_year = values if facet == "year" else index().values("year")  # the /browse/year page has them already
    years = histogram({int(c.value): c.count for c in per_year}, lambda y: _year_link({}, y), set())
    body = render_template("browse.html", page_title=f"Browse by {facet}", histogram=years,
                           thing=f"{base()}browse/{facet}", facet=facet, rows=rows)  # fmt: skip
    return Response(body, mimetype="text/html")


def _local(iri: str | None) -> str | None:
    """A resource's page on this server, for IRIs under our base (others are not ours to link)."""
    return "/" + iri[len(base()) :] if iri and iri.startswith(base()) else iri


def _link(state: dict, **changes: object) -> str:
    """/search with the current query, filters and sort, changed as given (None removes)."""
    params = {**state, **changes}
    return "/search?" + urlencode({k: v for k, v in params.items() if v not in (None, "", [])}, doseq=True)


def _year_link(state: dict, year: int) -> str:
    """The search narrowed to one year (instead of any year it named): a histogram bar's link."""
    return _link(state, year=[str(year)])


def _added(values: list[str], value: str) -> list[str]:
    return values if value in values else [*values, value]


def _sorts(text: str, filters: dict, sort: str | None) -> list[dict]:
    """The orders a person can switch to, the current one marked."""
    current = sort or ("relevance" if text.strip() else "newest")
    offered = SORTS if text.strip() else SORTS[1:]
    state = {"q": text, **filters}
    return [{"name": name, "href": _link(state, sort=name), "current": name == current} for name in offered]


def _data(state: dict, page: int, size: int, results: Results) -> dict:
    filters = {k: v for k, v in state.items() if k in FACETS}
    hits = [{
        "id": thesis_iri(base(), h.key), "url": document_path(h.key), "title": h.title, "authors": h.authors,
        "year": h.year, "institution": h.institution, "degree": h.degree, "snippet": _segments(h.snippet),
    } for h in results.hits]  # fmt: skip
    facets = {name: [_facet_value(state, name, c) for c in counts] for name, counts in results.facets.items()}
    widening = {name: [_facet_value(state, name, c) for c in counts if c.value not in filters[name]]
                for name, counts in results.widening.items()}  # fmt: skip
    data = {"query": state["q"], "filters": filters, "sort": state["sort"], "total": results.total, "page": page,
            "size": size, "hits": hits, "facets": facets, "widening": widening,
            "remove": {name: _link(state, **{name: None}) for name in filters},
            "years": [{"year": y, "count": c, "href": _year_link(state, y)} for y, c in sorted(results.years.items())],
            "suggestion": None, "uncounted": results.uncounted}  # fmt: skip
    if results.suggestion:
        data["suggestion"] = {"query": results.suggestion, "href": _link(state, q=results.suggestion, page=None)}
    if page * size < results.total:
        data["next"] = _link(state, page=page + 1, size=size)
    if page > 1:
        data["previous"] = _link(state, page=page - 1, size=size)
    return data


def _facet_value(state: dict, name: str, count: FacetCount) -> dict:
    """A facet value: its link adds it to the search (another value of the same facet widens it);
    a value already chosen says so, with a link that takes only it away."""
    chosen = state.get(name) or []
    value = {"value": count.value, "label": count.label, "count": count.count,
             "href": _link(state, **{name: _added(chosen, count.value)})}  # fmt: skip
    if count.value in chosen:
        value |= {"selected": True, "remove": _link(state, **{name: [v for v in chosen if v != count.value]})}
    return value


def _segments(snippet: str | None) -> list[list]:
    """[[text, highlighted], ...] from the snippet's \\x02…\\x03 markers, for safe rendering."""
    if not snippet:
        return []
    out = []
    for i, part in enumerate(snippet.replace("\x03", "\x02").split("\x02")):
        if part:
            out.append([part, i % 2 == 1])
    return out
