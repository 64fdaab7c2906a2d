"""What discovery interfaces offer (issue 15): names people misspell, a supervisor facet, several
values of one facet at once, matches per year as a picture, and result lines people can scan."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
from lxml import html as lxml_html

from ld.config import Settings
from ld.pipeline.ingest import ingest
from ld.search import SearchIndex

from .conftest import CSV_SAMPLE, TEXT_SAMPLE
from .helpers import csv_file, thesis

ROWS = [
    thesis(
        1,
        Title="Glacial sediments of the Pennines",
        Author="Müller, Zoë",
        Date="1994",
        Institution="University of Bristol",
        **{"Supervisor(s)": "Sharp, Donald ; Ó Súilleabháin, Pádraig"},
    ),  # fmt: skip
    thesis(
        2,
        Title="Peer support in mental health services",
        Date="2015",
        Institution="University of Leeds",
        **{"Supervisor(s)": "Sharp, Donald"},
    ),  # fmt: skip
    thesis(3, Title="Support vectors for peer review", Date="2015", Institution="University of Manchester"),
    thesis(
        4,
        Title="Moraines of the Lake District",
        Date="2003",
        Author="Makinson, Ruth",
        Institution="University of Edinburgh",
    ),
]


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    from ld.config import load_settings
    from ld.web import create_app

    from .conftest import BASE

    root = tmp_path_factory.mktemp("discovery")
    settings = load_settings({"store": root / "store", "base": BASE, "jobs": 1}, environ={})
    ingest(settings, [csv_file(root, ROWS), TEXT_SAMPLE, CSV_SAMPLE], progress=False)
    return create_app(settings).test_client()


def search(client, **params) -> dict:  # type: ignore[no-untyped-def]
    response = client.get("/search.json", query_string=params)
    assert response.status_code == 200, response.data
    return response.get_json()


def keys(data: dict) -> list[str]:
    return sorted(hit["id"].rsplit("/", 1)[-1] for hit in data["hits"])


def test_a_misspelt_name_offers_the_name_that_finds_theses(client) -> None:  # type: ignore[no-untyped-def]
    """The text sample's author is Mackin; people type Makin."""
    data = search(client, q="Makin")
    assert data["total"] == 0
    assert data["suggestion"]["query"] == "Mackin"
    mended = client.get(data["suggestion"]["href"].replace("/search?", "/search.json?")).get_json()
    assert keys(mended) == ["tcd3dc49c1347f397b166"]
    page = client.get("/search", query_string={"q": "Makin"}).get_data(as_text=True)
    assert 'Did you mean <a href="/search?q=Mackin" rel="nofollow">Mackin</a>?' in page


@pytest.mark.parametrize(("typed", "meant"), [
    ("Mackn recovery", "Mackin recovery"),  # one word mended, the other kept
    ("glaical", "Glacial"),  # a transposition is one edit
    ("Suilleabhian", "Súilleabháin"),  # two edits in a long name; the name as the thesis spells it
])  # fmt: skip
def test_suggestions_mend_only_the_misspelt_words(client, typed: str, meant: str) -> None:  # type: ignore[no-untyped-def]
    data = search(client, q=typed)
    assert data["total"] == 0 and data["suggestion"]["query"] == meant
    assert search(client, q=meant)["total"] >= 1


@pytest.mark.parametrize("typed", ["Mackin", "zzzzqqqq", "sed*", '"peer review support"', "Leeds"])
def test_no_suggestion_for_words_that_find_theses_or_have_no_neighbour(client, typed: str) -> None:  # type: ignore[no-untyped-def]
    assert search(client, q=typed)["suggestion"] is None


def test_supervisor_facet_counts_and_filters(client) -> None:  # type: ignore[no-untyped-def]
    data = search(client)
    supervisors = {f["value"]: f["count"] for f in data["facets"]["supervisor"]}
    assert supervisors["Sharp, Donald"] == 2 and supervisors["Ó Súilleabháin, Pádraig"] == 1
    assert keys(search(client, supervisor="Sharp, Donald")) == ["uk.bl.ethos.1", "uk.bl.ethos.2"]
    assert keys(search(client, q="glacial", supervisor=["Sharp, Donald", "Nobody, A."])) == ["uk.bl.ethos.1"]


