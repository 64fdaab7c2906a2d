"""Record documents made once per content version: a 304 without reading the record, never a
stale body after a replacement, a withdrawal effective at once, one body per variant."""

from __future__ import annotations

from pathlib import Path

import pytest

from ld.config import Settings
from ld.pipeline.ingest import ingest
from ld.pipeline.withdraw import withdraw
from ld.web import create_app, describe

from .helpers import csv_file, thesis

DOC = "/doc/thesis/uk.bl.ethos.1"


@pytest.fixture
def app(settings: Settings, tmp_path: Path):  # type: ignore[no-untyped-def]
    ingest(settings, [csv_file(tmp_path, [thesis(1), thesis(2)])], progress=False)
    return create_app(settings)


def test_a_conditional_get_is_answered_without_reading_the_record(app, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    client = app.test_client()
    first = client.get(DOC, headers={"Accept": "text/turtle"})
    assert first.status_code == 200

    def unread(*_args: object) -> None:
        raise AssertionError("the record was read for a 304")

    monkeypatch.setattr(describe, "thesis", unread)
    again = client.get(DOC, headers={"Accept": "text/turtle", "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == first.headers["ETag"]
    assert again.headers["Vary"] == "Accept" and again.headers["Content-Location"] == f"{DOC}.ttl"
    assert again.headers["Cache-Control"] == first.headers["Cache-Control"]


def test_a_body_is_made_once_per_variant_and_content(app, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    client = app.test_client()
    reads: list[str] = []
    real = describe.thesis

    def counted(store, base, key):  # type: ignore[no-untyped-def]
        reads.append(key)
        return real(store, base, key)

    monkeypatch.setattr(describe, "thesis", counted)
    for _ in range(3):
        turtle = client.get(DOC + ".ttl")
        page = client.get(DOC, headers={"Accept": "text/html"})
    assert reads == ["uk.bl.ethos.1", "uk.bl.ethos.1"]  # once for Turtle, once for HTML
    assert turtle.headers["Content-Location"] == f"{DOC}.ttl" and "Vary" not in turtle.headers
    assert page.headers["Vary"] == "Accept" and "Content-Security-Policy" in page.headers
    assert 'rel="cite-as"' in turtle.headers["Link"] and 'rel="alternate"' in page.headers["Link"]


def test_a_replaced_record_is_never_served_stale(app, settings: Settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    client = app.test_client()
    before = client.get(DOC + ".ttl")
    assert b"Thesis 1" in before.data
    ingest(settings, [csv_file(tmp_path, [thesis(1, Title="Corrected title")], "fix.csv")], progress=False)
    after = client.get(DOC + ".ttl", headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200 and b"Corrected title" in after.data and b"Thesis 1" not in after.data
    assert after.headers["ETag"] != before.headers["ETag"]


def test_a_withdrawal_takes_effect_at_once(app, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    client = app.test_client()
    kept = client.get(DOC + ".ttl")
    assert kept.status_code == 200
    withdraw(settings, "uk.bl.ethos.1", None, "test")
    assert client.get(DOC + ".ttl").status_code == 410
    assert client.get(DOC + ".ttl", headers={"If-None-Match": kept.headers["ETag"]}).status_code == 410
