"""`ldpub serve`: the Flask app under gunicorn.

Sync workers, because a sync worker's timeout really kills a runaway request (a gthread
worker's does not); preload off, because the store must not be opened before the fork;
max_requests with jitter to recycle workers. Each worker opens the search index and
starts its warm SPARQL query process as it starts, so no visitor waits for either.

Sync workers read request bodies themselves, so a client that sends its body slowly (or
promises more than it sends) holds a worker until the timeout: in production put a
buffering proxy in front (`ldpub nginx-config` writes one), as gunicorn's own docs advise.

Two lanes.  A search over a broad word, an OAI page or a SPARQL query holds a worker for
up to seconds; a record costs milliseconds.  In one pool of workers the records queue
behind the slow requests (a record GET waited seconds under mixed load).  With
`record_port` set, `record_workers` extra workers listen on that port only, and the
nginx front sends /id/ and /doc/ there: dereference has workers of its own, and the
general workers run at a lower CPU priority so that the records win the cores too.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from gunicorn.app.base import BaseApplication
from gunicorn.workers.sync import SyncWorker

from ..config import Settings

RECORDS, GENERAL = "records", "general"
GENERAL_NICENESS = 5  # the general lane yields the cores to dereference when both want them

_lane = GENERAL  # this worker process's lane, set before the app loads


class LaneWorker(SyncWorker):  # type: ignore[misc]
    """A sync worker that accepts connections on its own lane's socket only."""

    lane = GENERAL  # the arbiter's pre_fork hook assigns it

    def init_process(self) -> None:
        global _lane
        _lane = self.lane
        record_port = self.app.settings.record_port
        if record_port:
            self.sockets = [s for s in self.sockets if (s.getsockname()[1] == record_port) == (self.lane == RECORDS)]
            if self.lane == GENERAL:
                os.nice(GENERAL_NICENESS)
        super().init_process()


class _Gunicorn(BaseApplication):  # type: ignore[misc]
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        super().__init__()

    def load_config(self) -> None:
        settings = self.settings
        binds = [f"{settings.host}:{settings.port}"]
        if settings.record_port:
            binds.append(f"{settings.host}:{settings.record_port}")
        options: dict[str, Any] = {
            "bind": binds,
            "workers": settings.workers + (settings.record_workers if settings.record_port else 0),
            "worker_class": "ld.web.serving.LaneWorker",
            "pre_fork": self.assign_lane,
            "timeout": 30,
            "preload_app": False,
            "max_requests": 1000,
            "max_requests_jitter": 100,
            "accesslog": "-",
        }
        for key, value in options.items():
            self.cfg.set(key, value)

    def assign_lane(self, arbiter: Any, worker: LaneWorker) -> None:
        """Called in the arbiter before each fork, restarts included: fill the record lane first."""
        wanted = self.settings.record_workers if self.settings.record_port else 0
        serving = sum(getattr(w, "lane", None) == RECORDS for w in arbiter.WORKERS.values())
        worker.lane = RECORDS if serving < wanted else GENERAL

    def load(self):  # type: ignore[no-untyped-def]
        from . import create_app
        from .search import index
        from .sparql import query_process

        app = create_app(self.settings)
        if _lane == GENERAL:
            with app.app_context():  # each worker loads the facet arrays (~1 s at EThOS scale) before its first visitor
                index().count()
                query_process().start()
        return app


def serve(settings: Settings) -> None:
    if settings.sparql_concurrency >= settings.workers:
        print(f"warning: sparql_concurrency ({settings.sparql_concurrency}) is not below workers "
              f"({settings.workers}): runaway queries can hold every worker", file=sys.stderr)  # fmt: skip
    _Gunicorn(settings).run()
