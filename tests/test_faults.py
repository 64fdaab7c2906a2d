"""Bad input and faults (shared/reference/security.md): fuzzed readers, kill -9 during ingest,
and serving with two workers while an ingest writes the same store."""

from __future__ import annotations

import random
import re
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path

import pytest
import requests
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from ld.model.records import ReadError, Record
from ld.sources import read_file
from ld.sources.ethos_csv import COLUMNS_2021
from ld.sources.ethos_text import LABELS
from ld.store.rdf import WritableStore

from .conftest import BASE
from .helpers import csv_file, thesis
from .servers import ldpub, serving_samples, status, wait_until

FUZZ = hsettings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
LINE_BITS = st.sampled_from([f"{label}:" for label in LABELS] + [
    "Use this URL to cite or link to this record in EThOS:", "Sponsor:", "Qualification Level:", "DOI:",
    "Not available", "\u00a0", ":", ";", "uk.bl.ethos.", "0000 0001 2166 2407", "\x00", "\r", "\ufeff",
])  # fmt: skip
CSV_BITS = st.sampled_from([",", '"', '""', "\n", "\r\n", " ", "https://isni.org/isni/", "uk.bl.ethos.1", "1999",
                            "Thesis (Ph.D.)", "\udcff", ";", "x" * 50])  # fmt: skip


def read_all(reader: str, path: Path) -> list:
    return list(read_file(path, reader))  # the units-then-parse path ingest takes


def assert_only_records_or_located_errors(items: list, path: Path) -> None:
    for item in items:
        assert isinstance(item, (Record, ReadError)), item
        if isinstance(item, ReadError):
            assert item.location.source == str(path)
            assert item.location.line is not None or item.location.row is not None


