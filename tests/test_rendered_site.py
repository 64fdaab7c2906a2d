"""`ldpub render`: the dataset as files that Debian's nginx serves with the app's negotiation,
303s, 404s, 406s and headers while no Python runs; kept current by a rerun and, with
`render_dir`, by withdraw and ingest; and, with `--upstream`, the production deployment
in front of `ldpub serve`."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from .helpers import csv_file, thesis
from .servers import free_port, ldpub, nginx_serving, render, serving_samples, status
from .test_web_serving import ACCEPT_TABLE, DOC

COMPARED = ("Content-Type", "Vary", "Content-Location", "Location", "Link", "Cache-Control",
            "Access-Control-Allow-Origin", "Access-Control-Expose-Headers", "X-Content-Type-Options",
            "Content-Security-Policy")  # fmt: skip
ORG = "/doc/org/isni/0000000121662407"
PATHS = [
    "/id/thesis/uk.bl.ethos.232781", "/id/thesis/tcd3dc49c1347f397b166/author", "/id/org/isni/0000000121662407",
    f"{DOC}.ttl", f"{DOC}.jsonld", f"{DOC}.nt", f"{DOC}.rdf", f"{DOC}.html", "/doc/thesis/tcd3dc49c1347f397b166.ttl",
    "/doc/thesis/uk.bl.ethos.1", "/doc/thesis/uk.bl.ethos.1.html", "/doc/thesis/junk", "/id/thesis/junk",
    f"{ORG}.ttl", ORG, f"{ORG}.html", "/context.jsonld", "/void.ttl", "/void", "/.well-known/void", "/def/",
    "/def/index.jsonld", "/shapes", "/shapes.nt", "/sitemap.xml", "/robots.txt", "/", "/dumps/",
]  # fmt: skip
REQUESTS = [(path, "text/turtle") for path in PATHS] + [(path, "text/html") for path in PATHS[:6] + [ORG]]
REQUESTS += [(DOC, accept) for _, accept, _, _ in ACCEPT_TABLE] + [
    ("/void", accept) for _, accept, _, _ in ACCEPT_TABLE
]


def answer(url: str, path: str, accept: str | None) -> requests.Response:
    headers = {"Accept": accept} if accept is not None else {}
    return requests.get(url.rstrip("/") + path, headers=headers, allow_redirects=False, timeout=30)


def assert_same(app: requests.Response, site: requests.Response, what: object) -> None:
    """What a client or cache relies on; the bodies of redirects (a courtesy page) and the
    ETag (nginx's own validator, checked below) may differ, and nginx adds Last-Modified
    where the app has none."""
    assert site.status_code == app.status_code, what
    for name in COMPARED:
        assert site.headers.get(name) == app.headers.get(name), (what, name)
    if app.headers.get("Last-Modified"):
        assert site.headers.get("Last-Modified") == app.headers["Last-Modified"], what
    if app.status_code in (200, 406, 410):
        assert site.content == app.content, what


@pytest.fixture(scope="module")
def static(tmp_path_factory) -> Iterator[tuple[str, dict]]:  # type: ignore[no-untyped-def]
    """The app's answers, the site rendered from it, then the app stopped: nginx alone answers."""
    root = tmp_path_factory.mktemp("rendered")
    port = free_port()
    with serving_samples(root / "store") as site:
        answers = {request: answer(site.base, *request) for request in REQUESTS}
        render(site, root / "out", port)
    with nginx_serving(root / "out", port) as url:
        yield url, answers


@pytest.mark.parametrize("request_", REQUESTS, ids=[f"{p} {a}" for p, a in REQUESTS])
def test_the_rendered_site_answers_as_the_app_did_with_no_python_running(static, request_) -> None:  # type: ignore[no-untyped-def]
    url, answers = static
    assert_same(answers[request_], answer(url, *request_), request_)


def test_conditional_requests_and_paging_on_the_rendered_site(static) -> None:  # type: ignore[no-untyped-def]
    url, _ = static
    first = answer(url, DOC, "text/turtle")
    again = requests.get(f"{url}{DOC.lstrip('/')}", headers={"Accept": "text/turtle",
                         "If-None-Match": first.headers["ETag"]}, timeout=10)  # fmt: skip
    assert again.status_code == 304 and again.headers["Vary"] == "Accept"
    assert again.headers["Content-Location"] == f"{DOC}.ttl"
    assert status(f"{url}search.json?q=turbulent") == 503  # no app behind this one: said, not hidden


def test_a_rerun_rewrites_only_what_changed_and_a_withdrawal_is_410(tmp_path: Path) -> None:
    port = free_port()
    out = tmp_path / "out"
    with serving_samples(tmp_path / "store") as site:
        render(site, out, port)
        rerun = subprocess.run(ldpub("render", str(out)), env=site.env, capture_output=True, text=True, check=True)
        assert rerun.stdout.startswith("0 theses rendered, 2 unchanged, 0 removed, 0 withdrawn; 0 files written")
        withdrawn = subprocess.run(ldpub("withdraw", "uk.bl.ethos.232781", "--reason", "test"), env=site.env,
                                   capture_output=True, text=True)  # fmt: skip
        assert withdrawn.returncode == 0, withdrawn.stderr
        after = subprocess.run(ldpub("render", str(out)), env=site.env, capture_output=True, text=True, check=True)
        assert after.stdout.startswith("0 theses rendered, 1 unchanged, 1 removed, 1 withdrawn")
        app_gone = answer(site.base, f"{DOC}.ttl", None)
    assert not (out / "site" / "doc" / "thesis" / "uk.bl.ethos.232781.ttl").exists()
    with nginx_serving(out, port) as url:
        assert_same(app_gone, answer(url, f"{DOC}.ttl", None), "410")
        assert answer(url, "/id/thesis/uk.bl.ethos.232781", "text/html").status_code == 410
        assert answer(url, DOC, "text/html").headers["Content-Type"].startswith("text/html")


def test_the_deployment_keeps_the_files_current_through_ingest_and_withdraw(tmp_path: Path) -> None:
    """`render_dir` set, `--upstream` the app: search and what is not rendered go to the app;
    a withdrawal is 410 at nginx as soon as the command returns, a new record is there."""
    port = free_port()
    out = tmp_path / "out"
    with serving_samples(tmp_path / "store", render_dir=out) as site:
        render(site, out, port, "--upstream", site.base.split("//")[1].rstrip("/"))
        with nginx_serving(out, port) as url:
            assert_same(answer(site.base, f"{DOC}.ttl", None), answer(url, f"{DOC}.ttl", None), "before")
            found = requests.get(f"{url}search.json", params={"q": "turbulent"}, timeout=30)
            assert (
                found.status_code == 200
                and found.json()
                == requests.get(f"{site.base}search.json", params={"q": "turbulent"}, timeout=30).json()
            )
            withdrawn = subprocess.run(ldpub("withdraw", "uk.bl.ethos.232781"), env=site.env, capture_output=True,
                                       text=True)  # fmt: skip
            assert withdrawn.returncode == 0, withdrawn.stderr
            for accept in ("text/turtle", "text/html", "application/ld+json"):
                assert_same(answer(site.base, DOC, accept), answer(url, DOC, accept), accept)
                assert answer(url, DOC, accept).status_code == 410
            new = csv_file(tmp_path, [thesis(1)])
            ingested = subprocess.run(ldpub("ingest", "--no-progress", str(new)), env=site.env, capture_output=True,
                                      text=True)  # fmt: skip
            assert ingested.returncode == 0, ingested.stderr
            assert (out / "site" / "doc" / "thesis" / "uk.bl.ethos.1.ttl").is_file()  # rendered by the ingest
            for accept in ("text/turtle", "text/html"):
                assert_same(answer(site.base, "/doc/thesis/uk.bl.ethos.1", accept),
                            answer(url, "/doc/thesis/uk.bl.ethos.1", accept), accept)  # fmt: skip
