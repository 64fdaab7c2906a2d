"""One thesis, one current URI: a record published under a derived key, corrected and then
given its EThOS ID, stays one thesis; every key it had answers 301 to the current one,
and the change feed and the sitemap say so."""

from __future__ import annotations

from pathlib import Path

import pytest

from ld.config import Settings, load_settings
from ld.pipeline.ingest import ingest
from ld.store.rdf import ReadStore
from ld.web import create_app

from .conftest import BASE, FIXTURES

SEED = (FIXTURES / "mackin-2019.txt").read_text("utf-8")
CORRECTED = SEED.replace("experiences of peer support workers", "experience of peer support workers")  # one word
WITH_ID = CORRECTED.replace("EThOS ID:\xa0", "EThOS ID: uk.bl.ethos.999001")  # the page has a no-break space


def ingested(settings: Settings, tmp_path: Path, name: str, text: str):  # type: ignore[no-untyped-def]
    path = tmp_path / name
    path.write_text(text, "utf-8")
    return ingest(settings, [path], progress=False)


def theses(store: Path) -> set[str]:
    return {g.value.rsplit("/", 1)[-1] for g in ReadStore(store).db.named_graphs() if "/doc/thesis/" in g.value}


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings({"store": tmp_path / "store", "base": BASE, "jobs": 1}, environ={})


def test_corrected_then_identified_record_stays_one_thesis(settings: Settings, tmp_path: Path) -> None:
    assert CORRECTED != SEED and "uk.bl.ethos.999001" in WITH_ID
    ingested(settings, tmp_path, "seed.txt", SEED)
    (first,) = theses(settings.store)
    summary = ingested(settings, tmp_path, "corrected.txt", CORRECTED)
    assert (summary.published_new, summary.published_updated, summary.quarantined) == (0, 1, 0)
    (second,) = theses(settings.store)
    ingested(settings, tmp_path, "identified.txt", WITH_ID)
    assert theses(settings.store) == {"uk.bl.ethos.999001"} and first != second != "uk.bl.ethos.999001"

    client = create_app(settings).test_client()
    for old in (first, second):
        for path, target in ((f"/doc/thesis/{old}", "/doc/thesis/uk.bl.ethos.999001"),
                             (f"/doc/thesis/{old}.ttl", "/doc/thesis/uk.bl.ethos.999001.ttl"),
                             (f"/doc/thesis/{old}.jsonld", "/doc/thesis/uk.bl.ethos.999001.jsonld"),
                             (f"/id/thesis/{old}", "/doc/thesis/uk.bl.ethos.999001")):  # fmt: skip
            response = client.get(path, headers={"Accept": "text/turtle"})
            assert response.status_code == 301 and response.headers["Location"].endswith(target), path
    assert client.get("/doc/thesis/uk.bl.ethos.999001", headers={"Accept": "text/turtle"}).status_code == 200

    feed = client.get("/changes?page=1").get_json()["orderedItems"]
    kinds = [(item["type"], item["object"]["id"].rsplit("/", 1)[-1]) for item in feed]
    assert [k for k, _ in kinds].count("Create") == 1  # the seed's only
    assert ("Move", first) in kinds and ("Move", second) in kinds and ("Update", "uk.bl.ethos.999001") in kinds
    moves = {item["origin"].rsplit("/", 1)[-1]: item["target"]["id"] for item in feed if item["type"] == "Move"}
    assert moves[second].endswith("/id/thesis/uk.bl.ethos.999001")
    sitemap = client.get("/sitemap-1.xml").get_data(as_text=True)
    assert "uk.bl.ethos.999001" in sitemap and first not in sitemap and second not in sitemap


def test_a_doubtful_match_is_held_back_naming_the_thesis_it_resembles(settings: Settings, tmp_path: Path) -> None:
    ingested(settings, tmp_path, "seed.txt", SEED)
    (first,) = theses(settings.store)
    retitled = SEED.replace("experiences of peer support workers employed in mental health services",
                            "experiences of peer support workers in NHS trusts")  # fmt: skip
    summary = ingested(settings, tmp_path, "retitled.txt", retitled)
    assert summary.quarantined == 1 and theses(settings.store) == {first}
    from ld.store.quarantine import Quarantine

    with Quarantine(settings.store) as held:
        (entry,) = list(held.entries())
    assert any(f"id/thesis/{first}" in f["message"] for f in entry.findings), entry.findings


def test_a_short_title_under_another_name_is_not_taken_for_the_same_thesis(settings: Settings, tmp_path: Path) -> None:
    short = SEED.replace("Mental health and recovery : experiences of peer support workers employed in mental health "
                         "services", "Essays in economics")  # fmt: skip
    ingested(settings, tmp_path, "short.txt", short)
    (first,) = theses(settings.store)
    summary = ingested(settings, tmp_path, "other.txt", short.replace("Mackin, Michelle", "Macken, Michelle"))
    assert summary.quarantined == 1 and theses(settings.store) == {first}  # held, naming the candidate; not moved


def test_a_record_of_a_thesis_moved_earlier_in_the_same_ingest_is_held(settings: Settings, tmp_path: Path) -> None:
    ingested(settings, tmp_path, "seed.txt", SEED)
    (first,) = theses(settings.store)
    (tmp_path / "corrected.txt").write_text(CORRECTED, "utf-8")
    edited = SEED.replace("associations", "associations; peer support")
    (tmp_path / "edited.txt").write_text(edited, "utf-8")
    summary = ingest(settings, [tmp_path / "corrected.txt", tmp_path / "edited.txt"], progress=False)
    assert summary.reconciles() and summary.quarantined == 1
    (current,) = theses(settings.store)
    response = create_app(settings).test_client().get(f"/doc/thesis/{first}", headers={"Accept": "text/turtle"})
    assert current != first and response.status_code == 301  # the old key still leads to the current one
