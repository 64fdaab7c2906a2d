"""Reader for UKETD_DC XML: a single record, an OAI-PMH GetRecord/ListRecords response, or
any collection of records.

Untrusted XML is refused outright if it declares a DTD or entities (billion laughs,
file:// entities): nothing in UKETD_DC needs them.  lxml then parses with entity
resolution, DTD loading and the network switched off (shared/reference/security.md).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin

from lxml import etree

from ..model.identifiers import is_ethos_id, parse_doi, parse_ethos_id, parse_isni
from ..model.records import Agent, Location, ReadError, Record, clean, kept_text
from ..vocab import DC_IRI, DCT_IRI, name_key

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
_ROLE = re.compile(r"\s*\((supervisor|advisor|sponsor|funder|author|creator|editor|examiner)\)\s*$", re.I)
_SUPERVISING = ("supervisor", "advisor")
_FUNDING = ("sponsor", "funder")
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_LANG_TAG = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*")
SUBJECT_SCHEMES = ("lcsh", "lcc", "mesh", "udc")  # dc:subject xsi:types kept as headings of their scheme
# What ldpub's OAI-PMH writes in its own namespace, for what UKETD_DC has no element for.
_SCHEMED = ("ddc", *SUBJECT_SCHEMES)  # other xsi:types on dc:subject (JACS, local schemes) stay keywords
OWN_ELEMENTS = ("currentInstitution", "subjectDiscipline")
# A thesis's IRI at an ldpub site (its own OAI-PMH gives it as dcterms:isReferencedBy).
LDPUB_THESIS = re.compile(r"https?://[^\s/]+(/[^\s]*)?/id/thesis/[^\s/?#]+")
_W3CDTF_TIME = re.compile(
    r"([0-9]{4}-[0-9]{2}-[0-9]{2})T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?(Z|[+-][0-9]{2}:[0-9]{2})"
)
_ABSOLUTE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
_FILE_LIKE = re.compile(r"\.(pdf|docx?|zip|txt|rtf|ps|gz)$|/(datastreams|bitstream|download|files?)/", re.I)


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


@dataclass(frozen=True)
class Value:
    """One element's text, its xsi:type's local part (casefolded) and its xml:lang."""

    text: str
    kind: str = ""
    lang: str | None = None


Fields = dict[str, list[Value]]


def _fields(root: etree._Element) -> Fields:
    """Local name (casefolded) -> values, for DC, DC terms, any UKETD namespace and ldpub's
    own terms (`…/def/`, the elements ldpub's OAI-PMH adds for what UKETD_DC has no element for)."""
    fields: Fields = {}
    for child in root:
        if not isinstance(child.tag, str):
            continue
        name = etree.QName(child)
        ours = (name.namespace or "").endswith("/def/") and name.localname in OWN_ELEMENTS
        if name.namespace not in (DC_IRI, DCT_IRI, *UKETD_NAMESPACES) and not ours:
            continue
        kind = (child.get(XSI_TYPE) or "").rsplit(":", 1)[-1].casefold().replace("-", "")
        value = Value("".join(child.itertext()), kind, child.get(XML_LANG) or None)
        fields.setdefault(name.localname.casefold(), []).append(value)
    return fields


def _texts(fields: Fields, name: str, kinds: tuple[str, ...] | None = None) -> list[str]:
    """Every non-blank cleaned value of the element (of these xsi:types only, when given)."""
    found = (clean(v.text) for v in fields.get(name, []) if kinds is None or v.kind in kinds)
    return list(dict.fromkeys(t for t in found if t))


def _first(fields: Fields, name: str, kinds: tuple[str, ...] | None = None) -> str | None:
    return next(iter(_texts(fields, name, kinds)), None)


def _with_role(fields: Fields, name: str) -> list[tuple[str, str]]:
    """(name, role) of each agent element; role '' when no "(Supervisor)"-style suffix says it."""
    agents = []
    for value in fields.get(name, []):
        text = clean(value.text) or ""
        role = _ROLE.search(text)
        named = clean(_ROLE.sub("", text))
        if named:
            agents.append((named, role.group(1).casefold() if role else ""))
    return agents


def _record(fields: Fields, location: Location) -> Record:
    creators = [n for n, _ in _with_role(fields, "creator")]
    author_ids = {v.kind: clean(v.text) for v in fields.get("authoridentifier", []) if clean(v.text)}
    contributors = _with_role(fields, "contributor")
    supervisors = [n for n, _ in _with_role(fields, "advisor")] + [n for n, r in contributors if r in _SUPERVISING]
    sponsors = [n for n, _ in _with_role(fields, "sponsor")] + [n for n, r in contributors if r in _FUNDING]
    institution = _institution(fields)
    links = _links(fields)
    titles = [v for v in fields.get("title", []) if clean(v.text)]
    abstracts = [v for v in fields.get("abstract", []) if kept_text(v.text)]
    descriptions = [t for v in fields.get("description", []) if (t := kept_text(v.text))]
    if not abstracts and descriptions:  # oai_dc's dc:description is the abstract
        abstracts, descriptions = [Value(descriptions[0])], descriptions[1:]
    titles, more_titles = _main_and_parallel(titles)
    abstracts, more_abstracts = _main_and_parallel(abstracts)
    award, submitted, other_dates = _dates(fields)
    subjects = fields.get("subject", [])
    return Record(
        location=location,
        title=clean(titles[0].text) if titles else None,
        title_lang=_lang(titles[0]) if titles else None,
        alternative_titles=_texts(fields, "alternative")
        + [t for v, lang in more_titles if not lang if (t := clean(v.text))],
        parallel_titles=[(t, lang) for v, lang in more_titles if lang and (t := clean(v.text))],
        parallel_abstracts=[(t, lang) for v, lang in more_abstracts if lang and (t := kept_text(v.text))],
        author=Agent(creators[0], isni=author_ids.get("isni"), orcid=author_ids.get("orcid")) if creators else None,
        co_authors=[Agent(n) for n in creators[1:]],
        contributors=[Agent(n) for n, r in contributors if r not in (*_SUPERVISING, *_FUNDING)],
        ethos_id=links.ethos_id,
        ethos_url=links.ethos_url,
        institution=institution,
        current_institution=_first(fields, "currentinstitution"),
        department=_first(fields, "department"),
        date=award,
        submitted=submitted,
        other_dates=other_dates,
        qualification_name=_first(fields, "qualificationname"),
        qualification_level=_first(fields, "qualificationlevel"),
        abstract=kept_text(abstracts[0].text) if abstracts else None,
        abstract_lang=_lang(abstracts[0]) if abstracts else None,
        descriptions=descriptions + [t for v, lang in more_abstracts if not lang and (t := kept_text(v.text))],
        keywords=list(dict.fromkeys(t for v in subjects if v.kind not in _SCHEMED and (t := clean(v.text)))),
        ddc=list(dict.fromkeys(t for v in subjects if v.kind == "ddc" and (t := clean(v.text)))),
        scheme_subjects=list(
            dict.fromkeys((v.kind, t) for v in subjects if v.kind in SUBJECT_SCHEMES and (t := clean(v.text)))
        ),
        subject_discipline=_first(fields, "subjectdiscipline"),
        supervisors=[Agent(n) for n in dict.fromkeys(supervisors)],
        funders=[Agent(n) for n in dict.fromkeys(sponsors)],
        grant_numbers=_texts(fields, "grantnumber"),
        doi=links.doi,
        repository_urls=links.pages,
        files=links.files,
        also_published_as=links.elsewhere,
        language=_first(fields, "language"),
        rights=_texts(fields, "rights"),
        licences=_texts(fields, "license"),
        access_rights=_texts(fields, "accessrights"),
        embargo_date=_first(fields, "embargodate"),
        embargo_type=_first(fields, "embargotype"),
        references=_texts(fields, "references"),
        versions=_texts(fields, "hasversion"),
        relations=_texts(fields, "relation"),
        sources=[s for s in _texts(fields, "source") if not _is_ethos(s)],
        formats=_texts(fields, "format"),
        publishers=_publishers(fields, institution),
        commercial_publishers=_texts(fields, "commercial"),
    )


def _is_ethos(text: str) -> bool:
    return is_ethos_id(parse_ethos_id(text) or "")


def _whole_doi(text: str) -> bool:
    """An untyped identifier that is a DOI and nothing else (bare, doi:, or a doi.org address)."""
    doi = parse_doi(text)
    return bool(doi) and text.casefold().rstrip("/").endswith(doi.casefold())


def _main_and_parallel(values: list[Value]) -> tuple[list[Value], list[tuple[Value, str | None]]]:
    """The title (or abstract), and the others with their languages: a Welsh title beside the
    English one is a parallel title.  Which one is the title depends on the set, never on the
    order (the key is made of it): one without a language, else an English one, else the first
    by language and text."""
    if not values:
        return [], []
    main = min(values, key=lambda v: (_lang(v) is not None, not (_lang(v) or "").startswith("en"),
                                      _lang(v) or "", v.text.strip()))  # fmt: skip
    seen = {main.text.strip()}
    rest = []
    for v in values:
        if v is not main and v.text.strip() not in seen:
            seen.add(v.text.strip())
            rest.append((v, _lang(v)))
    return [main], rest


def _lang(value: Value) -> str | None:
    """An xml:lang that is a well-formed BCP 47 tag, lower-cased; anything else is not kept."""
    tag = (value.lang or "").strip()
    return tag.casefold() if _LANG_TAG.fullmatch(tag) else None


def _institution(fields: Fields) -> Agent | None:
    """The awarding body: uketdterms:institution, else dc:publisher (oai_dc has no institution
    element); its ISNI from a publisher given as an ISNI URI (as ldpub writes it), or an
    institution typed uketdterms:ISNI."""
    name = _first(fields, "institution", ("",)) or _first(fields, "publisher", ("",))
    isni_uris = [t for t in _texts(fields, "publisher", ("uri",)) if "isni.org/isni/" in t]
    isni = parse_isni(isni_uris[0]).compact if isni_uris else _first(fields, "institution", ("isni",))
    return Agent(name, isni=isni) if name else None


def _publishers(fields: Fields, institution: Agent | None) -> list[str]:
    """dc:publisher values that are not the awarding body under the same name."""
    awarding = name_key(institution.name) if institution else None
    return [p for p in _texts(fields, "publisher", ("",)) if name_key(p) != awarding]


def _dates(fields: Fields) -> tuple[str | None, str | None, list[str]]:
    """(award, submitted, other dates).  UKETD_DC 2.0: dateAccepted is the award and issued
    the submission; without dateAccepted, issued (or else dc:date) is the award."""
    accepted = _first(fields, "dateaccepted")
    issued = _first(fields, "issued")
    dates = _texts(fields, "date")
    award = _day(accepted or issued or (dates[0] if dates else None))
    return award, issued if accepted else None, [d for d in dates if d != award]


def _day(value: str | None) -> str | None:
    """A W3CDTF date and time of award (repositories stamp midnight) as its day: an award has
    a date, and the profile checks it is one."""
    found = _W3CDTF_TIME.fullmatch(value or "")
    return found.group(1) if found else value


@dataclass
class Links:
    ethos_id: str | None = None
    ethos_url: str | None = None
    doi: str | None = None
    pages: list[str] = field(default_factory=list)  # the repository's pages for the thesis
    files: list[str] = field(default_factory=list)  # its full text
    elsewhere: list[str] = field(default_factory=list)  # its IRIs at other ldpub sites


def _links(fields: Fields) -> Links:
    """Sort the identifiers: xsi:type first (dcterms:DOI, dcterms:URI), then what the value is."""
    links = Links()
    for value in fields.get("isreferencedby", []):
        text = clean(value.text)
        if text and LDPUB_THESIS.fullmatch(text):
            links.elsewhere.append(text)
        elif text:
            links.pages.append(text)
    identifiers = [(t, v.kind) for v in fields.get("identifier", []) if (t := clean(v.text))]
    # dc:source names where the thesis came from: an EThOS ID there is one (formats.md); any
    # other text, a DOI or address of another work included, stays a source (`sources`).
    identifiers += [(t, "") for v in fields.get("source", []) if (t := clean(v.text)) and _is_ethos(t)]
    untyped: list[str] = []  # web addresses with no xsi:type: the page, in feeds without isReferencedBy
    identifiers += [(t, "") for t in _texts(fields, "ethosid")]  # EThOS's own exports had this element
    for text, kind in identifiers:
        ethos = parse_ethos_id(text)
        if ethos and is_ethos_id(ethos):
            links.ethos_id = links.ethos_id or ethos
            if text.startswith(("http://", "https://")):
                links.ethos_url = links.ethos_url or text
        elif kind == "doi" or (kind != "uri" and _whole_doi(text)):
            links.doi = links.doi or parse_doi(text) or text
        elif LDPUB_THESIS.fullmatch(text):
            links.elsewhere.append(text)
        elif kind == "uri":
            links.files.append(text)
        elif text.startswith(("http://", "https://")):
            untyped.append(text)
    if not links.pages and untyped and not _FILE_LIKE.search(untyped[0]):
        links.pages.append(untyped.pop(0))
    links.files += untyped
    if links.pages:  # relative file paths (Hull's /assets/…) are relative to the repository's page
        links.files = [f if _ABSOLUTE.match(f) else urljoin(links.pages[0], f) for f in links.files]
    links.files = list(dict.fromkeys(links.files))
    return links
