"""JSON-LD that reads as JSON: plain terms, the thesis at the top with what it points to
embedded, and exactly the Turtle's triples, literal for literal (checked with PyLD and
compared by Oxigraph, which keeps lexical forms as written)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as examples
from hypothesis import strategies as st
from pyld import jsonld

from ld import jsonld as jsonld_writer
from ld.config import Settings
from ld.pipeline.ingest import ingest
from ld.renderers import RENDERERS
from ld.web import create_app

from .conftest import BASE
from .helpers import csv_file, thesis

LOIZOU = "/doc/thesis/uk.bl.ethos.232781"
MACKIN = "/doc/thesis/tcd3dc49c1347f397b166"


def _loader(client):  # type: ignore[no-untyped-def]
    def load(url: str, options: dict | None = None) -> dict:
        assert url == f"{BASE}context.jsonld", url
        return {"contentType": "application/ld+json", "contextUrl": None, "documentUrl": url,
                "document": json.loads(client.get("/context.jsonld").data)}  # fmt: skip

    return load


ROOT = Path(__file__).resolve().parent.parent
JSONLD_JS = ROOT / ".node" / "node_modules"


def _triples(data: bytes, fmt: ox.RdfFormat) -> set[str]:
    return {str(t) for t in ox.parse(data, format=fmt)}


@pytest.mark.parametrize("path", [LOIZOU, MACKIN, "/doc/org/isni/0000000121662407"])
def test_the_same_triples_as_the_turtle_literal_for_literal(client, path: str) -> None:  # type: ignore[no-untyped-def]
    document = json.loads(client.get(f"{path}.jsonld").data)
    nquads = jsonld.to_rdf(document, {"format": "application/n-quads", "documentLoader": _loader(client)})
    turtle = client.get(f"{path}.ttl").data
    assert _triples(nquads.encode(), ox.RdfFormat.N_QUADS) == _triples(turtle, ox.RdfFormat.TURTLE)


@pytest.mark.parametrize("path", [LOIZOU, MACKIN])
def test_jsonld_js_reads_the_same_triples(client, path: str) -> None:  # type: ignore[no-untyped-def]
    """The JavaScript reference processor, as a web developer's code would run it."""
    assert (JSONLD_JS / "jsonld").is_dir(), "jsonld.js is missing: `make test` installs it (npm, into .node/)"
    contexts = {f"{BASE}context.jsonld": json.loads(client.get("/context.jsonld").data)}
    request = json.dumps({"document": json.loads(client.get(f"{path}.jsonld").data), "contexts": contexts})
    node = subprocess.run(["node", str(Path(__file__).with_name("jsonld_to_rdf.js"))], input=request, text=True,
                          capture_output=True, env={**os.environ, "NODE_PATH": str(JSONLD_JS)}, timeout=60)  # fmt: skip
    assert node.returncode == 0, node.stderr
    turtle = client.get(f"{path}.ttl").data
    assert _triples(node.stdout.encode(), ox.RdfFormat.N_QUADS) == _triples(turtle, ox.RdfFormat.TURTLE)


def test_a_thesis_reads_as_json(client) -> None:  # type: ignore[no-untyped-def]
    thesis = json.loads(client.get(f"{LOIZOU}.jsonld").data)
    assert thesis["@id"] == f"{BASE}id/thesis/uk.bl.ethos.232781" and thesis["@type"] == "Thesis"
    assert thesis["title"].startswith("Computation and measurement of turbulent flow")
    assert thesis["author"]["name"] == "Loizou, Panos A." and thesis["author"]["@type"] == "Person"
    assert thesis["awardingBody"]["name"] == "University of Manchester"
    assert thesis["degree"]["@id"] == "http://purl.org/ontology/bibo/degrees/phd"
    assert thesis["subject"]["prefLabel"] == "Physical Sciences"
    document = thesis["describedBy"]
    assert document["@id"] == f"{BASE}doc/thesis/uk.bl.ethos.232781" and document["sourceRow"] == 2
    turtle = client.get(f"{LOIZOU}.ttl").data.decode()
    assert f'"{document["modified"]["@value"]}"^^' in turtle  # the datetime as written, not normalised


def test_supervisors_in_their_order_and_each_resource_embedded_once(settings: Settings, tmp_path: Path) -> None:
    row = thesis(5, **{"Supervisor(s)": "Smith, Jane ; Jones, Bob", "Institution": "University of Manchester"})
    ingest(settings, [csv_file(tmp_path, [row])], progress=False)
    client = create_app(settings).test_client()
    document = json.loads(client.get("/doc/thesis/uk.bl.ethos.5.jsonld").data)
    assert "@graph" not in document  # one tree: everything is reached from the thesis
    assert [s["name"] for s in document["supervisor"]] == ["Smith, Jane", "Jones, Bob"]
    assert [s["@id"].rsplit("/", 2)[-2:] for s in document["supervisor"]] == [["supervisor", "1"], ["supervisor", "2"]]
    assert document["author"]["name"] == "Author5, A."
    assert document["awardingBody"]["name"] == "University of Manchester" and isinstance(document["publisher"], str)


