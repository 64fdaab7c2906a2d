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

from ..metadata import SCHEMAS, XSI, oai_dc, uketd_dc
from ..model.records import xml_chars
from ..renderers import RENDERERS
from ..sources.uketd_dc import parser
from ..uris import (
    document_iri,
    institution_of_set,
    key_of_oai_identifier,
    oai_identifier,
)
from ..vocab import RDF_IRI
from .describe import thesis as describe_thesis
from .pages import Facts
from .params import granularity, utc_moment
from .respond import base, changes, store

bp = Blueprint("oai", __name__)
OAI = "http://www.openarchives.org/OAI/2.0/"
FORMATS = {
    **SCHEMAS,
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
