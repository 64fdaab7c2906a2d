"""Run visitors' queries in a warm, sandboxed process that is killed at the deadline.

Oxigraph's Python API has no query timeout and signal.alarm does not interrupt a running
query, so queries run in a separate process that the web worker kills when time is up.
Starting one per query cost 0.4 s (a fork from the forkserver, importing pyoxigraph,
opening the snapshot) before the query even began, so each web worker keeps one query
process warm: started when the worker starts, holding the newest snapshot open, reopening
it when ingest publishes another, replaced at once when it is killed or dies.

The query process vets the text itself (guard.py), so that vetting counts against the
deadline and a huge query never ties up the web worker; it runs with a lower CPU priority
than the web workers and without network access (sandbox.py).
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

import pyoxigraph as ox

from ..renderers import RENDERERS
from ..store.rdf import ReadStore, StoreMissing
from .guard import Refused, vet
from .results import TooLarge, write_ask, write_select

STARTUP_SECONDS = 60  # a new query process imports and opens the snapshot; not the visitor's deadline
NICENESS = 10  # queries yield the CPU to record pages, search and OAI
STACK_BYTES = 256 << 20  # Oxigraph recurses on long chains (a || b || …): a deep stack lets 10^5 through


@dataclass(frozen=True)
class Limits:
    timeout: float = 10.0
    max_rows: int = 10_000
    max_bytes: int = 32 << 20


@dataclass(frozen=True)
class Request:
    base: str
    query: str
    select_fmt: str  # json/xml/csv/tsv for SELECT and ASK
    graph_fmt: str  # a renderer suffix (ttl, jsonld, nt, rdf) for CONSTRUCT and DESCRIBE
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Answer:
    body: bytes
    is_graph: bool  # CONSTRUCT or DESCRIBE: the body is in graph_fmt, else in select_fmt
    truncated: bool = False


class Timeout(Exception):
    pass


class QueryFailed(Exception):
    pass


class Unavailable(Exception):
    """No query process could be started (a fault of this server, not of the query)."""


class QueryProcess:
    """The web worker's one query process; `run` is called by one request at a time."""

    def __init__(self, store: Path, limits: Limits) -> None:
        self.store = Path(store)
        self.limits = limits
        self._context = multiprocessing.get_context("forkserver")
        self._context.set_forkserver_preload([__name__])
        self._process: multiprocessing.process.BaseProcess | None = None
        self._connection: Connection | None = None
        self._ready = False
        self._lock = threading.Lock()

    def start(self) -> None:
        """Start the process if none is alive; returns at once (it warms up on its own)."""
        if self._process is not None and self._process.is_alive():
            return
        ours, theirs = self._context.Pipe(duplex=True)
        self._process = self._context.Process(target=_serve, args=(self.store, self.limits, theirs), daemon=True)
        self._process.start()
        theirs.close()
        self._connection, self._ready = ours, False

    def _wait_until_ready(self) -> None:
        """The process says "ready" once warm; only then does a query's deadline start."""
        assert self._connection is not None
        if not self._ready:
            if not self._connection.poll(STARTUP_SECONDS):
                raise OSError(f"the query process did not start within {STARTUP_SECONDS} s")
            self._ready = self._connection.recv() == "ready"

    def stop(self) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.join(1)
        if self._connection is not None:
            self._connection.close()
        self._process, self._connection = None, None

    def run(self, request: Request) -> Answer:
        """The answer, or Refused / Timeout / TooLarge / QueryFailed."""
        with self._lock:
            try:
                self.start()
                self._wait_until_ready()
            except (EOFError, OSError) as exc:
                self.stop()
                raise Unavailable(f"the query process could not start: {exc}") from exc
            assert self._connection is not None
            try:
                self._connection.send(request)
                ready = self._connection.poll(self.limits.timeout)
                outcome = self._connection.recv() if ready else None
            except (EOFError, OSError) as exc:
                self._replace()
                raise QueryFailed("the query process ended without an answer: the query nests or chains "
                                  "expressions too deeply for the engine; split it") from exc  # fmt: skip
            if outcome is None:
                self._replace()
                raise Timeout(f"the query ran longer than {self.limits.timeout:g} s and was stopped")
        kind, payload = outcome
        if kind == "ok":
            return payload
        if kind == "refused":
            raise Refused(*payload)
        raise {"too-large": TooLarge, "failed": QueryFailed}[kind](payload)

    def _replace(self) -> None:
        self.stop()
        self.start()


def _serve(store: Path, limits: Limits, connection: Connection) -> None:
    """The query process: lower priority, no network, the snapshot kept open between queries."""
    from .sandbox import deny_network

    os.nice(NICENESS)
    deny_network()
    read = ReadStore(store)
    try:
        read.db  # noqa: B018 - open the snapshot now, not on the first visitor's time
    except Exception:  # noqa: BLE001 - no snapshot yet: the first query will say so
        pass
    threading.stack_size(STACK_BYTES)
    connection.send("ready")
    while True:
        try:
            request = connection.recv()
        except EOFError:
            return
        outcome: list = []
        worker = threading.Thread(target=_answer, args=(read, request, limits, outcome))
        worker.start()
        worker.join()
        connection.send(outcome[0])


def _answer(read: ReadStore, request: Request, limits: Limits, outcome: list) -> None:
    """Runs in a thread with a deep stack; puts (kind, payload) into outcome."""
    try:
        outcome.append(("ok", evaluate(read.db, request, limits)))
    except Refused as exc:
        outcome.append(("refused", (exc.status, str(exc))))
    except TooLarge as exc:
        outcome.append(("too-large", str(exc)))
    except (SyntaxError, ValueError, OSError, RuntimeError, StoreMissing) as exc:
        outcome.append(("failed", str(exc)))
    except Exception as exc:  # noqa: BLE001 - the process must answer every request, never go silent
        outcome.append(("failed", f"{type(exc).__name__}: {exc}"))


def evaluate(db: ox.Store, request: Request, limits: Limits) -> Answer:
    """Vet, then run the vetted text (never the visitor's) over the union of the dataset's graphs."""
    vetted = vet(request.query, request.base)
    is_graph = vetted.form in ("ConstructQuery", "DescribeQuery")
    if not (request.graph_fmt if is_graph else request.select_fmt):
        return Answer(b"", is_graph)  # the client accepts no format of this form: the web worker answers 406
    options: dict = {"base_iri": request.base}
    if request.default_graphs:  # the protocol's default-graph-uri overrides the query's FROM
        options["default_graph"] = [ox.NamedNode(g) for g in request.default_graphs]
    elif not vetted.names_dataset:
        options["use_default_graph_as_union"] = True
    if request.named_graphs:
        options["named_graphs"] = [ox.NamedNode(g) for g in request.named_graphs]
    result = db.query(vetted.text, **options)
    if isinstance(result, ox.QueryBoolean):
        return Answer(write_ask(bool(result), request.select_fmt).encode(), False)
    if isinstance(result, ox.QuerySolutions):
        return _select(result, request.select_fmt, limits)
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
    return Answer(body, False, truncated)


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
    return Answer(body, True, truncated)
