"""For harvesters and crawlers: the Activity Streams change feed, sitemaps and robots.txt."""

from __future__ import annotations

import json
import math
from xml.sax.saxutils import escape

from flask import Blueprint, Response, abort, request

from ..store.changes import Change
from ..uris import document_iri, thesis_iri
from .params import whole_number
from .respond import base, changes, tombstones

bp = Blueprint("feeds", __name__)
PAGE = 100
SITEMAP_URLS = 50_000
AS2 = "https://www.w3.org/ns/activitystreams"


@bp.get("/changes")
def change_feed() -> Response:
    """OrderedCollection of Create/Update/Delete activities, newest first, 100 a page."""
    total = changes().count()
    pages = max(1, math.ceil(total / PAGE))
    raw = request.args.get("page")
    if raw is None:
        body = {"@context": AS2, "id": f"{base()}changes", "type": "OrderedCollection", "totalItems": total,
                "first": f"{base()}changes?page=1", "last": f"{base()}changes?page={pages}"}  # fmt: skip
        return _json(body)
    page = whole_number(raw, 1, pages)
    if page is None:
        abort(400, description=f"page must be a whole number from 1 to {pages}, in ASCII digits")
    return _json(_page(page, pages, total))


def _page(page: int, pages: int, total: int) -> dict:
    items = [_activity(c) for c in changes().newest_first(PAGE, (page - 1) * PAGE)]
    body = {"@context": AS2, "id": f"{base()}changes?page={page}", "type": "OrderedCollectionPage",
            "partOf": f"{base()}changes", "totalItems": total, "orderedItems": items}  # fmt: skip
    if page < pages:
        body["next"] = f"{base()}changes?page={page + 1}"
    if page > 1:
        body["prev"] = f"{base()}changes?page={page - 1}"
    return body


def _activity(c: Change) -> dict:
    """One event; a thesis withdrawn in favour of another is a Move to it (its URIs answer 301)."""
    item = {"type": c.kind, "id": f"{base()}changes#{c.seq}", "published": c.at,
            "object": {"id": thesis_iri(base(), c.key), "url": document_iri(base(), c.key)}}  # fmt: skip
    stone = tombstones().get(c.key) if c.kind == "Delete" else None
    if stone and stone.replaced_by:
        item["type"] = "Move"
        item["origin"] = item["object"]["id"]
        item["target"] = {"id": thesis_iri(base(), stone.replaced_by), "url": document_iri(base(), stone.replaced_by)}
    return item


def _json(body: dict) -> Response:
    return Response(json.dumps(body, ensure_ascii=False, indent=1), mimetype="application/activity+json")


@bp.get("/sitemap.xml")
def sitemap_index() -> Response:
    pages = max(1, math.ceil(changes().live_count() / SITEMAP_URLS))
    entries = "".join(f"<sitemap><loc>{escape(base())}sitemap-{n}.xml</loc></sitemap>" for n in range(1, pages + 1))
    xml = f'<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</sitemapindex>\n'
    return Response(xml, mimetype="application/xml")


@bp.get("/sitemap-<page:page>.xml")
def sitemap_page(page: int) -> Response:
    """One page of thesis URLs; a page number that is not 1 to MAX_PAGE in ASCII digits matches no route (404)."""
    rows = changes().live(SITEMAP_URLS, (page - 1) * SITEMAP_URLS)
    if not rows and page > 1:
        abort(404)
    urls = "".join(f"<url><loc>{escape(document_iri(base(), key))}</loc><lastmod>{escape(at)}</lastmod></url>"
                   for key, at in rows)  # fmt: skip
    xml = f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>\n'
    return Response(xml, mimetype="application/xml")


@bp.get("/robots.txt")
def robots() -> Response:
    text = f"User-agent: *\nAllow: /\nDisallow: /sparql\nSitemap: {base()}sitemap.xml\n"
    return Response(text, mimetype="text/plain")
