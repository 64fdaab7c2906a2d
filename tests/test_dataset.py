"""VoID and dumps: counts that match the store, dumps that reload to the same triples, and
downloads that are typed, ranged and never escape their folder."""

from __future__ import annotations

import gzip
import http.client
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef

from ld.config import Settings, load_settings
from ld.pipeline.ingest import ingest
from ld.store.dumps import dump
from ld.store.rdf import ReadStore

from .conftest import BASE, CSV_SAMPLE, TEXT_SAMPLE
from .helpers import csv_file, thesis
from .servers import serving_samples

VOID = "http://rdfs.org/ns/void#"
DATASET = URIRef(f"{BASE}void#dataset")


def void_graph(client) -> Graph:  # type: ignore[no-untyped-def]
    response = client.get("/.well-known/void", headers={"Accept": "text/turtle"})
    assert response.status_code == 200 and response.headers["Access-Control-Allow-Origin"] == "*"
    return Graph().parse(data=response.data, format="turtle")


def class_entities(graph: Graph, cls: str) -> int:
    for part in graph.objects(DATASET, URIRef(VOID + "classPartition")):
        if (part, URIRef(VOID + "class"), URIRef(cls)) in graph:
            return int(graph.value(part, URIRef(VOID + "entities")))
    return 0


def test_void_counts_follow_the_store(published: Settings, tmp_path: Path) -> None:
    from ld.web import create_app

    client = create_app(published).test_client()
    first = void_graph(client)
    assert class_entities(first, "http://purl.org/ontology/bibo/Thesis") == 2
    assert int(first.value(DATASET, URIRef(VOID + "triples"))) == len(ReadStore(published.store).db)
    assert (DATASET, URIRef(VOID + "sparqlEndpoint"), URIRef(f"{BASE}sparql")) in first
    assert (DATASET, URIRef(VOID + "uriSpace"), Literal(f"{BASE}id/")) in first
    assert (DATASET, URIRef("http://purl.org/dc/terms/license"), None) in first
    assert (DATASET, URIRef(VOID + "exampleResource"), None) in first
    assert len(list(first.objects(DATASET, URIRef(VOID + "propertyPartition")))) > 20
    ingest(published, [csv_file(tmp_path, [thesis(n) for n in range(1, 6)])], progress=False)
    second = void_graph(client)
    assert class_entities(second, "http://purl.org/ontology/bibo/Thesis") == 7
    assert int(second.value(DATASET, URIRef(VOID + "triples"))) == len(ReadStore(published.store).db)
    assert client.get("/void", headers={"Accept": "text/html"}).mimetype == "text/html"


def test_dumps_reload_to_the_same_triples(published: Settings) -> None:
    written = {p.name: p for p in dump(published)}
    db = ReadStore(published.store).db
    quads = set(db)
    reloaded = ox.Store()
    reloaded.load(gzip.decompress(written["ldpub.nq.gz"].read_bytes()), format=ox.RdfFormat.N_QUADS)
    assert set(reloaded) == quads
    union = {q.triple for q in quads}
    triples = {
        q.triple for q in ox.parse(gzip.decompress(written["ldpub.nt.gz"].read_bytes()), format=ox.RdfFormat.N_TRIPLES)
    }
    assert triples == union
    turtle = {
        q.triple for q in ox.parse(gzip.decompress(written["ldpub.ttl.gz"].read_bytes()), format=ox.RdfFormat.TURTLE)
    }
    assert turtle == union
    sums = written["SHA256SUMS"].read_text().split()
    assert sums[1::2] == ["ldpub.nt.gz", "ldpub.ttl.gz", "ldpub.nq.gz"]
    dcat = Graph().parse(written["dcat.ttl"])
    assert len(list(dcat.subjects(URIRef("http://www.w3.org/ns/dcat#downloadURL"), None))) == 3


