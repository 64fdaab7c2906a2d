"""OAI-PMH 2.0 provider at /oai: six verbs; oai_dc, uketd_dc and rdf; sets by awarding body.

Datestamps and deleted records come from the change log (deletions are persistent);
resumption tokens carry the request and the last key sent, so they stay valid while new
records are ingested.  Responses are built with lxml, so they are well-formed whatever
the records hold (control characters are removed first).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from urllib.parse import urlparse

import pyoxigraph as ox
from flask import Blueprint, Response, request
from lxml import etree

from ..model.identifiers import DOI_URI, is_ethos_id, parse_ethos_id
from ..model.records import xml_chars
from ..renderers import RENDERERS
from ..sources.uketd_dc import LDPUB_THESIS, SUBJECT_SCHEMES, XML_LANG, parser
from ..uris import (
    document_iri,
    institution_of_set,
    key_of_oai_identifier,
    last_segment,
    oai_identifier,
    scheme_iri,
)
from ..vocab import BIBO_IRI, DC_IRI, DCT_IRI, RDF_IRI, RELATORS_IRI
from .describe import thesis as describe_thesis
from .pages import OWL_SAME, Facts
from .params import granularity, utc_moment
from .respond import base, changes, store

bp = Blueprint("oai", __name__)
OAI = "http://www.openarchives.org/OAI/2.0/"
OAI_DC = "http://www.openarchives.org/OAI/2.0/oai_dc/"
UKETD = "http://naca.central.cranfield.ac.uk/ethos-oai/2.0/"
UKETDTERMS = "http://naca.central.cranfield.ac.uk/ethos-oai/terms/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
FORMATS = {
    "oai_dc": ("http://www.openarchives.org/OAI/2.0/oai_dc.xsd", OAI_DC),
    "uketd_dc": ("http://naca.central.cranfield.ac.uk/ethos-oai/2.0/uketd_dc.xsd", UKETD),
    "rdf": ("http://www.openarchives.org/OAI/2.0/rdf.xsd", RDF_IRI),
}
ARGUMENTS = {
    "Identify": (set(), set()),
    "ListMetadataFormats": (set(), {"identifier"}),
    "ListSets": (set(), {"resumptionToken"}),
    "GetRecord": ({"identifier", "metadataPrefix"}, set()),
    "ListIdentifiers": ({"metadataPrefix"}, {"from", "until", "set", "resumptionToken"}),
    "ListRecords": ({"metadataPrefix"}, {"from", "until", "set", "resumptionToken"}),
}
PAGE = 100
RELATORS = RELATORS_IRI
SCHEMA = "http://schema.org/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
FOAF_PAGE = "http://xmlns.com/foaf/0.1/page"
RDFS_SEE_ALSO = "http://www.w3.org/2000/01/rdf-schema#seeAlso"


class OaiError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@bp.route("/oai", methods=["GET", "POST"])
def endpoint() -> Response:
    args = request.form if request.method == "POST" else request.args
    root = etree.Element(f"{{{OAI}}}OAI-PMH", nsmap={None: OAI, "xsi": XSI})
    root.set(f"{{{XSI}}}schemaLocation", f"{OAI} http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd")
    _sub(root, "responseDate", datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
    req = _sub(root, "request", f"{base()}oai")
    try:
        verb, values = _checked(args)
        for key, value in values.items():
            req.set(key, _clean(value))
        req.set("verb", verb)
        VERBS[verb](root, values)
    except OaiError as exc:
        if exc.code in ("badVerb", "badArgument"):  # the protocol: echo no arguments then
            req.attrib.clear()
        error = _sub(root, "error", str(exc))
        error.set("code", exc.code)
    body = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return Response(body, mimetype="text/xml")


def _checked(args) -> tuple[str, dict[str, str]]:  # type: ignore[no-untyped-def]
    verbs = args.getlist("verb")
    if len(verbs) != 1 or verbs[0] not in ARGUMENTS:
        raise OaiError("badVerb", "verb is missing, repeated or not an OAI-PMH verb")
    verb = verbs[0]
    required, optional = ARGUMENTS[verb]
    names = [k for k in args.keys() if k != "verb"]
    if any(len(args.getlist(k)) > 1 for k in names):
        raise OaiError("badArgument", "an argument is repeated")
    values = {k: args[k] for k in names}
    unknown = set(values) - required - optional
    if unknown:
        raise OaiError("badArgument", "illegal argument(s): " + ", ".join(sorted(unknown)))
    if "resumptionToken" in values:
        if len(values) > 1:
            raise OaiError("badArgument", "resumptionToken is an exclusive argument")
        return verb, values
    missing = required - set(values)
    if missing:
        raise OaiError("badArgument", "missing argument(s): " + ", ".join(sorted(missing)))
    return verb, values


def identify(root: etree._Element, _: dict) -> None:
    node = _sub(root, "Identify")
    _sub(node, "repositoryName", "UK doctoral theses (ldpub)")
    _sub(node, "baseURL", f"{base()}oai")
    _sub(node, "protocolVersion", "2.0")
    _sub(node, "adminEmail", f"ldpub@{urlparse(base()).hostname or 'localhost'}")
    _sub(node, "earliestDatestamp", _stamp(changes().earliest()) or "1970-01-01T00:00:00Z")
    _sub(node, "deletedRecord", "persistent")
    _sub(node, "granularity", "YYYY-MM-DDThh:mm:ssZ")


def list_metadata_formats(root: etree._Element, values: dict) -> None:
    if "identifier" in values:
        _key(values["identifier"])
    node = _sub(root, "ListMetadataFormats")
    for prefix, (schema, namespace) in FORMATS.items():
        fmt = _sub(node, "metadataFormat")
        _sub(fmt, "metadataPrefix", prefix)
        _sub(fmt, "schema", schema)
        _sub(fmt, "metadataNamespace", namespace)


def list_sets(root: etree._Element, values: dict) -> None:
    if "resumptionToken" in values:
        raise OaiError("badResumptionToken", "the set list is complete in one response")
    specs = changes().setspecs()
    if not specs:
        raise OaiError("noSetHierarchy", "no records, so no sets yet")
    node = _sub(root, "ListSets")
    for spec in specs:
        one = _sub(node, "set")
        _sub(one, "setSpec", spec)
        _sub(one, "setName", _set_name(spec))


def _set_name(spec: str) -> str:
    org = ox.NamedNode(institution_of_set(base(), spec))
    for quad in store().db.quads_for_pattern(org, ox.NamedNode("http://xmlns.com/foaf/0.1/name"), None, None):
        return _clean(quad.object.value)
    return spec


def get_record(root: etree._Element, values: dict) -> None:
    prefix = _prefix(values["metadataPrefix"])
    key = _key(values["identifier"])
    change = changes().latest(key)
    if change.kind != "Delete" and not store().has_graph(document_iri(base(), key)):
        raise OaiError("idDoesNotExist", "that record is not published yet")
    node = _sub(root, "GetRecord")
    _record(node, key, change.kind, change.at, change.setspec, prefix, with_metadata=True)


def list_identifiers(root: etree._Element, values: dict) -> None:
    _list(root, values, "ListIdentifiers", with_metadata=False)


def list_records(root: etree._Element, values: dict) -> None:
    _list(root, values, "ListRecords", with_metadata=True)


def _list(root: etree._Element, values: dict, verb: str, with_metadata: bool) -> None:
    query = _token(values["resumptionToken"]) if "resumptionToken" in values else _query(values)
    rows = changes().current(query["k"], PAGE + 1, query["s"], query["f"], query["u"])
    if not rows:
        if "resumptionToken" in values:
            raise OaiError("badResumptionToken", "the resumption token is not valid (or the list has changed)")
        raise OaiError("noRecordsMatch", "no records match the request")
    node = _sub(root, verb)
    for key, kind, at, setspec in rows[:PAGE]:
        if with_metadata and kind != "Delete" and not store().has_graph(document_iri(base(), key)):
            continue  # logged but not yet in the published snapshot: the next harvest gets it
        _record(node, key, kind, at, setspec, query["p"], with_metadata)
    if len(rows) > PAGE:
        _sub(node, "resumptionToken", _encode({**query, "k": rows[PAGE - 1][0]}))
    elif "resumptionToken" in values:
        _sub(node, "resumptionToken", "")


def _query(values: dict) -> dict:
    prefix = _prefix(values["metadataPrefix"])
    since, until = values.get("from"), values.get("until")
    for value in (since, until):
        if value is not None and granularity(value) is None:
            raise OaiError("badArgument", "from and until must be YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ")
    if since and until and granularity(since) != granularity(until):
        raise OaiError("badArgument", "from and until must have the same granularity")
    low = _bound(since, end_of_day=False) if since else None
    high = _bound(until, end_of_day=True) if until else None
    if low and high and low > high:
        raise OaiError("badArgument", "from is later than until")
    return {"p": prefix, "s": values.get("set"), "f": low, "u": high, "k": ""}


def _bound(value: str, end_of_day: bool) -> str:
    """A from/until value in the change log's format, checked to be a real date."""
    moment = utc_moment(value, end_of_day)
    if moment is None:
        raise OaiError("badArgument", "from or until is not a real date")
    return moment.isoformat()