def test_people_are_counted_for_searches_narrow_enough(client, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Supervisors number nearly as many as theses: a broad search lists none and says why."""
    import ld.search.index

    monkeypatch.setattr(ld.search.index, "PEOPLE_COUNTED", 2)
    broad = search(client)
    assert broad["facets"]["supervisor"] == [] and broad["uncounted"] == ["supervisor"]
    assert broad["facets"]["institution"]  # the other facets are counted still
    narrow = search(client, q="Pennines")
    assert narrow["uncounted"] == [] and [f["value"] for f in narrow["facets"]["supervisor"]] == [
        "Sharp, Donald", "Ó Súilleabháin, Pádraig",
    ]  # fmt: skip
    page = client.get("/search").get_data(as_text=True)
    assert "supervisors are listed for searches of" in page


def test_several_values_of_one_facet_widen_the_search(client) -> None:  # type: ignore[no-untyped-def]
    leeds = search(client, institution="University of Leeds")
    assert keys(leeds) == ["uk.bl.ethos.2"]
    widen = {f["value"]: f for f in leeds["widening"]["institution"]}
    assert widen["University of Manchester"]["href"] == (
        "/search?institution=University+of+Leeds&institution=University+of+Manchester"
    )
    both = client.get(widen["University of Manchester"]["href"].replace("/search?", "/search.json?")).get_json()
    assert keys(both) == ["uk.bl.ethos.2", "uk.bl.ethos.232781", "uk.bl.ethos.3"]
    assert both["filters"] == {"institution": ["University of Leeds", "University of Manchester"]}
    chosen = {f["value"]: f for f in both["facets"]["institution"]}
    assert chosen["University of Leeds"]["selected"] and chosen["University of Leeds"]["remove"] == (
        "/search?institution=University+of+Manchester"
    )
    span = search(client, decade=["1990s", "2000s"])  # a span of decades
    assert keys(span) == ["uk.bl.ethos.1", "uk.bl.ethos.4"] and span["total"] == 2
    assert keys(search(client, q="support", decade=["1990s", "2010s"], institution="University of Leeds")) == [
        "uk.bl.ethos.2"
    ]


def test_every_browse_page_lists_its_values(client) -> None:  # type: ignore[no-untyped-def]
    def values(facet: str) -> dict[str, int]:
        found = client.get(f"/browse/{facet}", headers={"Accept": "application/json"}).get_json()["values"]
        return {v["value"]: v["count"] for v in found}

    assert values("decade") == {"1980s": 1, "1990s": 1, "2000s": 1, "2010s": 3}  # added up from the years
    assert values("year") == {"1989": 1, "1994": 1, "2003": 1, "2015": 2, "2019": 1}
    for facet in ("institution", "degree", "discipline", "ddc"):
        assert values(facet), facet


def test_too_many_values_of_one_facet_is_a_clear_400(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/search.json", query_string={"year": [str(y) for y in range(1980, 2010)]})
    assert response.status_code == 400 and "at most 20 values of year" in response.get_json()["detail"]


def test_years_as_a_histogram_of_links_with_a_table(client) -> None:  # type: ignore[no-untyped-def]
    data = search(client, q="support")
    assert [(y["year"], y["count"]) for y in data["years"]] == [(2015, 2), (2019, 1)]
    page = lxml_html.fromstring(client.get("/search", query_string={"q": "support"}).data)
    (svg,) = page.xpath("//figure[@class='years']/*[local-name()='svg']")
    assert svg.get("role") == "img" and "2015" in svg.xpath("string(*[local-name()='title'])")
    bars = {a.get("href"): a.xpath("string(*[local-name()='title'])") for a in svg.xpath("*[local-name()='a']")}
    assert bars == {"/search?q=support&year=2015": "2015: 2 theses", "/search?q=support&year=2019": "2019: 1 thesis"}
    rows = [[c.text_content() for c in tr.xpath("td")] for tr in page.xpath("//figure//table/tbody/tr")]
    assert rows == [["2015", "2"], ["2019", "1"]]
    heights = {a.get("href"): float(a.xpath("*[local-name()='rect']")[1].get("height")) for a in
               svg.xpath("*[local-name()='a']")}  # fmt: skip
    assert heights["/search?q=support&year=2015"] == 2 * heights["/search?q=support&year=2019"]
    # A chosen year keeps the others' bars, so one can move to a neighbouring year.
    chosen = search(client, q="support", year="2015")
    assert chosen["total"] == 2 and [y["year"] for y in chosen["years"]] == [2015, 2019]
    browse = lxml_html.fromstring(client.get("/browse/institution").data)
    assert (
        len(browse.xpath("//figure[@class='years']/*[local-name()='svg']/*[local-name()='a']")) == 5
    )  # 1989, 1994, 2003, 2015, 2019


def test_result_lines_show_authors_degree_institution_year_and_the_passage(client) -> None:  # type: ignore[no-untyped-def]
    (hit,) = search(client, q="recovery Mackin")["hits"]
    assert hit["authors"] == ["Mackin, Michelle"]
    assert hit["degree"] and hit["institution"] and hit["year"] == 2019
    page = lxml_html.fromstring(client.get("/search", query_string={"q": "recovery"}).data)
    (line,) = page.xpath("//ol[@class='hits']/li")
    meta = line.xpath("string(.//span[@class='hit-meta'])")
    assert hit["authors"][0] in meta and hit["degree"] in meta and hit["institution"] in meta and "2019" in meta
    assert line.xpath("string(.//a[@class='hit-title'])") == hit["title"]  # never cut
    assert line.xpath(".//span[@class='hit-snippet']/mark")


def test_several_authors_are_listed_in_the_thesis_order(settings: Settings) -> None:
    """Pryce before Abara, as the record gives them: not in alphabetical order."""
    from ld.web import create_app

    ingest(settings, [Path(__file__).parent / "fixtures" / "uketd_dc_2.0_filled.xml"], progress=False)
    (hit,) = create_app(settings).test_client().get("/search.json").get_json()["hits"]
    assert hit["authors"] == ["Pryce, Morwenna Elin", "Abara, Chidi"]


def test_a_writer_replaces_an_unreadable_index_and_says_how_to_refill_it(published: Settings) -> None:
    (published.store / "search" / "meta.json").write_bytes(b"not an index")
    index = SearchIndex(published.store)
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        index.upsert([])
    index.close()
    assert any("ldpub reindex" in str(w.message) for w in said)
    assert list(published.store.glob("search.damaged-*")) and SearchIndex(published.store).count() == 0


def test_warming_reads_every_file_of_the_index(published: Settings) -> None:
    """Web workers read the index once before their first visitor (ld/web/serving.py)."""
    index = SearchIndex(published.store)
    files = [p for p in (published.store / "search").iterdir() if p.is_file()]
    assert index.warm() == sum(p.stat().st_size for p in files) > 0
