"""Incremental re-ingest: raw records already published are recognised unread, and only
what changed is mapped, validated and written."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox

from ld.config import Settings
from ld.pipeline.ingest import ingest
from ld.pipeline.withdraw import withdraw
from ld.store.quarantine import Quarantine
from ld.store.rdf import ReadStore, WritableStore
from ld.store.sources import SourceDigests
from ld.vocab import DCT_IRI

from .conftest import BASE, CSV_SAMPLE, TEXT_SAMPLE
from .helpers import csv_file, thesis


def graph(settings: Settings, n: int) -> set[ox.Quad]:
    return set(ReadStore(settings.store).quads(f"{BASE}doc/thesis/uk.bl.ethos.{n}"))


def rows(count: int, **changes: dict[str, str]) -> list[dict]:
    """Theses 1..count; `changes` maps 'n<number>' to the fields that differ."""
    return [thesis(n, **changes.get(f"n{n}", {})) for n in range(1, count + 1)]


def test_a_rerun_recognises_every_published_record_unread(settings: Settings) -> None:
    first = ingest(settings, [TEXT_SAMPLE, CSV_SAMPLE], progress=False)
    again = ingest(settings, [TEXT_SAMPLE, CSV_SAMPLE], progress=False)
    assert (first.published_new, first.recognised) == (2, 0)
    assert (again.unchanged, again.recognised, again.published_new, again.published_updated) == (2, 2, 0, 0)
    assert again.reconciles() and again.exit_code == 0


def test_only_the_changed_rows_are_written(settings: Settings, tmp_path: Path) -> None:
    ingest(settings, [csv_file(tmp_path, rows(20))], progress=False)
    before = {n: graph(settings, n) for n in range(1, 21)}
    changed = {"n3": {"Title": "A corrected title"}, "n17": {"Abstract": "A longer abstract."}}
    summary = ingest(settings, [csv_file(tmp_path, rows(20, **changed))], progress=False)
    assert (summary.published_updated, summary.unchanged, summary.recognised) == (2, 18, 18)
    after = {n: graph(settings, n) for n in range(1, 21)}
    assert {n for n in after if after[n] != before[n]} == {3, 17}  # the rest keep even their dcterms:modified


def test_rows_that_moved_are_still_recognised(settings: Settings, tmp_path: Path) -> None:
    ingest(settings, [csv_file(tmp_path, rows(10))], progress=False)
    summary = ingest(settings, [csv_file(tmp_path, [thesis(11), *reversed(rows(10))])], progress=False)
    assert (summary.published_new, summary.recognised) == (1, 10)


def test_a_different_mapping_version_publishes_everything_again(settings: Settings, tmp_path: Path) -> None:
    dump = csv_file(tmp_path, rows(5))
    ingest(settings, [dump], progress=False)
    cc0 = "https://creativecommons.org/publicdomain/zero/1.0/"
    relicensed = settings.with_(license=cc0)
    summary = ingest(relicensed, [dump], progress=False)
    assert (summary.recognised, summary.published_updated) == (0, 5)  # the same rows now publish other triples
    doc = ox.NamedNode(f"{BASE}doc/thesis/uk.bl.ethos.1")
    licences = ReadStore(settings.store).db.quads_for_pattern(doc, ox.NamedNode(DCT_IRI + "license"), None, doc)
    assert [q.object.value for q in licences] == [cc0]
    assert ingest(relicensed, [dump], progress=False).recognised == 5


def test_a_withdrawn_record_is_not_recognised_but_published_again(settings: Settings, tmp_path: Path) -> None:
    dump = csv_file(tmp_path, rows(3))
    ingest(settings, [dump], progress=False)
    withdraw(settings, "uk.bl.ethos.2", None, "test")
    summary = ingest(settings, [dump], progress=False)
    assert (summary.published_new, summary.recognised) == (1, 2)
    assert ReadStore(settings.store).has_graph(f"{BASE}doc/thesis/uk.bl.ethos.2")


def test_a_known_record_held_back_by_this_run_is_quarantined_with_its_record(
    settings: Settings, tmp_path: Path
) -> None:
    ingest(settings, [csv_file(tmp_path, [thesis(7)])], progress=False)
    # A different record under the same id comes first and replaces it; the old row, read after, is a duplicate.
    summary = ingest(settings, [csv_file(tmp_path, [thesis(7, Title="Second edition"), thesis(7)])], progress=False)
    assert (summary.published_updated, summary.quarantined, summary.recognised) == (1, 1, 0)
    (held,) = Quarantine(settings.store).entries()
    assert held.record["title"] == "Thesis 7" and any("not unique" in f["message"] for f in held.findings)
    assert held.location.endswith("row 3 (line 3)")


def test_counts_still_reconcile_with_held_and_unreadable_rows(settings: Settings, tmp_path: Path) -> None:
    path = csv_file(tmp_path, [*rows(4), thesis(5, Date="1500")])
    with path.open("a", encoding="utf-8") as stream:
        stream.write('"broken,"row\n')
    first = ingest(settings.with_(jobs=2, batch_size=2), [path], progress=False)
    again = ingest(settings.with_(jobs=2, batch_size=2), [path], progress=False)
    counts = (again.read, again.published, again.quarantined, again.unreadable, again.recognised)
    assert counts == (first.read, first.published, first.quarantined, first.unreadable, 4) == (6, 4, 1, 1, 4)
    assert again.reconciles()


def test_withdrawal_forgets_the_raw_record(settings: Settings, tmp_path: Path) -> None:
    ingest(settings, [csv_file(tmp_path, rows(2))], progress=False)
    assert SourceDigests(settings.store).count() == 2
    withdraw(settings, "uk.bl.ethos.1", None, "test")
    assert SourceDigests(settings.store).count() == 1


def test_a_ledger_beside_an_empty_store_is_not_believed(settings: Settings, tmp_path: Path) -> None:
    dump = csv_file(tmp_path, rows(2))
    ingest(settings, [dump], progress=False)
    shutil.rmtree(settings.store / "primary")  # the data lost, the ledger kept
    summary = ingest(settings, [dump], progress=False)
    assert (summary.published_new, summary.recognised) == (2, 0)


def test_rows_with_bytes_that_are_not_utf8_are_digested_and_reported_alike(settings: Settings, tmp_path: Path) -> None:
    path = csv_file(tmp_path, rows(3))
    path.write_bytes(path.read_bytes().replace(b"Thesis 2", b"Thesis \xff2"))
    first = ingest(settings, [path], progress=False)
    again = ingest(settings, [path], progress=False)
    assert (again.read, again.published, again.quarantined, again.unreadable) == (
        first.read, first.published, first.quarantined, first.unreadable)  # fmt: skip
    assert again.reconciles() and again.recognised == first.published


def test_records_of_a_bulk_load_that_never_landed_are_read_again(settings: Settings, tmp_path: Path) -> None:
    """Ingest goes on while a bulk load lands (store.rdf.add_records), so the ledger of raw
    records may name records a killed process never stored: the next writer forgets them."""
    dump = csv_file(tmp_path, rows(5))
    ingest(settings, [dump], progress=False)
    # What a kill leaves mid-load: the journal naming the load's graphs (the store drops them on opening).
    (Path(settings.store) / "bulk-load.journal").write_text(
        f"{BASE}doc/thesis/uk.bl.ethos.2\n{BASE}doc/thesis/uk.bl.ethos.4"
    )
    WritableStore(settings.store, BASE).close()  # opened by a command without ledgers first: they still hear of it
    again = ingest(settings, [dump], progress=False)
    assert (again.published_new, again.unchanged, again.recognised) == (2, 3, 3)
    assert all(graph(settings, n) for n in range(1, 6))
