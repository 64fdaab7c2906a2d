"""Record pages while SPARQL queries run away: p99 of record GETs, alone and beside 16 runaways.

    python bench/runaway_bench.py --store bench/out/store --seconds 30 --runaways 16

Starts `ldpub serve` (default settings: 4 workers, 2 SPARQL slots) on a free loopback
port over the store, then measures record GETs (random theses, Turtle) for `--seconds`
with nothing else running, and again while `--runaways` clients each send cross-product
queries back to back (each one runs until the 10 s deadline, or is turned away with a
503 when the slots are taken). Both phases in one run, so the ratio is meaningful on
a noisy machine.
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import requests

HERE = Path(__file__).resolve().parent
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def keys(store: Path, count: int = 5000) -> list[str]:
    db = sqlite3.connect(store / "changes.sqlite")
    try:
        rows = db.execute("SELECT key FROM changes WHERE kind != 'Delete' ORDER BY random() LIMIT ?", (count,))
        return [r[0] for r in rows]
    finally:
        db.close()


def record_latencies(base: str, sample: list[str], seconds: float) -> tuple[list[float], Counter]:
    """Sequential record GETs on one keep-alive session for `seconds`."""
    session, times, statuses = requests.Session(), [], Counter()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        start = time.perf_counter()
        response = session.get(f"{base}doc/thesis/{random.choice(sample)}", headers={"Accept": "text/turtle"},
                               timeout=60)  # fmt: skip
        times.append(time.perf_counter() - start)
        statuses[response.status_code] += 1
    return times, statuses


def runaway(base: str, stop: threading.Event, statuses: Counter, lock: threading.Lock) -> None:
    session = requests.Session()
    while not stop.is_set():
        response = session.get(f"{base}sparql", params={"query": RUNAWAY}, timeout=120)
        kind = "timed out" if "timed out" in response.text else "busy" if "busy" in response.text else "other"
        with lock:
            statuses[(response.status_code, kind)] += 1
        if response.status_code == 503 and kind == "busy":  # a client that honours Retry-After
            stop.wait(float(response.headers.get("Retry-After", "5")))


def summary(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000  # noqa: E731
    return {"n": len(ordered), "p50_ms": round(pick(0.5), 1), "p95_ms": round(pick(0.95), 1),
            "p99_ms": round(pick(0.99), 1), "max_ms": round(ordered[-1] * 1000, 1),
            "mean_ms": round(statistics.fmean(ordered) * 1000, 1)}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", type=Path, default=HERE / "out" / "store")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--runaways", type=int, default=16)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--store-base", default="http://127.0.0.1:8000/", help="the --base the store was ingested with")
    args = parser.parse_args()
    base = f"http://127.0.0.1:{args.port}/"
    env = {**os.environ, "LDPUB_STORE": str(args.store), "LDPUB_BASE": args.store_base}
    server = subprocess.Popen([sys.executable, "-m", "ld", "serve", "--port", str(args.port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        sample = keys(args.store)
        for _ in range(120):
            try:
                if requests.get(f"{base}doc/thesis/{sample[0]}", timeout=5).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.5)
        time.sleep(3)  # every worker loaded its facet arrays and warmed its query process
        alone, alone_statuses = record_latencies(base, sample, args.seconds)
        stop, lock, sparql = threading.Event(), threading.Lock(), Counter()
        clients = [threading.Thread(target=runaway, args=(base, stop, sparql, lock)) for _ in range(args.runaways)]
        for client in clients:
            client.start()
        time.sleep(1)
        busy, busy_statuses = record_latencies(base, sample, args.seconds)
        stop.set()
        for client in clients:
            client.join(120)
    finally:
        server.terminate()
        server.wait(30)
    print(f"store {args.store}, {args.seconds:g} s per phase, {args.runaways} runaway clients")
    print(f"records alone:          {summary(alone)}  statuses {dict(alone_statuses)}")
    print(f"records beside runaways: {summary(busy)}  statuses {dict(busy_statuses)}")
    print(f"SPARQL answers: {dict(sparql)}")
    print(f"p99 ratio (beside / alone): {summary(busy)['p99_ms'] / summary(alone)['p99_ms']:.2f}")


if __name__ == "__main__":
    main()
