"""The UKETD_DC reader on the two real repository records and on hostile and broken XML."""

from __future__ import annotations

import re
import time
from pathlib import Path

import psutil
import pytest

from ld.model.mapping import Mapper
from ld.model.records import ReadError, Record
from ld.model.validation import validate_batch
from ld.sources import detect_format, read_file

from .conftest import FIXTURES

HULL = FIXTURES / "hull_756_uketd_dc_example.xml"
WHITEROSE = FIXTURES / "whiterose_oai_etheses.whiterose.ac.uk_3.xml"
UKETD = 'xmlns:uketd_dc="http://naca.central.cranfield.ac.uk/ethos-oai/2.0/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:uketdterms="http://naca.central.cranfield.ac.uk/ethos-oai/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "records.xml"
    path.write_text(text, "utf-8")
    return path


def record(body: str, namespaces: str = UKETD) -> str:
    return f"<uketd_dc:uketddc {namespaces}>{body}</uketd_dc:uketddc>"


def test_hull_record(mapper: Mapper) -> None:
    (r,) = read_file(HULL)
    assert detect_format(HULL) == "uketd-dc"
    assert r.author.name == "Green, Angela Jane"
    assert [s.name for s in r.supervisors] == ["Klaber Moffett, Jennifer", "Sharp, Donald"]  # "(Supervisor)" removed
    assert [f.name for f in r.funders] == ["Hull and East Yorkshire Hospitals NHS Trust"]
    assert (r.department, r.date, r.language) == ("Postgraduate Medical Institute", "2008-04", "eng")
    assert (r.qualification_name, r.qualification_level) == ("PhD", "Doctoral")
    assert r.institution.name == "The University of Hull"
    # &#xD; line ends become plain line breaks, kept as the source has them (not blank lines)
    assert "\r" not in r.abstract and r.abstract.count("\n") == 5 and "\n\n" not in r.abstract
    assert r.repository_urls == ["http://hydra.hull.ac.uk/resources/hull:756"]  # not the relative /assets/ path
    assert r.files == ["http://hydra.hull.ac.uk/assets/hull:756d/datastreams/content"]  # resolved against the page
    assert (r.other_dates, r.formats, r.rights[0][:6]) == (["2008-10-06"], ["video/x-ms-wmv"], "© 2008")
    assert all(f.severity != "Violation" for f in validate_batch([mapper.map(r)])[0])


def test_whiterose_oai_record(mapper: Mapper) -> None:
    (r,) = read_file(WHITEROSE)
    assert r.ethos_id == "uk.bl.ethos.367930"
    assert (r.location.oai_identifier, r.location.oai_datestamp) == (
        "oai:etheses.whiterose.ac.uk:3",
        "2014-03-07T11:21:15Z",
    )
    assert (r.qualification_name, r.qualification_level, r.date) == ("Ph.D", "doctoral", "1998-07")
    assert r.department == "School of Geography (Leeds)" and r.institution.name == "University of Leeds"
    mapped = mapper.map(r)
    assert str(mapped.thesis).endswith("/id/thesis/uk.bl.ethos.367930")
    assert all(f.severity != "Violation" for f in validate_batch([mapped])[0])
    titles = [o for _, p, o in mapped.triples if str(p).endswith("/title")]
    assert titles[0].language == "en"  # ISO 639-2 eng


