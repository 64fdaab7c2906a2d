"""Response headers every read endpoint shares: CORS, caching, signposting, CSP."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterable
from datetime import datetime

from flask import Flask, Response, abort, current_app, request

CACHE_CONTROL = "public, max-age=300"
CSP = ("default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "form-action 'self'; base-uri 'none'; frame-ancestors 'none'")  # fmt: skip
EXPOSED = "Link, ETag, Content-Location, Last-Modified, Vary"


def init_app(app: Flask) -> None:
    app.before_request(limit_chunked_body)

    @app.after_request
    def cors_and_security(response: Response) -> Response:
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Expose-Headers"] = EXPOSED
        if request.method == "OPTIONS":  # CORS preflight, e.g. a browser POSTing application/sparql-query
            response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, POST, OPTIONS"
            response.headers["Access-Control-Allow-Headers"] = "Accept, Content-Type, If-None-Match, If-Modified-Since"
        response.headers["X-Content-Type-Options"] = "nosniff"
        if response.mimetype == "text/html":
            response.headers["Content-Security-Policy"] = CSP
        return response


def limit_chunked_body() -> None:
    """413 for a chunked body over MAX_CONTENT_LENGTH.

    Werkzeug refuses a large body that declares its length, but cuts a chunked one off
    silently at the limit, which would hand a truncated query to the endpoint.  So a body
    without a length is read here, up to one byte past the limit, and put back.  The
    server passes a chunked body it could not decode as an empty one, so an empty chunked
    body is refused too (no client needs to send one).
    """
    environ = request.environ
    if request.content_length is not None or "chunked" not in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
        return
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    body = environ["wsgi.input"].read(limit + 1)
    if len(body) > limit:
        abort(413, description=f"Request bodies are limited to {limit} bytes.")
    if not body:  # granian hands a malformed chunked body (bad size, no terminator, cut short) over as empty
        abort(400, description="The request's chunked body is malformed, cut short or empty.")
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    environ.pop("HTTP_TRANSFER_ENCODING", None)
    environ["wsgi.input_terminated"] = False


def conditional(response: Response, modified: datetime | None, tag: str | None = None) -> Response:
    """Strong ETag (`tag`, else a digest of the body), Last-Modified, Cache-Control; 304 when
    the client has it."""
    response.set_etag(tag or hashlib.sha256(response.get_data()).hexdigest()[:32])
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
