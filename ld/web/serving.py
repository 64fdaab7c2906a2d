"""`ldpub serve`: the Flask app under granian.

granian speaks HTTP in Rust (hyper): connections are kept alive, slow clients wait in its
event loop rather than in a Python thread, and each worker process runs the WSGI app in a
pool of `threads` threads.  Chosen by measurement (bench/README.md): on the same app it
answered about three times what gunicorn's threaded workers did, and gunicorn's sync
workers, which close every connection, less still.  A request's thread need not be
killable: what can run away (SPARQL) runs in killable processes with deadlines.

The store must not be opened before the fork, so each worker builds the app itself
(`worker_app`, from LDPUB_* variables); it opens the search index and starts its warm
SPARQL query process before it takes a connection, so no visitor waits for either.
Workers are not recycled (each restart costs a second of loading at EThOS scale); one
that dies is started again.  No access log unless `access_log` is set: granian writes it
in Python, under the worker's GIL, and with it on a record cost twice as much (627k
store, 32 connections: 8.9k against 17.7k Turtle req/s, runs minutes apart; bench/README.md).

Two lanes.  A search over a broad word, an OAI page or a SPARQL query holds a thread for
up to seconds; a record costs microseconds.  With `record_port` set, a second server of
`record_workers` processes listens there only, and the nginx front sends /id/ and /doc/
to it: dereference has processes of its own, and the general lane runs at a lower CPU
priority so that the records win the cores too.
"""

from __future__ import annotations

import multiprocessing
import os
import sys

from flask import Flask
from granian import Granian
from granian.constants import Interfaces

from ..config import SETTINGS, Settings, load_settings
from .rendered import prune

RECORDS, GENERAL = "records", "general"
GENERAL_NICENESS = 5  # the general lane yields the cores to dereference when both want them
LANE = "LDPUB_LANE"


def worker_app() -> Flask:
    """The app of one worker process (granian's factory), warmed up before its first visitor."""
    from . import create_app
    from .search import index
    from .sparql import query_process

    app = create_app(load_settings())
    if os.environ.get(LANE, GENERAL) == GENERAL:
        with app.app_context():  # the search index's files into the page cache, and the query process
            index().warm()
            index().search("", {}, 1, 1)
            query_process().start()
    return app


def serve(settings: Settings) -> None:
    capacity = settings.serving_workers * settings.threads
    if settings.sparql_concurrency >= capacity:
        print(f"warning: sparql_concurrency ({settings.sparql_concurrency}) is not below workers x threads "
              f"({capacity}): runaway queries can hold every thread", file=sys.stderr)  # fmt: skip
    prune(settings.store)  # bodies made by another version of the rendering code
    os.environ.update(environment(settings))  # what each worker's load_settings reads
    lane = None
    if settings.record_port:
        lane = multiprocessing.get_context("spawn").Process(
            target=_run, args=(settings, RECORDS, settings.record_port, settings.record_workers), daemon=False
        )
        lane.start()
        os.nice(GENERAL_NICENESS)
    try:
        _run(settings, GENERAL, settings.port, settings.serving_workers)
    finally:
        if lane is not None:
            lane.terminate()
            lane.join(10)


def environment(settings: Settings) -> dict[str, str]:
    """Every setting as the LDPUB_* variable that gives it back."""
    return {s.env: str(getattr(settings, s.name)) for s in SETTINGS}


def _run(settings: Settings, lane: str, port: int, workers: int) -> None:
    os.environ[LANE] = lane
    Granian(
        "ld.web.serving:worker_app",
        factory=True,
        interface=Interfaces.WSGI,
        address=settings.host,
        port=port,
        workers=workers,
        blocking_threads=settings.threads,
        respawn_failed_workers=True,
        workers_kill_timeout=5,  # a stop never waits longer on a busy or idle keep-alive worker
        log_access=settings.access_log,  # off by default: a Python log line per request halved throughput
    ).serve()
