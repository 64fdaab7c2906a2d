"""Ingest: publish or quarantine, idempotent re-ingest, replacement, and counts that reconcile."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox

from ld.config import Settings
from ld.pipeline.ingest import ingest
from ld.store.quarantine import Quarantine
from ld.store.rdf import ReadStore

from .conftest import BASE, CSV_SAMPLE, TEXT_SAMPLE
from .helpers import csv_file, thesis

DOC = f"{BASE}doc/thesis/uk.bl.ethos.232781"
MODIFIED = ox.NamedNode("http://purl.org/dc/terms/modified")


def quads(settings: Settings, graph: str) -> set:
    return set(ReadStore(settings.store).quads(graph))


def modified(settings: Settings, graph: str) -> str:
    db = ReadStore(settings.store).db
    (quad,) = db.quads_for_pattern(ox.NamedNode(graph), MODIFIED, None, ox.NamedNode(graph))
    return quad.object.value


def test_samples_publish_and_reconcile(published: Settings) -> None:
    assert quads(published, DOC)
    assert ReadStore(published.store).has_graph(DOC)


def test_same_file_twice_changes_nothing(published: Settings) -> None:
    before = quads(published, DOC)
    summary = ingest(published, [TEXT_SAMPLE, CSV_SAMPLE], progress=False)
    assert (summary.unchanged, summary.published_new, summary.published_updated) == (2, 0, 0)
    assert quads(published, DOC) == before  # modification time included


def test_changed_record_replaces_its_graph(settings: Settings, tmp_path: Path) -> None:
    ingest(settings, [csv_file(tmp_path, [thesis(1)])], progress=False)
    graph = f"{BASE}doc/thesis/uk.bl.ethos.1"
    first = modified(settings, graph)
    summary = ingest(settings, [csv_file(tmp_path, [thesis(1, Title="Corrected title")])], progress=False)
    assert summary.published_updated == 1
    titles = [q.object.value for q in quads(settings, graph) if q.predicate.value.endswith("/title")]
    assert titles == ["Corrected title"]
    assert modified(settings, graph) >= first


def test_violations_are_quarantined_with_report_and_counts_reconcile(settings: Settings, tmp_path: Path) -> None:
    rows = [thesis(1), thesis(2, Date="1500"), thesis(3, **{"Author ISNI": "https://isni.org/isni/0000000136122594"})]
    path = csv_file(tmp_path, rows)
    with path.open("a", encoding="utf-8") as stream:
        stream.write('"broken,"row\n')  # a row with the wrong number of fields
    summary = ingest(settings, [path], progress=False)
    assert (summary.read, summary.published, summary.quarantined, summary.unreadable) == (4, 1, 2, 1)
    assert summary.reconciles() and summary.exit_code == 1
    q = Quarantine(settings.store)
    held = {h.key: h for h in q.entries()}
    assert set(held) == {"uk.bl.ethos.2", "uk.bl.ethos.3"}
    assert any("before 1600" in f["message"] for f in held["uk.bl.ethos.2"].findings)
    assert any("check character" in f["message"] for f in held["uk.bl.ethos.3"].findings)
    assert held["uk.bl.ethos.2"].location.endswith("row 3 (line 3)")
    assert not ReadStore(settings.store).has_graph(f"{BASE}doc/thesis/uk.bl.ethos.2")  # out of public view
    assert len(q.unreadable()) == 1 and "row 5" in q.unreadable()[0][0]


def test_fixed_record_leaves_quarantine(settings: Settings, tmp_path: Path) -> None:
    ingest(settings, [csv_file(tmp_path, [thesis(2, Date="1500")])], progress=False)
    ingest(settings, [csv_file(tmp_path, [thesis(2, Date="1950")])], progress=False)
    assert Quarantine(settings.store).count() == 0


def test_two_different_records_with_one_ethos_id_are_not_both_published(settings: Settings, tmp_path: Path) -> None:
    summary = ingest(settings, [csv_file(tmp_path, [thesis(7), thesis(7, Title="Impostor")])], progress=False)
    assert (summary.published, summary.quarantined) == (1, 1)
    (held,) = Quarantine(settings.store).entries()
    assert any("not unique" in f["message"] for f in held.findings)


def test_worker_processes_give_the_same_result(settings: Settings, tmp_path: Path) -> None:
    path = csv_file(tmp_path, [thesis(n) for n in range(1, 60)] + [thesis(99, Date="1066")])
    with path.open("a", encoding="utf-8") as stream:
        stream.write('"broken,"row\n')  # parsed, and found unreadable, in a worker
    summary = ingest(settings.with_(jobs=2, batch_size=7), [path], progress=False)
    assert (summary.published, summary.quarantined, summary.unreadable) == (59, 1, 1) and summary.reconciles()


def test_the_workers_module_and_the_main_module_leave_out_the_store_web_and_command_line() -> None:
    """An ingest worker imports the program's main module and its work's module (workers.py):
    neither may bring the writer's or the server's machinery into each worker's memory."""
    code = (
        "import sys, ld.__main__, ld.pipeline.processing; "
        "print(' '.join(m for m in ('flask', 'ld.cli', 'ld.pipeline.writer', 'ld.store.rdf', 'ld.web') "
        "if m in sys.modules))"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert loaded.split() == []
