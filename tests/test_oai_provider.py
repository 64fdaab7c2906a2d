"""The OAI-PMH provider, harvested by Sickle (a real OAI-PMH client) and by ldpub itself."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from sickle import Sickle

from ld.config import load_settings
from ld.pipeline.harvest import Feed, harvest
from ld.pipeline.ingest import ingest

from .helpers import csv_file, thesis
from .servers import Site, serving_samples

OAI = "{http://www.openarchives.org/OAI/2.0/}"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[Site]:  # type: ignore[no-untyped-def]
    folder = tmp_path_factory.mktemp("oai")
    with serving_samples(folder / "store") as running:
        settings = load_settings({"store": running.store, "base": running.base, "jobs": 1}, environ={})
        rows = [thesis(n, Abstract=f"Text {n} with a control \x03 character.") for n in range(1, 231)]
        ingest(settings, [csv_file(folder, rows)], progress=False)
        from ld.pipeline.withdraw import withdraw

        withdraw(settings, "uk.bl.ethos.5", None, "test")
        yield running


def oai(site: Site, **params: str) -> ET.Element:
    response = requests.get(f"{site.base}oai", params=params, timeout=10)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/xml")
    return ET.fromstring(response.content)  # well-formed, or this raises


def error_code(root: ET.Element) -> str | None:
    error = root.find(f"{OAI}error")
    return error.get("code") if error is not None else None


@pytest.mark.parametrize("prefix", ["oai_dc", "uketd_dc", "rdf"])
def test_sickle_harvests_everything_in_every_format(site: Site, prefix: str) -> None:
    records = list(Sickle(f"{site.base}oai").ListRecords(metadataPrefix=prefix, ignore_deleted=False))
    assert len(records) == 232  # 230 + the two samples, across three pages
    deleted = [r for r in records if r.deleted]
    assert [r.header.identifier.rsplit(":", 1)[-1] for r in deleted] == ["uk.bl.ethos.5"]
    live = [r for r in records if not r.deleted]
    if prefix == "oai_dc":
        titles = {r.metadata["title"][0] for r in live}
        assert "Thesis 17" in titles


def test_identify_sets_formats_and_identifiers(site: Site) -> None:
    sickle = Sickle(f"{site.base}oai")
    identify = sickle.Identify()
    assert identify.deletedRecord == "persistent" and identify.granularity == "YYYY-MM-DDThh:mm:ssZ"
    assert {f.metadataPrefix for f in sickle.ListMetadataFormats()} == {"oai_dc", "uketd_dc", "rdf"}
    sets = {s.setSpec: s.setName for s in sickle.ListSets()}
    assert sets["isni-0000000121662407"] == "University of Manchester"
    leeds = [h for h in sickle.ListIdentifiers(metadataPrefix="oai_dc", set="isni-0000000419368403")]
    assert len(leeds) == 230
    record = sickle.GetRecord(identifier=leeds[0].identifier, metadataPrefix="uketd_dc")
    assert record.metadata["institution"] == ["University of Leeds"]
    assert record.metadata["publisher"] == ["https://isni.org/isni/0000000419368403"]  # the awarding body, by ISNI


@pytest.mark.parametrize(("params", "code"), [
    ({}, "badVerb"), ({"verb": "Nonsense"}, "badVerb"),
    ({"verb": "ListRecords"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "junk"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2020-01-01", "until": "2020-01-02T00:00:00Z"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2020-02-30"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "until": "1990-01-01"}, "noRecordsMatch"),
    ({"verb": "ListRecords", "metadataPrefix": "marc21"}, "cannotDisseminateFormat"),
    ({"verb": "ListRecords", "resumptionToken": "garbage"}, "badResumptionToken"),
    ({"verb": "ListRecords", "resumptionToken": "x", "metadataPrefix": "oai_dc"}, "badArgument"),
    ({"verb": "GetRecord", "identifier": "<script>alert(1)</script>", "metadataPrefix": "oai_dc"}, "idDoesNotExist"),
    ({"verb": "Identify", "extra": "1"}, "badArgument"),
])  # fmt: skip
def test_error_conditions(site: Site, params: dict, code: str) -> None:
    root = oai(site, **params)
    assert error_code(root) == code
    if code in ("badVerb", "badArgument"):
        assert root.find(f"{OAI}request").attrib == {}


def test_post_and_unescaped_identifiers(site: Site) -> None:
    response = requests.post(
        f"{site.base}oai", data={"verb": "GetRecord", "identifier": "<x>&", "metadataPrefix": "oai_dc"}, timeout=10
    )
    assert b"<x>&" not in response.content and b"&lt;x&gt;&amp;" in response.content
    assert error_code(ET.fromstring(response.content)) == "idDoesNotExist"


def test_resumption_token_survives_a_new_ingest(site: Site, tmp_path: Path) -> None:
    first = oai(site, verb="ListIdentifiers", metadataPrefix="oai_dc")
    token = first.find(f".//{OAI}resumptionToken").text
    settings = load_settings({"store": site.store, "base": site.base, "jobs": 1}, environ={})
    ingest(settings, [csv_file(tmp_path, [thesis(n) for n in range(500, 510)])], progress=False)
    second = oai(site, verb="ListIdentifiers", resumptionToken=token)
    assert error_code(second) is None and len(second.findall(f".//{OAI}header")) > 0


def test_round_trip_into_a_second_store(site: Site, tmp_path: Path) -> None:
    copy = load_settings({"store": tmp_path / "copy", "base": site.base, "jobs": 1}, environ={})
    outcome = harvest(copy, Feed(f"{site.base}oai", backoff=0.1), progress=False)
    assert outcome.complete and outcome.summary.quarantined == 0
    from ld.store.rdf import ReadStore

    def facts(store_dir: Path) -> set:
        wanted = ("http://purl.org/dc/terms/title", "http://purl.org/dc/terms/issued", "http://purl.org/dc/terms/identifier",
                  "http://purl.org/ontology/bibo/degree", "http://id.loc.gov/vocabulary/relators/dgg")  # fmt: skip
        db = ReadStore(store_dir).db
        return {(q.subject.value, q.predicate.value, q.object.value) for q in db if q.predicate.value in wanted}

    assert facts(tmp_path / "copy") == facts(site.store)
