"""Every field in, every field out: ldpub's OAI-PMH harvested by ldpub gives back the same data.

The store serving the samples (EThOS text, CSV row, three real UKETD_DC records and the
Cranfield 2.0 template filled with valid values) is harvested over HTTP into a second
store with the same base; the two must hold the same triples in every graph, apart from
provenance (what each record's document says about itself: source, time, digest).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from lxml import etree

from ld.config import Settings, load_settings
from ld.pipeline.harvest import Feed, harvest
from ld.pipeline.ingest import ingest
from ld.store.rdf import ReadStore

from .servers import Site, serving_samples

FIXTURES = Path(__file__).parent / "fixtures"
UKETD_SAMPLES = ["hull_756_uketd_dc_example.xml", "whiterose_oai_etheses.whiterose.ac.uk_3.xml",
                 "uketd_dc_2.0_filled.xml"]  # fmt: skip
Graphs = dict[str, set[tuple[str, str, str]]]


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[Site]:  # type: ignore[no-untyped-def]
    folder = tmp_path_factory.mktemp("roundtrip")
    with serving_samples(folder / "store") as running:
        summary = ingest(settings_for(running.store, running), [FIXTURES / n for n in UKETD_SAMPLES], progress=False)
        assert summary.quarantined == 0 and summary.published == 3, summary.lines()
        yield running


def settings_for(store: Path, site: Site) -> Settings:
    return load_settings({"store": store, "base": site.base, "jobs": 1}, environ={})


def graphs(store: Path) -> Graphs:
    """Each graph's triples, less provenance: what a graph's own IRI is the subject of."""
    found: Graphs = {}
    for q in ReadStore(store).db:
        graph = q.graph_name.value
        if q.subject.value != graph:
            found.setdefault(graph, set()).add((q.subject.value, q.predicate.value, str(q.object)))
    return found


def differences(left: Graphs, right: Graphs) -> dict[str, tuple[set, set]]:
    return {g: (left.get(g, set()) - right.get(g, set()), right.get(g, set()) - left.get(g, set()))
            for g in sorted(left.keys() | right.keys()) if left.get(g) != right.get(g)}  # fmt: skip


def test_uketd_dc_harvest_gives_back_every_triple(site: Site, tmp_path: Path) -> None:
    copy = settings_for(tmp_path / "copy", site)
    outcome = harvest(copy, Feed(f"{site.base}oai", prefix="uketd_dc", backoff=0.1), progress=False)
    assert outcome.complete and outcome.summary.quarantined == 0 and outcome.summary.published == 5
    assert differences(graphs(site.store), graphs(copy.store)) == {}


def test_oai_dc_harvest_publishes_every_record_with_an_awarding_body(site: Site, tmp_path: Path) -> None:
    copy = settings_for(tmp_path / "copy", site)
    outcome = harvest(copy, Feed(f"{site.base}oai", prefix="oai_dc", backoff=0.1), progress=False)
    assert outcome.complete and outcome.summary.quarantined == 0 and outcome.summary.published == 5
    original, harvested = graphs(site.store), graphs(copy.store)
    assert {g for g in original if "/doc/thesis/" in g} == {g for g in harvested if "/doc/thesis/" in g}


def test_authors_and_supervisors_keep_the_source_order(site: Site) -> None:
    record = oai_record(site, "uketd_dc", "Tidal mixing")
    names = lambda tag: [e.text for e in record.iter(tag)]  # noqa: E731
    assert names(f"{{{DC}}}creator") == ["Pryce, Morwenna Elin", "Abara, Chidi"]
    assert names(f"{{{UKETDTERMS}}}advisor") == ["Thorne, Gareth", "Ahmed, Samira", "Lloyd, Nia"]
    page = requests.get(f"{site.base}doc/thesis/{key_of(site, 'Tidal mixing')}.html", timeout=10).text
    assert page.index("Thorne, Gareth") < page.index("Ahmed, Samira") < page.index("Lloyd, Nia")
    assert page.index("Pryce, Morwenna Elin") < page.index("Abara, Chidi")


DC = "http://purl.org/dc/elements/1.1/"
UKETDTERMS = "http://naca.central.cranfield.ac.uk/ethos-oai/terms/"
OAI = "{http://www.openarchives.org/OAI/2.0/}"


def key_of(site: Site, title_start: str) -> str:
    query = ("SELECT ?t WHERE { GRAPH ?g { ?t <http://purl.org/dc/terms/title> ?title "
             f'FILTER STRSTARTS(STR(?title), "{title_start}") }} }}')  # fmt: skip
    rows = requests.get(f"{site.base}sparql", params={"query": query},
                        headers={"Accept": "application/sparql-results+json"}, timeout=10).json()  # fmt: skip
    return rows["results"]["bindings"][0]["t"]["value"].rsplit("/", 1)[-1]


def oai_record(site: Site, prefix: str, title_start: str) -> etree._Element:
    from ld.uris import oai_identifier

    identifier = oai_identifier(site.base, key_of(site, title_start))
    response = requests.get(f"{site.base}oai", params={"verb": "GetRecord", "identifier": identifier,
                                                       "metadataPrefix": prefix}, timeout=10)  # fmt: skip
    root = etree.fromstring(response.content)
    metadata = root.find(f".//{OAI}metadata")
    assert metadata is not None, response.text
    return metadata[0]
