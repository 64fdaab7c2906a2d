"""Every check of the SHACL profile: a record that must fail it, and the clean record that passes."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, RDF, SKOS, XSD

from ld.model.mapping import Mapped, Mapper
from ld.model.records import Agent, Record
from ld.model.validation import DATASET_SHAPES, Finding, batch_ntriples, run_engine, validate_batch
from ld.vocab import BIBO, RELATORS

from .conftest import BASE, replace

THESIS = URIRef(f"{BASE}id/thesis/uk.bl.ethos.232781")
DOC = URIRef(f"{BASE}doc/thesis/uk.bl.ethos.232781")
AUTHOR = URIRef(f"{BASE}id/person/isni/0000000136122593")
ORG = URIRef(f"{BASE}id/org/isni/0000000121662407")
Triples = list


@pytest.fixture
def clean(mapper: Mapper, loizou: Record) -> Mapped:
    """The real CSV row with an abstract: conforms with no findings at all."""
    return mapper.map(replace(loizou, abstract="An abstract."))


def findings(mapped: Mapped, engine: str = "turbo") -> list[Finding]:
    return validate_batch([mapped], engine)[0]


def mutate(mapped: Mapped, change: Callable[[Triples], Triples]) -> Mapped:
    triples = change(list(mapped.triples))
    own = str(mapped.thesis)
    shared = {str(s) for s, _, _ in triples if s != mapped.graph and not str(s).startswith(own)}
    return Mapped(mapped.key, mapped.graph, mapped.thesis, triples, shared, mapped.base)


def without(predicate: URIRef, subject: URIRef | None = None) -> Callable[[Triples], Triples]:
    return lambda ts: [t for t in ts if not (t[1] == predicate and (subject is None or t[0] == subject))]


def plus(*extra: tuple) -> Callable[[Triples], Triples]:
    return lambda ts: ts + list(extra)


def swap(predicate: URIRef, value, subject: URIRef = THESIS) -> Callable[[Triples], Triples]:  # type: ignore[no-untyped-def]
    return lambda ts: without(predicate, subject)(ts) + [(subject, predicate, value)]


DDC = URIRef(f"{BASE}id/concept/ddc/360")
DDC_TRIPLES = [(THESIS, DCTERMS.subject, DDC), (DDC, RDF.type, SKOS.Concept), (DDC, SKOS.prefLabel, Literal("x")),
               (DDC, SKOS.inScheme, URIRef(f"{BASE}id/scheme/ddc"))]  # fmt: skip
OTHER = URIRef("http://example.org/other")

# (check, case, mutation, severity, words of the message)
CASES = [
    (1, "no identifier", without(DCTERMS.identifier), "Violation", "exactly one identifier"),
    (1, "two identifiers", plus((THESIS, DCTERMS.identifier, Literal("uk.bl.ethos.1"))), "Violation", "exactly one identifier"),
    (1, "malformed EThOS ID", swap(DCTERMS.identifier, Literal("uk.bl.ethos.12a")), "Violation", "uk.bl.ethos.<digits>"),
    (2, "no title", without(DCTERMS.title), "Violation", "non-blank title"),
    (2, "blank title", swap(DCTERMS.title, Literal("   ")), "Violation", "non-blank title"),
    (2, "two English titles", lambda ts: swap(DCTERMS.title, Literal("A", lang="en"))(ts) + [(THESIS, DCTERMS.title, Literal("B", lang="en"))], "Violation", "one per language"),
    (2, "two untagged titles", plus((THESIS, DCTERMS.title, Literal("Second"))), "Violation", "more than one title without a language"),
    (2, "final full stop", swap(DCTERMS.title, Literal("A title.")), "Info", "final full stop"),
    (3, "no author", without(DCTERMS.creator), "Violation", "needs an author"),
    (3, "author not a person", without(RDF.type, AUTHOR), "Violation", "needs an author"),
    (3, "two authors", plus((THESIS, DCTERMS.creator, URIRef(f"{THESIS}/p2")), (URIRef(f"{THESIS}/p2"), RDF.type, FOAF.Person), (URIRef(f"{THESIS}/p2"), FOAF.name, Literal("B, A"))), "Warning", "one author"),
    (4, "no awarding body", without(RELATORS.dgg), "Violation", "awarding body"),
    (4, "awarding body not an organisation", swap(RELATORS.dgg, OTHER), "Violation", "awarding body"),
    (5, "two degrees", plus((THESIS, BIBO.degree, URIRef(f"{BASE}id/degree/md")), (URIRef(f"{BASE}id/degree/md"), RDF.type, BIBO.ThesisDegree)), "Violation", "one degree"),
    (5, "degree of unknown kind", swap(BIBO.degree, OTHER), "Violation", "one degree"),
    (5, "no degree", without(BIBO.degree), "Warning", "No degree"),
    (6, "two dates", plus((THESIS, DCTERMS.issued, Literal("1990", datatype=XSD.gYear))), "Violation", "date of award must be"),
    (6, "free-text date", swap(DCTERMS.issued, Literal("c. 1990")), "Violation", "date of award must be"),
    (6, "before 1600", swap(DCTERMS.issued, Literal("1500", datatype=XSD.gYear)), "Violation", "before 1600"),
    (6, "in the future", swap(DCTERMS.issued, Literal("2999-01", datatype=XSD.gYearMonth)), "Violation", "in the future"),
    (6, "no date", without(DCTERMS.issued), "Warning", "No date of award"),
    (7, "no COAR type", without(DCTERMS.type), "Violation", "COAR thesis type"),
    (7, "another type", swap(DCTERMS.type, OTHER), "Violation", "COAR thesis type"),
    (8, "abstract as IRI", swap(DCTERMS.abstract, OTHER), "Violation", "abstract must be text"),
    (8, "two untagged abstracts", plus((THESIS, DCTERMS.abstract, Literal("Second"))), "Violation", "more than one abstract"),
    (8, "no abstract", without(DCTERMS.abstract), "Warning", "No abstract"),
    (9, "subject as text", plus((THESIS, DCTERMS.subject, Literal("physics"))), "Violation", "skos:Concept IRI"),
    (9, "subject not a concept", plus((THESIS, DCTERMS.subject, OTHER)), "Violation", "skos:Concept IRI"),
    (9, "bad Dewey notation", plus(*DDC_TRIPLES, (DDC, SKOS.notation, Literal("36"))), "Violation", "three digits"),
    (9, "two Dewey notations", plus(*DDC_TRIPLES, (DDC, SKOS.notation, Literal("360")), (DDC, SKOS.notation, Literal("361"))), "Violation", "three digits"),
    (9, "Dewey class without notation", plus(*DDC_TRIPLES), "Violation", "needs its notation"),
    (10, "malformed DOI", plus((THESIS, BIBO.doi, Literal("doi:10.1/x"))), "Violation", "DOI must look like"),
    (11, "supervisor not a person", plus((THESIS, RELATORS.ths, ORG)), "Violation", "supervisor must be a person"),
    (11, "funder not an organisation", plus((THESIS, RELATORS.fnd, AUTHOR)), "Violation", "funder must be an organisation"),
    (12, "person without name", without(FOAF.name, AUTHOR), "Violation", "exactly one non-blank name"),
    (12, "person with two names", plus((AUTHOR, FOAF.name, Literal("Loizou, P."))), "Violation", "exactly one non-blank name"),
    (12, "organisation with blank name", swap(FOAF.name, Literal(" "), ORG), "Violation", "exactly one non-blank name"),
    (13, "sameAs to another scheme", plus((AUTHOR, OWL.sameAs, URIRef("http://www.wikidata.org/entity/Q1"))), "Violation", "ISNI (16 characters)"),
    (13, "ISNI check character wrong", swap(OWL.sameAs, URIRef("https://isni.org/isni/0000000136122594"), AUTHOR), "Violation", "check character"),
    (13, "ORCID check character wrong", plus((AUTHOR, OWL.sameAs, URIRef("https://orcid.org/0000-0002-1694-2330"))), "Violation", "check character"),
    (13, "http ISNI", swap(OWL.sameAs, URIRef("http://isni.org/isni/0000000136122593"), AUTHOR), "Warning", "http:// form"),
    (14, "organisation without ISNI or ROR", without(OWL.sameAs, ORG), "Warning", "no ISNI or ROR"),
    (15, "no primary topic", without(FOAF.primaryTopic), "Violation", "exactly one thesis"),
    (15, "two modification times", plus((DOC, DCTERMS.modified, Literal("2020-01-01T00:00:00", datatype=XSD.dateTime))), "Violation", "one modification time"),
    (15, "no licence", without(DCTERMS.license), "Warning", "no licence"),
    (16, "language as text", plus((THESIS, DCTERMS.language, Literal("english"))), "Warning", "not an ISO 639 code"),
    (16, "language outside ISO 639-2", plus((THESIS, DCTERMS.language, URIRef("http://lexvo.org/id/iso639-3/eng"))), "Warning", "not an ISO 639 code"),
]  # fmt: skip


def test_clean_record_passes_every_check(clean: Mapped) -> None:
    assert findings(clean) == []


def test_every_check_has_a_failing_case() -> None:
    assert {c[0] for c in CASES} == set(range(1, 17))


@pytest.mark.parametrize(("check", "case", "change", "severity", "words"), CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_check_fails_as_it_should(clean: Mapped, check: int, case: str, change, severity: str, words: str) -> None:  # type: ignore[no-untyped-def]
    found = findings(mutate(clean, change))
    assert any(f.severity == severity and words in f.message for f in found), found


def test_dataset_rule_flags_two_theses_with_one_identifier(mapper: Mapper, loizou: Record) -> None:
    a = mapper.map(loizou)
    b = mapper.map(replace(loizou, ethos_id=None, title="Other"))
    b.triples[:] = [t if t[1] != DCTERMS.identifier else (t[0], t[1], Literal("uk.bl.ethos.232781")) for t in b.triples]
    for engine in ("turbo", "pyshacl"):
        results = run_engine(batch_ntriples([a, b]), engine, DATASET_SHAPES)
        assert len(results) == 2 and all(r.path == str(DCTERMS.identifier) for r in results)


def test_records_in_one_batch_do_not_see_each_other(mapper: Mapper, loizou: Record) -> None:
    """Two records naming the same ISNI person differently are each fine on their own."""
    a = mapper.map(replace(loizou, abstract="x"))
    b = mapper.map(
        replace(loizou, abstract="x", ethos_id="uk.bl.ethos.1", author=replace(loizou.author, name="Loizou, P."))
    )
    assert validate_batch([a, b]) == [[], []]


def test_a_shared_description_validated_once_reports_to_every_record_giving_it(mapper: Mapper, loizou: Record) -> None:
    """Records giving one institution's description word for word share one copy in the
    batch graph; each record still gets exactly the findings it gets alone."""
    unknown, odd = Agent("Imaginary Institute"), Agent("Imaginary Institute", isni="0000000121662408")  # bad check
    records = [replace(loizou, ethos_id=f"uk.bl.ethos.{n}", abstract="x", institution=org, keywords=keywords)
               for n, (org, keywords) in enumerate([(unknown, []), (unknown, ["530 Physics"]), (odd, []),
                                                    (loizou.institution, []), (unknown, ["530 physics"])], 1)]  # fmt: skip
    mapped = [mapper.map(r) for r in records]
    key = lambda f: (f.key, f.severity, f.message, f.focus, f.path, f.value)  # noqa: E731
    alone = [sorted(map(key, validate_batch([m])[0])) for m in mapped]
    assert [sorted(map(key, found)) for found in validate_batch(mapped)] == alone
    assert any(f for f in alone[0]) and any(f[0] == "uk.bl.ethos.3" and f[1] == "Violation" for f in alone[2])


@pytest.mark.slow
def test_pyshacl_and_turbo_agree(clean: Mapped) -> None:
    """The reference engine and the fast one report the same findings on a sample of cases."""
    for _, _, change, _, _ in CASES[::4]:
        mapped = mutate(clean, change)
        key = lambda f: (f.severity, f.message, f.focus, f.path)  # noqa: E731
        assert sorted(map(key, findings(mapped, "pyshacl"))) == sorted(map(key, findings(mapped, "turbo")))
