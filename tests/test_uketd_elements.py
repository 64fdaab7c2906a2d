"""A test per UKETD_DC element: read, published under its documented predicate, and written
out again by ldpub's own OAI-PMH (`uketd_dc`); or, for the few deliberately not published
(README, "UKETD_DC in and out"), found nowhere in the published data."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import requests
from lxml import etree

from ld.config import load_settings
from ld.pipeline.ingest import ingest
from ld.store.rdf import ReadStore
from ld.uris import document_iri, oai_identifier

from .servers import Site, serving_samples

DC, DCT = "http://purl.org/dc/elements/1.1/", "http://purl.org/dc/terms/"
UKETDTERMS = "http://naca.central.cranfield.ac.uk/ethos-oai/terms/"
FOAF_NAME, SKOS = "http://xmlns.com/foaf/0.1/name", "http://www.w3.org/2004/02/skos/core#"
XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
OWN = "{base}def/"
NAMESPACES = ('xmlns="http://naca.central.cranfield.ac.uk/uketd/" xmlns:dc="http://purl.org/dc/elements/1.1/" '
              'xmlns:dcterms="http://purl.org/dc/terms/" xmlns:uketdterms="http://naca.central.cranfield.ac.uk/uketd/terms/" '
              'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"')  # fmt: skip


@dataclass(frozen=True)
class Case:
    name: str
    xml: str  # the element(s) under test, added to a minimal record
    rdf: tuple[str, str] | None  # (predicate, object in N-Triples) in the record's graph; None: not published
    out: tuple[str, str, str | None] | None  # (element, text, xsi:type) in /oai uketd_dc
    hidden: str | None = None  # text that must appear nowhere in the published data


CASES = [
    Case("title-lang", '<dc:title xml:lang="cy">Traethawd</dc:title>', (DCT + "title", '"Traethawd"@cy'),
         (DC + "title", "Traethawd", None)),
    Case("title-parallel", '<dc:title>Element test parallel title</dc:title><dc:title xml:lang="cy">Teitl cyfochrog</dc:title>',
         (DCT + "title", '"Teitl cyfochrog"@cy'), (DC + "title", "Teitl cyfochrog", None)),
    Case("abstract-parallel", '<dcterms:abstract>In English.</dcterms:abstract><dcterms:abstract xml:lang="cy">Yn Gymraeg.</dcterms:abstract>',
         (DCT + "abstract", '"Yn Gymraeg."@cy'), (DCT + "abstract", "Yn Gymraeg.", None)),
    Case("alternative", "<dcterms:alternative>Another name</dcterms:alternative>",
         (DCT + "alternative", '"Another name"'), (DCT + "alternative", "Another name", None)),
    Case("second-creator", "<dc:creator>Second, Bea</dc:creator>", (FOAF_NAME, '"Second, Bea"'),
         (DC + "creator", "Second, Bea", None)),
    Case("contributor-supervisor", "<dc:contributor>Smith, Jane (Supervisor)</dc:contributor>",
         (FOAF_NAME, '"Smith, Jane"'), (UKETDTERMS + "advisor", "Smith, Jane", None)),
    Case("contributor", "<dc:contributor>Jones, Tom</dc:contributor>", (FOAF_NAME, '"Jones, Tom"'),
         (DC + "contributor", "Jones, Tom", None)),
    Case("advisor", "<uketdterms:advisor>Rees, Ann</uketdterms:advisor>", (FOAF_NAME, '"Rees, Ann"'),
         (UKETDTERMS + "advisor", "Rees, Ann", None)),
    Case("sponsor", "<uketdterms:sponsor>Wellcome Trust (Sponsor)</uketdterms:sponsor>",
         (FOAF_NAME, '"Wellcome Trust"'), (UKETDTERMS + "sponsor", "Wellcome Trust", None)),
    Case("grantnumber", "<uketdterms:grantnumber>EP/K503149/1</uketdterms:grantnumber>",
         (OWN + "grantNumber", '"EP/K503149/1"'), (UKETDTERMS + "grantnumber", "EP/K503149/1", None)),
    Case("authoridentifier-isni", '<uketdterms:authoridentifier xsi:type="uketdterms:ISNI">0000000121032683'
         "</uketdterms:authoridentifier>", ("http://www.w3.org/2002/07/owl#sameAs",
                                             "<https://isni.org/isni/0000000121032683>"),
         (UKETDTERMS + "authoridentifier", "0000000121032683", "uketdterms:ISNI")),
    Case("authoridentifier-orcid", '<uketdterms:authoridentifier xsi:type="uketdterms:ORCID">0000000218250097'
         "</uketdterms:authoridentifier>", ("http://www.w3.org/2002/07/owl#sameAs",
                                             "<https://orcid.org/0000-0002-1825-0097>"),
         (UKETDTERMS + "authoridentifier", "0000-0002-1825-0097", "uketdterms:ORCID")),
    Case("authoridentifier-husid", '<uketdterms:authoridentifier xsi:type="uketdterms:HUSID">1410123456789'
         "</uketdterms:authoridentifier>", None, None, hidden="1410123456789"),
    Case("subject", "<dc:subject>glaciology</dc:subject>", ("http://schema.org/keywords", '"glaciology"'),
         (DC + "subject", "glaciology", None)),
    Case("subject-ddc", '<dc:subject xsi:type="dcterms:DDC">551.31</dc:subject>', (SKOS + "notation", '"551.31"'),
         (DC + "subject", "551.31", "dcterms:DDC")),
    Case("subject-ddc-caption", '<dc:subject xsi:type="dcterms:DDC">530 Physics</dc:subject>',
         (SKOS + "prefLabel", '"Physics"'), (DC + "subject", "530 Physics", "dcterms:DDC")),
    *[Case(f"subject-{s}", f'<dc:subject xsi:type="dcterms:{s.upper()}">Heading {s}</dc:subject>',
           (SKOS + "prefLabel", f'"Heading {s}"'), (DC + "subject", f"Heading {s}", f"dcterms:{s.upper()}"))
      for s in ("lcsh", "lcc", "mesh", "udc")],
    Case("abstract", "<dcterms:abstract>One line\nthe next line\n\nA paragraph</dcterms:abstract>",
         (DCT + "abstract", '"One line\\nthe next line\\n\\nA paragraph"'),
         (DCT + "abstract", "One line\nthe next line\n\nA paragraph", None)),
    Case("description", "<dc:description>Only a description</dc:description>",
         (DCT + "abstract", '"Only a description"'), (DCT + "abstract", "Only a description", None)),
    Case("description-beside-abstract", "<dcterms:abstract>The abstract</dcterms:abstract>"
         "<dc:description>A note</dc:description>", (DCT + "description", '"A note"'),
         (DC + "description", "A note", None)),
    Case("department", "<uketdterms:department>School of Earth</uketdterms:department>",
         (OWN + "department", '"School of Earth"'), (UKETDTERMS + "department", "School of Earth", None)),
    Case("commercial", "<uketdterms:commercial>Rock Press</uketdterms:commercial>",
         (OWN + "commercialPublisher", '"Rock Press"'), (UKETDTERMS + "commercial", "Rock Press", None)),
    Case("publisher", "<dc:publisher>Leeds University Press</dc:publisher>",
         (OWN + "publisherName", '"Leeds University Press"'), (DC + "publisher", "Leeds University Press", None)),
    Case("qualificationlevel", "<uketdterms:qualificationlevel>Doctoral</uketdterms:qualificationlevel>",
         (OWN + "qualificationLevel", '"Doctoral"'), (UKETDTERMS + "qualificationlevel", "Doctoral", None)),
    Case("dateaccepted", "<dcterms:dateAccepted>2002-05</dcterms:dateAccepted>",
         (DCT + "dateSubmitted", '"2001"^^<http://www.w3.org/2001/XMLSchema#gYear>'),
         (DCT + "dateAccepted", "2002-05", None)),
    Case("dateaccepted-w3cdtf", '<dcterms:dateAccepted xsi:type="dcterms:W3CDTF">2002-05-14T00:00:00Z</dcterms:dateAccepted>',
         (DCT + "issued", '"2002-05-14"^^<http://www.w3.org/2001/XMLSchema#date>'), (DCT + "dateAccepted", "2002-05-14", None)),
    Case("date", "<dc:date>2001-11-05</dc:date>", (DCT + "date", '"2001-11-05"^^<http://www.w3.org/2001/XMLSchema#date>'),
         (DC + "date", "2001-11-05", None)),
    Case("type", "<dc:type>Thesis or dissertation</dc:type>", None, (DC + "type", "Thesis or dissertation", None)),
    Case("language-639-1", '<dc:language xsi:type="dcterms:ISO639-2">fr</dc:language>',
         (DCT + "language", "<http://id.loc.gov/vocabulary/iso639-2/fre>"), (DC + "language", "fre", "dcterms:ISO639-2")),
    Case("language-639-3", '<dc:language xsi:type="dcterms:ISO639-3">cym</dc:language>',
         (DCT + "language", "<http://id.loc.gov/vocabulary/iso639-2/wel>"), (DC + "language", "wel", "dcterms:ISO639-2")),
    Case("language-unknown", "<dc:language>Klingon-ish</dc:language>", (DCT + "language", '"Klingon-ish"'),
         (DC + "language", "Klingon-ish", None)),
    Case("identifier-uri", '<dc:identifier xsi:type="dcterms:URI">https://repo.example.ac.uk/1/thesis.pdf</dc:identifier>',
         (DCT + "hasFormat", "<https://repo.example.ac.uk/1/thesis.pdf>"),
         (DC + "identifier", "https://repo.example.ac.uk/1/thesis.pdf", "dcterms:URI")),
    Case("identifier-doi", '<dc:identifier xsi:type="dcterms:DOI">10.5518/100</dc:identifier>',
         ("http://purl.org/ontology/bibo/doi", '"10.5518/100"'), (DC + "identifier", "10.5518/100", "dcterms:DOI")),
    Case("identifier-ethos", "<dc:identifier>https://ethos.bl.uk/OrderDetails.do?uin=uk.bl.ethos.100200</dc:identifier>",
         (DCT + "identifier", '"uk.bl.ethos.100200"'), (DC + "identifier", "uk.bl.ethos.100200", None)),
    Case("ethosid", "<uketdterms:ethosid>uk.bl.ethos.100300</uketdterms:ethosid>",
         (DCT + "identifier", '"uk.bl.ethos.100300"'), (DC + "identifier", "uk.bl.ethos.100300", None)),
    Case("institution-isni", '<dcterms:publisher xsi:type="dcterms:URI">https://isni.org/isni/0000000419368403</dcterms:publisher>',
         ("http://www.w3.org/2002/07/owl#sameAs", "<https://isni.org/isni/0000000419368403>"),
         (DCT + "publisher", "https://isni.org/isni/0000000419368403", "dcterms:URI")),
    Case("isreferencedby", '<dcterms:isReferencedBy xsi:type="dcterms:URI">https://repo.example.ac.uk/1/</dcterms:isReferencedBy>',
         ("http://xmlns.com/foaf/0.1/page", "<https://repo.example.ac.uk/1/>"),
         (DCT + "isReferencedBy", "https://repo.example.ac.uk/1/", "dcterms:URI")),
    Case("hasversion", "<dcterms:hasVersion>Rees (2003) in J. Glaciol.</dcterms:hasVersion>",
         (DCT + "hasVersion", '"Rees (2003) in J. Glaciol."'), (DCT + "hasVersion", "Rees (2003) in J. Glaciol.", None)),
    Case("references", "<dcterms:references>https://doi.org/10.1017/jog.2016.1</dcterms:references>",
         (DCT + "references", "<https://doi.org/10.1017/jog.2016.1>"),
         (DCT + "references", "https://doi.org/10.1017/jog.2016.1", None)),
    Case("relation", "<dc:relation>Part of the Ice Project</dc:relation>", (DCT + "relation", '"Part of the Ice Project"'),
         (DC + "relation", "Part of the Ice Project", None)),
    Case("source", "<dc:source>Printed copy, Brotherton Library</dc:source>",
         (DCT + "source", '"Printed copy, Brotherton Library"'), (DC + "source", "Printed copy, Brotherton Library", None)),
    Case("format", '<dc:format xsi:type="dcterms:IMT">application/pdf</dc:format>', (DCT + "format", '"application/pdf"'),
         (DC + "format", "application/pdf", None)),
    Case("rights", "<dc:rights>All rights reserved</dc:rights>", (DCT + "rights", '"All rights reserved"'),
         (DC + "rights", "All rights reserved", None)),
    Case("license", "<dcterms:license>https://creativecommons.org/licenses/by/4.0/</dcterms:license>",
         (DCT + "license", "<https://creativecommons.org/licenses/by/4.0/>"),
         (DCT + "license", "https://creativecommons.org/licenses/by/4.0/", None)),
    Case("accessrights", "<dcterms:accessRights>restricted</dcterms:accessRights>", (DCT + "accessRights", '"restricted"'),
         (DCT + "accessRights", "restricted", None)),
    Case("embargotype", "<uketdterms:embargotype>Total</uketdterms:embargotype>", (OWN + "embargoType", '"Total"'),
         (UKETDTERMS + "embargotype", "Total", None)),
    Case("embargodate", "<uketdterms:embargodate>2030-01-01</uketdterms:embargodate>",
         (OWN + "embargoDate", '"2030-01-01"^^<http://www.w3.org/2001/XMLSchema#date>'),
         (UKETDTERMS + "embargodate", "2030-01-01", None)),
    Case("embargoreason", "<uketdterms:embargoreason>Patent pending on the rig</uketdterms:embargoreason>", None, None,
         hidden="Patent pending"),
    Case("checksum", '<uketdterms:checksum xsi:type="uketdterms:MD5">9e107d9d372bb6826bd81d3542a419d6</uketdterms:checksum>',
         None, None, hidden="9e107d9d372bb6826bd81d3542a419d6"),
]  # fmt: skip


def record_xml(case: Case) -> str:
    title = "" if "<dc:title" in case.xml else f"<dc:title>Element test {case.name}</dc:title>"
    return (f"<uketddc {NAMESPACES}>{title}<dc:creator>Tester, Ada</dc:creator>"
            "<uketdterms:institution>University of Leeds</uketdterms:institution><dcterms:issued>2001</dcterms:issued>"
            f"<uketdterms:qualificationname>PhD</uketdterms:qualificationname>{case.xml}</uketddc>")  # fmt: skip


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[Site]:  # type: ignore[no-untyped-def]
    folder = tmp_path_factory.mktemp("elements")
    files = []
    for n, case in enumerate(CASES):
        files.append(folder / f"{n:02d}-{case.name}.xml")
        files[-1].write_text(record_xml(case), "utf-8")
    with serving_samples(folder / "store") as running:
        settings = load_settings({"store": running.store, "base": running.base, "jobs": 1}, environ={})
        summary = ingest(settings, files, progress=False)
        assert summary.published == len(CASES) and summary.quarantined == 0, summary.lines()
        yield running


def graph_of(site: Site, case: Case) -> tuple[str, set[tuple[str, str]]]:
    """The key of the case's record and its graph's (predicate, object) pairs."""
    db = ReadStore(site.store).db
    source = next(q for q in db if q.object.value.startswith(f"{CASES.index(case):02d}-{case.name}.xml"))
    graph = source.graph_name.value
    pairs = {(q.predicate.value, str(q.object)) for q in db if q.graph_name.value == graph}
    shared = {
        q.object.value for q in db if q.graph_name.value == graph and q.object.value.startswith(site.base + "id/")
    }
    pairs |= {(q.predicate.value, str(q.object)) for q in db if q.subject.value in shared}
    return graph.rsplit("/", 1)[-1], pairs


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_element_in_published_and_out_again(site: Site, case: Case) -> None:
    key, pairs = graph_of(site, case)
    assert document_iri(site.base, key)
    if case.rdf:
        predicate, value = case.rdf
        assert (predicate.format(base=site.base), value) in pairs
    if case.hidden:
        assert not any(case.hidden in o for _, o in pairs)
        dump = requests.get(f"{site.base}doc/thesis/{key}.nt", timeout=10).text
        assert case.hidden not in dump
    response = requests.get(f"{site.base}oai", params={"verb": "GetRecord", "metadataPrefix": "uketd_dc",
                                                       "identifier": oai_identifier(site.base, key)}, timeout=10)  # fmt: skip
    out = etree.fromstring(response.content)
    if case.hidden:
        assert case.hidden.encode() not in response.content
    if case.out:
        element, text, kind = case.out
        cut = element.rindex("/") + 1
        written = [(e.text, e.get(XSI_TYPE)) for e in out.iter(f"{{{element[:cut]}}}{element[cut:]}")]
        assert (text, kind) in written, written