def test_the_context_gives_plain_terms_and_no_prefix_shadows_a_term(client) -> None:  # type: ignore[no-untyped-def]
    context = json.loads(client.get("/context.jsonld").data)["@context"]
    assert context["author"] == {"@id": "http://purl.org/dc/terms/creator", "@type": "@id"}
    assert context["describedBy"]["@reverse"] == "http://xmlns.com/foaf/0.1/primaryTopic"
    assert context["degree"]["@id"] == "http://purl.org/ontology/bibo/degree"  # the term, not the prefix
    assert context["dcterms"] == "http://purl.org/dc/terms/"


IRIS = [f"{BASE}id/thesis/uk.bl.ethos.{n}" for n in range(3)] + [
    f"{BASE}doc/thesis/uk.bl.ethos.0",
    f"{BASE}id/person/isni/0000000136122593",
    "https://example.org/a#b",
]
PREDICATES = [iri for _, iri, _ in jsonld_writer.TERMS] + [
    "http://xmlns.com/foaf/0.1/primaryTopic",
    f"{BASE}def/sourceRow",
    "https://example.org/p",
]
DATATYPES = ["http://www.w3.org/2001/XMLSchema#integer", "http://www.w3.org/2001/XMLSchema#gYear",
             "http://www.w3.org/2001/XMLSchema#dateTime", "http://www.w3.org/2001/XMLSchema#boolean",
             "https://example.org/dt"]  # fmt: skip
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)
OBJECTS = st.one_of(
    st.sampled_from(IRIS).map(ox.NamedNode),
    TEXT.map(ox.Literal),
    st.tuples(TEXT, st.sampled_from(["en", "cy", "en-GB"])).map(lambda t: ox.Literal(t[0], language=t[1])),
    st.tuples(st.one_of(TEXT, st.from_regex(r"-?0*[0-9]{1,20}", fullmatch=True)), st.sampled_from(DATATYPES)).map(
        lambda t: ox.Literal(t[0], datatype=ox.NamedNode(t[1]))),
    st.sampled_from(IRIS).map(ox.Literal),  # a string that looks like a subject's IRI
)  # fmt: skip
TRIPLES = st.lists(st.builds(ox.Triple, st.sampled_from(IRIS).map(ox.NamedNode),
                             st.sampled_from([*PREDICATES, "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"]).map(
                                 ox.NamedNode), OBJECTS), max_size=25)  # fmt: skip


@examples(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(triples=TRIPLES)
def test_any_graph_round_trips_exactly(client, triples: list[ox.Triple]) -> None:  # type: ignore[no-untyped-def]
    """Whatever the triples (literals that look like IRIs, non-canonical integers, language
    tags, types on any node), the JSON-LD expands to exactly them."""
    body = RENDERERS["jsonld"].render(triples, BASE)
    nquads = jsonld.to_rdf(json.loads(body), {"format": "application/n-quads", "documentLoader": _loader(client)})
    assert _triples(nquads.encode(), ox.RdfFormat.N_QUADS) == {str(t) for t in triples}


def test_every_uketd_field_and_combined_sources_read_back_exactly(settings: Settings) -> None:
    """The filled UKETD_DC template (Seqs of authors and supervisors, languages, files, rights,
    embargo) and a thesis combined from two sources (provenance per source) in JSON-LD."""
    from ld.web import create_app

    fixtures = Path(__file__).parent / "fixtures"
    files = [fixtures / "uketd_dc_2.0_filled.xml", fixtures / "mackin-2019.txt", fixtures / "mackin-2019-dump-row.csv"]
    assert ingest(settings, files, progress=False).quarantined == 0
    client = create_app(settings).test_client()
    for path in ("/doc/thesis/tfa26be13e589e1794fed", MACKIN):
        document = json.loads(client.get(f"{path}.jsonld").data)
        nquads = jsonld.to_rdf(document, {"format": "application/n-quads", "documentLoader": _loader(client)})
        turtle = client.get(f"{path}.ttl").data
        assert _triples(nquads.encode(), ox.RdfFormat.N_QUADS) == _triples(turtle, ox.RdfFormat.TURTLE), path
        assert "http://" not in "".join(k for k in _keys(document))  # every property has a plain term


def _keys(node: object) -> list[str]:
    if isinstance(node, dict):
        return [k for k in node if not k.startswith("@")] + [k for v in node.values() for k in _keys(v)]
    if isinstance(node, list):
        return [k for v in node for k in _keys(v)]
    return []
