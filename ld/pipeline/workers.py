"""The worker processes that ingest and reindex spread their CPU work over.

Started by forkserver, so that no store or SQLite handle of the parent is ever inherited
through a fork.  The fork server loads the work's own module before it forks the workers,
and not the program's main module (the command line, with the web app and the store),
so each worker holds only what its work needs.  Results come back in input order, with at most two items per worker in
flight, so memory stays bounded however long the input.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

# An ingest batch takes about a second with turbo, minutes with pyshacl; a worker that has
# not answered in this long is lost, and waiting on would hang the run for ever.
TIMEOUT = 1800


def in_order(
    function: Callable[..., Result],
    items: Iterable[Item],
    args: tuple = (),
    jobs: int = 1,
    setup: Callable[..., Any] | None = None,
    setup_args: tuple = (),
) -> Iterator[Result]:
    """`function(item, *args)` for each item, in order; `setup(*setup_args)` first in each
    worker.  One job runs everything in this process."""
    if jobs == 1:
        if setup is not None:
            setup(*setup_args)
        yield from (function(item, *args) for item in items)
        return
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([function.__module__])  # no effect once this process's server runs
    with context.Pool(jobs, setup, setup_args) as pool:
        pending: deque = deque()
        for item in items:
            pending.append(pool.apply_async(function, (item, *args)))
            if len(pending) >= 2 * jobs:
                yield pending.popleft().get(TIMEOUT)
        while pending:
            yield pending.popleft().get(TIMEOUT)
