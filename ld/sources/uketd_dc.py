"""Reader for UKETD_DC XML: a single record, an OAI-PMH GetRecord/ListRecords response, or
any collection of records.

Untrusted XML is refused outright if it declares a DTD or entities (billion laughs,
file:// entities): nothing in UKETD_DC needs them.  lxml then parses with entity
resolution, DTD loading and the network switched off (shared/reference/security.md).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from ..model.identifiers import is_ethos_id, parse_doi, parse_ethos_id
from ..model.records import Agent, Location, ReadError, Record, clean, clean_text
from ..vocab import DC_IRI, DCT_IRI

NAME = "uketd-dc"
OAI = "http://www.openarchives.org/OAI/2.0/"
OAI_DC = "http://www.openarchives.org/OAI/2.0/oai_dc/"
XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
# Every namespace the profile has had: Cranfield 1.x and 2.0, Leeds.
UKETD_NAMESPACES = (
    "http://naca.central.cranfield.ac.uk/ethos-oai/2.0/",
    "http://naca.central.cranfield.ac.uk/ethos-oai/terms/",
    "http://naca.central.cranfield.ac.uk/uketd/",
    "http://naca.central.cranfield.ac.uk/uketd/terms/",
    "http://ethos.library.leeds.ac.uk/uketd/",
    "http://ethos.library.leeds.ac.uk/uketd/terms/",
)
_DECLARATIONS = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.I)
_ROLE = re.compile(r"\s*\((supervisor|advisor|sponsor|funder|author|creator)\)\s*$", re.I)


def parser() -> etree.XMLParser:
    """lxml with every door shut: no entities, no DTD, no network, no huge trees."""
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                           huge_tree=False, remove_comments=True)  # fmt: skip


def sniff(head: bytes) -> bool:
    return b"uketddc" in head or any(ns.encode() in head for ns in (*UKETD_NAMESPACES, OAI, OAI_DC))


@dataclass(frozen=True)
class Element:
    """One uketddc element as XML text, with where it was and its OAI-PMH header."""

    source: str
    line: int | None
    xml: bytes
    oai_identifier: str | None = None
    oai_datestamp: str | None = None


def units(path: Path, display: str | None = None) -> Iterator[Element | ReadError]:
    """Every uketddc record in the file (deleted OAI-PMH records carry none and are left to the harvester)."""
    source = display or str(path)
    root = parse_untrusted(path.read_bytes(), source)
    if isinstance(root, ReadError):
        yield root
        return
    found = 0
    for element in root.iter():
        if isinstance(element.tag, str) and _is_record(etree.QName(element)):
            found += 1
            identifier, datestamp = _oai_header(element)
            yield Element(source, element.sourceline, etree.tostring(element), identifier, datestamp)
    if not found and not _only_deleted(root):
        yield ReadError(Location(source, line=1), "no uketd_dc:uketddc record in this XML")


def _is_record(name: etree.QName) -> bool:
    """A uketddc element (any namespace variant), or a plain oai_dc record."""
    return name.localname == "uketddc" or (name.namespace == OAI_DC and name.localname == "dc")


def parse_untrusted(data: bytes, source: str) -> etree._Element | ReadError:
    """The document's root, or a located error; DTDs and entity declarations are refused unread."""
    declared = _DECLARATIONS.search(data)
    if declared:
        line = data[: declared.start()].count(b"\n") + 1
        return ReadError(
            Location(source, line=line),
            "XML with a DTD or entity declarations is refused (entity expansion, file access)",
        )
    try:
        return etree.fromstring(data, parser())
    except etree.XMLSyntaxError as exc:
        return ReadError(Location(source, line=exc.lineno or 1), f"not well-formed XML: {exc.msg}")


def _oai_header(element: etree._Element) -> tuple[str | None, str | None]:
    record = next((a for a in element.iterancestors() if etree.QName(a).localname == "record"), None)
    if record is None:
        return None, None
    header = next((c for c in record if isinstance(c.tag, str) and etree.QName(c).localname == "header"), None)
    if header is None:
        return None, None
    values = {etree.QName(c).localname: (c.text or "").strip() for c in header if isinstance(c.tag, str)}
    return values.get("identifier") or None, values.get("datestamp") or None


