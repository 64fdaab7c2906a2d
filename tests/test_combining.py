"""One thesis, several sources: the EThOS text page and a dump row of one thesis combine
into one record, whatever the order, in one ingest or two (README, "One thesis, several
sources").

`mackin-2019-dump-row.csv` is the thesis of `mackin-2019.txt` written as a row of the
EThOS CSV dump, with what the dump has and the page lacks (a subject discipline, the
repository's URL); the page has what the row lacks (Dewey class, keyword, qualification
level, current institution).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ld.config import load_settings
from ld.pipeline.ingest import ingest
from ld.pipeline.withdraw import withdraw
from ld.store.contributions import Contributions
from ld.store.rdf import ReadStore

from .conftest import BASE, FIXTURES

TEXT, ROW = FIXTURES / "mackin-2019.txt", FIXTURES / "mackin-2019-dump-row.csv"
KEY = "tcd3dc49c1347f397b166"
DOC = f"{BASE}doc/thesis/{KEY}"
MODIFIED = "http://purl.org/dc/terms/modified"
ORDERS = {
    "text-then-row, one run": [[TEXT, ROW]],
    "row-then-text, one run": [[ROW, TEXT]],
    "text-then-row, two runs": [[TEXT], [ROW]],
    "row-then-text, two runs": [[ROW], [TEXT]],
}


def published(store: Path) -> set[tuple[str, str, str]]:
    """The thesis's graph, but for the time it was written."""
    db = ReadStore(store).db
    return {(q.subject.value, q.predicate.value, str(q.object)) for q in db
            if q.graph_name.value == DOC and q.predicate.value != MODIFIED}  # fmt: skip


def ingested(tmp_path: Path, runs: list[list[Path]]) -> Path:
    settings = load_settings({"store": tmp_path / "store", "base": BASE, "jobs": 1}, environ={})
    for files in runs:
        summary = ingest(settings, files, progress=False)
        assert summary.reconciles() and summary.quarantined == 0, summary.lines()
    return settings.store


@pytest.fixture(scope="module")
def graphs(tmp_path_factory) -> dict[str, set]:  # type: ignore[no-untyped-def]
    return {name: published(ingested(tmp_path_factory.mktemp("order"), runs)) for name, runs in ORDERS.items()}


def test_every_order_gives_the_same_graph(graphs: dict[str, set]) -> None:
    first = graphs["text-then-row, one run"]
    for name, graph in graphs.items():
        assert graph == first, (name, sorted(graph ^ first))


def test_no_source_loses_a_field_and_provenance_says_who_gave_what(graphs: dict[str, set]) -> None:
    graph = graphs["row-then-text, two runs"]
    values = {(p.rsplit("/", 1)[-1].rsplit("#", 1)[-1], o) for _, p, o in graph}
    assert ("subject", f"<{BASE}id/concept/ddc/360>") in values  # from the page
    assert ("qualificationLevel", '"Doctoral"') in values  # from the page
    discipline = f"<{BASE}id/concept/discipline/social-economic-and-political-studies>"
    assert ("subjectDiscipline", discipline) in values  # from the row
    assert ("page", "<http://repository.londonmet.ac.uk/5114/>") in values  # from the row
    sources = {o.strip("<>") for s, p, o in graph if s == DOC and p.endswith("wasDerivedFrom")}
    assert sources == {f"{DOC}#source-ethos-text", f"{DOC}#source-ethos-csv"}
    gave = {(s.rsplit("-", 1)[-1], o.strip('"')) for s, p, o in graph if p.endswith("/gave")}
    assert ("text", "ddc") in gave and ("csv", "subject_discipline") in gave and ("text", "title") in gave


def test_a_new_version_of_one_source_is_combined_with_the_other(tmp_path: Path) -> None:
    store = ingested(tmp_path, [[TEXT], [ROW]])
    corrected = tmp_path / "row.csv"
    corrected.write_text(ROW.read_text("utf-8").replace("Social, Economic & Political Studies", "Psychology"), "utf-8")
    ingested(tmp_path, [[corrected]])
    values = {o for _, _, o in published(store)}
    assert f"<{BASE}id/concept/discipline/psychology>" in values and f"<{BASE}id/concept/ddc/360>" in values
    with Contributions(store) as kept:
        assert set(kept.of([KEY])[KEY]) == {"ethos-text", "ethos-csv"}


def test_withdrawing_forgets_the_sources(tmp_path: Path) -> None:
    store = ingested(tmp_path, [[TEXT, ROW]])
    withdraw(load_settings({"store": store, "base": BASE, "jobs": 1}, environ={}), KEY, None, "test")
    with Contributions(store) as kept:
        assert kept.of([KEY]) == {}


def test_an_unchanged_source_read_again_beside_a_new_one_keeps_the_combination(tmp_path: Path) -> None:
    store = ingested(tmp_path, [[TEXT], [ROW, TEXT]])  # the page again, unchanged, after the row
    values = {o for _, _, o in published(store)}
    assert f"<{BASE}id/concept/ddc/360>" in values and "<http://repository.londonmet.ac.uk/5114/>" in values


def test_a_third_record_in_one_fresh_ingest_still_combines(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import ld.pipeline.ingest as ingesting

    monkeypatch.setattr(ingesting, "COMMIT_RECORDS", 1)  # every record its own commit
    settings = load_settings({"store": tmp_path / "store", "base": BASE, "jobs": 1, "batch_size": 1}, environ={})
    copy = tmp_path / "copy.txt"
    copy.write_text(TEXT.read_text("utf-8"), "utf-8")
    assert ingest(settings, [TEXT, ROW, copy], progress=False).quarantined == 0
    values = {o for _, _, o in published(settings.store)}
    assert "<http://repository.londonmet.ac.uk/5114/>" in values and f"<{BASE}id/concept/ddc/360>" in values
