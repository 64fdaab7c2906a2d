"""SPARQL latency: ldpub's /sparql against Virtuoso loaded with the same quads, in one run.

    .venv/bin/python bench/sparql_latency.py --store bench/out/store --requests 200

Needs Virtuoso Open Source (Debian: `apt-get install virtuoso-opensource`, which gives
`virtuoso-t` and `isql-vt`).  What it does:

1. `ldpub export --format nq` of the store's newest snapshot into a work directory
   (--nq FILE reuses an export; about 200 bytes a quad: 5.1 GB and 20 minutes for the
   627k store, so --workdir DIR --keep, then --nq DIR/data/store.nq, saves a rerun that).
2. Starts a throwaway Virtuoso on loopback (free ports for HTTP and isql) with its own
   virtuoso.ini in that directory (CaseMode 2; MaxQueryCostEstimationTime 0 so big
   loads and queries are not refused on an estimate; NumberOfBuffers ~1/8 of RAM), loads
   the quads with the bulk loader (ld_dir + rdf_loader_run + checkpoint: 224 s for the
   627k store's 24.3 M quads; --loaders 2 splits the file, but two loaders deadlocked
   there, and failed files are then loaded again by one) and checks it holds as many
   quads in the dataset's graphs as the export has lines.  Virtuoso's default graph,
   like ldpub's, is the union of all graphs.
3. Starts `ldpub serve` on the same store (free loopback port; or --ldpub-url).
4. Picks a real thesis key (the store's change log), checks both servers give the same
   answer to each query, warms both up (--warmup requests of each query), then times
   --requests requests of each query (--heavy-requests of the aggregate) against each
   server, interleaved (round by round:
   each query on both servers, which server goes first alternating) and sequentially
   (one client, one request at a time, HTTP keep-alive where the server allows it;
   gunicorn's sync workers close every connection, so ldpub's figures include a
   loopback TCP connect).  All requests are GET /sparql?query=… with
   Accept: application/sparql-results+json, timed from sending to the last body byte.
5. Prints median, p99 (nearest rank), min and max per query per server over the 200
   answers (a 503, such as ldpub's query time-out, is counted apart and not timed) and the
   ratios ldpub/Virtuoso of the medians and p99s; writes the same as JSON
   (bench/out/sparql-latency-<timestamp>.json or --json); stops both servers and removes
   the work directory (--keep keeps it, with Virtuoso's database and log).

The queries: `ASK {}`; one thesis by identifier (`?t dcterms:identifier "KEY" ;
dcterms:title ?title`); theses per year of issue (an aggregate over every thesis,
--no-aggregate skips it); a title scan (CONTAINS on every title, LIMIT 10).

On a small store:

    .venv/bin/python bench/generate.py --rows 3000 --out /tmp/lt-3000.csv
    .venv/bin/ldpub ingest --store /tmp/lt-store /tmp/lt-3000.csv
    .venv/bin/python bench/sparql_latency.py --store /tmp/lt-store --requests 100
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from urllib.parse import urlencode, urlparse

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from bench.support import free_port, nearest_rank, stop  # noqa: E402

DCTERMS = "http://purl.org/dc/terms/"
ACCEPT = "application/sparql-results+json"

VIRTUOSO_INI = """\
[Database]
DatabaseFile       = {dir}/virtuoso.db
ErrorLogFile       = {dir}/virtuoso.log
LockFile           = {dir}/virtuoso.lck
TransactionFile    = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel      = 7
FileExtend         = 200
MaxCheckpointRemap = 2000
Striping           = 0
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile       = {dir}/virtuoso-temp.db
TransactionFile    = {dir}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping           = 0

[Parameters]
ServerPort               = 127.0.0.1:{isql_port}
LiteMode                 = 0
DisableUnixSocket        = 1
DisableTcpSocket         = 0
MaxClientConnections     = 10
CheckpointInterval       = 60
O_DIRECT                 = 0
CaseMode                 = 2
MaxStaticCursorRows      = 5000
AllowOSCalls             = 0
DirsAllowed              = ., {data_dir}
ThreadCleanupInterval    = 0
ThreadThreshold          = 10
ResourcesCleanupInterval = 0
FreeTextBatchSize        = 100000
SingleCPU                = 0
PrefixResultNames        = 0
RdfFreeTextRulesSize     = 100
IndexTreeMaps            = 64
MaxQueryMem              = 2G
VectorSize               = 1000
MaxVectorSize            = 1000000
AdjustVectorSize         = 0
ThreadsPerQuery          = {threads}
AsyncQueueMaxThreads     = 10
NumberOfBuffers          = {buffers}
MaxDirtyBuffers          = {dirty}