def _encode(query: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(query, separators=(",", ":")).encode()).decode().rstrip("=")


MAX_TOKEN = 1000  # characters; the tokens written here take about 200
_STAMP = re.compile("[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}[+]00:00")  # what _bound writes


def _text_up_to(limit: int, pattern: re.Pattern | None = None) -> Callable[[object], bool]:
    return lambda v: isinstance(v, str) and len(v) <= limit and (pattern is None or bool(pattern.fullmatch(v)))


def _or_null(check: Callable[[object], bool]) -> Callable[[object], bool]:
    return lambda v: v is None or check(v)


# A token is JSON this server wrote, but it comes back from anyone: each field is held to
# what _list puts there before any of it is used (a list where a key belongs reached SQLite).
TOKEN_SCHEMA: dict[str, Callable[[object], bool]] = {
    "p": lambda v: isinstance(v, str) and v in FORMATS,
    "s": _or_null(_text_up_to(200)),
    "f": _or_null(_text_up_to(25, _STAMP)),
    "u": _or_null(_text_up_to(25, _STAMP)),
    "k": _text_up_to(100),
}


def _token(text: str) -> dict:
    """The request a resumption token holds, or badResumptionToken; never an exception of another kind."""
    bad = OaiError("badResumptionToken", "the resumption token is not valid")
    if len(text) > MAX_TOKEN:
        raise bad
    try:
        query = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    except (ValueError, RecursionError, binascii.Error) as exc:  # junk, bad UTF-8, huge integers, deep nesting
        raise bad from exc
    if not isinstance(query, dict) or set(query) != set(TOKEN_SCHEMA):
        raise bad
    if not all(check(query[name]) for name, check in TOKEN_SCHEMA.items()):
        raise bad
    return query