def _only_deleted(root: etree._Element) -> bool:
    headers = [e for e in root.iter() if isinstance(e.tag, str) and etree.QName(e).localname == "header"]
    return bool(headers) and all(h.get("status") == "deleted" for h in headers)


def where(unit: Element) -> Location:
    return Location(unit.source, line=unit.line, oai_identifier=unit.oai_identifier, oai_datestamp=unit.oai_datestamp)


def fingerprint(unit: Element) -> bytes:
    """The element and its OAI-PMH header (the header's identifier and datestamp are published)."""
    header = f"{unit.oai_identifier or ''}\x1f{unit.oai_datestamp or ''}\x1e".encode()
    return header + unit.xml


def parse(unit: Element) -> Record | ReadError:
    root = parse_untrusted(unit.xml, unit.source)
    if isinstance(root, ReadError):
        return root
    fields = _fields(root)
    location = where(unit)
    if not fields.get("title") and not fields.get("creator"):
        return ReadError(location, "record has neither dc:title nor dc:creator")
    return _record(fields, location)


def _fields(root: etree._Element) -> dict[str, list[tuple[str, str]]]:
    """Local name -> [(value, xsi:type local part)], for DC, DC terms and any UKETD namespace."""
    fields: dict[str, list[tuple[str, str]]] = {}
    for child in root:
        if not isinstance(child.tag, str):
            continue
        name = etree.QName(child)
        if name.namespace not in (DC_IRI, DCT_IRI, *UKETD_NAMESPACES):
            continue
        kind = (child.get(XSI_TYPE) or "").rsplit(":", 1)[-1].casefold()
        fields.setdefault(name.localname.casefold(), []).append(("".join(child.itertext()), kind))
    return fields


def _first(fields: dict, name: str) -> str | None:
    for value, _ in fields.get(name, []):
        if clean(value):
            return clean(value)
    return None


def _agents(fields: dict, name: str) -> list[Agent]:
    names = [clean(_ROLE.sub("", value)) for value, _ in fields.get(name, [])]
    return [Agent(n) for n in names if n]


def _record(fields: dict, location: Location) -> Record:
    creator = _agents(fields, "creator")
    identifiers = {kind: clean(value) for value, kind in fields.get("authoridentifier", []) if clean(value)}
    author = Agent(creator[0].name, isni=identifiers.get("isni"), orcid=identifiers.get("orcid")) if creator else None
    institution = _first(fields, "institution")
    ids = [(clean(v), k) for v, k in fields.get("identifier", []) + fields.get("source", []) if clean(v)]
    return Record(
        location=location,
        title=_first(fields, "title"),
        author=author,
        ethos_id=next((parse_ethos_id(v) for v, _ in ids if is_ethos_id(parse_ethos_id(v) or "")), None),
        institution=Agent(institution) if institution else None,
        department=_first(fields, "department"),
        date=_first(fields, "dateaccepted") or _first(fields, "issued") or _first(fields, "date"),
        qualification_name=_first(fields, "qualificationname"),
        qualification_level=_first(fields, "qualificationlevel"),
        abstract=clean_text("\n".join(v for v, _ in fields.get("abstract", []))),
        keywords=[s for s in (clean(v) for v, _ in fields.get("subject", [])) if s],
        supervisors=_agents(fields, "advisor"),
        funders=_agents(fields, "sponsor"),
        doi=next((parse_doi(v) for v, k in ids if k == "doi" or parse_doi(v)), None),
        repository_urls=_landing_pages(fields, ids),
        language=(_first(fields, "language") or "").casefold()[:3] or None,
    )


def _landing_pages(fields: dict, ids: list[tuple[str, str]]) -> list[str]:
    """The repository's page for the thesis: isReferencedBy, else the first web identifier."""
    pages = [clean(v) for v, _ in fields.get("isreferencedby", []) if (clean(v) or "").startswith("http")]
    if pages:
        return [p for p in pages[:1] if p]
    web = [v for v, _ in ids if v.startswith(("http://", "https://")) and not parse_doi(v)]
    return web[:1]
