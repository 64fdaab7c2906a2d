"""Dereference without Flask: GET /id/thesis/{key} (303) and /doc/thesis/{key}[.suffix]
answered from kept bodies.

Dereferencing a record is what every user does, and once its body has been made (see
rendered.py) what remains is one point lookup in the store and some bytes.  Flask's
request context, routing and response objects cost several times that, so this WSGI
layer sits in front of the app and answers the common case itself: a GET of a published
record, no query string, no Range, no If-Modified-Since, no request body (the app reads
and judges one: a malformed body is 400 however it came), its body already made.  It gives
the status, headers and body the Flask view gives (tests/test_fast.py holds them equal);
it also answers 404 to RDF clients for keys never published nor withdrawn.  Everything
else (other paths, HEAD, withdrawn records, pages for missing ones, 406, a body not yet
made) goes to the app unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Literal

from flask import Flask
from werkzeug.http import http_date, parse_etags
from werkzeug.utils import get_content_type, redirect

from ..store.rdf import StoreMissing
from ..uris import document_path, is_key
from .headers import CACHE_CONTROL, CSP, EXPOSED
from .negotiation import Variant, negotiate_header, split_suffix
from .rendered import Rendered, etag
from .respond import missing_graph, tombstones
from .theses import MISSING, bodies, digests

PREFIX, THING = "/doc/thesis/", "/id/thesis/"
Answer = tuple[str, list[tuple[str, str]], bytes]
WSGIApp = Callable[[dict, Callable], Iterable[bytes]]
# What the app's after_request adds to every answer (headers.py).
EVERY = [("Access-Control-Allow-Origin", "*"), ("Access-Control-Expose-Headers", EXPOSED),
         ("X-Content-Type-Options", "nosniff")]  # fmt: skip


class RecordFastPath:
    """WSGI middleware: a record's document from its kept bytes, or the app for anything else."""

    def __init__(self, app: Flask, inner: WSGIApp) -> None:
        self.app = app
        self.inner = inner  # Flask's own wsgi_app
        self.store = app.extensions["ldpub.store"]
        self.base = app.config["LDPUB"].base

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        answer = self._answer(environ)
        if answer is None:
            return self.inner(environ, start_response)
        status, headers, body = answer
        start_response(status, headers)
        return [body]

    def _answer(self, environ: dict) -> Answer | None:
        path = environ.get("PATH_INFO", "")
        if environ.get("REQUEST_METHOD") != "GET" or _unusual(environ):
            return None
        if path.startswith(THING):
            return self._thing(path[len(THING) :])
        if path.startswith(PREFIX):
            return self._document(environ, path[len(PREFIX) :])
        return None

    def _digest(self, key: str) -> str | None | Literal[False]:
        """The record's digest in the published snapshot; None when it is not published,
        False when nothing is (the app says so: 503, with advice)."""
        try:
            db, snapshot = self.store.opened()
        except StoreMissing:
            return False
        return digests(self.app).get(db, snapshot, self.base, key)

    def _thing(self, key: str) -> Answer | None:
        """303 to the document of a published thesis (a published record has no tombstone)."""
        if not is_key(key) or not self._digest(key):
            return None
        moved = redirect(document_path(key), 303)
        headers = [*moved.headers.items(), *EVERY, ("Content-Security-Policy", CSP)]
        return "303 SEE OTHER", headers, moved.get_data()

    def _document(self, environ: dict, name: str) -> Answer | None:
        key, suffix_variant = split_suffix(name)
        variant = suffix_variant or negotiate_header(environ.get("HTTP_ACCEPT"))
        if variant is None or not is_key(key):
            return None
        digest = self._digest(key)
        negotiated = suffix_variant is None
        vary = [("Vary", "Accept")] if negotiated else []
        if digest is None:
            return self._missing(key, name, variant, vary)
        if not digest:
            return None
        tag = etag(digest, variant.suffix)
        where = [("Content-Location", f"{PREFIX}{key}.{variant.suffix}"), *vary]
        asked = environ.get("HTTP_IF_NONE_MATCH")
        if asked and parse_etags(asked).contains_weak(tag):
            kept = [("ETag", f'"{tag}"'), ("Cache-Control", CACHE_CONTROL), *where, *EVERY]
            return "304 NOT MODIFIED", kept + ([("Content-Security-Policy", CSP)] if variant.is_html else []), b""
        made = bodies(self.app).get(digest, variant.suffix)
        if made is None:
            return None
        return "200 OK", _headers(made, tag, where), made.body

    def _missing(self, key: str, name: str, variant: Variant, vary: list[tuple[str, str]]) -> Answer | None:
        """404 for a key never published nor withdrawn, for RDF clients: what links to
        theses that never were (and scanners) meet.  Withdrawn keys and pages are the app's."""
        if variant.is_html or tombstones(self.app).get(key) is not None:
            return None
        body, mimetype = missing_graph(self.base, PREFIX + name, variant, MISSING)
        headers = [("Content-Type", _content_type(mimetype)), ("Content-Length", str(len(body))), *vary, *EVERY]
        return "404 NOT FOUND", headers, body


def _unusual(environ: dict) -> bool:
    """A query string, a range, a date condition or a body: the app's to answer."""
    asks = "HTTP_RANGE" in environ or "HTTP_IF_MODIFIED_SINCE" in environ
    sends = "HTTP_TRANSFER_ENCODING" in environ or environ.get("CONTENT_LENGTH") not in (None, "", "0")
    return bool(environ.get("QUERY_STRING")) or asks or sends


def _headers(made: Rendered, tag: str, where: list[tuple[str, str]]) -> list[tuple[str, str]]:
    found = [("Content-Type", _content_type(made.mimetype)), ("Content-Length", str(len(made.body))), *where,
             ("Link", made.links), ("ETag", f'"{tag}"')]  # fmt: skip
    if made.modified is not None:
        found.append(("Last-Modified", _http_date(made.modified.timestamp())))
    found += [("Cache-Control", CACHE_CONTROL), *EVERY]  # Date: the HTTP server adds it
    if made.mimetype == "text/html":
        found.append(("Content-Security-Policy", CSP))
    return found


@lru_cache(maxsize=16)
def _content_type(mimetype: str) -> str:
    return get_content_type(mimetype, "utf-8")


@lru_cache(maxsize=4096)
def _http_date(stamp: float) -> str:
    return http_date(int(stamp))


def install(app: Flask) -> None:
    """Put the fast path in front of the app's WSGI callable."""
    app.wsgi_app = RecordFastPath(app, app.wsgi_app)  # type: ignore[method-assign]
