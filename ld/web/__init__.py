"""Flask application factory.  Nothing opens the store at import time or before a fork."""

from __future__ import annotations

from flask import Flask

from ..config import Settings, load_settings
from ..store.rdf import ReadStore
from . import dataset, discovery, errors, fast, feeds, headers, oai, params, search, sparql, theses, things


def create_app(settings: Settings | None = None) -> Flask:
    """A WSGI app over the newest published snapshot of the store named in settings."""
    settings = settings or load_settings()
    app = Flask(__name__)
    app.config.update(
        LDPUB=settings,
        MAX_CONTENT_LENGTH=1 << 20,  # read-only service: no large bodies, ever
        JSON_SORT_KEYS=False,
    )
    app.url_map.converters["page"] = params.PageConverter  # before the blueprints' rules are bound
    app.extensions["ldpub.store"] = ReadStore(settings.store)  # opens lazily, per process
    errors.init_app(app)
    headers.init_app(app)
    app.context_processor(_page_defaults)
    app.register_blueprint(theses.bp)
    app.register_blueprint(things.bp)
    app.register_blueprint(discovery.bp)
    app.register_blueprint(sparql.bp)
    app.register_blueprint(dataset.bp)
    app.register_blueprint(feeds.bp)
    app.register_blueprint(oai.bp)
    app.register_blueprint(search.bp)
    fast.install(app)  # record documents from kept bytes, before Flask sees the request
    return app


def _page_defaults() -> dict[str, object]:
    """What base.html reads on every page; pages about a record pass their own."""
    return {"alternates": [], "schema": None}