def test_dump_downloads(published: Settings) -> None:
    from ld.web import create_app

    dump(published)
    client = create_app(published).test_client()
    listing = client.get("/dumps/").get_data(as_text=True)
    assert all(name in listing for name in ("ldpub.nt.gz", "ldpub.ttl.gz", "ldpub.nq.gz", "SHA256SUMS", "dcat.ttl"))
    size = (published.store / "dumps" / "ldpub.nq.gz").stat().st_size
    with client.get("/dumps/ldpub.nq.gz") as whole:  # file responses must be closed
        assert whole.status_code == 200 and whole.mimetype == "application/gzip"
        assert int(whole.headers["Content-Length"]) == size and whole.headers["Access-Control-Allow-Origin"] == "*"
        data = whole.data
    with client.get("/dumps/ldpub.nq.gz", headers={"Range": "bytes=10-19"}) as part:
        assert part.status_code == 206 and part.data == data[10:20]
    with client.get("/dumps/dcat.ttl") as dcat:
        assert dcat.mimetype == "text/turtle"
    assert (DATASET, URIRef(VOID + "dataDump"), URIRef(f"{BASE}dumps/ldpub.nt.gz")) in void_graph(client)


TRAVERSALS = ["/dumps/..%2f..%2fetc/passwd", "/dumps/%2e%2e%2f%2e%2e%2fetc%2fpasswd", "/dumps/..%252f..%252fetc%252fpasswd",
              "/dumps/..\\..\\etc\\passwd", "/dumps/%2e%2e/quarantine.sqlite", "/dumps/../CURRENT", "/dumps/.%2e/CURRENT",
              "/dumps/ldpub.nt.gz.partial", "/dumps/%c0%ae%c0%ae/CURRENT"]  # fmt: skip


@pytest.mark.parametrize("path", TRAVERSALS)
def test_no_traversal_out_of_dumps(published: Settings, path: str) -> None:
    from ld.web import create_app

    assert create_app(published).test_client().get(path).status_code == 404


def test_no_traversal_over_real_http(tmp_path: Path) -> None:
    """Raw request lines, as an attacker sends them (clients normalise '..' away)."""
    with serving_samples(tmp_path / "store") as site:
        host, port = site.base.split("//")[1].rstrip("/").split(":")
        for path in TRAVERSALS:
            connection = http.client.HTTPConnection(host, int(port), timeout=10)
            connection.request("GET", path)
            response = connection.getresponse()
            body = response.read()
            connection.close()
            assert response.status in (400, 404), path
            assert b"root:" not in body


