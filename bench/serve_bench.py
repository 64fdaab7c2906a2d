"""Record documents under load: `ldpub serve` beside Oxigraph's own server, in one run.

    python bench/serve_bench.py --store bench/out/store --keys 20000 --connections 32 --seconds 20

wrk (Debian package `wrk`; a C load generator, so the client is not what is measured)
requests random theses, each request a different key drawn from --keys, against:

- `ldpub serve` with its defaults (gunicorn sync workers): GET /doc/thesis/KEY.ttl, .jsonld;
- `ldpub serve` through gunicorn's gthread workers (keep-alive connections), the same paths;
- the same app under granian (Rust HTTP, WSGI interface), when `granian` is installed;
- Oxigraph's server (`oxigraph serve-read-only` from PyPI's `oxigraph`, give --oxigraph)
  over the same snapshot: GET /store?graph=<document IRI> as Turtle and as JSON-LD;
- nginx serving the bytes ldpub makes for those records, written as files first (the
  limit any dynamic server is measured against).

All of them read the published snapshot read-only; nothing is written.  For each it prints
requests/s, p50 and p99 latency, non-2xx/3xx answers and socket errors, and writes JSON
beside it in bench/out/.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bench.support import free_port, published_keys, spawn, stop  # noqa: E402

LUA = """
local paths = {{}}
for line in io.lines("{paths}") do paths[#paths + 1] = line end
math.randomseed({seed})
request = function()
  return wrk.format("GET", paths[math.random(#paths)], {{["Accept"] = "{accept}"}})
end
"""
MEDIA = {"ttl": "text/turtle", "jsonld": "application/ld+json"}


def wait(url: str, seconds: float = 120) -> None:
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        try:
            urllib.request.urlopen(url, timeout=5).read()
            return
        except OSError:
            time.sleep(0.5)
    sys.exit(f"{url} did not answer")


def run_wrk(port: int, paths: Path, accept: str, args: argparse.Namespace, work: Path) -> dict:
    script = work / "random.lua"
    script.write_text(LUA.format(paths=paths, seed=args.seed, accept=accept))
    command = ["wrk", "-t", str(args.threads), "-c", str(args.connections), "-d", f"{args.seconds}s",
               "--latency", "-s", str(script), f"http://127.0.0.1:{port}"]  # fmt: skip
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return parse_wrk(out)


def parse_wrk(out: str) -> dict:
    def ms(text: str) -> float:
        value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    percentiles = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", out, re.M))
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    non = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "requests_per_s": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
        "p50_ms": ms(percentiles["50"]),
        "p99_ms": ms(percentiles["99"]),
        "non_2xx_3xx": int(non.group(1)) if non else 0,
        "socket_errors": sum(map(int, errors.groups())) if errors else 0,
    }


NGINX_STATIC = """worker_processes auto;
pid {work}/nginx.pid;
error_log stderr warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {work}/t1; proxy_temp_path {work}/t2; fastcgi_temp_path {work}/t3;
    uwsgi_temp_path {work}/t4; scgi_temp_path {work}/t5;
    types {{ text/turtle ttl; application/ld+json jsonld; }}
    server {{ listen 127.0.0.1:{port}; root {work}/static; }}
}}
"""


def static_files(nginx: str, store: Path, args: argparse.Namespace, keys: list[str], work: Path) -> dict:
    """The limit: nginx sending the very bytes ldpub makes, written as files beforehand."""
    from ld.renderers import RENDERERS
    from ld.store.rdf import ReadStore
    from ld.web.describe import thesis

    published = ReadStore(store)
    work.chmod(0o755)  # mkdtemp's 0700 would keep nginx's unprivileged workers out
    folder = work / "static" / "doc" / "thesis"
    folder.mkdir(parents=True)
    for key in keys:
        found = thesis(published.db, args.base, key)
        for suffix in MEDIA:
            (folder / f"{key}.{suffix}").write_bytes(RENDERERS[suffix].render(found.triples, args.base))
    port = free_port()
    (work / "nginx.conf").write_text(NGINX_STATIC.format(work=work, port=port))
    server = spawn([nginx, "-p", str(work), "-c", str(work / "nginx.conf"), "-g", "daemon off;"], dict(os.environ),
                   work)  # fmt: skip
    try:
        wait(f"http://127.0.0.1:{port}/doc/thesis/{keys[0]}.ttl")
        measured = {}
        for suffix, accept in MEDIA.items():
            paths = work / f"paths-{suffix}.txt"
            paths.write_text("".join(f"/doc/thesis/{k}.{suffix}\n" for k in keys))
            measured[suffix] = run_wrk(port, paths, accept, args, work)
            print("nginx static", suffix, measured[suffix], flush=True)
        return measured
    finally:
        stop(server)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--store", type=Path, default=HERE / "out" / "store")
    parser.add_argument("--base", default="http://127.0.0.1:8000/", help="the --base the store was ingested with")
    parser.add_argument("--keys", type=int, default=20000)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers of both ldpub runs")
    parser.add_argument("--oxigraph", default=shutil.which("oxigraph"), help="the oxigraph server binary")
    args = parser.parse_args()
    store = args.store.resolve()
    snapshot = store / "snapshots" / (store / "CURRENT").read_text().split("\n")[0]
    drawn = published_keys(store, args.keys, args.seed)
    work = Path(tempfile.mkdtemp(prefix="ldpub-serve-bench-"))
    env = {**os.environ, "LDPUB_STORE": str(store), "LDPUB_BASE": args.base, "PYTHONPATH": str(HERE.parent)}
    servers = {
        "ldpub serve (sync)": lambda port: [sys.executable, "-m", "ld.cli", "serve", "--port", str(port),
                                            "--workers", str(args.workers)],
        "ldpub (gthread, keep-alive)": lambda port: [sys.executable, "-m", "gunicorn", "-k", "gthread", "--threads",
                                                     "8", "-w", str(args.workers), "-b", f"127.0.0.1:{port}",
                                                     "server:app"],
    }  # fmt: skip
    if importlib.util.find_spec("granian"):  # optional: `pip install granian` to measure it too
        servers["ldpub (granian)"] = lambda port: [sys.executable, "-m", "granian", "--interface", "wsgi",
                                                   "--workers", str(args.workers), "--host", "127.0.0.1",
                                                   "--port", str(port), "server:app"]  # fmt: skip
    if args.oxigraph:
        servers["oxigraph serve-read-only"] = lambda port: [args.oxigraph, "serve-read-only", "--location",
                                                            str(snapshot), "--bind", f"127.0.0.1:{port}"]  # fmt: skip
    results: dict[str, dict[str, dict]] = {}
    try:
        for name, command in servers.items():
            port = free_port()
            server = spawn(command(port), env, HERE.parent)
            try:
                oxigraph = name.startswith("oxigraph")
                wait(f"http://127.0.0.1:{port}/" + ("" if oxigraph else "robots.txt"))
                results[name] = {}
                for suffix, accept in MEDIA.items():
                    paths = work / f"paths-{suffix}.txt"
                    if oxigraph:
                        lines = [f"/store?graph={quote(f'{args.base}doc/thesis/{k}', safe='')}" for k in drawn]
                    else:
                        lines = [f"/doc/thesis/{k}.{suffix}" for k in drawn]
                    paths.write_text("\n".join(lines) + "\n")
                    results[name][suffix] = run_wrk(port, paths, accept, args, work)
                    print(name, suffix, results[name][suffix], flush=True)
            finally:
                stop(server)
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        if Path(nginx).exists():
            results["nginx, the same bytes as files"] = static_files(nginx, store, args, drawn, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    out = HERE / "out" / f"serve-{datetime.now():%Y%m%d-%H%M%S}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"command": sys.argv, "keys": len(drawn), "connections": args.connections,
                               "seconds": args.seconds, "results": results}, indent=1))  # fmt: skip
    print(f"\n{len(drawn)} random theses, {args.connections} connections, {args.seconds} s each (JSON: {out})")
    print(f"{'server':30} {'format':7} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'non-2xx':>8} {'errors':>7}")
    for name, by_format in results.items():
        for suffix, r in by_format.items():
            print(f"{name:30} {suffix:7} {r['requests_per_s']:8.0f} {r['p50_ms']:8.1f} {r['p99_ms']:8.1f} "
                  f"{r['non_2xx_3xx']:8d} {r['socket_errors']:7d}")  # fmt: skip


if __name__ == "__main__":
    main()
