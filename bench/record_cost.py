"""What one record request costs, one at a time: first request, repeated request, and 304.

    python bench/record_cost.py --store bench/out/store --keys 300 --old-source /tmp/ldpub-old

Starts `ldpub serve --workers 1` over STORE (read-only) and sends requests one after the
other for random theses: for each key and format, a first GET (nothing made yet), a
second GET (what a worker has made before), and a conditional GET with the ETag (304).
With --old-source DIR (a checkout of an earlier commit, e.g. `git worktree add DIR REV`)
it starts that code as well, on the same store, and alternates the two request by request
so that the machine's noise falls on both; it prints medians and the ratio.
"""

from __future__ import annotations

import argparse
import http.client
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bench.support import free_port, published_keys, spawn, stop  # noqa: E402

FORMATS = {"ttl": "text/turtle", "jsonld": "application/ld+json", "html": "text/html"}


def start(source: Path, store: Path, base: str) -> tuple[subprocess.Popen, int]:
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(source), "LDPUB_STORE": str(store), "LDPUB_BASE": base}
    command = [sys.executable, "-m", "ld", "serve", "--port", str(port), "--workers", "1"]
    server = spawn(command, env, source)
    for _ in range(240):
        try:
            get(port, "/robots.txt", {})
            return server, port
        except OSError:
            time.sleep(0.5)
    stop(server)
    sys.exit(f"the server from {source} did not start")


def get(port: int, path: str, headers: dict[str, str]) -> tuple[int, str | None, float]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    started = time.perf_counter()
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    response.read()
    seconds = time.perf_counter() - started
    connection.close()
    return response.status, response.getheader("ETag"), seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--store", type=Path, default=HERE / "out" / "store")
    parser.add_argument("--base", default="http://127.0.0.1:8000/", help="the --base the store was ingested with")
    parser.add_argument("--keys", type=int, default=300)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--old-source", type=Path, default=None, help="an earlier checkout to compare with")
    args = parser.parse_args()
    sources = {"now": HERE.parent}
    if args.old_source:
        sources["old"] = args.old_source.resolve()
    servers = {name: start(source, args.store.resolve(), args.base) for name, source in sources.items()}
    timings: dict[tuple[str, str, str], list[float]] = {}
    try:
        for number, key in enumerate(published_keys(args.store, args.keys, args.seed)):
            # Who asks first reads the record from disk: take turns, so both pay it as often.
            order = list(servers.items())[:: 1 if number % 2 == 0 else -1]
            for suffix, accept in FORMATS.items():
                path = f"/doc/thesis/{key}"
                for name, (_, port) in order:
                    status, tag, first = get(port, path, {"Accept": accept})
                    _, _, second = get(port, path, {"Accept": accept})
                    not_modified, _, conditional = get(port, path, {"Accept": accept, "If-None-Match": tag or ""})
                    assert status == 200 and not_modified == 304, (name, key, suffix, status, not_modified)
                    for kind, seconds in (("first", first), ("again", second), ("304", conditional)):
                        timings.setdefault((name, suffix, kind), []).append(seconds)
    finally:
        for server, _ in servers.values():
            stop(server)
    print(f"{args.keys} random theses of {args.store}, one request at a time, median ms")
    print(
        f"{'format':8} {'request':7} "
        + " ".join(f"{n:>8}" for n in servers)
        + ("    old/now" if args.old_source else "")
    )
    for suffix in FORMATS:
        for kind in ("first", "again", "304"):
            medians = {n: statistics.median(timings[(n, suffix, kind)]) * 1000 for n in servers}
            ratio = f"   {medians['old'] / medians['now']:6.2f}x" if "old" in medians else ""
            print(f"{suffix:8} {kind:7} " + " ".join(f"{m:8.2f}" for m in medians.values()) + ratio)


if __name__ == "__main__":
    main()
