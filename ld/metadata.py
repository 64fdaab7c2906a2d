"""The thesis metadata formats of OAI-PMH (`oai_dc`, `uketd_dc`), written from a thesis's triples.

The web's OAI-PMH provider serves them, and ingest reads `uketd_dc` back when a second
source of a thesis arrives (pipeline/combining.py): UKETD_DC carries everything a record
holds, so a record is rebuilt from its published graph without keeping its source.
"""

from __future__ import annotations

import pyoxigraph as ox
from lxml import etree

from .facts import OWL_SAME, Facts
from .model.identifiers import DOI_URI, ISNI_URI, is_ethos_id, parse_ethos_id
from .model.records import xml_chars
from .sources.uketd_dc import LDPUB_THESIS, SUBJECT_SCHEMES, XML_LANG
from .uris import last_segment, scheme_iri
from .vocab import BIBO_IRI, DC_IRI, DCT_IRI, RELATORS_IRI

OAI_DC = "http://www.openarchives.org/OAI/2.0/oai_dc/"
UKETD = "http://naca.central.cranfield.ac.uk/ethos-oai/2.0/"
UKETDTERMS = "http://naca.central.cranfield.ac.uk/ethos-oai/terms/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMAS = {
    "oai_dc": ("http://www.openarchives.org/OAI/2.0/oai_dc.xsd", OAI_DC),
    "uketd_dc": ("http://naca.central.cranfield.ac.uk/ethos-oai/2.0/uketd_dc.xsd", UKETD),
}
RELATORS = RELATORS_IRI
SCHEMA = "http://schema.org/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
FOAF_PAGE = "http://xmlns.com/foaf/0.1/page"
RDFS_SEE_ALSO = "http://www.w3.org/2000/01/rdf-schema#seeAlso"


def _sub(parent: etree._Element, name: str, text: str | None, namespace: str) -> etree._Element:
    element = etree.SubElement(parent, f"{{{namespace}}}{name}")
    if text is not None:
        element.text = xml_chars(text)  # a store written before ingest removed them may hold some
    return element


def oai_dc(facts: Facts, thesis: str, _triples: list | None = None) -> etree._Element:
    """Simple Dublin Core: what it cannot say (README, "OAI-PMH out") is left out, and roles
    ride on the names as UK repositories write them ("Sharp, Donald (Supervisor)")."""
    root = etree.Element(f"{{{OAI_DC}}}dc", nsmap={"oai_dc": OAI_DC, "dc": DC_IRI, "xsi": XSI})
    root.set(f"{{{XSI}}}schemaLocation", f"{OAI_DC} {SCHEMAS['oai_dc'][0]}")
    t = Thesis(facts, thesis)
    for title in t.literals("title"):  # with their languages: which is the title depends on them
        _add(root, DC_IRI, "title", title.value, lang=title.language)
    for element, values in _dc_values(t):
        for value in values:
            _sub(root, element, value, DC_IRI)
    return root


def _dc_values(t: Thesis) -> list[tuple[str, list[str]]]:
    label = t.facts.label
    return [
        ("creator", [label(a) for a in t.facts.authors(t.iri)]),
        ("contributor", [f"{label(s)} (Supervisor)" for s in t.facts.supervisors(t.iri)]
         + [f"{label(f)} (Sponsor)" for f in t.values(RELATORS + "fnd")] + [label(c) for c in t.other_contributors()]),
        ("subject", [label(s) for s in t.values(DCT_IRI + "subject")] + t.values(SCHEMA + "keywords")),
        ("description", t.texts("abstract") + t.texts("description")),
        ("publisher", t.own("awardingBodyName") + t.own("publisherName") + t.own("commercialPublisher")),
        ("date", t.texts("issued")),
        ("type", ["Thesis"]),
        ("format", t.texts("format")),
        ("identifier", [t.iri, *t.texts("identifier"), *t.doi_urls(), *t.values(FOAF_PAGE), *t.texts("hasFormat")]),
        ("source", t.texts("source")),
        ("language", [last_segment(v) for v in t.texts("language")]),
        ("relation", t.texts("relation") + t.texts("references") + t.texts("hasVersion")),
        ("rights", t.texts("rights") + t.texts("license") + t.texts("accessRights")),
    ]  # fmt: skip


