"""One error body for the whole service, with a message that says what to do next."""

from __future__ import annotations

import sqlite3

from flask import Flask, Response, current_app, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from ..search import SearchUnavailable
from ..store.rdf import StoreMissing


def error_response(status: int, title: str, detail: str, as_json: bool = False) -> Response:
    """JSON for a client that prefers it (or a JSON route), a page for a browser, else plain text."""
    best = request.accept_mimetypes.best
    if as_json or best == "application/json":
        response = jsonify({"status": status, "title": title, "detail": detail})
    elif best == "text/html":
        response = Response(render_template("missing.html", heading=title, message=detail, thing=request.path),
                            mimetype="text/html")  # fmt: skip
    else:
        response = Response(f"{status} {title}\n\n{detail}\n", mimetype="text/plain")
    response.status_code = status
    return response


def init_app(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        response = error_response(exc.code or 500, exc.name, exc.description or "")
        for key, value in exc.get_headers() if exc.response is None else []:
            if key.lower() != "content-type":
                response.headers[key] = value
        return response

    @app.errorhandler(StoreMissing)
    def no_data(exc: StoreMissing) -> Response:
        return error_response(503, "No data published yet", str(exc))

    @app.errorhandler(sqlite3.DatabaseError)
    def unreadable_ledger(exc: sqlite3.DatabaseError) -> Response:
        current_app.logger.error("an SQLite file beside the store cannot be read: %s", exc)
        detail = "A file beside the store cannot be read; the records themselves are unaffected."
        return error_response(503, "Service unavailable", detail)

    @app.errorhandler(SearchUnavailable)
    def unreadable_index(exc: SearchUnavailable) -> Response:
        current_app.logger.error("%s", exc)
        detail = (
            "The search index (STORE/search/) cannot be read. `ldpub reindex` rebuilds it from the published "
            "data; the records themselves are unaffected."
        )
        return error_response(503, "Search unavailable", detail)
