"""The documented deployment answers exactly as the app does: `ldpub nginx-config` (with the
record lane) run by Debian's nginx, the serving test table sent to both, every status,
body and header a cache or client relies on compared."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator

import pytest
import requests

from .servers import Site, free_port, ldpub, nginx_front, serving_samples
from .test_web_serving import ACCEPT_TABLE, DOC

HEADERS = ("Content-Type", "Vary", "Content-Location", "ETag", "Location", "Link", "Cache-Control", "Last-Modified",
           "Access-Control-Allow-Origin", "Content-Security-Policy")  # fmt: skip


@pytest.fixture(scope="module")
def deployed(tmp_path_factory) -> Iterator[tuple[Site, str]]:  # type: ignore[no-untyped-def]
    lane = free_port()
    root = tmp_path_factory.mktemp("front")
    with (
        serving_samples(root / "store", workers=2, record_port=lane, record_workers=1) as site,
        nginx_front(site, root / "nginx", "--record-port", str(lane)) as front,
    ):
        yield site, front


def same(site: Site, front: str, path: str, headers: dict[str, str]) -> requests.Response:
    direct = requests.get(site.base.rstrip("/") + path, headers=headers, allow_redirects=False, timeout=30)
    proxied = requests.get(front.rstrip("/") + path, headers=headers, allow_redirects=False, timeout=30)
    assert proxied.status_code == direct.status_code, path
    assert proxied.content == direct.content, path
    for name in HEADERS:
        assert proxied.headers.get(name) == direct.headers.get(name), (path, name)
    return proxied


@pytest.mark.parametrize(
    ("accept", "status"), [(row[1], row[2]) for row in ACCEPT_TABLE], ids=[r[0] for r in ACCEPT_TABLE]
)
def test_negotiation_through_the_front(deployed, accept: str | None, status: int) -> None:  # type: ignore[no-untyped-def]
    site, front = deployed
    assert same(site, front, DOC, {"Accept": accept} if accept is not None else {}).status_code == status


@pytest.mark.parametrize("path", [
    "/id/thesis/uk.bl.ethos.232781", "/id/thesis/tcd3dc49c1347f397b166/author", "/id/org/isni/0000000121662407",
    f"{DOC}.ttl", f"{DOC}.jsonld", f"{DOC}.nt", f"{DOC}.rdf", f"{DOC}.html", "/doc/thesis/uk.bl.ethos.1",
    "/doc/org/isni/0000000121662407.ttl", "/context.jsonld", "/void.ttl", "/sitemap.xml",
    "/oai?verb=Identify", "/search.json?q=turbulent", "/changes",
])  # fmt: skip
def test_redirects_documents_and_errors_through_the_front(deployed, path: str) -> None:  # type: ignore[no-untyped-def]
    site, front = deployed
    same(site, front, path, {"Accept": "text/turtle"})


def test_conditional_requests_and_withdrawal_through_the_front(deployed) -> None:  # type: ignore[no-untyped-def]
    site, front = deployed
    first = same(site, front, f"{DOC}.ttl", {})
    assert same(site, front, f"{DOC}.ttl", {"If-None-Match": first.headers["ETag"]}).status_code == 304
    withdrawn = subprocess.run(ldpub("withdraw", "uk.bl.ethos.232781", "--reason", "test"), env=site.env,
                               capture_output=True, text=True)  # fmt: skip
    assert withdrawn.returncode == 0, withdrawn.stderr
    assert same(site, front, f"{DOC}.ttl", {"If-None-Match": first.headers["ETag"]}).status_code == 410
    assert same(site, front, "/id/thesis/uk.bl.ethos.232781", {"Accept": "text/html"}).status_code == 410
