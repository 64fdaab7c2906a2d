"""Record documents under load: every way ldpub serves them, beside Oxigraph's own server.

    python bench/serve_bench.py --store bench/out/store --keys 20000 --connections 32 128

wrk (Debian package `wrk`; a C load generator, so the client is not what is measured)
requests random theses of the store, each request a key drawn from --keys, from:

- `ldpub serve` with its defaults (granian, keep-alive);
- the same app under gunicorn's gthread workers, when `gunicorn` is installed (the server
  ldpub used before, for the choice between them);
- Oxigraph's server (`oxigraph serve-read-only` from PyPI's `oxigraph`, give --oxigraph)
  over the same snapshot: GET /store?graph=<document IRI>, Turtle and JSON-LD (no HTML);
- the rendered site (`ldpub render` of the drawn keys) run by Debian's nginx alone;
- the production deployment: that site with `--upstream` to `ldpub serve`, both running;
- nginx serving the same bytes as plain files, no negotiation (the limit).

Each server first gets one pass over every drawn key in every format (what a warm server
has seen; for `ldpub serve` the pass that makes the bodies, timed and reported as "first
pass"), then 5 s of Turtle load that is not measured.  Then, at each --connections:
Turtle, JSON-LD, HTML by negotiation (Accept on /doc/thesis/KEY), 303 (/id/thesis/KEY),
304 (If-None-Match with the ETag that server gave) and 404 (keys never minted).  For each: requests/s, p50 and p99
latency, and errors: socket errors plus any status other than the one expected.  JSON is
written beside it in bench/out/.  Nothing is written to the store except rendered bodies
under its `rendered/` folder (a cache).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

import requests

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bench.support import free_port, published_keys, spawn, stop  # noqa: E402

# Each line: a path, and optionally a tab and the If-None-Match to send with it.  Any status
# but the one expected is counted (per thread, summed in done()).
LUA = """
local requests = {{}}
local threads = {{}}
function setup(thread) table.insert(threads, thread) end
function init(args)
  for line in io.lines("{paths}") do
    local path, tag = line:match("^([^\t]+)\t?(.*)$")
    local headers = {{["Accept"] = "{accept}"}}
    if tag ~= "" then headers["If-None-Match"] = tag end
    requests[#requests + 1] = wrk.format("GET", path, headers)
  end
  math.randomseed({seed} + os.time())
  unexpected = 0
end
function request() return requests[math.random(#requests)] end
function response(status, headers, body)
  if status ~= {expected} then unexpected = unexpected + 1 end
end
function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do total = total + thread:get("unexpected") end
  io.write(string.format("unexpected statuses: %d\\n", total))
end
"""
MEDIA = {"ttl": "text/turtle", "jsonld": "application/ld+json", "html": "text/html"}


def pinned(cpus: str | None) -> list[str]:
    """`taskset -c CPUS` before a command, when asked: the client and the servers on cores of their own."""
    return ["taskset", "-c", cpus] if cpus else []


def run_wrk(port: int, lines: list[str], accept: str, expected: int, connections: int, args: argparse.Namespace,
            work: Path) -> dict:  # fmt: skip
    paths = work / "paths.txt"
    paths.write_text("\n".join(lines) + "\n")
    script = work / "random.lua"
    script.write_text(LUA.format(paths=paths, seed=args.seed, accept=accept, expected=expected))
    command = [*pinned(args.client_cpus), "wrk", "-t", str(args.threads), "-c", str(connections), "-d",
               f"{args.seconds}s", "--latency", "-s", str(script), f"http://127.0.0.1:{port}"]  # fmt: skip
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return parse_wrk(out)


def parse_wrk(out: str) -> dict:
    def ms(text: str) -> float:
        value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    percentiles = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", out, re.M))
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    non = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    unexpected = re.search(r"unexpected statuses: (\d+)", out)
    return {
        "unexpected_status": int(unexpected.group(1)) if unexpected else 0,
        "requests_per_s": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
        "p50_ms": ms(percentiles["50"]),
        "p99_ms": ms(percentiles["99"]),
        "non_2xx_3xx": int(non.group(1)) if non else 0,
        "socket_errors": sum(map(int, errors.groups())) if errors else 0,
    }


NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
NGINX_STATIC = """worker_processes auto;
pid {work}/static-nginx.pid;
error_log stderr warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    keepalive_requests 100000;
    client_body_temp_path {work}/t1; proxy_temp_path {work}/t2; fastcgi_temp_path {work}/t3;
    uwsgi_temp_path {work}/t4; scgi_temp_path {work}/t5;
    types {{ text/turtle ttl; application/ld+json jsonld; text/html html; }}
    server {{ listen 127.0.0.1:{port}; root {root}; }}
}}
"""


def wait(url: str, seconds: float = 180) -> None:
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        try:
            urllib.request.urlopen(url, timeout=5).read()
            return
        except OSError:
            time.sleep(0.5)
    sys.exit(f"{url} did not answer")


def first_pass(port: int, paths: list[tuple[str, str]]) -> tuple[float, dict[str, str]]:
    """Every (path, accept) once, 16 at a time: requests/s and the ETag of each path."""
    local = threading.local()

    def get(item: tuple[str, str]) -> tuple[str, str]:
        session = local.__dict__.setdefault("session", requests.Session())
        response = session.get(f"http://127.0.0.1:{port}{item[0]}", headers={"Accept": item[1]}, timeout=60)
        if response.status_code != 200:
            raise RuntimeError(f"{item}: {response.status_code}")
        return item[0], response.headers.get("ETag", "")

    start = time.monotonic()
    with ThreadPoolExecutor(16) as pool:
        tags = dict(pool.map(get, paths))
    return len(paths) / (time.monotonic() - start), tags


def workloads(kind: str, keys: list[str], base: str, tags: dict[str, str], seed: int) -> dict[str, tuple]:
    """Workload name -> (lines for wrk, Accept, expected status), for what this kind of server offers."""
    doc = "/doc/thesis/{}"
    if kind == "oxigraph":
        lines = [f"/store?graph={quote(f'{base}doc/thesis/{k}', safe='')}" for k in keys]
        return {"ttl": (lines, MEDIA["ttl"], 200), "jsonld": (lines, MEDIA["jsonld"], 200)}
    if kind == "static":
        found = {s: ([f"/doc/thesis/{k}.{s}" for k in keys], a, 200) for s, a in MEDIA.items()}
    else:  # negotiated, as clients ask
        found = {s: ([doc.format(k) for k in keys], a, 200) for s, a in MEDIA.items()}
        found["303"] = ([f"/id/thesis/{k}" for k in keys], "text/turtle", 303)
    tagged = [f"/doc/thesis/{k}.ttl" for k in keys]
    found["304"] = ([f"{p}\t{tags[p]}" for p in tagged if tags.get(p)], "text/turtle", 304)
    rng = random.Random(seed)
    found["404"] = ([f"/doc/thesis/uk.bl.ethos.9{rng.randrange(10**10, 10**11)}" for _ in keys], "text/turtle", 404)
    return found


def measure(name: str, kind: str, port: int, keys: list[str], args: argparse.Namespace, work: Path) -> dict:
    """The first pass (bodies made, caches warmed), then every workload at every connection count."""
    if kind == "oxigraph":
        pass_paths = [(f"/store?graph={quote(f'{args.base}doc/thesis/{k}', safe='')}", MEDIA[s])
                      for k in keys for s in ("ttl", "jsonld")]  # fmt: skip
    else:
        pass_paths = [(f"/doc/thesis/{k}.{s}", a) for k in keys for s, a in MEDIA.items()]
    rate, tags = first_pass(port, pass_paths)
    os.sync()  # the bodies the pass wrote reach the disk now, not during the measured loads
    result: dict = {"first_pass_requests_per_s": rate, "runs": {}}
    print(f"{name}: first pass {rate:.0f} req/s", flush=True)
    lines, accept, expected = workloads(kind, keys, args.base, tags, args.seed)["ttl"]
    run_wrk(port, lines, accept, expected, args.connections[0], argparse.Namespace(**{**vars(args), "seconds": 5}),
            work)  # fmt: skip  # a warm-up every server gets alike, not measured
    for connections in args.connections:
        for load, (lines, accept, expected) in workloads(kind, keys, args.base, tags, args.seed).items():
            if not lines:
                continue
            measured = run_wrk(port, lines, accept, expected, connections, args, work)
            result["runs"][f"{load}@{connections}"] = measured
            print(f"{name:34} {load:7} c={connections:<4} {measured}", flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--store", type=Path, default=HERE / "out" / "store")
    parser.add_argument("--base", default="http://127.0.0.1:8000/", help="the --base the store was ingested with")
    parser.add_argument("--keys", type=int, default=20000)
    parser.add_argument("--connections", type=int, nargs="+", default=[32, 128])
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--workers", type=int, default=0, help="processes of every ldpub server (0: one per core)")
    parser.add_argument("--server-cpus", default=None, help="run every server on these CPUs only (taskset -c)")
    parser.add_argument("--client-cpus", default=None, help="run wrk on these CPUs only (taskset -c)")
    beside = Path(sys.executable).parent / "oxigraph"  # `pip install oxigraph` (make bench) puts it here
    found = shutil.which("oxigraph") or (str(beside) if beside.exists() else None)
    parser.add_argument("--oxigraph", default=found, help="the oxigraph server binary")
    parser.add_argument("--only", nargs="*", default=None, help="measure only the servers whose name has these words")
    parser.add_argument(
        "--keep-bodies",
        action="store_true",
        help="keep the bodies an earlier run made (to compare settings; the first pass is then warm)",
    )
    args = parser.parse_args()
    store = args.store.resolve()
    snapshot = store / "snapshots" / (store / "CURRENT").read_text().split("\n")[0]
    drawn = published_keys(store, args.keys, args.seed)
    work = Path(tempfile.mkdtemp(prefix="ldpub-serve-bench-"))
    work.chmod(0o755)  # nginx's workers run as another user
    if not args.keep_bodies:
        shutil.rmtree(store / "rendered", ignore_errors=True)  # the first pass makes every body: measured cold
    env = {**os.environ, "LDPUB_STORE": str(store), "LDPUB_BASE": args.base, "PYTHONPATH": str(HERE.parent),
           "LDPUB_WORKERS": str(args.workers)}  # fmt: skip
    site = work / "site"
    results: dict[str, dict] = {}

    def wanted(name: str) -> bool:
        return args.only is None or any(word in name for word in args.only)

    def run(name: str, kind: str, commands: list[list[str]], ports: list[int], probe: str) -> None:
        if not wanted(name):
            return
        servers = [spawn([*pinned(args.server_cpus), *command], env, HERE.parent) for command in commands]
        try:
            wait(f"http://127.0.0.1:{ports[0]}{probe}")
            results[name] = measure(name, kind, ports[0], drawn, args, work)
        finally:
            for server in servers:
                stop(server)

    try:
        port = free_port()
        serve = [sys.executable, "-m", "ld", "serve", "--port", str(port)]
        run("ldpub serve (granian, defaults)", "ldpub", [serve], [port], "/robots.txt")
        if importlib.util.find_spec("gunicorn"):  # optional (`pip install gunicorn`): the server granian replaced
            port = free_port()
            run("same app, gunicorn gthread", "ldpub", [[sys.executable, "-m", "gunicorn", "-k", "gthread",
                "--threads", "8", "-w", str(args.workers or os.cpu_count()), "-b", f"127.0.0.1:{port}", "server:app"]],
                [port], "/robots.txt")  # fmt: skip
        if args.oxigraph:
            port = free_port()
            run("oxigraph serve-read-only", "oxigraph", [[args.oxigraph, "serve-read-only", "--location",
                str(snapshot), "--bind", f"127.0.0.1:{port}"]], [port], "/")  # fmt: skip
        on_files = ("rendered site, nginx alone", "deployment: nginx, files + ldpub serve",
                    "nginx, same bytes as files (limit)")  # fmt: skip
        if Path(NGINX).exists() and any(wanted(name) for name in on_files):  # rendering 20k theses takes minutes
            from ld.config import load_settings
            from ld.pipeline.render import render_site

            settings = load_settings({"store": str(store), "base": args.base})
            start = time.monotonic()
            port = free_port()
            render_site(settings, site, f"127.0.0.1:{port}", None, only=drawn)
            seconds = time.monotonic() - start
            print(f"rendered {len(drawn)} theses in {seconds:.0f} s ({len(drawn) / seconds:.0f} theses/s)", flush=True)
            results["render"] = {"theses": len(drawn), "seconds": seconds}
            nginx = [NGINX, "-p", str(site), "-c", str(site / "standalone.conf"), "-g", "daemon off;"]
            run("rendered site, nginx alone", "rendered", [nginx], [port], "/robots.txt")
            port, app = free_port(), free_port()
            render_site(settings, site, f"127.0.0.1:{port}", f"127.0.0.1:{app}", only=[])
            serve = [sys.executable, "-m", "ld", "serve", "--port", str(app)]
            run("deployment: nginx, files + ldpub serve", "rendered", [serve, nginx], [port, app], "/robots.txt")
            port = free_port()
            (work / "static.conf").write_text(NGINX_STATIC.format(work=work, port=port, root=site / "site"))
            limit = [NGINX, "-p", str(work), "-c", str(work / "static.conf"), "-g", "daemon off;"]
            run("nginx, same bytes as files (limit)", "static", [limit], [port], f"/doc/thesis/{drawn[0]}.ttl")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    report(results, drawn, args)


def report(results: dict, drawn: list[str], args: argparse.Namespace) -> None:
    out = HERE / "out" / f"serve-{datetime.now():%Y%m%d-%H%M%S}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"command": sys.argv, "keys": len(drawn), "seconds": args.seconds,
                               "results": results}, indent=1))  # fmt: skip
    print(f"\n{len(drawn)} random theses, {args.seconds} s a run (JSON: {out})")
    print(f"{'server':40} {'load':7} {'conns':>5} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'errors':>7}")
    for name, found in results.items():
        for run, r in found.get("runs", {}).items():
            load, connections = run.split("@")
            errors = r["socket_errors"] + r["unexpected_status"]
            print(f"{name:40} {load:7} {connections:>5} {r['requests_per_s']:8.0f} {r['p50_ms']:7.1f} "
                  f"{r['p99_ms']:7.1f} {errors:7d}")  # fmt: skip


if __name__ == "__main__":
    main()
