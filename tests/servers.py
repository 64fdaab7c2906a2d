"""A real `ldpub serve` (granian) over the real samples, on a free loopback port, for tests
that use real HTTP clients and browsers."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

from .conftest import CSV_SAMPLE, TEXT_SAMPLE


def ldpub(*args: str) -> list[str]:
    return [sys.executable, "-m", "ld", *args]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(predicate, seconds: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def status(url: str) -> int:
    try:
        return requests.get(url, timeout=5).status_code
    except requests.RequestException:
        return 0


@dataclass(frozen=True)
class Site:
    base: str
    store: Path
    env: dict[str, str]


@contextmanager
def serving_samples(store: Path, workers: int = 1, **settings: object) -> Iterator[Site]:
    """`ldpub serve` on the two samples; `settings` become LDPUB_* variables (record_port=...)."""
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    env = {**os.environ, "LDPUB_STORE": str(store), "LDPUB_BASE": base, "LDPUB_JOBS": "1"}
    env.update({f"LDPUB_{name.upper()}": str(value) for name, value in settings.items()})
    subprocess.run(ldpub("ingest", "--no-progress", str(TEXT_SAMPLE), str(CSV_SAMPLE)), env=env, check=True,
                   capture_output=True)  # fmt: skip
    server = subprocess.Popen(ldpub("serve", "--port", str(port), "--workers", str(workers)), env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        assert wait_until(lambda: status(f"{base}doc/thesis/uk.bl.ethos.232781") == 200, 30), "server did not start"
        yield Site(base, store, env)
    finally:
        ended(server)


def ended(server: subprocess.Popen) -> None:
    """SIGTERM, and SIGKILL if the server has not stopped within 20 s."""
    server.terminate()
    try:
        server.wait(20)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(10)


NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


@contextmanager
def nginx_front(site: Site, prefix: Path, *options: str) -> Iterator[str]:
    """The documented front: `ldpub nginx-config` (with `options`), run by Debian's nginx."""
    assert Path(NGINX).exists(), "nginx is needed for this test: `make test` installs it (Debian package nginx-light)"
    port = free_port()
    upstream = site.base.split(":")[2].rstrip("/")
    subprocess.run(ldpub("nginx-config", "--prefix", str(prefix), "--listen", f"127.0.0.1:{port}", "--port", upstream,
                         *options), check=True, capture_output=True)  # fmt: skip
    with running_nginx(prefix, prefix / "nginx.conf", port, "doc/thesis/uk.bl.ethos.232781") as front:
        yield front


@contextmanager
def running_nginx(prefix: Path, config: Path, port: int, probe: str) -> Iterator[str]:
    """Debian's nginx on `config`, until `probe` (a path) answers 200; stopped afterwards."""
    server = subprocess.Popen([NGINX, "-p", str(prefix), "-c", str(config), "-g", "daemon off;"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    url = f"http://127.0.0.1:{port}/"
    try:
        assert wait_until(lambda: status(f"{url}{probe}") == 200, 20), "nginx did not start"
        yield url
    finally:
        ended(server)


def readable_by_nginx(out: Path) -> None:
    """nginx's workers run as another user (www-data): open pytest's 0700 folders to it."""
    for folder in [out, *out.parents]:
        if folder == Path(tempfile.gettempdir()):
            break
        folder.chmod(folder.stat().st_mode | 0o055)


def render(site: Site, out: Path, port: int, *options: str) -> None:
    """`ldpub render OUT` for the site's store, listening on `port` (`options`: --upstream...)."""
    rendered = subprocess.run(ldpub("render", str(out), "--listen", f"127.0.0.1:{port}", *options), env=site.env,
                              capture_output=True, text=True)  # fmt: skip
    assert rendered.returncode == 0, rendered.stderr


@contextmanager
def nginx_serving(out: Path, port: int) -> Iterator[str]:
    """Debian's nginx running a rendered site on its own (OUT/standalone.conf)."""
    assert Path(NGINX).exists(), "nginx is needed for this test: `make test` installs it (Debian package nginx-light)"
    readable_by_nginx(out)
    with running_nginx(out, out / "standalone.conf", port, "robots.txt") as url:
        yield url
