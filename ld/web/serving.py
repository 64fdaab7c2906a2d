"""`ldpub serve`: the Flask app under gunicorn.

Threaded workers (gunicorn's gthread) that keep connections alive: a client dereferencing
many records pays for one TCP connection, not one per record, and a thread waiting on a
SPARQL query process or a slow client holds a thread, not a whole worker.  Chosen by
measurement over sync workers and granian (bench/README.md).  A request's own thread need
not be killable: what can run away (SPARQL) runs in killable processes with deadlines.
Preload is off, because the store must not be opened before the fork.  Each worker opens
the search index and starts its warm SPARQL query process before it takes a connection,
so no visitor waits for either; workers are recycled rarely (`max_requests`), since each
restart costs about a second of loading at EThOS scale.

In production put a buffering proxy in front (`ldpub nginx-config` writes one), as
gunicorn's own docs advise: it reads slow clients' requests whole before a thread sees them.

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
from gunicorn.workers.gthread import ThreadWorker

from ..config import Settings
from .rendered import prune

RECORDS, GENERAL = "records", "general"
GENERAL_NICENESS = 5  # the general lane yields the cores to dereference when both want them

_lane = GENERAL  # this worker process's lane, set before the app loads


class LaneWorker(ThreadWorker):  # type: ignore[misc]
    """A threaded worker that accepts connections on its own lane's socket only."""

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
            "threads": settings.threads,
            "keepalive": 15,  # seconds an idle connection is kept for the client's next request
            "pre_fork": self.assign_lane,
            "timeout": 30,
            "preload_app": False,
            "max_requests": settings.max_requests,
            "max_requests_jitter": settings.max_requests // 10,
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
    capacity = settings.workers * settings.threads
    if settings.sparql_concurrency >= capacity:
        print(f"warning: sparql_concurrency ({settings.sparql_concurrency}) is not below workers x threads "
              f"({capacity}): runaway queries can hold every thread", file=sys.stderr)  # fmt: skip
    prune(settings.store)  # bodies made by another version of the rendering code
    _Gunicorn(settings).run()
