"""Shared resources described once, in their own graphs, exact as records come and go."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import FOAF, RDFS
from stdnum.iso7064 import mod_11_2

from ld.config import Settings
from ld.pipeline.ingest import ingest
from ld.pipeline.withdraw import withdraw
from ld.pipeline.writer import PENDING, writing
from ld.store.export import export
from ld.store.rdf import ReadStore, WritableStore
from ld.web import create_app

from .conftest import BASE
from .helpers import csv_file, thesis

ISNI = "000000012103268" + mod_11_2.calc_check_digit("000000012103268")
ORG = f"{BASE}id/org/isni/{ISNI}"
ORG_GRAPH = f"{BASE}doc/org/isni/{ISNI}"


def by_org(n: int, name: str) -> dict:
    """A thesis awarded by an institution the bundled table lacks, by the ISNI above and the name given."""
    return thesis(n, Institution=name, **{"Institution ISNI": ISNI})


def quads(settings: Settings, graph: str | None = None) -> list[ox.Quad]:
    node = ox.NamedNode(graph) if graph else None
    return list(ReadStore(settings.store).db.quads_for_pattern(None, None, None, node))


def names(settings: Settings) -> set[str]:
    found = ReadStore(settings.store).db.quads_for_pattern(ox.NamedNode(ORG), ox.NamedNode(str(FOAF.name)), None)
    return {q.object.value for q in found}


def turtle(settings: Settings, key: str) -> Graph:
    answer = create_app(settings).test_client().get(f"/doc/thesis/{key}.ttl")
    assert answer.status_code == 200
    return Graph().parse(data=answer.data, format="turtle")


def test_each_shared_fact_is_stored_once(settings: Settings, tmp_path: Path) -> None:
    ingest(settings, [csv_file(tmp_path, [thesis(n, **{"Subject Discipline": "Physics"}) for n in range(1, 6)])],
           progress=False)  # fmt: skip
    stored = quads(settings)
    assert len(stored) == len({q.triple for q in stored})  # no triple in two graphs
    record = {q.subject.value for q in quads(settings, f"{BASE}doc/thesis/uk.bl.ethos.1")}
    assert not any("/id/org/" in s or "/id/concept/" in s for s in record)  # the record points, it does not describe
    described = quads(settings, f"{BASE}doc/concept/discipline/physics")
    assert Literal("Physics") in {Literal(q.object.value) for q in described}


def test_a_thesis_document_still_shows_the_shared_labels(settings: Settings, tmp_path: Path) -> None:
    ingest(settings, [csv_file(tmp_path, [by_org(1, "Imaginary Institute"), thesis(2)])], progress=False)
    assert (URIRef(ORG), FOAF.name, Literal("Imaginary Institute")) in turtle(settings, "uk.bl.ethos.1")
    leeds = turtle(settings, "uk.bl.ethos.2")
    org = leeds.value(URIRef(f"{BASE}id/thesis/uk.bl.ethos.2"), URIRef("http://id.loc.gov/vocabulary/relators/dgg"))
    assert (org, FOAF.name, Literal("University of Leeds")) in leeds
    phd = URIRef("http://purl.org/ontology/bibo/degrees/phd")  # described in the vocabulary graph
    assert leeds.value(phd, RDFS.label) is not None


def test_a_name_leaves_with_the_last_record_giving_it(settings: Settings, tmp_path: Path) -> None:
    ingest(
        settings,
        [csv_file(tmp_path, [by_org(1, "Imaginary Institute"), by_org(2, "The Imaginary Institute")])],
        progress=False,
    )
    assert names(settings) == {"Imaginary Institute", "The Imaginary Institute"}
    withdraw(settings, "uk.bl.ethos.2", None, "test")
    assert names(settings) == {"Imaginary Institute"}
    withdraw(settings, "uk.bl.ethos.1", None, "test")
    assert names(settings) == set()
    assert not ReadStore(settings.store).has_graph(ORG_GRAPH)


def test_a_replaced_record_takes_its_old_description_with_it(settings: Settings, tmp_path: Path) -> None:
    ingest(settings, [csv_file(tmp_path, [by_org(1, "Imaginary Institute")])], progress=False)
    ingest(settings, [csv_file(tmp_path, [by_org(1, "Imaginary Institute, London")], "changed.csv")], progress=False)
    assert names(settings) == {"Imaginary Institute, London"}


def test_a_document_changes_its_etag_when_a_shared_description_it_shows_changes(
    settings: Settings, tmp_path: Path
) -> None:
    ingest(settings, [csv_file(tmp_path, [by_org(1, "Imaginary Institute")])], progress=False)
    before = create_app(settings).test_client().get("/doc/thesis/uk.bl.ethos.1.ttl")
    ingest(settings, [csv_file(tmp_path, [by_org(2, "The Imaginary Institute")], "more.csv")], progress=False)
    after = create_app(settings).test_client().get("/doc/thesis/uk.bl.ethos.1.ttl")
    assert before.headers["ETag"] != after.headers["ETag"]
    assert b"The Imaginary Institute" in after.data and b"The Imaginary Institute" not in before.data


def test_a_writer_killed_before_its_ledger_committed_is_repaired(settings: Settings, tmp_path: Path) -> None:
    dump = csv_file(tmp_path, [by_org(1, "Imaginary Institute")])
    ingest(settings, [dump], progress=False)
    # As if a writer had rewritten the person's graph and the record, and died before committing the ledger:
    with WritableStore(settings.store, BASE) as store:
        store.replace_records([(ORG_GRAPH, f'<{ORG}> <{FOAF.name}> "Half written" .\n')])
    (Path(settings.store) / PENDING).write_text(json.dumps({"graphs": [ORG_GRAPH], "keys": ["uk.bl.ethos.1"]}))
    with writing(settings):
        pass
    assert names(settings) == {"Imaginary Institute"}  # written again from the ledger
    assert not (Path(settings.store) / PENDING).exists()
    assert ingest(settings, [dump], progress=False).published_updated == 1  # the record it wrote is replaced


def test_the_quad_dump_holds_the_shared_graphs(settings: Settings, tmp_path: Path) -> None:
    ingest(settings, [csv_file(tmp_path, [by_org(1, "Imaginary Institute")])], progress=False)
    out = tmp_path / "all.nq"
    with open(out, "wb") as stream:
        export(settings, "nq", stream)
    assert f'<{ORG}> <{FOAF.name}> "Imaginary Institute" <{ORG_GRAPH}> .' in out.read_text("utf-8")


def test_odd_names_publish_with_their_descriptions(settings: Settings, tmp_path: Path) -> None:
    """A discipline no slug can be made of stays in its record's graph; a 300-character
    institution name and markup in a name are described in a graph of their own, whole."""
    long_name = "Institute of " + "Very " * 57 + "Long Names"
    odd = [thesis(1, **{"Subject Discipline": "中文"}), thesis(2, Institution=long_name),
           thesis(3, Institution="<script>alert(1)</script> College")]  # fmt: skip
    summary = ingest(settings, [csv_file(tmp_path, odd)], progress=False)
    assert summary.published == 3 and summary.reconciles()
    for n, name in ((2, long_name), (3, "<script>alert(1)</script> College")):
        doc = turtle(settings, f"uk.bl.ethos.{n}")
        org = doc.value(URIRef(f"{BASE}id/thesis/uk.bl.ethos.{n}"), URIRef("http://id.loc.gov/vocabulary/relators/dgg"))
        assert (org, FOAF.name, Literal(name)) in doc
        assert ReadStore(settings.store).has_graph(str(org).replace("/id/", "/doc/", 1))
    first = turtle(settings, "uk.bl.ethos.1")
    assert any(str(o) == "中文" for o in first.objects()), "the discipline's label is shown"
