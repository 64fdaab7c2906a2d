"""Readers never see the future: the change log, sitemaps and search show only what the
published snapshot holds, and the next writer repairs what a crashed one left behind."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from ld.config import Settings
from ld.pipeline.ingest import ingest
from ld.search import SearchIndex
from ld.store import rdf
from ld.store.changes import ChangeLog
from ld.store.rdf import ReadStore, WritableStore, current_snapshot
from ld.web import create_app

from .conftest import BASE, CSV_SAMPLE, TEXT_SAMPLE

LOIZOU = "uk.bl.ethos.232781"


def listed(settings: Settings) -> dict[str, set[str]]:
    client = create_app(settings).test_client()
    hits = client.get("/search.json?size=100").get_json()["hits"]
    sitemap = client.get("/sitemap-1.xml").get_data(True)
    oai = client.get("/oai?verb=ListIdentifiers&metadataPrefix=oai_dc").get_data(True)
    feed = client.get("/changes?page=1").get_json()["orderedItems"]
    return {
        "search": {h["url"].rsplit("/", 1)[-1] for h in hits},
        "changes": {i["object"]["url"].rsplit("/", 1)[-1] for i in feed},
        "sitemap": {k for k in (LOIZOU, "tcd3dc49c1347f397b166") if k in sitemap},
        "oai": {k for k in (LOIZOU,) if k in oai},
    }  # fmt: skip


def test_a_crashed_writers_events_stay_hidden_and_are_dropped_by_the_next_writer(settings: Settings) -> None:
    ingest(settings, [TEXT_SAMPLE], progress=False)
    log = ChangeLog(settings.store)
    log.record([(LOIZOU, "Create")])  # logged, then the writer died before writing the store
    log.close()
    before = listed(settings)
    assert all(LOIZOU not in found for found in before.values()), before
    summary = ingest(settings, [], progress=False)  # the next writer
    assert summary.read == 0
    log = ChangeLog(settings.store)
    assert [e.key for e in log.after(0)] == ["tcd3dc49c1347f397b166"]  # the orphan event is gone
    log.close()


def test_records_written_but_not_published_appear_only_once_a_snapshot_holds_them(settings: Settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    reference = settings.with_(store=tmp_path / "reference")
    ingest(reference, [CSV_SAMPLE], progress=False)
    graph = f"{BASE}doc/thesis/{LOIZOU}"
    source = ox.Store.read_only(str(current_snapshot(reference.store)))
    ntriples = ox.serialize([q.triple for q in source.quads_for_pattern(None, None, None, ox.NamedNode(graph))],
                            format=ox.RdfFormat.N_TRIPLES).decode()  # fmt: skip
    del source
    ingest(settings, [TEXT_SAMPLE], progress=False)
    log = ChangeLog(settings.store)
    log.record([(LOIZOU, "Create")])
    log.close()
    with WritableStore(settings.store, BASE) as store:  # the write committed; then the writer died
        store.add_records([(graph, ntriples)])
    assert not any(LOIZOU in found for found in listed(settings).values())
    assert create_app(settings).test_client().get(f"/doc/thesis/{LOIZOU}").status_code == 404
    ingest(settings, [], progress=False)  # the next writer publishes it, search rows read from the store
    after = listed(settings)
    assert all(LOIZOU in found for found in after.values()), after
    assert create_app(settings).test_client().get(f"/doc/thesis/{LOIZOU}").status_code == 200


def test_a_writer_killed_between_its_first_snapshot_and_the_search_index_is_repaired(
    settings: Settings, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """The first snapshot published, then the writer died before the index was written: the
    next writer (which finds nothing new to ingest) must still fill the index from the store."""

    def die(*_args: object) -> None:
        raise KeyboardInterrupt

    with monkeypatch.context() as patched:
        patched.setattr(SearchIndex, "apply", die)
        try:
            ingest(settings, [TEXT_SAMPLE], progress=False)
        except KeyboardInterrupt:
            pass
    assert listed(settings)["search"] == set()
    ingest(settings, [TEXT_SAMPLE], progress=False)  # unchanged: nothing of its own to index
    assert listed(settings)["search"] == {"tcd3dc49c1347f397b166"}


def _snapshot_superseded_by_a_compaction(settings: Settings) -> tuple[WritableStore, Path]:
    """An open writer whose store's first snapshot is superseded and pins files that a
    compaction replaced; and that snapshot."""
    ingest(settings, [CSV_SAMPLE], progress=False)
    first = current_snapshot(settings.store)
    assert first is not None
    store = WritableStore(settings.store, BASE)
    title = "<http://purl.org/dc/terms/title>"
    store.add_records([(f"{BASE}doc/thesis/x{n}", f'<{BASE}id/thesis/x{n}> {title} "T{n}" .\n') for n in range(50)])
    store.db.flush()
    store.db.optimize()
    store.publish_snapshot()
    return store, first


def test_superseded_snapshots_go_at_once_when_nobody_reads_the_store(settings: Settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A writer that ends with a superseded snapshot pinning disk need not wait out the
    grace (30 s) for readers that do not exist."""
    store, first = _snapshot_superseded_by_a_compaction(settings)
    slept: list[float] = []
    monkeypatch.setattr(rdf, "SETTLE_BYTES", 0)
    monkeypatch.setattr(rdf.time, "sleep", slept.append)
    with store:
        store.settle()
    assert not first.exists() and slept == []
    assert current_snapshot(settings.store).is_dir()  # type: ignore[union-attr]


def test_superseded_snapshots_wait_out_their_grace_while_a_reader_lives(settings: Settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A web worker may have read CURRENT just before the writer published: the snapshot it
    named stays for the grace, however long the writer would rather not wait."""
    store, first = _snapshot_superseded_by_a_compaction(settings)
    reader = ReadStore(settings.store)
    assert reader.has_graph(f"{BASE}doc/thesis/x1")  # reading: holds the readers' lock
    slept: list[float] = []
    monkeypatch.setattr(rdf, "SETTLE_BYTES", 0)
    monkeypatch.setattr(rdf.time, "sleep", slept.append)  # the grace not waited here: the snapshot stays
    with store:
        store.settle()
    assert first.exists() and len(slept) == 1 and 0 < slept[0] <= rdf.SUPERSEDED_GRACE_NS / 1e9
    del reader
    with WritableStore(settings.store, BASE) as store:
        store.settle()  # the reader gone: now at once
    assert not first.exists()