class Thesis:
    """A thesis's values as the OAI-PMH writers read them."""

    def __init__(self, facts: Facts, iri: str) -> None:
        self.facts, self.iri = facts, iri
        self.own_terms = f"{facts.base}def/"

    def values(self, predicate: str) -> list[str]:
        return self.facts.values(self.iri, predicate)

    def texts(self, dcterm: str) -> list[str]:
        return self.values(DCT_IRI + dcterm)

    def own(self, term: str) -> list[str]:
        return self.values(self.own_terms + term)

    def literals(self, dcterm: str) -> list[ox.Literal]:
        """Untagged first, then by language: the reader takes the first untagged one as the title."""
        found = [o for o in self.facts.index.get(self.iri, {}).get(DCT_IRI + dcterm, []) if isinstance(o, ox.Literal)]
        return sorted(found, key=lambda o: (o.language is not None, o.language or "", o.value))

    def other_contributors(self) -> list[str]:
        supervisors = set(self.values(RELATORS + "ths"))
        return [c for c in self.values(DCT_IRI + "contributor") if c not in supervisors]

    def doi_urls(self) -> list[str]:
        return [DOI_URI + d for d in self.values(BIBO_IRI + "doi")]

    def isni(self, agent: str) -> str | None:
        return next((last_segment(s) for s in self.facts.values(agent, OWL_SAME) if "isni.org/isni/" in s), None)

    def orcid(self, agent: str) -> str | None:
        return next((last_segment(s) for s in self.facts.values(agent, OWL_SAME) if "orcid.org/" in s), None)

    def concepts(self, scheme: str) -> list[str]:
        """This thesis's subjects in one of ldpub's concept schemes (uris.scheme_iri)."""
        in_scheme = scheme_iri(self.facts.base, scheme)
        return [c for c in self.values(DCT_IRI + "subject") if in_scheme in self.facts.values(c, SKOS + "inScheme")]


def uketd_dc(facts: Facts, thesis: str, _triples: list | None = None) -> etree._Element:
    """Every field the RDF holds that UKETD_DC 2.0 can say, so that harvesting ldpub gives
    back the same triples; the README lists each element and what it becomes."""
    root = etree.Element(f"{{{UKETD}}}uketddc", nsmap={"uketd_dc": UKETD, "dc": DC_IRI, "dcterms": DCT_IRI,
                                                         "uketdterms": UKETDTERMS, "xsi": XSI,
                                                         "ldpub": f"{facts.base}def/"})  # fmt: skip
    root.set(f"{{{XSI}}}schemaLocation", f"{UKETD} {SCHEMAS['uketd_dc'][0]}")
    t = Thesis(facts, thesis)
    for write in (_titles, _people, _subjects, _description, _institution, _degree_and_dates, _identifiers,
                  _rights):  # fmt: skip
        write(root, t)
    return root


def _add(root: etree._Element, namespace: str, name: str, text: str, kind: str | None = None,
         lang: str | None = None) -> None:  # fmt: skip
    element = _sub(root, name, text, namespace)
    if kind:
        element.set(f"{{{XSI}}}type", kind)
    if lang:
        element.set(XML_LANG, lang)


def _titles(root: etree._Element, t: Thesis) -> None:
    for name, dcterm, namespace in (("title", "title", DC_IRI), ("alternative", "alternative", DCT_IRI)):
        for title in t.literals(dcterm):
            _add(root, namespace, name, title.value, lang=title.language)


def _people(root: etree._Element, t: Thesis) -> None:
    label = t.facts.label
    authors = t.facts.authors(t.iri)
    for author in authors:
        _add(root, DC_IRI, "creator", label(author))
    first = authors[0] if authors else None  # UKETD_DC has identifiers for one author only
    for kind, value in (("ISNI", t.isni(first) if first else None), ("ORCID", t.orcid(first) if first else None)):
        if value:
            _add(root, UKETDTERMS, "authoridentifier", value, f"uketdterms:{kind}")
    for supervisor in t.facts.supervisors(t.iri):
        _add(root, UKETDTERMS, "advisor", label(supervisor))
    for contributor in t.other_contributors():
        _add(root, DC_IRI, "contributor", label(contributor))
    for funder in t.values(RELATORS + "fnd"):
        _add(root, UKETDTERMS, "sponsor", label(funder))
    for grant in t.own("grantNumber"):
        _add(root, UKETDTERMS, "grantnumber", grant)


def _subjects(root: etree._Element, t: Thesis) -> None:
    for keyword in t.values(SCHEMA + "keywords"):
        _add(root, DC_IRI, "subject", keyword)
    for concept in t.concepts("ddc"):  # each label the store holds, so the harvest gives them all
        notation = t.facts.first(concept, SKOS + "notation") or last_segment(concept)
        for label in t.facts.values(concept, SKOS + "prefLabel"):
            _add(root, DC_IRI, "subject", notation if label == notation else f"{notation} {label}", "dcterms:DDC")
    for scheme in SUBJECT_SCHEMES:
        for concept in t.concepts(scheme):
            for label in t.facts.values(concept, SKOS + "prefLabel"):
                _add(root, DC_IRI, "subject", label, f"dcterms:{scheme.upper()}")
    for concept in t.own("subjectDiscipline"):
        _add(root, t.own_terms, "subjectDiscipline", t.facts.label(concept))