def _prefix(prefix: str) -> str:
    if prefix not in FORMATS:
        raise OaiError("cannotDisseminateFormat", "metadataPrefix must be one of " + ", ".join(FORMATS))
    return prefix


def _key(identifier: str) -> str:
    key = key_of_oai_identifier(base(), identifier)
    if not key or changes().latest(key) is None:
        raise OaiError("idDoesNotExist", "no record has that identifier")
    return key


def _record(parent: etree._Element, key: str, kind: str, at: str, setspec: str | None, prefix: str,
            with_metadata: bool) -> None:  # fmt: skip
    record = _sub(parent, "record") if with_metadata else parent
    header = _sub(record, "header")
    if kind == "Delete":
        header.set("status", "deleted")
    _sub(header, "identifier", oai_identifier(base(), key))
    _sub(header, "datestamp", _stamp(at))
    if setspec:
        _sub(header, "setSpec", setspec)
    if not with_metadata or kind == "Delete":
        return
    found = describe_thesis(store().db, base(), key)
    if found is None:  # not in the snapshot (callers skip such records); never a record without metadata
        return
    metadata = _sub(record, "metadata")
    metadata.append(METADATA[prefix](Facts(found.triples, base()), found.thing, found.triples))


def oai_dc(facts: Facts, thesis: str, _triples: list) -> etree._Element:
    """Simple Dublin Core: what it cannot say (README, "OAI-PMH out") is left out, and roles
    ride on the names as UK repositories write them ("Sharp, Donald (Supervisor)")."""
    root = etree.Element(f"{{{OAI_DC}}}dc", nsmap={"oai_dc": OAI_DC, "dc": DC_IRI, "xsi": XSI})
    root.set(f"{{{XSI}}}schemaLocation", f"{OAI_DC} {FORMATS['oai_dc'][0]}")
    for element, values in _dc_values(Thesis(facts, thesis)):
        for value in values:
            _sub(root, element, value, DC_IRI)
    return root


