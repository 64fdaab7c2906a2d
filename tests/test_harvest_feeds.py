"""The change feed and sitemaps follow ingests, replacements and withdrawals."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from ld.config import Settings
from ld.pipeline.ingest import ingest
from ld.pipeline.withdraw import withdraw

from .conftest import BASE
from .helpers import csv_file, thesis

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def app_client(settings: Settings):  # type: ignore[no-untyped-def]
    from ld.web import create_app

    return create_app(settings).test_client()


def activities(client) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    collection = client.get("/changes").get_json()
    assert collection["type"] == "OrderedCollection"
    found, page = [], collection["first"].replace(BASE, "/")
    while page:
        body = client.get(page).get_json()
        assert body["type"] == "OrderedCollectionPage"
        found += [(a["type"], a["object"]["id"].rsplit("/", 1)[-1]) for a in body["orderedItems"]]
        page = body.get("next", "").replace(BASE, "/")
    assert len(found) == collection["totalItems"]
    return found


def sitemap_urls(client) -> dict[str, str]:  # type: ignore[no-untyped-def]
    index = ET.fromstring(client.get("/sitemap.xml").data)
    urls = {}
    for loc in index.iter(f"{SM}loc"):
        page = ET.fromstring(client.get(loc.text.replace(BASE, "/")).data)
        for url in page.iter(f"{SM}url"):
            urls[url.find(f"{SM}loc").text] = url.find(f"{SM}lastmod").text
    return urls


def test_feed_and_sitemaps_follow_the_data(settings: Settings, tmp_path: Path) -> None:
    ingest(settings, [csv_file(tmp_path, [thesis(n) for n in range(1, 151)])], progress=False)
    client = app_client(settings)
    assert len(activities(client)) == 150 and activities(client)[0][0] == "Create"
    assert len(sitemap_urls(client)) == 150
    ingest(settings, [csv_file(tmp_path, [thesis(1, Title="Corrected"), thesis(2)])], progress=False)  # one changed
    withdraw(settings, "uk.bl.ethos.3", None, "test")
    feed = activities(client)
    assert feed[:2] == [("Delete", "uk.bl.ethos.3"), ("Update", "uk.bl.ethos.1")]  # newest first
    assert len(feed) == 152
    urls = sitemap_urls(client)
    assert f"{BASE}doc/thesis/uk.bl.ethos.3" not in urls and len(urls) == 149
    robots = client.get("/robots.txt").get_data(as_text=True)
    assert f"Sitemap: {BASE}sitemap.xml" in robots
    assert client.get("/changes?page=0").status_code == 400 and client.get("/changes?page=x").status_code == 400
    assert client.get("/changes").headers["Access-Control-Allow-Origin"] == "*"