def _description(root: etree._Element, t: Thesis) -> None:
    for abstract in t.literals("abstract"):
        _add(root, DCT_IRI, "abstract", abstract.value, lang=abstract.language)
    for text in t.texts("description"):
        _add(root, DC_IRI, "description", text)


def _institution(root: etree._Element, t: Thesis) -> None:
    for name in t.own("awardingBodyName"):
        _add(root, UKETDTERMS, "institution", name)
    for org in t.values(RELATORS + "dgg"):  # the awarding body publishes the thesis (dcterms:publisher in the RDF)
        isni = t.isni(org)
        if isni:
            _add(root, DCT_IRI, "publisher", ISNI_URI + isni, "dcterms:URI")
    for org in t.own("currentInstitution"):
        _add(root, t.own_terms, "currentInstitution", t.facts.label(org))
    for name, element in (("department", "department"), ("commercialPublisher", "commercial")):
        for value in t.own(name):
            _add(root, UKETDTERMS, element, value)
    for name in t.own("publisherName"):
        _add(root, DC_IRI, "publisher", name)


def _degree_and_dates(root: etree._Element, t: Thesis) -> None:
    submitted = t.texts("dateSubmitted")
    for date in submitted:
        _add(root, DCT_IRI, "issued", date)
    for date in t.texts("issued"):  # the award: dateAccepted beside a submission date, else issued
        _add(root, DCT_IRI, "dateAccepted" if submitted else "issued", date)
    for date in t.texts("date"):
        _add(root, DC_IRI, "date", date)
    _add(root, DC_IRI, "type", "Thesis or dissertation")
    for value, element in ((SCHEMA + "inSupportOf", "qualificationname"),
                           (t.own_terms + "qualificationLevel", "qualificationlevel")):  # fmt: skip
        for text in t.values(value):
            _add(root, UKETDTERMS, element, text)
    for language in t.facts.index.get(t.iri, {}).get(DCT_IRI + "language", []):
        if isinstance(language, ox.NamedNode):
            _add(root, DC_IRI, "language", last_segment(language.value), "dcterms:ISO639-2")
        else:
            _add(root, DC_IRI, "language", language.value)


def _identifiers(root: etree._Element, t: Thesis) -> None:
    _add(root, DCT_IRI, "isReferencedBy", t.iri, "dcterms:URI")  # its persistent URI, told apart on harvest
    for page in t.values(FOAF_PAGE) + t.own("repositoryCopy"):
        _add(root, DCT_IRI, "isReferencedBy", page, "dcterms:URI" if page.startswith("http") else None)
    for identifier in t.texts("identifier"):
        _add(root, DC_IRI, "identifier", identifier)
    for doi in t.values(BIBO_IRI + "doi"):
        _add(root, DC_IRI, "identifier", doi, "dcterms:DOI")
    for also in t.values(RDFS_SEE_ALSO):  # the EThOS record, the thesis at other ldpub sites
        if parse_ethos_id(also) and is_ethos_id(parse_ethos_id(also) or ""):
            _add(root, DC_IRI, "identifier", also, "dcterms:URI")
        elif LDPUB_THESIS.fullmatch(also):
            _add(root, DCT_IRI, "isReferencedBy", also, "dcterms:URI")
    for file in t.texts("hasFormat") + t.own("fileIdentifier"):
        _add(root, DC_IRI, "identifier", file, "dcterms:URI")
    for media_type in t.texts("format"):
        _add(root, DC_IRI, "format", media_type)
    for element, dcterm, namespace in (("hasVersion", "hasVersion", DCT_IRI), ("references", "references", DCT_IRI),
                                       ("relation", "relation", DC_IRI), ("source", "source", DC_IRI)):  # fmt: skip
        for value in t.texts(dcterm):
            _add(root, namespace, element, value)


def _rights(root: etree._Element, t: Thesis) -> None:
    for element, dcterm, namespace in (("rights", "rights", DC_IRI), ("license", "license", DCT_IRI),
                                       ("accessRights", "accessRights", DCT_IRI)):  # fmt: skip
        for value in t.texts(dcterm):
            _add(root, namespace, element, value)
    for value, element in (("embargoType", "embargotype"), ("embargoDate", "embargodate")):
        for text in t.own(value):
            _add(root, UKETDTERMS, element, text)