def test_withdrawals_adjust_the_figures_exactly(
    published: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Withdraw adjusts the last figures rather than recounting: they must equal a recount."""
    from ld.pipeline.withdraw import withdraw
    from ld.store import statistics
    from ld.store.rdf import current_snapshot

    rows = [thesis(1), thesis(2), thesis(3, Institution="University of Manchester")]
    ingest(published, [csv_file(tmp_path, rows)], progress=False)
    recount = statistics.compute
    for key in ("uk.bl.ethos.1", "uk.bl.ethos.3", "uk.bl.ethos.232781"):
        with monkeypatch.context() as patched:
            patched.setattr(statistics, "compute", lambda snapshot: pytest.fail("withdraw recounted"))
            withdraw(published, key, None, "test")
        snapshot = current_snapshot(published.store)
        kept, counted = statistics.of_snapshot(snapshot), recount(snapshot)
        assert kept is not None
        for name in ("quads", "classes", "properties"):
            assert kept[name] == counted[name], (key, name)
        assert kept["examples"].keys() == counted["examples"].keys()
        db = ox.Store.read_only(str(snapshot))
        for cls, example in kept["examples"].items():
            assert db.query(f"ASK {{ GRAPH ?g {{ <{example}> a <{cls}> }} }}"), (cls, example)


def test_figures_are_recounted_when_primary_was_left_unpublished(
    published: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A writer that died before publishing leaves a marker: the old figures no longer describe primary."""
    from ld.pipeline.withdraw import withdraw
    from ld.store import statistics

    (published.store / "UNPUBLISHED").touch()
    counted = []
    recount = statistics.compute
    monkeypatch.setattr(statistics, "compute", lambda snapshot: counted.append(snapshot) or recount(snapshot))
    withdraw(published, "uk.bl.ethos.232781", None, "test")
    assert len(counted) == 1 and not (published.store / "UNPUBLISHED").exists()


@pytest.mark.parametrize(("range_header", "status", "part"), [
    ("bytes=10-19", 206, slice(10, 20)),  # one satisfiable range: that range
    ("bytes=-10", 206, slice(-10, None)),
    ("bytes=0-1,5-6", 200, slice(None)),  # several ranges: ignored, the whole file (RFC 9110 14.2)
    ("bytes=0-3,2-5", 200, slice(None)),
    ("items=0-5", 200, slice(None)),  # a unit we do not know: must be ignored
    ("bytes=abc", 200, slice(None)),  # not a range at all: ignored
    ("bytes=999999999-", 416, None),  # one range beyond the end: unsatisfiable
])  # fmt: skip
def test_dump_ranges_as_rfc_9110_says(published: Settings, range_header: str, status: int, part: slice | None) -> None:
    from ld.web import create_app

    dump(published)
    whole = (published.store / "dumps" / "ldpub.nq.gz").read_bytes()
    client = create_app(published).test_client()
    with client.get("/dumps/ldpub.nq.gz", headers={"Range": range_header}) as response:
        assert response.status_code == status, response.data[:200]
        if part is not None:
            assert response.data == whole[part]
        if status == 416:
            assert response.headers["Content-Range"] == f"bytes */{len(whole)}"


def test_relative_store_path_serves_dumps(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The default store, data/store, is relative: made absolute at startup, its dumps download."""
    from ld.web import create_app

    monkeypatch.chdir(tmp_path)
    settings = load_settings({"store": "data/store", "base": BASE, "jobs": 1}, environ={})
    assert settings.store == tmp_path.resolve() / "data" / "store"
    ingest(settings, [TEXT_SAMPLE, CSV_SAMPLE], progress=False)
    dump(settings)
    client = create_app(settings).test_client()
    monkeypatch.chdir(tmp_path.parent)  # a later change of directory changes nothing either
    for name in ("ldpub.nt.gz", "ldpub.ttl.gz", "ldpub.nq.gz", "SHA256SUMS", "dcat.ttl"):
        with client.get(f"/dumps/{name}") as response:
            assert response.status_code == 200, name
            assert response.data == (tmp_path / "data" / "store" / "dumps" / name).read_bytes()
    assert client.get("/doc/thesis/uk.bl.ethos.232781.ttl").status_code == 200


def test_no_published_triple_names_the_ingesting_machines_directories(settings: Settings, tmp_path: Path) -> None:
    """Provenance names the file; the directory (/home/alice/…) is nobody's business."""
    from ld.web import create_app

    folder = tmp_path / "home" / "alice" / "dumps"
    folder.mkdir(parents=True)
    files = [Path(shutil.copy(sample, folder)) for sample in (TEXT_SAMPLE, CSV_SAMPLE)]
    ingest(settings, files, progress=False)
    dump(settings)
    leaks = (str(folder), "alice", str(Path.cwd()))
    db = ReadStore(settings.store).db
    assert {q.object.value for q in db.quads_for_pattern(None, ox.NamedNode(f"{BASE}def/sourceFile"), None, None)} == {
        "mackin-2019.txt", "ethos-202310-first-row.csv"}  # fmt: skip
    for quad in db:
        assert not any(leak in str(term) for term in quad for leak in leaks), quad
    for written in (settings.store / "dumps").iterdir():
        data = written.read_bytes()
        text = (gzip.decompress(data) if written.name.endswith(".gz") else data).decode("utf-8")
        assert not any(leak in text for leak in leaks), written.name
    client = create_app(settings).test_client()
    for key in ("uk.bl.ethos.232781", "tcd3dc49c1347f397b166"):
        for suffix in ("ttl", "jsonld", "nt", "rdf", "html"):
            text = client.get(f"/doc/thesis/{key}.{suffix}").get_data(as_text=True)
            named = "ethos-202310-first-row.csv" in text or "mackin-2019.txt" in text
            assert named or suffix == "html", (key, suffix)  # pages do not show provenance
            assert not any(leak in text for leak in leaks), (key, suffix)