def test_oai_list_records_with_deleted_and_old_namespaces(tmp_path: Path) -> None:
    old = 'xmlns:uketd_dc="http://naca.central.cranfield.ac.uk/uketd/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:uketdterms="http://naca.central.cranfield.ac.uk/uketd/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
    first = record("<dc:title>One</dc:title><dc:creator>A, B (Author)</dc:creator>"
                   '<uketdterms:authoridentifier xsi:type="uketdterms:ORCID">000000021694233X</uketdterms:authoridentifier>'
                   "<dcterms:issued>2001</dcterms:issued><dcterms:dateAccepted>2002-05-01</dcterms:dateAccepted>"
                   '<dc:identifier xsi:type="dcterms:DOI">10.1234/abc</dc:identifier>', old)  # fmt: skip
    second = record(
        "<dc:title>Two</dc:title><dc:creator>C, D</dc:creator><uketdterms:embargo_reason>x</uketdterms:embargo_reason>"
    )
    feed = f"""<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><ListRecords>
<record><header><identifier>oai:x:1</identifier><datestamp>2020-01-01</datestamp></header><metadata>{first}</metadata></record>
<record><header status="deleted"><identifier>oai:x:2</identifier><datestamp>2020-01-02</datestamp></header></record>
<record><header><identifier>oai:x:3</identifier><datestamp>2020-01-03</datestamp></header><metadata>{second}</metadata></record>
<resumptionToken>abc</resumptionToken></ListRecords></OAI-PMH>"""
    one, two = read_file(write(tmp_path, feed))
    assert (one.title, one.author.name, one.author.orcid, one.date, one.doi) == (
        "One",
        "A, B",
        "000000021694233X",
        "2002-05-01",
        "10.1234/abc",
    )
    assert one.location.oai_identifier == "oai:x:1" and two.location.oai_identifier == "oai:x:3"
    assert two.title == "Two"  # the invalid EPrints element is ignored


@pytest.mark.parametrize(("text", "line", "words"), [
    ("<uketd_dc:uketddc>\n<dc:title>x</dc:title>", 1, "not well-formed"),
    ("<root>\n<nothing/>\n</root>", 1, "no uketd_dc:uketddc"),
    ("<?xml version='1.0'?>\n<!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/hostname'>]>\n" + record("<dc:title>&e;</dc:title>"), 2, "refused"),
])  # fmt: skip
def test_broken_xml_is_a_located_error(tmp_path: Path, text: str, line: int, words: str) -> None:
    (error,) = read_file(write(tmp_path, text), "uketd-dc")
    assert isinstance(error, ReadError) and error.location.line == line and words in error.message


def test_record_without_title_or_creator(tmp_path: Path) -> None:
    (error,) = read_file(write(tmp_path, record("<dc:subject>x</dc:subject>")))
    assert isinstance(error, ReadError) and "neither dc:title nor dc:creator" in error.message


def test_entity_bomb_refused_fast_with_flat_memory(tmp_path: Path) -> None:
    levels = "".join(
        f'<!ENTITY l{i} "&l{i - 1};&l{i - 1};&l{i - 1};&l{i - 1};&l{i - 1};&l{i - 1};&l{i - 1};&l{i - 1};&l{i - 1};&l{i - 1};">'
        for i in range(1, 12)
    )
    bomb = f'<?xml version="1.0"?><!DOCTYPE b [<!ENTITY l0 "lol">{levels}]>' + record("<dc:title>&l11;</dc:title>")
    path = write(tmp_path, bomb)
    before = psutil.Process().memory_info().rss
    start = time.monotonic()
    items = list(read_file(path))
    assert time.monotonic() - start < 1.0
    assert psutil.Process().memory_info().rss - before < 50 << 20
    assert len(items) == 1 and isinstance(items[0], ReadError)


def test_lxml_itself_resolves_nothing(tmp_path: Path) -> None:
    """Second line of defence: even without the declaration check, the parser reads no file."""
    from lxml import etree

    from ld.sources.uketd_dc import parser

    text = "<!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/hostname'>]><x>&e;</x>"
    root = etree.fromstring(text.encode(), parser())
    hostname = Path("/etc/hostname").read_text().strip()
    assert hostname not in etree.tostring(root).decode()  # the reference stays a reference


def test_ingest_publishes_the_real_records(settings) -> None:  # type: ignore[no-untyped-def]
    from ld.pipeline.ingest import ingest

    summary = ingest(settings, [HULL, WHITEROSE], progress=False)
    assert (summary.published, summary.quarantined, summary.unreadable) == (2, 0, 0)
    assert isinstance(next(iter(read_file(HULL))), Record)


