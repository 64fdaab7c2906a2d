"""Full-text search and facets (issue 6): words, accents, people, phrases, facets, and change."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import settings as settings_profile
from hypothesis import strategies as st

from ld.config import Settings
from ld.pipeline.ingest import ingest
from ld.pipeline.withdraw import withdraw
from ld.search import BadQuery

from .conftest import CSV_SAMPLE, TEXT_SAMPLE
from .helpers import csv_file, thesis

ROWS = [
    thesis(
        1,
        Title="Glacial sediments of the Pennines",
        Author="Müller, Zoë",
        **{"Supervisor(s)": "Sharp, Donald ; Ó Súilleabháin, Pádraig"},
    ),
    thesis(
        2, Title="Peer support in mental health services", Date="2015", **{"Subject Discipline": "Medicine & Health"}
    ),
    thesis(3, Title="Support vectors for peer review", Date="2015", Institution="University of Manchester"),
]


@pytest.fixture
def client(settings: Settings, tmp_path: Path):  # type: ignore[no-untyped-def]
    ingest(settings, [csv_file(tmp_path, ROWS), TEXT_SAMPLE, CSV_SAMPLE], progress=False)
    from ld.web import create_app

    return create_app(settings).test_client()


def keys(client, **params: str) -> list[str]:  # type: ignore[no-untyped-def]
    response = client.get("/search.json", query_string=params)
    assert response.status_code == 200, response.data
    return [hit["id"].rsplit("/", 1)[-1] for hit in response.get_json()["hits"]]


@pytest.mark.parametrize(("query", "expected"), [
    ("glacial", ["uk.bl.ethos.1"]),
    ("Müller", ["uk.bl.ethos.1"]), ("muller", ["uk.bl.ethos.1"]), ("MULLER zoe", ["uk.bl.ethos.1"]),
    ("Sharp", ["uk.bl.ethos.1"]), ("suilleabhain", ["uk.bl.ethos.1"]),
    ("Manchester", ["uk.bl.ethos.232781", "uk.bl.ethos.3"]),
    ('"peer support"', ["uk.bl.ethos.2", "tcd3dc49c1347f397b166"]),
    ("sedim*", ["uk.bl.ethos.1"]),
    ("turbulent flow", ["uk.bl.ethos.232781"]),
])  # fmt: skip
def test_search_finds(client, query: str, expected: list[str]) -> None:  # type: ignore[no-untyped-def]
    assert sorted(keys(client, q=query)) == sorted(expected)


def test_ranking_weighs_titles_above_abstracts(client, settings: Settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    rows = [thesis(4, Title="Other matters", Abstract="A long abstract that mentions a moraine once among many other words."),
            thesis(5, Title="Moraine dynamics", Abstract="Text.")]  # fmt: skip
    ingest(settings, [csv_file(tmp_path, rows)], progress=False)
    assert keys(client, q="moraine") == ["uk.bl.ethos.5", "uk.bl.ethos.4"]
    assert "uk.bl.ethos.3" in keys(client, q="peer support")  # both words, not as a phrase


def test_facets_count_and_filter(client) -> None:  # type: ignore[no-untyped-def]
    data = client.get("/search.json", query_string={"q": "support"}).get_json()
    assert data["total"] == 3
    years = {f["value"]: f["count"] for f in data["facets"]["year"]}
    assert years == {"2015": 2, "2019": 1}
    assert keys(client, q="support", year="2015", institution="University of Manchester") == ["uk.bl.ethos.3"]
    assert {f["value"] for f in data["facets"]["discipline"]} == {"Medicine & Health"}
    assert data["facets"]["decade"][0] == {
        "value": "2010s",
        "label": "2010s",
        "count": 3,
        "href": "/search?q=support&decade=2010s",
    }


def test_results_follow_replacement_and_withdrawal(client, settings: Settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ingest(
        settings, [csv_file(tmp_path, [thesis(1, Title="Moraines of Snowdonia", Author="Müller, Zoë")])], progress=False
    )
    assert keys(client, q="glacial") == [] and keys(client, q="moraines") == ["uk.bl.ethos.1"]
    withdraw(settings, "uk.bl.ethos.1", None, "test")
    assert keys(client, q="moraines") == []


def test_paging_is_stable_with_totals(client) -> None:  # type: ignore[no-untyped-def]
    first = client.get("/search.json", query_string={"size": "2"}).get_json()
    second = client.get(first["next"].replace("/search?", "/search.json?")).get_json()
    assert first["total"] == second["total"] == 5
    assert not {h["id"] for h in first["hits"]} & {h["id"] for h in second["hits"]}


@pytest.mark.parametrize("params", [
    {"q": '"unbalanced'}, {"page": "-1"}, {"page": "100000"}, {"size": "0"}, {"size": "5000"}, {"page": "x"},
])  # fmt: skip
def test_bad_queries_get_a_clear_400(client, params: dict) -> None:  # type: ignore[no-untyped-def]
    for path in ("/search.json", "/search"):
        response = client.get(path, query_string=params)
        assert response.status_code == 400 and response.data.strip()


@pytest.mark.parametrize("query", ["NEAR(a b)", "a OR", "col:x", "^x", "* *", "AND", "\\", "a -b", "()"])
def test_fts_syntax_is_just_words(client, query: str) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/search.json", query_string={"q": query}).status_code == 200


def test_html_results_are_escaped_and_highlighted(client, settings: Settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ingest(
        settings,
        [
            csv_file(
                tmp_path, [thesis(9, Title="<script>alert(1)</script> glaciers", Abstract="About <b>glaciers</b>.")]
            )
        ],
        progress=False,
    )
    html = client.get("/search", query_string={"q": "glaciers"}).get_data(as_text=True)
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    assert "<mark>glaciers</mark>" in html
    front = client.get("/").get_data(as_text=True)
    assert 'action="/search"' in front


def test_hydra_opensearch_browse_and_front_page(client) -> None:  # type: ignore[no-untyped-def]
    collection = client.get("/search.jsonld", query_string={"q": "support", "size": "2"}).get_json()
    assert collection["@type"] == "Collection" and collection["totalItems"] == 3 and len(collection["member"]) == 2
    assert "page=2" in collection["view"]["next"]
    opensearch = client.get("/opensearch.xml")
    assert opensearch.mimetype == "application/opensearchdescription+xml" and b"{searchTerms}" in opensearch.data
    from lxml import etree

    urls = etree.fromstring(opensearch.data).findall("{http://a9.com/-/spec/opensearch/1.1/}Url")
    assert {u.get("type") for u in urls} >= {"text/html", "application/json", "application/ld+json"}
    for url in urls:  # every template, filled in, is a search that works
        path = url.get("template").replace("http://127.0.0.1:8000", "")
        filled = path.replace("{searchTerms}", "support").replace("{startPage?}", "1").replace("{count?}", "5")
        assert client.get(filled).status_code == 200, filled
    assert 'rel="search" type="application/opensearchdescription+xml"' in client.get("/search").get_data(as_text=True)
    years = client.get("/browse/year", headers={"Accept": "application/json"}).get_json()["values"]
    assert {v["value"]: v["count"] for v in years}["2015"] == 2
    institutions = client.get("/browse/institution", headers={"Accept": "application/json"}).get_json()["values"]
    manchester = next(v for v in institutions if v["value"] == "University of Manchester")
    assert manchester["count"] == 2 and manchester["page"] == "/id/org/isni/0000000121662407"
    assert client.get("/browse/nonsense").status_code == 404
    front = client.get("/").get_data(as_text=True)
    assert "5 theses" in front and "/sparql" in front and "/dumps/" in front and "/oai" in front


def test_institution_facet_uses_the_table_name(client, settings: Settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    variant = thesis(6, Title="Variant spelling", Institution="The University of Manchester")
    ingest(settings, [csv_file(tmp_path, [variant])], progress=False)
    institutions = client.get("/browse/institution", headers={"Accept": "application/json"}).get_json()["values"]
    manchester = [v for v in institutions if "Manchester" in v["value"]]
    assert [(v["value"], v["count"]) for v in manchester] == [("University of Manchester", 3)]
    assert "uk.bl.ethos.6" in keys(client, institution="University of Manchester")
    assert keys(client, q='"The University of Manchester"') == ["uk.bl.ethos.6"]  # the name as given stays searchable


def test_ddc_facet_groups_concepts_by_main_class(client) -> None:  # type: ignore[no-untyped-def]
    ddc = client.get("/search.json").get_json()["facets"]["ddc"]
    assert [(f["value"], f["label"], f["count"]) for f in ddc] == [("300", "300 Social sciences", 1)]
    assert keys(client, ddc="300") == ["tcd3dc49c1347f397b166"]
    assert keys(client, q="recovery", ddc="300") == ["tcd3dc49c1347f397b166"]
    assert keys(client, q="recovery", ddc="500") == []


def test_filters_combine_with_words_and_each_other(client) -> None:  # type: ignore[no-untyped-def]
    assert sorted(keys(client, q="support", year="2015")) == ["uk.bl.ethos.2", "uk.bl.ethos.3"]
    assert keys(client, q="support", year="2015", discipline="Medicine & Health") == ["uk.bl.ethos.2"]
    data = client.get("/search.json", query_string={"q": "support", "year": "2015"}).get_json()
    assert data["total"] == 2 and {f["value"]: f["count"] for f in data["facets"]["year"]} == {"2015": 2}
    assert keys(client, year="1989") == ["uk.bl.ethos.232781"]
    assert keys(client, q="support", institution="Nowhere University") == []


def test_empty_query_lists_newest_first(client) -> None:  # type: ignore[no-untyped-def]
    years = [h["year"] for h in client.get("/search.json").get_json()["hits"]]
    assert years == sorted(years, key=lambda y: -(y or 0)) and years[0] == 2019


def test_reindex_rebuilds_the_same_index_from_the_store(client, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    from click.testing import CliRunner

    from ld.cli import main

    queries = [{"q": "support"}, {"q": "Müller"}, {}, {"q": "manchester", "year": "2015"}, {"ddc": "300"}]

    def answers(client) -> list[dict]:  # type: ignore[no-untyped-def]
        """Each answer, with equal-ranked hits in key order (ties keep index order, which a rebuild changes)."""
        found = [client.get("/search.json", query_string=q).get_json() for q in queries]
        return [{**a, "hits": sorted(a["hits"], key=lambda h: (str(h["snippet"]), h["id"]))} for a in found]

    before = answers(client)
    shutil.rmtree(settings.store / "search")
    result = CliRunner().invoke(main, ["reindex", "--store", str(settings.store), "--base", settings.base])
    assert result.exit_code == 0 and "indexed 5 theses" in result.output, result.output
    from ld.web import create_app

    fresh = create_app(settings).test_client()
    assert answers(fresh) == before
    again = ["reindex", "--store", str(settings.store), "--base", settings.base, "--jobs", "2"]  # worker processes
    result = CliRunner().invoke(main, again)
    assert result.exit_code == 0 and answers(fresh) == before  # rebuilt in place, followed by the open reader


def test_sorting_by_year_and_removing_filters(client) -> None:  # type: ignore[no-untyped-def]
    def years(**params: str) -> list[int]:
        return [h["year"] for h in client.get("/search.json", query_string=params).get_json()["hits"]]

    assert years(q="support", sort="oldest") == [2015, 2015, 2019]
    assert years(q="support", sort="newest") == [2019, 2015, 2015]
    assert years(sort="oldest")[0] == 1989 and years()[0] == 2019
    assert client.get("/search.json", query_string={"q": "support", "sort": "sideways"}).status_code == 400
    data = client.get("/search.json", query_string={"q": "support", "year": "2015", "sort": "oldest"}).get_json()
    assert data["remove"] == {"year": "/search?q=support&sort=oldest"}
    assert data["facets"]["year"][0]["href"] == "/search?q=support&year=2015&sort=oldest"
    html = client.get("/search", query_string={"q": "support", "year": "2015", "size": "1", "page": "2"}).get_data(
        as_text=True
    )
    assert 'aria-label="remove the year filter"' in html and 'rel="prev"' in html and 'rel="next"' not in html
    assert "<strong>relevance</strong>" in html and 'href="/search?q=support&amp;year=2015&amp;sort=oldest"' in html


def test_hydra_collection_is_linked_data_to_other_processors(client) -> None:  # type: ignore[no-untyped-def]
    """rdflib and pyld read the collection with no network: its context is inline."""
    from pyld import jsonld
    from rdflib import Graph, Literal, Namespace, URIRef
    from rdflib.namespace import DCTERMS, RDF, XSD

    hydra = Namespace("http://www.w3.org/ns/hydra/core#")
    body = client.get("/search.jsonld", query_string={"q": "support", "year": "2015", "size": "1"}).data
    graph = Graph().parse(data=body, format="json-ld")
    collection = URIRef("http://127.0.0.1:8000/search?q=support&year=2015")
    assert (collection, RDF.type, hydra.Collection) in graph
    assert graph.value(collection, hydra.totalItems) == Literal(2, datatype=XSD.integer)
    (member,) = graph.objects(collection, hydra.member)
    assert str(member).startswith("http://127.0.0.1:8000/id/thesis/uk.bl.ethos.")
    assert graph.value(member, DCTERMS.issued) == Literal("2015", datatype=XSD.gYear)
    view = graph.value(collection, hydra.view)
    assert str(graph.value(view, hydra.next)) == "http://127.0.0.1:8000/search?q=support&year=2015&page=2&size=1"
    expanded = jsonld.expand(json.loads(body))
    assert expanded[0]["http://www.w3.org/ns/hydra/core#totalItems"][0]["@value"] == 2


@pytest.fixture(scope="module")
def sample_index(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    from ld.config import load_settings
    from ld.search import SearchIndex

    from .conftest import BASE

    root = tmp_path_factory.mktemp("fuzz")
    settings = load_settings({"store": root / "store", "base": BASE, "jobs": 1}, environ={})
    ingest(settings, [csv_file(root, ROWS), TEXT_SAMPLE, CSV_SAMPLE], progress=False)
    index = SearchIndex(settings.store)
    yield index
    index.close()


@settings_profile(max_examples=300, deadline=None)
@given(text=st.text(max_size=60), sort=st.sampled_from([None, "relevance", "newest", "oldest"]))
def test_any_text_searches_or_says_why(sample_index, text: str, sort: str | None) -> None:  # type: ignore[no-untyped-def]
    """Whatever people type: results, or BadQuery with a message; never an SQLite error."""
    try:
        results = sample_index.search(text, {}, 1, 20, sort)
    except BadQuery as exc:
        assert str(exc)
    else:
        assert results.total >= len(results.hits) >= 0


def test_damaged_index_is_a_clear_503_and_the_front_page_stays_up(published: Settings) -> None:
    from ld.web import create_app

    (published.store / "search" / "meta.json").write_bytes(b"this is not an index" * 100)
    client = create_app(published).test_client()
    response = client.get("/search.json?q=turbulent", headers={"Accept": "application/json"})
    assert response.status_code == 503 and "ldpub reindex" in response.get_json()["detail"]
    front = client.get("/")
    assert front.status_code == 200 and "search index cannot be read" in front.get_data(as_text=True)
    assert client.get("/doc/thesis/uk.bl.ethos.232781").status_code == 200  # the records are unaffected


def test_reindex_replaces_a_damaged_index(published: Settings) -> None:
    from click.testing import CliRunner

    from ld.cli import main
    from ld.web import create_app

    (published.store / "search" / "meta.json").write_bytes(b"this is not an index" * 100)
    result = CliRunner().invoke(main, ["reindex", "--store", str(published.store), "--base", published.base])
    assert result.exit_code == 0 and "indexed 2 theses" in result.output, result.output
    (aside,) = published.store.glob("search.damaged-*")  # kept for inspection
    assert (aside / "meta.json").read_bytes().startswith(b"this is not an index")
    client = create_app(published).test_client()
    assert client.get("/search.json?q=turbulent").get_json()["total"] == 1


def test_a_worker_that_found_the_index_damaged_answers_again_after_reindex(published: Settings) -> None:
    from click.testing import CliRunner

    from ld.cli import main
    from ld.web import create_app

    (published.store / "search" / "meta.json").write_bytes(b"this is not an index")
    client = create_app(published).test_client()
    assert client.get("/search.json?q=turbulent").status_code == 503
    result = CliRunner().invoke(main, ["reindex", "--store", str(published.store), "--base", published.base])
    assert result.exit_code == 0, result.output
    assert client.get("/search.json?q=turbulent").get_json()["total"] == 1  # the same worker, no restart