[HTTPServer]
ServerPort                  = 127.0.0.1:{http_port}
ServerRoot                  = {dir}/vsp
MaxClientConnections        = 10
DavRoot                     = DAV
EnabledDavVSP               = 0
HTTPProxyEnabled            = 0
TempASPXDir                 = 0
ServerThreads               = 10
MaxKeepAlives               = 10
KeepAliveTimeout            = 10
HTTPThreadSize              = 280000
HttpPrintWarningsInOutput   = 0
Charset                     = UTF-8
EnabledGzipContent          = 0

[Client]
SQL_PREFETCH_ROWS  = 100
SQL_PREFETCH_BYTES = 16000
SQL_QUERY_TIMEOUT  = 0
SQL_TXN_TIMEOUT    = 0

[SPARQL]
ResultSetMaxRows           = 100000
MaxQueryCostEstimationTime = 0
MaxQueryExecutionTime      = 600
DefaultQuery               = ASK {{}}
"""


class Endpoint:
    """A SPARQL endpoint over one HTTP/1.1 connection, reopened when the server closes it."""

    def __init__(self, name: str, url: str, timeout: float = 600) -> None:
        parsed = urlparse(url)
        self.name, self.host, self.port, self.path = name, parsed.hostname, parsed.port or 80, parsed.path
        self.timeout = timeout
        self.conn: http.client.HTTPConnection | None = None
        self.reconnects = 0

    def query(self, text: str) -> tuple[int, bytes, float]:
        path = f"{self.path}?{urlencode({'query': text})}"
        begun = time.perf_counter()
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
                self.reconnects += 1
            try:
                self.conn.request("GET", path, headers={"Accept": ACCEPT})
                response = self.conn.getresponse()
                body = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # a kept-alive connection the server had closed: once more on a new one, timed from the start
                self.close()
                if attempt == 2:
                    raise
        seconds = time.perf_counter() - begun
        if response.will_close:
            self.close()
        return response.status, body, seconds

    def close(self) -> None:
        if self.conn is not None:
            with contextlib.suppress(Exception):
                self.conn.close()
            self.conn = None


def isql(port: int, statements: str, timeout: float | None = None) -> str:
    command = [
        "isql-vt",
        f"127.0.0.1:{port}",
        "dba",
        "dba",
        "BANNER=OFF",
        "VERBOSE=OFF",
        "ERRORS=STDOUT",
        f"exec={statements}",
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0 or "*** Error" in result.stdout:
        raise RuntimeError(f"isql failed ({result.returncode}): {result.stdout[-2000:]} {result.stderr[-2000:]}")
    return result.stdout


def start_virtuoso(work: Path, data_dirs: list[Path], buffers: int, threads: int) -> tuple[subprocess.Popen, int, int]:
    isql_port, http_port = free_port(), free_port()
    while http_port == isql_port:
        http_port = free_port()
    db = work / "virtuoso"
    db.mkdir(parents=True, exist_ok=True)
    (db / "vsp").mkdir(exist_ok=True)
    ini = db / "virtuoso.ini"
    ini.write_text(
        VIRTUOSO_INI.format(
            dir=db,
            data_dir=", ".join(map(str, data_dirs)),
            isql_port=isql_port,
            http_port=http_port,
            buffers=buffers,
            dirty=buffers * 3 // 4,
            threads=threads,
        )
    )
    log = open(db / "stdout.log", "ab")  # noqa: SIM115 - the child holds it
    process = subprocess.Popen(
        ["virtuoso-t", "+foreground", "+configfile", str(ini)],
        cwd=db,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    until = time.monotonic() + 180
    while time.monotonic() < until:
        if process.poll() is not None:
            sys.exit(f"virtuoso-t exited with {process.returncode}; see {db / 'virtuoso.log'}")
        try:
            isql(isql_port, "status();", timeout=20)
            return process, isql_port, http_port
        except (RuntimeError, subprocess.TimeoutExpired):
            time.sleep(1)
    stop(process)
    sys.exit(f"Virtuoso did not start within 180 s; see {db / 'virtuoso.log'}")


def load_virtuoso(isql_port: int, files: list[Path], loaders: int) -> tuple[float, int]:
    """Virtuoso's bulk loader: register the files, run `loaders` loaders at once (one file each at a time).

    Parallel loaders can fail files with "Transaction deadlock" (seen on the 627k store with 2);
    such files are loaded again by a single loader (a quad loaded twice is stored once).
    Returns the seconds taken and how many files had to be loaded again.
    """
    begun = time.monotonic()
    for directory in sorted({f.parent for f in files}):
        names = [f.name for f in files if f.parent == directory]
        pattern = names[0] if len(names) == 1 else "*.nq"
        isql(isql_port, f"ld_dir('{directory}', '{pattern}', 'urn:ldpub:triples-without-graph');")
    command = ["isql-vt", f"127.0.0.1:{isql_port}", "dba", "dba", "BANNER=OFF", "VERBOSE=OFF", "ERRORS=STDOUT",
               "exec=rdf_loader_run();"]  # fmt: skip
    retried = 0
    for attempt in range(3):
        running = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
                   for _ in range(max(1, min(loaders if attempt == 0 else 1, len(files))))]  # fmt: skip
        outputs = [p.communicate()[0] for p in running]
        if any(p.returncode != 0 or "*** Error" in out for p, out in zip(running, outputs, strict=True)):
            raise RuntimeError(f"rdf_loader_run failed: {outputs}")
        isql(isql_port, "checkpoint;")
        counted = isql(isql_port, "SELECT COUNT(*) FROM DB.DBA.load_list WHERE ll_error IS NOT NULL;")
        failed = int(next(line.strip() for line in counted.splitlines() if line.strip().isdigit()))
        if failed == 0:
            return time.monotonic() - begun, retried
        state = isql(isql_port, "SELECT ll_file, ll_state, ll_error FROM DB.DBA.load_list WHERE ll_error IS NOT NULL;")
        print(f"  {failed} file(s) failed to load; loading them again with one loader:\n{state[:2000]}", flush=True)
        retried += failed
        isql(isql_port, "UPDATE DB.DBA.load_list SET ll_state = 0, ll_error = NULL WHERE ll_error IS NOT NULL;")
    raise RuntimeError(f"Virtuoso's bulk loader failed three times: {state}")


def count_lines(path: Path) -> int:
    count = 0
    with open(path, "rb") as stream:
        while chunk := stream.read(1 << 24):
            count += chunk.count(b"\n")
    return count


def split_quads(nq: Path, parts_dir: Path, lines_per_part: int) -> tuple[int, list[Path]]:
    """The export in parts of `lines_per_part` lines, so that several loaders can work at once; the
    whole file when it holds blank nodes (a loader scopes their labels to one file)."""
    parts_dir.mkdir(parents=True, exist_ok=True)
    parts: list[Path] = []
    count, out = 0, None
    with open(nq, "rb") as stream:
        for line in stream:
            if line.startswith(b"_:") or b" _:" in line:
                if out is not None:
                    out.close()
                for part in parts:
                    part.unlink()
                return count_lines(nq), [nq]
            if count % lines_per_part == 0:
                if out is not None:
                    out.close()
                parts.append(parts_dir / f"part-{len(parts):04d}.nq")
                out = open(parts[-1], "wb")  # noqa: SIM115
            out.write(line)
            count += 1
    if out is not None:
        out.close()
    return count, parts


def pick_key(store: Path) -> str:
    """A thesis the store publishes: the change log's first key whose last event is not a withdrawal."""
    db = sqlite3.connect(f"file:{store / 'changes.sqlite'}?mode=ro", uri=True)
    try:
        row = db.execute(
            "SELECT key FROM changes c WHERE kind != 'Delete' AND key LIKE 'uk.bl.ethos.%' "
            "AND seq = (SELECT max(seq) FROM changes WHERE key = c.key) ORDER BY seq LIMIT 1 OFFSET 5"
        ).fetchone()
    finally:
        db.close()
    if row is None:
        sys.exit(f"no published thesis in {store}'s change log")
    return row[0]