def _dc_values(t: Thesis) -> list[tuple[str, list[str]]]:
    label = t.facts.label
    return [
        ("title", t.texts("title") + t.texts("alternative")),
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
        return [o for o in self.facts.index.get(self.iri, {}).get(DCT_IRI + dcterm, []) if isinstance(o, ox.Literal)]

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


def uketd_dc(facts: Facts, thesis: str, _triples: list) -> etree._Element:
    """Every field the RDF holds that UKETD_DC 2.0 can say, so that harvesting ldpub gives
    back the same triples; the README lists each element and what it becomes."""
    root = etree.Element(f"{{{UKETD}}}uketddc", nsmap={"uketd_dc": UKETD, "dc": DC_IRI, "dcterms": DCT_IRI,
                                                         "uketdterms": UKETDTERMS, "xsi": XSI,
                                                         "ldpub": f"{facts.base}def/"})  # fmt: skip
    root.set(f"{{{XSI}}}schemaLocation", f"{UKETD} {FORMATS['uketd_dc'][0]}")
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
    for org in t.values(RELATORS + "dgg"):  # UKETD_DC has no element for it: ldpub's own namespace
        isni = t.isni(org)
        if isni:
            _add(root, t.own_terms, "awardingBodyIsni", isni)
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


def rdf(_facts: Facts, _thesis: str, triples: list) -> etree._Element:
    """The record's own graph as RDF/XML (parsed back with the same closed-door parser)."""
    text = RENDERERS["rdf"].render(triples, base())
    return etree.fromstring(xml_chars(text.decode("utf-8")).encode("utf-8"), parser())


METADATA = {"oai_dc": oai_dc, "uketd_dc": uketd_dc, "rdf": rdf}
VERBS = {"Identify": identify, "ListMetadataFormats": list_metadata_formats, "ListSets": list_sets,
         "GetRecord": get_record, "ListIdentifiers": list_identifiers, "ListRecords": list_records}  # fmt: skip


def _sub(parent: etree._Element, name: str, text: str | None = None, namespace: str = OAI) -> etree._Element:
    element = etree.SubElement(parent, f"{{{namespace}}}{name}")
    if text is not None:
        element.text = _clean(text)
    return element


def _clean(text: str) -> str:
    """XML 1.0 cannot hold most control characters: ingest removes them, but a store written
    before it did may hold some, and a visitor's arguments are echoed."""
    return xml_chars(text)


def _stamp(at: str | None) -> str | None:
    if not at:
        return None
    return datetime.fromisoformat(at).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
