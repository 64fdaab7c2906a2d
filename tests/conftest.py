"""Shared fixtures: real sample records, a fresh store per test, the app and its client."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from ld.config import Settings, load_settings
from ld.model.mapping import Mapper
from ld.model.records import Record
from ld.pipeline.ingest import ingest
from ld.sources import read_file

FIXTURES = Path(__file__).parent / "fixtures"
BASE = "http://127.0.0.1:8000/"
LICENSE = "https://creativecommons.org/licenses/by/4.0/"
TEXT_SAMPLE = FIXTURES / "mackin-2019.txt"
CSV_SAMPLE = FIXTURES / "ethos-202310-first-row.csv"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings({"store": tmp_path / "store", "base": BASE, "jobs": 1}, environ={})


@pytest.fixture
def published(settings: Settings) -> Settings:
    """A store holding both real sample records."""
    summary = ingest(settings, [TEXT_SAMPLE, CSV_SAMPLE], progress=False)
    assert summary.published == 2
    return settings


@pytest.fixture
def client(published: Settings):
    from ld.web import create_app

    return create_app(published).test_client()


@pytest.fixture
def mapper() -> Mapper:
    return Mapper(BASE, LICENSE)


def only_record(path: Path) -> Record:
    items = list(read_file(path))
    assert len(items) == 1 and isinstance(items[0], Record), items
    return items[0]


@pytest.fixture
def loizou() -> Record:
    return only_record(CSV_SAMPLE)


@pytest.fixture
def mackin() -> Record:
    return only_record(TEXT_SAMPLE)


def replace(record: Record, **changes) -> Record:
    return dataclasses.replace(record, **changes)


def jsonld_graph(client, data: bytes):  # type: ignore[no-untyped-def]
    """Parse ldpub JSON-LD with rdflib, the context taken from the app, never fetched."""
    import json

    from rdflib import Graph

    document = json.loads(data)
    assert document["@context"] == f"{BASE}context.jsonld"
    document["@context"] = json.loads(client.get("/context.jsonld").data)["@context"]
    return Graph().parse(data=json.dumps(document), format="json-ld")
