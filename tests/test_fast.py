"""The fast path (web/fast.py) answers exactly as the Flask view it stands in front of: every
status, header and byte, for every variant, by suffix and by negotiation, 200 and 304."""

from __future__ import annotations

from pathlib import Path

import pytest
from werkzeug.test import Client

from ld.config import Settings
from ld.pipeline.ingest import ingest
from ld.web import create_app
from ld.web.fast import RecordFastPath

from .helpers import csv_file, thesis

DOC = "/doc/thesis/uk.bl.ethos.1"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.fixture
def clients(settings: Settings, tmp_path: Path) -> tuple[Client, Client, RecordFastPath]:
    ingest(settings, [csv_file(tmp_path, [thesis(1), thesis(2)])], progress=False)
    app = create_app(settings)
    fast = app.wsgi_app
    assert isinstance(fast, RecordFastPath)
    return Client(fast), Client(fast.inner), fast


REQUESTS = [(f"{DOC}.{s}", {}) for s in ("ttl", "jsonld", "nt", "rdf", "html")] + [
    (DOC, {"Accept": a}) for a in ("text/turtle", "application/ld+json", BROWSER, "*/*", "application/rdf+xml")
] + [(DOC, {}), ("/id/thesis/uk.bl.ethos.1", {}), ("/id/thesis/uk.bl.ethos.1", {"Accept": BROWSER})]  # fmt: skip


@pytest.mark.parametrize(("path", "headers"), REQUESTS, ids=[f"{p} {h}" for p, h in REQUESTS])
def test_the_fast_path_answers_as_the_view_does(clients, path: str, headers: dict[str, str], monkeypatch) -> None:  # type: ignore[no-untyped-def]
    fast_client, view_client, fast = clients
    view = view_client.get(path, headers=headers)  # makes and keeps the body
    served: list[bool] = []
    real = fast._answer

    def watched(environ):  # type: ignore[no-untyped-def]
        found = real(environ)
        served.append(found is not None)
        return found

    monkeypatch.setattr(fast, "_answer", watched)
    quick = fast_client.get(path, headers=headers)
    assert served == [True], "the fast path did not answer"
    assert quick.status_code == view.status_code == (303 if path.startswith("/id/") else 200)
    assert quick.get_data() == view.get_data()
    assert sorted((k, v) for k, v in quick.headers.items() if k != "Date") == sorted(
        (k, v) for k, v in view.headers.items() if k != "Date"
    )
    if path.startswith("/id/"):
        return
    tag = view.headers["ETag"]
    quick_304 = fast_client.get(path, headers={**headers, "If-None-Match": tag})
    view_304 = view_client.get(path, headers={**headers, "If-None-Match": tag})
    assert quick_304.status_code == view_304.status_code == 304
    assert sorted((k, v) for k, v in quick_304.headers.items() if k != "Date") == sorted(
        (k, v) for k, v in view_304.headers.items() if k != "Date"
    )


def test_what_the_fast_path_cannot_settle_goes_to_the_app(clients) -> None:  # type: ignore[no-untyped-def]
    fast_client, _, _ = clients
    first = fast_client.get(f"{DOC}.ttl")  # not made yet: the view makes it
    assert first.status_code == 200
    assert fast_client.get("/doc/thesis/uk.bl.ethos.3.ttl").status_code == 404
    assert fast_client.get(DOC, headers={"Accept": "image/png"}).status_code == 406
    assert fast_client.head(f"{DOC}.ttl").status_code == 200
    ranged = fast_client.get(f"{DOC}.ttl", headers={"Range": "bytes=0-9"})
    assert ranged.status_code in (200, 206)
    since = fast_client.get(f"{DOC}.ttl", headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert since.status_code == 304


MISSES = [("/doc/thesis/uk.bl.ethos.3", {"Accept": "text/turtle"}), ("/doc/thesis/uk.bl.ethos.3.jsonld", {}),
          ("/doc/thesis/uk.bl.ethos.3", {"Accept": "application/n-triples"})]  # fmt: skip


@pytest.mark.parametrize(("path", "headers"), MISSES, ids=[f"{p} {h}" for p, h in MISSES])
def test_a_key_never_published_is_404_from_the_fast_path_as_from_the_view(clients, path, headers, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    fast_client, view_client, fast = clients
    real = fast._answer
    monkeypatch.setattr(fast, "_answer", lambda environ: real(environ) or pytest.fail("the app answered"))
    quick, view = fast_client.get(path, headers=headers), view_client.get(path, headers=headers)
    assert quick.status_code == view.status_code == 404
    assert quick.get_data() == view.get_data()
    assert sorted(quick.headers.items()) == sorted(view.headers.items())
    assert ("Vary" in quick.headers) == ("Accept" in headers)  # a cache must not give this to a browser


def test_withdrawn_keys_and_pages_for_missing_ones_are_the_apps(clients, settings: Settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from ld.pipeline.writer import writing

    with writing(settings) as writer:
        writer.withdraw("uk.bl.ethos.2", None, "test")
        writer.publisher.publish()
    fast_client, _, fast = clients
    real, answered = fast._answer, []
    monkeypatch.setattr(fast, "_answer", lambda environ: answered.append(real(environ)) or answered[-1])
    assert fast_client.get("/doc/thesis/uk.bl.ethos.2.ttl").status_code == 410
    page = fast_client.get("/doc/thesis/uk.bl.ethos.3", headers={"Accept": BROWSER})
    assert page.status_code == 404 and page.mimetype == "text/html" and page.headers["Vary"] == "Accept"
    assert answered == [None, None]
