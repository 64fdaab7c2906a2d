"""Text that XML can carry (issue 10, finding 6): the CSV dump keeps control characters such as
NUL, U+0003 and U+001A; they are removed at reading, so every format of the record is well-formed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import requests
from flask.testing import FlaskClient
from lxml import etree, html
from rdflib import Graph, Literal, URIRef

from ld.config import Settings, load_settings
from ld.model.records import Record, xml_chars
from ld.pipeline.ingest import ingest
from ld.sources import read_file

from .conftest import BASE, TEXT_SAMPLE, jsonld_graph
from .helpers import csv_file, thesis
from .servers import serving_samples

# Some of what XML 1.0 forbids: C0 controls other than tab, LF and CR, and the noncharacters U+FFFE, U+FFFF
FORBIDDEN = "\x00\x01\x03\x08\x0b\x0c\x0e\x1a\x1f\ufffe\uffff"
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
TITLE = "Glacier\x03 dynamics\x1a of the\x00 Arctic\x0b\ufffe"
ABSTRACT = "First\x00 paragraph\x03 here.\n\nSecond\x1a paragraph with DEL \x7f (allowed) and \U00010000."
KEY = "uk.bl.ethos.7"
TITLE_TERM = URIRef("http://purl.org/dc/terms/title")


@pytest.fixture
def dirty(settings: Settings, tmp_path: Path) -> Settings:
    row = thesis(7, Title=TITLE, Abstract=ABSTRACT, Author="Smith\x01, Jane\x1f", **{"Supervisor(s)": "Jones\x00, A."})
    path = csv_file(tmp_path, [row], name="dirty.csv")
    assert "\x00" in path.read_text("utf-8")  # the file really holds them, as the BL's dump does
    (record,) = read_file(path)
    assert isinstance(record, Record)
    summary = ingest(settings, [path], progress=False)
    assert summary.published == 1, summary.lines()
    return settings


@pytest.fixture
def client(dirty: Settings) -> FlaskClient:
    from ld.web import create_app

    return create_app(dirty).test_client()


def test_reader_keeps_the_words_and_drops_the_characters(tmp_path: Path) -> None:
    row = thesis(7, Title=TITLE, Abstract=ABSTRACT, Author="Smith\x01, Jane\x1f", **{"Supervisor(s)": "\x03"})
    (record,) = read_file(csv_file(tmp_path, [row]))
    assert isinstance(record, Record)
    assert record.title == "Glacier dynamics of the Arctic"
    assert record.abstract == "First paragraph here.\n\nSecond paragraph with DEL \x7f (allowed) and \U00010000."
    assert record.author is not None and record.author.name == "Smith, Jane"
    assert record.supervisors == []  # a value of nothing but control characters is no value


def test_text_pages_are_cleaned_too(tmp_path: Path) -> None:
    text = TEXT_SAMPLE.read_text("utf-8").replace("Title: ", "Title: \x03\x1a", 1)
    path = tmp_path / "page.txt"
    path.write_text(text, "utf-8")
    (record,) = read_file(path)
    assert isinstance(record, Record) and record.title and not NOT_XML.search(record.title)
    assert record.title.startswith("Mental health and recovery")


def test_xml_chars_removes_exactly_what_xml_forbids() -> None:
    every = "".join(chr(c) for c in range(0x110000))
    kept = xml_chars(every)
    assert not NOT_XML.search(kept)
    assert len(kept) == len(every) - 29 - 2048 - 2  # C0 but tab/LF/CR, surrogates, U+FFFE/U+FFFF
    assert etree.fromstring(f"<a>{''.join(c for c in kept if c not in '<&')}</a>".encode()) is not None


def graph_of(client: FlaskClient, suffix: str) -> Graph:
    response = client.get(f"/doc/thesis/{KEY}.{suffix}")
    assert response.status_code == 200
    assert not NOT_XML.search(response.get_data(as_text=True)), suffix
    if suffix == "jsonld":
        return jsonld_graph(client, response.data)
    if suffix == "rdf":
        etree.fromstring(response.data)  # lxml: well-formed XML, or this raises
        return Graph().parse(data=response.data, format="xml")
    return Graph().parse(data=response.data, format={"ttl": "turtle", "nt": "nt"}[suffix])


@pytest.mark.parametrize("suffix", ["ttl", "jsonld", "nt", "rdf"])
def test_every_rdf_format_parses(client: FlaskClient, suffix: str) -> None:
    graph = graph_of(client, suffix)
    assert (URIRef(f"{BASE}id/thesis/{KEY}"), TITLE_TERM, Literal("Glacier dynamics of the Arctic")) in graph


def test_html_has_no_control_character(client: FlaskClient) -> None:
    response = client.get(f"/doc/thesis/{KEY}.html")
    assert response.status_code == 200
    assert not any(c.encode() in response.data for c in FORBIDDEN)
    page = html.fromstring(response.data)
    assert "Glacier dynamics of the Arctic" in page.text_content()
    assert not NOT_XML.search(page.text_content())


@pytest.mark.slow
def test_sparql_xml_answers_are_well_formed(tmp_path: Path) -> None:
    """Over a real server: query processes outlive an app, so an in-process app could query another test's store."""
    with serving_samples(tmp_path / "store") as site:
        settings = load_settings({"store": site.store, "base": site.base, "jobs": 1}, environ={})
        ingest(settings, [csv_file(tmp_path, [thesis(7, Title=TITLE, Abstract=ABSTRACT)])], progress=False)
        thesis_iri = f"{site.base}id/thesis/{KEY}"
        select = f"SELECT ?t WHERE {{ <{thesis_iri}> <{TITLE_TERM}> ?t }}"
        results = requests.get(f"{site.base}sparql", params={"query": select},
                               headers={"Accept": "application/sparql-results+xml"}, timeout=30)  # fmt: skip
        assert results.status_code == 200, results.text
        (literal,) = etree.fromstring(results.content).findall(".//{*}literal")
        assert literal.text == "Glacier dynamics of the Arctic"
        construct = f"CONSTRUCT WHERE {{ <{thesis_iri}> ?p ?o }}"
        graph = requests.get(f"{site.base}sparql", params={"query": construct},
                             headers={"Accept": "application/rdf+xml"}, timeout=30)  # fmt: skip
        assert graph.status_code == 200, graph.text
        assert len(Graph().parse(data=etree.tostring(etree.fromstring(graph.content)), format="xml")) > 5
