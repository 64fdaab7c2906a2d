"""Response headers every read endpoint shares: CORS, caching, signposting, CSP."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime

from flask import Flask, Response, request

CACHE_CONTROL = "public, max-age=300"
CSP = ("default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "form-action 'self'; base-uri 'none'; frame-ancestors 'none'")  # fmt: skip
EXPOSED = "Link, ETag, Content-Location, Last-Modified, Vary"


def init_app(app: Flask) -> None:
    @app.after_request
    def cors_and_security(response: Response) -> Response:
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Expose-Headers"] = EXPOSED
        response.headers["X-Content-Type-Options"] = "nosniff"
        if response.mimetype == "text/html":
            response.headers["Content-Security-Policy"] = CSP
        return response


def conditional(response: Response, modified: datetime | None) -> Response:
    """Strong ETag over the body, Last-Modified, Cache-Control; 304 when the client has it."""
    response.set_etag(hashlib.sha256(response.get_data()).hexdigest()[:32])
    if modified is not None:
        response.last_modified = modified
    response.headers["Cache-Control"] = CACHE_CONTROL
    return response.make_conditional(request)


def link_header(links: Iterable[tuple[str, str, dict[str, str]]]) -> str:
    """RFC 8288 Link header from (target, rel, extra parameters) triples."""
    parts = []
    for target, rel, params in links:
        extra = "".join(f'; {k}="{v}"' for k, v in params.items())
        parts.append(f'<{target}>; rel="{rel}"{extra}')
    return ", ".join(parts)
