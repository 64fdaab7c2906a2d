"""The search index itself: rows read from published RDF, and readers following a writer."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from ld.model.mapping import Mapper
from ld.model.records import Record
from ld.search import Facet, IndexRow, SearchIndex, from_oxigraph, from_rdflib, index_row

from .conftest import BASE, FIXTURES, replace

OWN = BASE + "def/"


def row_of(mapper: Mapper, record: Record) -> IndexRow:
    row = index_row(OWN, from_rdflib(mapper.map(record).triples))
    assert row is not None
    return row


def test_row_holds_what_people_search_for(mapper: Mapper, loizou: Record) -> None:
    row = row_of(mapper, loizou)
    assert row.key == "uk.bl.ethos.232781" and row.year == 1989
    assert row.title.startswith("Computation and measurement of turbulent flow")
    assert row.people == "Loizou, Panos A." and row.institution == "University of Manchester"
    assert set(row.facets) == {
        Facet("year", "1989", "1989"), Facet("decade", "1980s", "1980s"),
        Facet("institution", "University of Manchester", "University of Manchester",
              BASE + "id/org/isni/0000000121662407"),
        Facet("degree", "Doctor of Philosophy", "Doctor of Philosophy", "http://purl.org/ontology/bibo/degrees/phd"),
        Facet("discipline", "Physical Sciences", "Physical Sciences", BASE + "id/concept/discipline/physical-sciences"),
    }  # fmt: skip


def test_row_from_the_store_equals_row_from_the_mapping(mapper: Mapper, mackin: Record) -> None:
    """`ldpub reindex` reads pyoxigraph quads; ingest reads rdflib triples: one row either way."""
    stored = ox.parse(path=str(FIXTURES / "expected" / "mackin.ttl"), format=ox.RdfFormat.TURTLE)
    from_store = index_row(OWN, from_oxigraph(ox.Quad(t.subject, t.predicate, t.object) for t in stored))
    assert from_store == row_of(mapper, mackin)
    assert from_store.facet("ddc") == Facet("ddc", "300", "300 Social sciences")
    assert "associations" in from_store.keywords and "Social problems & services" in from_store.keywords


def test_graph_without_a_thesis_has_no_row() -> None:
    assert index_row(OWN, [(BASE + "id/org/x", "http://xmlns.com/foaf/0.1/name", "X")]) is None


def test_odd_dates_give_no_year(mapper: Mapper, loizou: Record) -> None:
    row = row_of(mapper, replace(loizou, date=None))
    assert row.year is None and row.facet("year") is None and row.facet("decade") is None


@pytest.fixture
def pair(tmp_path: Path):  # type: ignore[no-untyped-def]
    writer, reader = SearchIndex(tmp_path), SearchIndex(tmp_path)
    yield writer, reader
    writer.close()
    reader.close()


def found(index: SearchIndex, text: str = "", **filters: str) -> list[str]:
    return [h.key for h in index.search(text, filters, 1, 50).hits]


def test_reader_follows_upserts_replacements_deletes_and_rebuilds(pair, mapper: Mapper, loizou, mackin) -> None:  # type: ignore[no-untyped-def]
    writer, reader = pair
    assert reader.count() == 0 and found(reader) == []
    writer.upsert([row_of(mapper, loizou)])
    assert found(reader, "turbulent") == ["uk.bl.ethos.232781"]
    writer.upsert([row_of(mapper, replace(loizou, title="Vortex shedding"))])
    assert found(reader, "turbulent") == [] and found(reader, "vortex") == ["uk.bl.ethos.232781"]
    assert reader.count() == 1 and reader.values("year")[0].count == 1
    writer.upsert([row_of(mapper, mackin)])
    assert found(reader, year="2019") == ["tcd3dc49c1347f397b166"]
    writer.delete(["uk.bl.ethos.232781"])
    assert found(reader) == ["tcd3dc49c1347f397b166"] and [v.value for v in reader.values("year")] == ["2019"]
    assert writer.rebuild([row_of(mapper, loizou), row_of(mapper, mackin)]) == 2
    assert sorted(found(reader)) == ["tcd3dc49c1347f397b166", "uk.bl.ethos.232781"]
    assert found(reader, "vortex") == [] and found(reader, "turbulent") == ["uk.bl.ethos.232781"]


def test_failed_rebuild_leaves_the_old_index(pair, mapper: Mapper, loizou) -> None:  # type: ignore[no-untyped-def]
    writer, reader = pair
    writer.upsert([row_of(mapper, loizou)])

    def rows():  # type: ignore[no-untyped-def]
        yield row_of(mapper, loizou)
        raise OSError("store read failed")

    with pytest.raises(OSError):
        writer.rebuild(rows())
    assert found(reader, "turbulent") == ["uk.bl.ethos.232781"]
    writer.upsert([row_of(mapper, replace(loizou, title="Vortex shedding"))])  # and the writer carries on
    assert found(reader, "vortex") == ["uk.bl.ethos.232781"]


def test_index_from_an_older_ldpub_is_emptied_with_a_warning(tmp_path: Path) -> None:
    import sqlite3

    old = sqlite3.connect(tmp_path / "search.sqlite")
    old.executescript("CREATE TABLE docs (key TEXT PRIMARY KEY, title TEXT); INSERT INTO docs VALUES ('k', 't');"
                      "CREATE VIRTUAL TABLE fts USING fts5(key UNINDEXED, title);")  # fmt: skip
    old.close()
    with pytest.warns(UserWarning, match="ldpub reindex"):
        index = SearchIndex(tmp_path)
    assert index.count() == 0 and found(index, "t") == []
    index.close()


@pytest.mark.parametrize(("text", "query", "expected"), [
    ("Glacial sediments of the Pennines", "glacial", "\x02Glacial\x03 sediments of the Pennines"),
    ("Zoë Müller's thesis", "muller zoe", "\x02Zoë\x03 \x02Müller\x03's thesis"),
    ("Synthesis, synthetic; not syntax", "synth*", "\x02Synthesis\x03, \x02synthetic\x03; not syntax"),
    ("Peer support, support of peers", '"peer support"', "\x02Peer\x03 \x02support\x03, \x02support\x03 of peers"),
    ("Nothing here", "glacial", None),
    ("", "glacial", None),
])  # fmt: skip
def test_snippets_mark_what_matched(text: str, query: str, expected: str | None) -> None:
    from ld.search.query import terms
    from ld.search.snippets import highlighter, snippet

    assert snippet(text, highlighter(terms(query))) == expected


def test_long_text_snippet_is_a_window_around_the_most_matches() -> None:
    from ld.search.query import terms
    from ld.search.snippets import highlighter, snippet

    text = " ".join(["filler"] * 50 + ["moraine", "and", "moraine", "again"] + ["filler"] * 50 + ["moraine"])
    found = snippet(text, highlighter(terms("moraine")), width=10)
    assert found == "…filler filler filler \x02moraine\x03 and \x02moraine\x03 again filler filler filler…"


def test_row_does_not_depend_on_triple_order(mapper: Mapper, mackin: Record) -> None:
    import random

    mapped = mapper.map(replace(mackin, title="Second title"))
    triples = from_rdflib(mapped.triples) + [(str(mapped.thesis), "http://purl.org/dc/terms/title", "First title")]
    shuffled = random.Random(7).sample(triples, len(triples))
    assert index_row(OWN, shuffled) == index_row(OWN, triples)
    assert index_row(OWN, triples).title == "First title Second title"  # type: ignore[union-attr]


def test_text_that_fits_the_window_is_shown_whole() -> None:
    from ld.search.query import terms
    from ld.search.snippets import highlighter, snippet

    title = "Computation and measurement of turbulent flow through idealized turbine blade passages"
    assert snippet(title, highlighter(terms("turbulent"))) == title.replace("turbulent", "\x02turbulent\x03")
