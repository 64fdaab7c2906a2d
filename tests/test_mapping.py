"""Record -> RDF, field by field, as model.md describes; compared as graphs, not strings."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, FOAF, OWL, RDF, RDFS, SKOS, XSD

from ld.model.mapping import Mapper, date_literal, thesis_key
from ld.model.records import Agent, Location, Record
from ld.vocab import BIBO, COAR, RELATORS, SCHEMA

from .conftest import BASE, FIXTURES, replace

FIXED = datetime(2026, 1, 1, tzinfo=UTC)
ID = f"{BASE}id/"


def graph_of(mapper: Mapper, record: Record) -> Graph:
    g = Graph()
    for t in mapper.map(record, FIXED).triples:
        g.add(t)
    return g


@pytest.mark.parametrize(("name", "source", "fixture"), [  # provenance names the file, never its directory
    ("loizou", Location("/home/alice/dumps/ethos-202310-first-row.csv", line=2, row=2), "loizou"),
    ("mackin", Location("tests/fixtures/mackin-2019.txt", line=1), "mackin"),
])  # fmt: skip
def test_real_samples_map_to_the_reviewed_graph(
    request, mapper: Mapper, name: str, source: Location, fixture: str
) -> None:
    record = dataclasses.replace(request.getfixturevalue(name), location=source)
    expected = Graph().parse(FIXTURES / "expected" / f"{fixture}.ttl")
    assert isomorphic(graph_of(mapper, record), expected)


def test_loizou_core(mapper: Mapper, loizou: Record) -> None:
    g = graph_of(mapper, loizou)
    thesis = URIRef(f"{ID}thesis/uk.bl.ethos.232781")
    author = URIRef(f"{ID}person/isni/0000000136122593")
    manchester = URIRef(f"{ID}org/isni/0000000121662407")
    assert (thesis, RDF.type, BIBO.Thesis) in g
    assert (thesis, DCTERMS.type, COAR.c_db06) in g
    assert (thesis, DCTERMS.creator, author) in g
    assert (author, OWL.sameAs, URIRef("https://isni.org/isni/0000000136122593")) in g
    assert (thesis, RELATORS.dgg, manchester) in g and (thesis, DCTERMS.publisher, manchester) in g
    assert (manchester, FOAF.name, Literal("University of Manchester")) in g
    assert (thesis, BIBO.degree, URIRef("http://purl.org/ontology/bibo/degrees/phd")) in g
    assert (thesis, SCHEMA.inSupportOf, Literal("Thesis (Ph.D.)")) in g
    assert (thesis, DCTERMS.issued, Literal("1989", datatype=XSD.gYear)) in g
    assert (thesis, RDFS.seeAlso, URIRef("https://ethos.bl.uk/OrderDetails.do?uin=uk.bl.ethos.232781")) in g


def test_awarding_body_without_isni_found_in_institutions_table(mapper: Mapper, mackin: Record) -> None:
    g = graph_of(mapper, mackin)
    londonmet = URIRef(f"{ID}org/isni/0000000122210023")
    assert (londonmet, OWL.sameAs, URIRef("https://isni.org/isni/0000000122210023")) in g
    assert (londonmet, OWL.sameAs, URIRef("https://ror.org/00ae33288")) in g


def test_derived_key_is_deterministic_and_independent_of_location(mackin: Record) -> None:
    moved = replace(mackin, location=Location("elsewhere.txt", line=99))
    assert thesis_key(mackin) == thesis_key(moved)
    assert thesis_key(mackin).startswith("t") and len(thesis_key(mackin)) == 21
    assert thesis_key(replace(mackin, title="Another title")) != thesis_key(mackin)


def test_ddc_caption_and_other_keywords(mapper: Mapper, mackin: Record) -> None:
    g = graph_of(mapper, mackin)
    ddc = URIRef(f"{ID}concept/ddc/360")
    assert (ddc, SKOS.notation, Literal("360")) in g
    assert (ddc, SKOS.prefLabel, Literal("Social problems & services")) in g
    assert (ddc, SKOS.inScheme, URIRef(f"{ID}scheme/ddc")) in g
    assert list(g.objects(None, SCHEMA.keywords)) == [Literal("associations")]


def test_supervisors_funders_doi_repository_and_current_institution(mapper: Mapper, loizou: Record) -> None:
    record = replace(loizou, supervisors=[Agent("Smith, John"), Agent("Jones, Ann", orcid="0000-0002-1694-233X")],
                     funders=[Agent("Engineering and Physical Sciences Research Council")], doi="10.7488/era/1024",
                     repository_urls=["https://ora.ox.ac.uk/objects/uuid:1", "hdl:1842/123"],
                     current_institution="The University of Manchester Institute")  # fmt: skip
    g = graph_of(mapper, record)
    thesis = URIRef(f"{ID}thesis/uk.bl.ethos.232781")
    first = URIRef(f"{thesis}/supervisor/1")
    second = URIRef(f"{ID}person/orcid/0000-0002-1694-233X")
    assert {(thesis, RELATORS.ths, first), (thesis, RELATORS.ths, second), (thesis, DCTERMS.contributor, first)} <= set(
        g
    )
    assert (second, OWL.sameAs, URIRef("https://orcid.org/0000-0002-1694-233X")) in g
    funder = g.value(thesis, RELATORS.fnd)
    assert (funder, RDF.type, FOAF.Organization) in g
    assert (thesis, BIBO.doi, Literal("10.7488/era/1024")) in g
    assert (thesis, RDFS.seeAlso, URIRef("https://doi.org/10.7488/era/1024")) in g
    assert (thesis, FOAF.page, URIRef("https://ora.ox.ac.uk/objects/uuid:1")) in g
    assert (thesis, URIRef(f"{BASE}def/repositoryCopy"), Literal("hdl:1842/123")) in g
    assert g.value(thesis, URIRef(f"{BASE}def/currentInstitution")) is not None


def test_no_current_institution_when_same_as_awarding_body(mapper: Mapper, mackin: Record) -> None:
    assert g_value(graph_of(mapper, mackin), f"{BASE}def/currentInstitution") is None


def g_value(g: Graph, predicate: str):  # type: ignore[no-untyped-def]
    return g.value(None, URIRef(predicate))


def test_invalid_isni_is_kept_for_validation_and_person_scoped(mapper: Mapper, loizou: Record) -> None:
    record = replace(loizou, author=Agent("Loizou, Panos A.", isni="0000000136122594"))
    g = graph_of(mapper, record)
    person = URIRef(f"{ID}thesis/uk.bl.ethos.232781/author")
    assert (person, OWL.sameAs, URIRef("https://isni.org/isni/0000000136122594")) in g


@pytest.mark.parametrize(("value", "datatype"), [
    ("2019", XSD.gYear), ("2008-04", XSD.gYearMonth), ("2008-10-06", XSD.date), ("c. 1990", None), ("2008-13", None),
])  # fmt: skip
def test_date_precision_is_kept_never_padded(value: str, datatype) -> None:  # type: ignore[no-untyped-def]
    literal = date_literal(value)
    assert str(literal) == value and literal.datatype == datatype


@pytest.mark.parametrize(("qualification", "level", "degree", "coar"), [
    ("Thesis (Ph.D.)", None, "http://purl.org/ontology/bibo/degrees/phd", "c_db06"),
    ("Thesis (D.Phil.)", None, "http://purl.org/ontology/bibo/degrees/phd", "c_db06"),
    ("D Clin Psy", None, f"{ID}degree/dclinpsy", "c_db06"),
    ("Thesis (M.D.)", None, f"{ID}degree/md", "c_db06"),
    ("Thesis (Ed.D.)", None, f"{ID}degree/edd", "c_db06"),
    ("Thesis ( LL.D.)", None, f"{ID}degree/higher-doctorate", "c_db06"),
    ("MPhil", "Masters", f"{ID}degree/mphil", "c_bdcc"),
    ("Thesis (other)", None, f"{ID}degree/thesis", "c_46ec"),
    ("Something unheard of", None, f"{ID}degree/thesis", "c_46ec"),
])  # fmt: skip
def test_degrees(mapper: Mapper, loizou: Record, qualification: str, level: str | None, degree: str, coar: str) -> None:
    g = graph_of(mapper, replace(loizou, qualification_name=qualification, qualification_level=level))
    thesis = URIRef(f"{ID}thesis/uk.bl.ethos.232781")
    assert g.value(thesis, BIBO.degree) == URIRef(degree)
    assert (URIRef(degree), RDF.type, BIBO.ThesisDegree) in g
    assert g.value(thesis, DCTERMS.type) == COAR[coar]


def test_language_tags_title_and_abstract(mapper: Mapper, loizou: Record) -> None:
    g = graph_of(mapper, replace(loizou, language="eng", abstract="Text"))
    thesis = URIRef(f"{ID}thesis/uk.bl.ethos.232781")
    assert g.value(thesis, DCTERMS.title).language == "en"
    assert g.value(thesis, DCTERMS.language) == URIRef("http://id.loc.gov/vocabulary/iso639-2/eng")


def test_document_provenance(mapper: Mapper, loizou: Record) -> None:
    g = graph_of(mapper, loizou)
    doc = URIRef(f"{BASE}doc/thesis/uk.bl.ethos.232781")
    assert g.value(doc, FOAF.primaryTopic) == URIRef(f"{ID}thesis/uk.bl.ethos.232781")
    assert g.value(doc, DCTERMS.modified) == Literal(FIXED, datatype=XSD.dateTime)
    assert g.value(doc, URIRef(f"{BASE}def/sourceRow")) == Literal(2)
    assert str(g.value(doc, URIRef(f"{BASE}def/mappedBy"))).startswith("ldpub ")


def test_institution_matched_by_isni_before_name(mapper: Mapper, loizou: Record) -> None:
    """'Ulster University' with the ISNI the table gives 'University of Ulster': one organisation,
    one name, the table's links."""
    record = replace(loizou, institution=Agent("Ulster University", isni="0000000105519715"), current_institution=None)
    mapped = mapper.map(record, FIXED)
    org = URIRef(f"{ID}org/isni/0000000105519715")
    g = graph_of(mapper, record)
    assert set(g.objects(org, FOAF.name)) == {Literal("University of Ulster")} and mapped.notes == []
    assert URIRef("https://ror.org/01yp9g959") in set(g.objects(org, OWL.sameAs))


def test_identifier_and_name_of_different_institutions_is_a_warning(mapper: Mapper, loizou: Record) -> None:
    from ld.model.validation import validate_batch

    leeds = Agent("University of Leeds", isni="0000000121889740")  # an ISNI the table does not know
    ulster = Agent("University of Ulster", isni="0000000419368403")  # Leeds' ISNI
    unknown = replace(loizou, institution=leeds, current_institution=None)
    g = graph_of(mapper, unknown)
    org = URIRef(f"{ID}org/isni/0000000121889740")
    assert set(g.objects(org, OWL.sameAs)) == {URIRef("https://isni.org/isni/0000000121889740")}  # not Leeds' ROR
    other = replace(loizou, institution=ulster, current_institution=None)
    assert set(graph_of(mapper, other).objects(URIRef(f"{ID}org/isni/0000000419368403"), FOAF.name)) == {
        Literal("University of Leeds")
    }  # the identifier wins; the name is reported
    for record, words in ((unknown, "without the table's links"), (other, "correct the name or the identifier")):
        found = validate_batch([mapper.map(record, FIXED)])[0]
        assert any(f.severity == "Warning" and words in f.message for f in found), found