def test_several_creators_are_all_kept_and_warned_about(tmp_path: Path, mapper: Mapper) -> None:
    body = ("<dc:title>Joint work</dc:title><dc:creator>One, A</dc:creator><dc:creator>Two, B</dc:creator>"
            "<uketdterms:institution>University of Leeds</uketdterms:institution><dcterms:issued>2001</dcterms:issued>")  # fmt: skip
    (r,) = read_file(write(tmp_path, record(body)))
    assert (r.author.name, [a.name for a in r.co_authors]) == ("One, A", ["Two, B"])
    findings = validate_batch([mapper.map(r)])[0]
    assert any(f.severity == "Warning" and "one author" in f.message for f in findings), findings


def test_oai_dc_record_gives_awarding_body_abstract_and_roles(tmp_path: Path) -> None:
    text = ('<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>T</dc:title><dc:creator>A, B</dc:creator>'
            "<dc:contributor>Sharp, Donald (Supervisor)</dc:contributor><dc:contributor>NERC (Sponsor)</dc:contributor>"
            "<dc:description>The abstract.</dc:description><dc:publisher>University of Hull</dc:publisher>"
            "<dc:date>2008</dc:date><dc:identifier>https://doi.org/10.5072/x</dc:identifier></oai_dc:dc>")  # fmt: skip
    (r,) = read_file(write(tmp_path, text))
    assert r.institution.name == "University of Hull" and r.publishers == []
    assert (r.abstract, r.date, r.doi) == ("The abstract.", "2008", "10.5072/x")
    assert ([s.name for s in r.supervisors], [f.name for f in r.funders]) == (["Sharp, Donald"], ["NERC"])


def test_typed_subjects_languages_and_dates(tmp_path: Path, mapper: Mapper) -> None:
    body = ('<dc:title xml:lang="cy">Teitl</dc:title><dc:creator>A, B</dc:creator>'
            '<dc:subject xsi:type="dcterms:DDC">530</dc:subject><dc:subject>530 as a keyword</dc:subject>'
            '<dc:language xsi:type="dcterms:ISO639-2">en</dc:language>'
            "<dcterms:issued>2018-09</dcterms:issued><dcterms:dateAccepted>2019</dcterms:dateAccepted>")  # fmt: skip
    (r,) = read_file(write(tmp_path, record(body)))
    assert (r.ddc, r.keywords, r.title_lang) == (["530"], ["530 as a keyword"], "cy")
    assert (r.date, r.submitted) == ("2019", "2018-09")  # dateAccepted is the award, issued the submission
    triples = {(re.split("[/#]", str(p))[-1], str(o)) for _, p, o in mapper.map(r).triples}
    assert ("language", "http://id.loc.gov/vocabulary/iso639-2/eng") in triples  # not …/iso639-2/en
    assert ("notation", "530") in triples and ("keywords", "530 as a keyword") in triples
    assert ("title", "Teitl") in triples and ("dateSubmitted", "2018-09") in triples


def test_dc_source_gives_an_ethos_id_and_nothing_else(tmp_path: Path) -> None:
    body = ("<dc:title>T</dc:title><dc:creator>A, B</dc:creator><dc:source>uk.bl.ethos.123456</dc:source>"
            "<dc:source>Published as doi:10.1016/j.foo.2001.01.001 in J. Foo</dc:source>"
            "<dc:source>https://journal.example/article/7</dc:source>")  # fmt: skip
    (r,) = read_file(write(tmp_path, record(body)))
    assert (r.ethos_id, r.doi, r.files, r.repository_urls) == ("uk.bl.ethos.123456", None, [], [])
    assert r.sources == ["Published as doi:10.1016/j.foo.2001.01.001 in J. Foo", "https://journal.example/article/7"]
