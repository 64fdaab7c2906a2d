"""`ldpub serve`: the Flask app under gunicorn.

Sync workers, because a sync worker's timeout really kills a runaway request (a gthread
worker's does not); preload off, because the store must not be opened before the fork;
max_requests with jitter to recycle workers. Each worker opens the search index and
starts its warm SPARQL query process as it starts, so no visitor waits for either.

Sync workers read request bodies themselves, so a client that sends its body slowly (or
promises more than it sends) holds a worker until the timeout: in production put a
buffering proxy in front (`ldpub nginx-config` writes one), as gunicorn's own docs advise.
"""

from __future__ import annotations

import sys
from typing import Any

from gunicorn.app.base import BaseApplication

from .config import Settings


class _Gunicorn(BaseApplication):  # type: ignore[misc]
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        super().__init__()

    def load_config(self) -> None:
        options: dict[str, Any] = {
            "bind": f"{self.settings.host}:{self.settings.port}",
            "workers": self.settings.workers,
            "worker_class": "sync",
            "timeout": 30,
            "preload_app": False,
            "max_requests": 1000,
            "max_requests_jitter": 100,
            "accesslog": "-",
        }
        for key, value in options.items():
            self.cfg.set(key, value)

    def load(self):  # type: ignore[no-untyped-def]
        from .web import create_app
        from .web.search import index
        from .web.sparql import query_process

        app = create_app(self.settings)
        with app.app_context():  # each worker loads the facet arrays (~1 s at EThOS scale) before its first visitor
            index().count()
            query_process().start()
        return app


def serve(settings: Settings) -> None:
    if settings.sparql_concurrency >= settings.workers:
        print(f"warning: sparql_concurrency ({settings.sparql_concurrency}) is not below workers "
              f"({settings.workers}): runaway queries can hold every worker", file=sys.stderr)  # fmt: skip
    _Gunicorn(settings).run()