@FUZZ
@given(data=st.binary(max_size=2000))
def test_text_reader_fuzz_bytes(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "fuzz.txt"
    path.write_bytes(data)
    assert_only_records_or_located_errors(read_all("ethos-text", path), path)


@FUZZ
@given(parts=st.lists(st.one_of(LINE_BITS, st.text(max_size=30)), max_size=60))
def test_text_reader_fuzz_structured(tmp_path: Path, parts: list[str]) -> None:
    path = tmp_path / "fuzz.txt"
    path.write_text("\n".join(parts), "utf-8", errors="surrogatepass")
    assert_only_records_or_located_errors(read_all("ethos-text", path), path)


XML_BITS = st.sampled_from(["<", ">", "</", "<uketd_dc:uketddc xmlns:uketd_dc='http://naca.central.cranfield.ac.uk/ethos-oai/2.0/' xmlns:dc='http://purl.org/dc/elements/1.1/'>",
                            "</uketd_dc:uketddc>", "<dc:title>", "</dc:title>", "<dc:creator>", "</dc:creator>", "&amp;", "&e;",
                            "<!DOCTYPE x>", "<![CDATA[", "]]>", "<record><header status='deleted'/></record>", "\x00", " "])  # fmt: skip


@FUZZ
@given(parts=st.lists(st.one_of(XML_BITS, st.text(max_size=20)), max_size=80))
def test_uketd_reader_fuzz_structured(tmp_path: Path, parts: list[str]) -> None:
    path = tmp_path / "fuzz.xml"
    path.write_bytes("".join(parts).encode("utf-8", errors="surrogateescape"))
    assert_only_records_or_located_errors(read_all("uketd-dc", path), path)


@FUZZ
@given(data=st.binary(max_size=2000))
def test_uketd_reader_fuzz_bytes(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "fuzz.xml"
    path.write_bytes(b"<uketd_dc:uketddc xmlns:uketd_dc='http://naca.central.cranfield.ac.uk/ethos-oai/2.0/'>" + data)
    assert_only_records_or_located_errors(read_all("uketd-dc", path), path)


@FUZZ
@given(data=st.binary(max_size=2000))
def test_csv_reader_fuzz_bytes(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "fuzz.csv"
    path.write_bytes(",".join(COLUMNS_2021).encode() + b"\n" + data)
    assert_only_records_or_located_errors(read_all("ethos-csv", path), path)


@FUZZ
@given(parts=st.lists(st.one_of(CSV_BITS, st.text(max_size=20)), max_size=200))
def test_csv_reader_fuzz_structured(tmp_path: Path, parts: list[str]) -> None:
    path = tmp_path / "fuzz.csv"
    body = ",".join(COLUMNS_2021) + "\n" + "".join(parts)
    path.write_bytes(body.encode("utf-8", errors="surrogateescape"))
    assert_only_records_or_located_errors(read_all("ethos-csv", path), path)


def graph_sizes(store_dir: Path) -> Counter:
    store = WritableStore(store_dir, BASE)  # opening recovers an interrupted bulk load
    try:
        return Counter(q.graph_name.value for q in store.db.quads_for_pattern(None, None, None, None))
    finally:
        store.close()


@pytest.mark.slow
def test_kill_9_during_ingest_leaves_whole_records_and_a_rerun_completes(tmp_path: Path) -> None:
    path = csv_file(tmp_path, [thesis(n) for n in range(1, 3001)])
    store = tmp_path / "store"
    reference = tmp_path / "reference"
    subprocess.run(ldpub("ingest", "--no-progress", "--store", str(reference), "--jobs", "1", str(path)), check=True,
                   capture_output=True)  # fmt: skip
    expected = graph_sizes(reference)
    rng = random.Random(9)
    for _ in range(5):
        child = subprocess.Popen(ldpub("ingest", "--no-progress", "--store", str(store), "--jobs", "1",
                                       "--batch-size", "50", str(path)), stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)  # fmt: skip
        time.sleep(rng.uniform(1.0, 4.0))
        child.send_signal(signal.SIGKILL)
        child.wait()
        assert_readers_list_only_what_they_can_dereference(store)
        found = graph_sizes(store)
        assert all(found[g] == expected[g] for g in found), "a record was stored in part"
    done = subprocess.run(ldpub("ingest", "--no-progress", "--store", str(store), "--jobs", "1", str(path)),
                          capture_output=True, text=True)  # fmt: skip
    assert done.returncode == 0 and "counts reconcile" in done.stdout
    assert graph_sizes(store) == expected
    assert assert_readers_list_only_what_they_can_dereference(store) == 3000


def assert_readers_list_only_what_they_can_dereference(store: Path) -> int:
    """Search, /changes and the sitemaps list no record the published snapshot lacks (a kill -9
    once left ~9,500 listed records answering 404); returns how many theses search lists."""
    from ld.config import load_settings
    from ld.web import create_app

    if not (store / "CURRENT").exists():  # killed before the first snapshot: nothing is served yet
        return 0
    client = create_app(load_settings({"store": store, "base": BASE}, environ={})).test_client()
    listed: dict[str, set[int]] = {}  # document path -> statuses it may answer
    searched = client.get("/search.json?size=100").get_json()
    for page in range(1, (searched["total"] + 99) // 100 + 1):
        for hit in client.get(f"/search.json?size=100&page={page}").get_json()["hits"]:
            listed[hit["url"]] = {200}
    feed = client.get("/changes").get_json()
    for page in range(1, -(-feed["totalItems"] // 100) + 1):
        for item in client.get(f"/changes?page={page}").get_json()["orderedItems"]:
            listed.setdefault(item["object"]["url"].removeprefix(BASE.rstrip("/")), {200, 410})
    sitemap = client.get("/sitemap-1.xml").get_data(as_text=True)
    for url in re.findall(r"<loc>([^<]+)</loc>", sitemap):
        listed[url.removeprefix(BASE.rstrip("/"))] = {200}
    for path, statuses in listed.items():
        assert client.get(path).status_code in statuses, f"{path} is listed but not served"
    return searched["total"]


@pytest.mark.slow
def test_two_workers_serve_while_an_ingest_writes(tmp_path: Path) -> None:
    store = tmp_path / "store"
    with serving_samples(store, workers=2) as site:
        base, env = site.base, site.env
        known = f"{base}doc/thesis/uk.bl.ethos.232781"
        path = csv_file(tmp_path, [thesis(n) for n in range(1, 1501)])
        ingest = subprocess.Popen(ldpub("ingest", "--no-progress", "--batch-size", "100", str(path)), env=env,
                                  stdout=subprocess.PIPE, text=True)  # fmt: skip
        answers, totals = [], []
        while ingest.poll() is None:
            answers.append(status(known))
            search = requests.get(f"{base}search.json", params={"size": "1", "decade": "2000s"}, timeout=10)
            answers.append(search.status_code)
            totals.append(search.json()["total"])
        out, _ = ingest.communicate()
        assert ingest.returncode == 0 and "published:   1500" in out
        assert set(answers) <= {200}, Counter(answers)
        assert len(set(totals)) > 1  # searches saw the ingest's commits as they landed
        # Every worker's facet arrays caught up: the total and the facet count agree, request after request.
        for _ in range(6):
            data = requests.get(f"{base}search.json", params={"size": "1"}, timeout=10).json()
            assert data["total"] == 1502 and sum(f["count"] for f in data["facets"]["decade"]) == 1502
        assert wait_until(lambda: status(f"{base}doc/thesis/uk.bl.ethos.1500") == 200, 5)
        assert status(f"{base}id/thesis/uk.bl.ethos.750") == 200  # follows the 303
    sizes = graph_sizes(store)
    assert all(f"{base}doc/thesis/uk.bl.ethos.{n}" in sizes for n in range(1, 1501))
