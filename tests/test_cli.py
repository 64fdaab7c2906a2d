"""The `ldpub` command line: exit codes, reports and listings a person acts on."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
from click.testing import CliRunner
from rdflib import Dataset, Graph

from ld.cli import main

from .conftest import CSV_SAMPLE, TEXT_SAMPLE
from .helpers import csv_file, thesis


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), env={"LDPUB_JOBS": "1"})
    return result.exit_code, result.output


def test_ingest_exit_codes_and_summary(tmp_path: Path) -> None:
    store = str(tmp_path / "store")
    code, out = run("ingest", "--store", store, "--no-progress", str(TEXT_SAMPLE), str(CSV_SAMPLE))
    assert code == 0 and "published:   2" in out and "counts reconcile" in out
    bad = csv_file(tmp_path, [thesis(5, Date="3000")])
    code, out = run("ingest", "--store", store, "--no-progress", str(bad))
    assert code == 1 and "quarantined: 1" in out


def test_quarantine_list_and_show(tmp_path: Path) -> None:
    store = str(tmp_path / "store")
    run("ingest", "--store", store, "--no-progress", str(csv_file(tmp_path, [thesis(5, Date="3000")])))
    code, out = run("quarantine", "list", "--store", store)
    assert code == 0 and out.startswith("uk.bl.ethos.5\t") and "in the future" in out
    code, out = run("quarantine", "show", "uk.bl.ethos.5", "--store", store)
    assert code == 0 and "Violation" in out and "title: Thesis 5" in out and "row 2" in out
    code, out = run("quarantine", "show", "uk.bl.ethos.5", "--store", store, "--output", "json")
    assert json.loads(out)["findings"][0]["severity"] == "Violation"
    code, _ = run("quarantine", "show", "nope", "--store", store)
    assert code == 1


def test_validate_reports_without_publishing(tmp_path: Path) -> None:
    path = csv_file(tmp_path, [thesis(1), thesis(2, Date="1500")])
    code, out = run("validate", str(path))
    assert code == 1
    line = next(x for x in out.splitlines() if x.startswith("Violation"))
    assert "uk.bl.ethos.2" in line and "row 3" in line and "issued" in line and "before 1600" in line
    code, out = run("validate", "--output", "turtle", str(path))
    report = Graph().parse(data=out.split("\n2 records")[0], format="turtle")
    assert len(report) > 5
    code, out = run("validate", str(CSV_SAMPLE))
    assert code == 0 and "Warning" in out


def test_export_round_trips(tmp_path: Path) -> None:
    store = str(tmp_path / "store")
    run("ingest", "--store", store, "--no-progress", str(TEXT_SAMPLE), str(CSV_SAMPLE))
    out_nq, out_ttl = tmp_path / "all.nq", tmp_path / "all.ttl"
    assert run("export", "--store", store, "--format", "nq", "-o", str(out_nq))[0] == 0
    assert run("export", "--store", store, "--format", "ttl", "-o", str(out_ttl))[0] == 0
    dataset = Dataset().parse(out_nq, format="nquads")
    assert len(list(dataset.graphs())) >= 2
    union = Graph().parse(out_ttl)
    assert len(union) == len({(s, p, o) for s, p, o, _ in dataset.quads()})


def test_export_of_an_empty_store_says_what_to_do(tmp_path: Path) -> None:
    code, out = run("export", "--store", str(tmp_path / "nothing"))
    assert code == 3 and "ldpub ingest" in out


def test_bad_base_is_a_usage_error(tmp_path: Path) -> None:
    code, out = run("ingest", "--base", "no-slash", "--store", str(tmp_path), str(CSV_SAMPLE))
    assert code == 2 and "base" in out


def test_stats_accounts_for_every_byte_of_the_store_once(tmp_path: Path) -> None:
    store = tmp_path / "store"
    run("ingest", "--store", str(store), "--no-progress", str(TEXT_SAMPLE), str(CSV_SAMPLE))
    code, out = run("stats", "--store", str(store), "--json")
    figures = json.loads(out)
    inodes = {f.stat().st_ino: f.stat().st_size for f in store.rglob("*") if f.is_file()}
    assert code == 0 and figures["bytes"] == sum(inodes.values()) == sum(p["bytes"] for p in figures["parts"].values())
    assert figures["parts"]["primary"]["bytes"] > 0 and figures["parts"]["sources"]["files"] >= 1
    assert figures["quads"] == len(ox.Store.read_only(str(store / "primary")))
    code, out = run("stats", "--store", str(store))
    assert code == 0 and "snapshots" in out and "search" in out and "published: " in out and "2 theses" in out


def test_stats_of_no_store_says_so(tmp_path: Path) -> None:
    code, out = run("stats", "--store", str(tmp_path / "nothing"))
    assert code == 3 and "no store here" in out


def test_the_store_remembers_its_base(tmp_path: Path) -> None:
    store, base = str(tmp_path / "store"), "https://theses.example.ac.uk/"
    code, _ = run("ingest", "--store", store, "--base", base, "--no-progress", str(CSV_SAMPLE))
    assert code == 0 and (tmp_path / "store" / "BASE").read_text().strip() == base
    code, out = run("export", "--store", store, "--format", "ttl")  # no --base: the store's, not the default
    assert code == 0 and f"@prefix ldpub: <{base}def/>" in out and "127.0.0.1" not in out
    result = CliRunner().invoke(main, ["stats", "--store", store, "--base", "http://other.example/"],
                                env={"LDPUB_JOBS": "1"})  # fmt: skip
    assert result.exit_code == 0 and f"holds data published under {base}" in result.stderr


def test_a_held_record_read_again_from_another_file_is_held_once(tmp_path: Path) -> None:
    store = str(tmp_path / "store")
    rows = [thesis(5, Date="3000")]
    for name in ("ethos-2023-10.csv", "ethos-2023-11.csv"):  # next month's dump, same bad row
        run("ingest", "--store", store, "--no-progress", str(csv_file(tmp_path, rows, name)))
    code, out = run("quarantine", "list", "--store", store)
    assert code == 0 and out.count("uk.bl.ethos.5\t") == 1 and "ethos-2023-11.csv" in out
