"""Slow and lying request bodies against the documented deployment (`ldpub nginx-config` in
front of `ldpub serve`): twice as many such connections as workers, and records still
answer at once, because nginx holds the incomplete requests, not the server's workers."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from .servers import Site, free_port, nginx_front, serving_samples

WORKERS = 2


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[Site]:  # type: ignore[no-untyped-def]
    with serving_samples(tmp_path_factory.mktemp("slow") / "store", workers=WORKERS) as running:
        yield running


@pytest.fixture(scope="module")
def proxy(site: Site, tmp_path_factory) -> Iterator[str]:  # type: ignore[no-untyped-def]
    with nginx_front(site, tmp_path_factory.mktemp("nginx")) as front:
        yield front


LIARS = [
    # promises 100 kB, sends 3 bytes and waits
    b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\nContent-Length: 100000\r\n\r\nASK",
    # a huge chunk, barely started
    b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\nTransfer-Encoding: chunked\r\n\r\n"
    b"fffff\r\nASK",
    # headers that never end
    b"GET /doc/thesis/uk.bl.ethos.232781 HTTP/1.1\r\nHost: x\r\nX-Slow: ",
    # a form body sent a byte at a time (the first byte only, here)
    b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
    b"Content-Length: 40\r\n\r\nq",
]


def test_slow_and_lying_bodies_do_not_hold_the_workers(site: Site, proxy: str) -> None:
    port = int(proxy.split(":")[2].rstrip("/"))
    held = []
    try:
        for number in range(2 * WORKERS):
            connection = socket.create_connection(("127.0.0.1", port), timeout=5)
            connection.sendall(LIARS[number % len(LIARS)])
            held.append(connection)
        time.sleep(1.0)  # long enough for a worker to have picked any of them up
        start = time.monotonic()
        through_proxy = requests.get(f"{proxy}doc/thesis/uk.bl.ethos.232781.ttl", timeout=5)
        direct = requests.get(f"{site.base}doc/thesis/uk.bl.ethos.232781.ttl", timeout=5)
        seconds = time.monotonic() - start
        assert through_proxy.status_code == 200 and direct.status_code == 200
        assert through_proxy.content == direct.content
        print(f"two record GETs while {len(held)} liars wait: {seconds:.3f} s")
    finally:
        for connection in held:
            connection.close()


def test_the_proxy_passes_bodies_and_answers_as_ldpub_does(proxy: str) -> None:
    ask = requests.post(f"{proxy}sparql", data="ASK { ?s ?p ?o }", headers={"Content-Type": "application/sparql-query"},
                        timeout=30)  # fmt: skip
    assert ask.status_code == 200 and ask.json()["boolean"] is True
    big = requests.post(f"{proxy}sparql", data=b"#" * (2 << 20), headers={"Content-Type": "application/sparql-query"},
                        timeout=30)  # fmt: skip
    assert big.status_code == 413


def _status(url: str) -> int:
    try:
        return requests.get(url, timeout=5).status_code
    except requests.RequestException:
        return 0


CROSS_PRODUCT = "SELECT (COUNT(*) AS ?count) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n ?o }"


def test_runaway_queries_hold_neither_lane(tmp_path: Path) -> None:
    """Two runaway queries run to their timeout; while they do, the general lane still answers
    (a query waits in a thread, not in the whole worker) and, through the front, record GETs
    go to the record lane and answer at once."""
    lane = free_port()
    with (
        serving_samples(tmp_path / "store", workers=2, record_port=lane, record_workers=1, sparql_timeout=6) as site,
        nginx_front(site, tmp_path / "nginx", "--record-port", str(lane)) as front,
    ):
        answers: list[int] = []

        def runaway() -> None:
            answers.append(requests.get(f"{front}sparql", params={"query": CROSS_PRODUCT}, timeout=30).status_code)

        threads = [threading.Thread(target=runaway) for _ in range(2)]
        for thread in threads:
            thread.start()
        time.sleep(1.5)  # both queries are running, one in each general worker
        assert requests.get(f"{site.base}changes", timeout=2).status_code == 200
        slow = []
        loizou, other = "uk.bl.ethos.232781", "tcd3dc49c1347f397b166"
        paths = (f"doc/thesis/{loizou}.ttl", f"id/thesis/{loizou}", f"doc/thesis/{other}.html")
        for path in paths:
            start = time.monotonic()
            response = requests.get(f"{front}{path}", allow_redirects=False, timeout=5)
            slow.append(time.monotonic() - start)
            assert response.status_code in (200, 303)
        for thread in threads:
            thread.join()
        assert answers == [503, 503]  # both ran to the timeout: the general lane was held all along
        assert max(slow) < 1.0, slow
