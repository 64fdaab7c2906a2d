"""Run a vetted query in a child process that is killed at the deadline.

Oxigraph's Python API has no query timeout and signal.alarm does not interrupt a running
query, so each query runs in its own process (started by forkserver, so no store handle
crosses a fork), opens the newest snapshot read-only, and is killed when time is up; the
web worker is free again at once.
"""

from __future__ import annotations

import multiprocessing
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from ..renderers import RENDERERS
from ..store import ReadStore
from .results import TooLarge, write_ask, write_select


@dataclass(frozen=True)
class Limits:
    timeout: float = 10.0
    max_rows: int = 10_000
    max_bytes: int = 32 << 20


@dataclass(frozen=True)
class Request:
    store: Path
    base: str
    query: str
    fmt: str  # json/xml/csv/tsv for SELECT and ASK; a renderer suffix (ttl, jsonld, nt, rdf) for graphs
    graph_fmt: str
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Answer:
    body: bytes
    kind: str  # "select", "ask" or "graph"
    truncated: bool = False


class Timeout(Exception):
    pass


class QueryFailed(Exception):
    pass


def _context() -> multiprocessing.context.ForkServerContext:
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__])  # each query process starts with this module loaded
    return context


def run(request: Request, limits: Limits) -> Answer:
    """The answer, or Timeout / TooLarge / QueryFailed."""
    context = _context()
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(request, limits, send), daemon=True)
    child.start()
    send.close()
    try:
        if not receive.poll(limits.timeout):
            raise Timeout(f"the query ran longer than {limits.timeout:g} s and was stopped")
        outcome, payload = receive.recv()
    except EOFError as exc:
        raise QueryFailed("the query process ended without an answer") from exc
    finally:
        if child.is_alive():
            child.kill()
        child.join(1)
        receive.close()
    if outcome == "ok":
        return payload
    raise {"too-large": TooLarge, "failed": QueryFailed}[outcome](payload)


def _child(request: Request, limits: Limits, send) -> None:  # type: ignore[no-untyped-def]
    try:
        send.send(("ok", _evaluate(request, limits)))
    except TooLarge as exc:
        send.send(("too-large", str(exc)))
    except (SyntaxError, ValueError, OSError, RuntimeError) as exc:
        send.send(("failed", str(exc)))
    finally:
        send.close()


def _evaluate(request: Request, limits: Limits) -> Answer:
    db = ReadStore(request.store).db
    options: dict = {}
    if request.default_graphs:
        options["default_graph"] = [ox.NamedNode(g) for g in request.default_graphs]
    else:
        options["use_default_graph_as_union"] = True
    if request.named_graphs:
        options["named_graphs"] = [ox.NamedNode(g) for g in request.named_graphs]
    result = db.query(request.query, **options)
    if isinstance(result, ox.QueryBoolean):
        return Answer(write_ask(bool(result), request.fmt).encode(), "ask")
    if isinstance(result, ox.QuerySolutions):
        return _select(result, request.fmt, limits)
    return _graph(result, request, limits)


def _select(solutions: ox.QuerySolutions, fmt: str, limits: Limits) -> Answer:
    variables = [v.value for v in solutions.variables]
    rows, truncated = [], False
    for solution in solutions:
        if len(rows) >= limits.max_rows:
            truncated = True
            break
        rows.append({v: solution[v] for v in variables if solution[v] is not None})
    body = write_select(variables, rows, fmt).encode("utf-8")
    if len(body) > limits.max_bytes:
        raise TooLarge(f"the result is larger than {limits.max_bytes} bytes; add a LIMIT")
    return Answer(body, "select", truncated)


def _graph(triples: ox.QueryTriples, request: Request, limits: Limits) -> Answer:
    kept, truncated = [], False
    for triple in triples:
        if len(kept) >= limits.max_rows:
            truncated = True
            break
        kept.append(triple)
    body = RENDERERS[request.graph_fmt].render(kept, request.base)
    if len(body) > limits.max_bytes:
        raise TooLarge(f"the result is larger than {limits.max_bytes} bytes; add a LIMIT")
    return Answer(body, "graph", truncated)