LIGHT = ("ask", "one thesis by identifier", "title scan (CONTAINS, LIMIT 10)")  # the others: --heavy-requests


def queries(key: str, aggregate: bool) -> dict[str, str]:
    found = {
        "ask": "ASK {}",
        "one thesis by identifier": (
            f'SELECT ?t ?title WHERE {{ ?t <{DCTERMS}identifier> "{key}" ; <{DCTERMS}title> ?title }}'
        ),
        "title scan (CONTAINS, LIMIT 10)": (
            f"SELECT ?t ?title WHERE {{ ?t <{DCTERMS}title> ?title "
            'FILTER(CONTAINS(LCASE(?title), "quantum protein synthesis")) } LIMIT 10'
        ),
    }
    if aggregate:
        found["theses per year (aggregate)"] = (
            "SELECT ?year (COUNT(?t) AS ?n) WHERE { ?t a <http://purl.org/ontology/bibo/Thesis> ; "
            f"<{DCTERMS}issued> ?d . BIND(SUBSTR(STR(?d), 1, 4) AS ?year) }} GROUP BY ?year ORDER BY ?year"
        )
    return found


def answer_of(body: bytes) -> object:
    """The answer as comparable data: the boolean, or the bag of rows with values only."""
    data = json.loads(body)
    if "boolean" in data:
        return data["boolean"]
    rows = [tuple(sorted((k, v["value"]) for k, v in b.items())) for b in data["results"]["bindings"]]
    return sorted(rows)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__
    )
    parser.add_argument("--store", type=Path, default=HERE / "out" / "store")
    parser.add_argument("--base", default=None, help="the base URI the store was ingested with (default: ldpub's)")
    parser.add_argument("--requests", type=int, default=200, help="timed requests of each query on each server")
    parser.add_argument("--warmup", type=int, default=20, help="untimed requests of each query on each server first")
    parser.add_argument("--heavy-requests", type=int, default=20, help="timed requests of the aggregate")
    parser.add_argument("--no-aggregate", dest="aggregate", action="store_false")
    parser.add_argument(
        "--nq", type=Path, default=None, help="an N-Quads export of the store to load (default: export)"
    )
    parser.add_argument("--workdir", type=Path, default=None, help="where the export and Virtuoso's database go")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    parser.add_argument("--loaders", type=int, default=1, help="Virtuoso bulk loaders at once (2 deadlocked at 627k)")
    parser.add_argument("--part-lines", type=int, default=1_000_000, help="quads per file given to a loader")
    parser.add_argument(
        "--buffers",
        type=int,
        default=0,
        help="Virtuoso NumberOfBuffers, 8 KiB each (default: ~1/8 of RAM, at most 680000)",
    )
    parser.add_argument("--ldpub-url", default=None, help="an already running ldpub's /sparql instead of starting one")
    parser.add_argument("--workers", type=int, default=0, help="ldpub serve --workers (0: ldpub's default)")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    args.store = args.store.resolve()
    if shutil.which("virtuoso-t") is None or shutil.which("isql-vt") is None:
        sys.exit("virtuoso-t and isql-vt are needed: apt-get install virtuoso-opensource")
    if not (args.store / "CURRENT").exists():
        sys.exit(f"{args.store} has no published snapshot")
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    out_json = args.json or HERE / "out" / f"sparql-latency-{stamp}.json"
    out_json.parent.mkdir(parents=True, exist_ok=True)
    from ld.config import load_settings  # noqa: PLC0415

    settings = load_settings({"base": args.base, "workers": args.workers or None})
    base_option = ["--base", args.base] if args.base else []
    work = args.workdir or Path(tempfile.mkdtemp(prefix="ldpub-sparql-latency-"))
    work.mkdir(parents=True, exist_ok=True)
    buffers = args.buffers or min(680_000, os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 8 // 8192)
    virtuoso = server = None
    result: dict = {
        "command": sys.argv,
        "when": stamp,
        "store": str(args.store),
        "cores": os.cpu_count(),
        "requests": args.requests,
        "warmup": args.warmup,
        "ldpub_settings": {k: str(v) for k, v in vars(settings).items() if k not in ("extra", "store")},
    }
    try:
        nq = args.nq
        if nq is None:
            nq = work / "data" / "store.nq"
            nq.parent.mkdir(exist_ok=True)
            begun = time.monotonic()
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "ld",
                    "export",
                    "--format",
                    "nq",
                    "--store",
                    str(args.store),
                    *base_option,
                    "-o",
                    str(nq),
                ],
                check=True,
                cwd=ROOT,
            )
            result["export_seconds"] = round(time.monotonic() - begun, 1)
        nq = nq.resolve()
        loaders = args.loaders
        if loaders > 1:
            quads, files = split_quads(nq, work / "parts", args.part_lines)
        else:
            quads, files = count_lines(nq), [nq]
        if args.nq is None and files != [nq] and not (args.keep or args.workdir):
            nq.unlink()  # the parts hold it all
        print(f"{quads:,} quads from {nq} in {len(files)} file(s)", flush=True)

        virtuoso, isql_port, http_port = start_virtuoso(
            work, sorted({f.parent for f in files}), buffers, min(4, os.cpu_count() or 1)
        )
        version = isql(isql_port, "SELECT sys_stat('st_dbms_ver');").split()
        print(f"Virtuoso on 127.0.0.1:{http_port} (isql {isql_port}), loading with {loaders} loader(s) …", flush=True)
        load_seconds, retried = load_virtuoso(isql_port, files, loaders)
        result["load_seconds"], result["load_files_retried"] = round(load_seconds, 1), retried
        vt = Endpoint("virtuoso", f"http://127.0.0.1:{http_port}/sparql")
        status, body, _ = vt.query(
            f'SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), "{settings.base}")) }}'
        )
        loaded = int(json.loads(body)["results"]["bindings"][0]["n"]["value"])
        result["virtuoso"] = {
            "version": [v for v in version if v[:1].isdigit()][:1],
            "buffers": buffers,
            "quads_loaded": loaded,
            "quads_exported": quads,
        }
        print(f"Virtuoso loaded {loaded:,} quads in {result['load_seconds']} s", flush=True)
        if loaded != quads:
            print(
                f"WARNING: the export has {quads:,} lines but Virtuoso holds {loaded:,} quads in the dataset's graphs"
            )

        if args.ldpub_url:
            ld = Endpoint("ldpub", args.ldpub_url)
        else:
            port = free_port()
            command = [
                sys.executable,
                "-m",
                "ld",
                "serve",
                "--store",
                str(args.store),
                *base_option,
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ] + (["--workers", str(args.workers)] if args.workers else [])
            log = open(work / "ldpub-serve.log", "ab")  # noqa: SIM115
            server = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
            ld = Endpoint("ldpub", f"http://127.0.0.1:{port}/sparql")
            until = time.monotonic() + 300
            while True:
                if server.poll() is not None:
                    sys.exit(f"ldpub serve exited with {server.returncode}; see {work / 'ldpub-serve.log'}")
                try:
                    if ld.query("ASK {}")[0] == 200:
                        break
                except OSError:
                    ld.close()
                if time.monotonic() > until:
                    sys.exit("ldpub serve did not answer within 300 s")
                time.sleep(0.5)

        key = pick_key(args.store)
        chosen = queries(key, args.aggregate)
        result["key"] = key
        result["queries"] = chosen
        endpoints = [ld, vt]
        agree = {}
        for name, text in chosen.items():
            answers = {}
            for endpoint in endpoints:
                status, body, seconds = endpoint.query(text)
                if status != 200:
                    print(f"  {name}: {endpoint.name} answered {status} in {seconds:.1f} s: {body[:300]!r}", flush=True)
                    answers[endpoint.name] = f"HTTP {status}"
                else:
                    answers[endpoint.name] = answer_of(body)
            if any(isinstance(a, str) for a in answers.values()):
                agree[name] = "not compared: " + ", ".join(f"{k}: {str(v)[:80]}" for k, v in answers.items())
                continue
            same = answers["ldpub"] == answers["virtuoso"]
            if not same and "LIMIT" in text:  # without ORDER BY the engines may pick different rows
                same = len(answers["ldpub"]) == len(answers["virtuoso"])
            agree[name] = same
            rows = answers["ldpub"] if isinstance(answers["ldpub"], bool) else len(answers["ldpub"])
            print(
                f"  {name}: same answer on both: {same} ({rows} rows)"
                if not isinstance(rows, bool)
                else f"  {name}: same answer on both: {same} ({rows})",
                flush=True,
            )
        result["same_answers"] = agree

        for i in range(args.warmup):
            for name, text in chosen.items():
                if name in LIGHT or i < 2:  # the aggregate twice
                    for endpoint in endpoints:
                        endpoint.query(text)
        times: dict[str, dict[str, list[float]]] = {n: {e.name: [] for e in endpoints} for n in chosen}
        statuses: dict[str, dict[str, dict[int, int]]] = {n: {e.name: {} for e in endpoints} for n in chosen}
        begun = time.monotonic()
        counts = {n: args.requests if n in LIGHT else min(args.requests, args.heavy_requests) for n in chosen}
        result["timed_requests"] = counts
        for i in range(args.requests):
            for name, text in chosen.items():
                if i >= counts[name]:
                    continue
                for endpoint in endpoints if i % 2 == 0 else endpoints[::-1]:
                    status, _, seconds = endpoint.query(text)
                    if status == 200:  # a refusal or time-out is counted below, not timed
                        times[name][endpoint.name].append(seconds)
                    counted = statuses[name][endpoint.name]
                    counted[status] = counted.get(status, 0) + 1
        result["timing_seconds"] = round(time.monotonic() - begun, 1)
        result["loadavg_after"] = os.getloadavg()

        report = {}
        for name in chosen:
            row = {}
            for e in endpoints:
                values = times[name][e.name]
                row[e.name] = {
                    "median_ms": round(nearest_rank(values, 50) * 1000, 2) if values else None,
                    "p99_ms": round(nearest_rank(values, 99) * 1000, 2) if values else None,
                    "min_ms": round(min(values) * 1000, 2) if values else None,
                    "max_ms": round(max(values) * 1000, 2) if values else None,
                    "statuses": statuses[name][e.name],
                }
            for figure in ("median", "p99"):
                a, b = row["ldpub"][f"{figure}_ms"], row["virtuoso"][f"{figure}_ms"]
                row[f"ratio_{figure}"] = round(a / b, 1) if a is not None and b else None
            report[name] = row
        result["results"] = report
    finally:
        stop(server)
        if virtuoso is not None and virtuoso.poll() is None:
            with contextlib.suppress(Exception):
                isql(isql_port, "shutdown;", timeout=60)
            try:
                virtuoso.wait(60)
            except subprocess.TimeoutExpired:
                stop(virtuoso)
        if not args.keep and args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)

    out_json.write_text(json.dumps(result, indent=1, ensure_ascii=False))
    print()
    print(
        f"{quads:,} quads, thesis {key}; timed requests of each query on each server {counts}, after "
        f"{args.warmup} untimed; interleaved, one client"
    )
    for name, same in result["same_answers"].items():
        if same is not True:
            print(f"  {name}: the two servers' answers differ or could not be compared: {same}")
    header = (
        f"{'query':<34} {'ldpub median':>12} {'p99':>9} {'Virtuoso median':>15} {'p99':>9} "
        f"{'ratio median':>12} {'ratio p99':>9}"
    )
    print(header)
    print("-" * len(header))

    def ms(value: float | None, width: int) -> str:
        return f"{value:>{width}.1f} ms" if value is not None else f"{'-':>{width}}   "

    def times_(value: float | None, width: int) -> str:
        return f"{value:>{width}}x" if value is not None else f"{'-':>{width}} "

    for name, row in report.items():
        print(
            f"{name:<34} {ms(row['ldpub']['median_ms'], 9)} {ms(row['ldpub']['p99_ms'], 6)} "
            f"{ms(row['virtuoso']['median_ms'], 12)} {ms(row['virtuoso']['p99_ms'], 6)} "
            f"{times_(row['ratio_median'], 11)} {times_(row['ratio_p99'], 8)}"
        )
        bad = {e: s for e, s in ((e, row[e]["statuses"]) for e in ("ldpub", "virtuoso")) if set(s) != {200}}
        if bad:
            print(f"{'':<34} non-200 answers (not in the times): {bad}")
    print(f"JSON: {out_json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
