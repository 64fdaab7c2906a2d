"""The normalised, source-independent thesis record, and the reader's located error.

Readers turn any input format into these; mapping never sees a source format.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass, field, fields


@dataclass(frozen=True)
class Agent:
    """A person or organisation as a record names it, with any identifiers given."""

    name: str
    isni: str | None = None  # as given; identifiers.py normalises and checks it
    orcid: str | None = None
    ror: str | None = None


@dataclass(frozen=True)
class Location:
    """Where a record came from: file (or URL) and line or row, for messages and provenance."""

    source: str
    line: int | None = None
    row: int | None = None
    oai_identifier: str | None = None
    oai_datestamp: str | None = None

    @property
    def published_name(self) -> str:
        """What provenance states: a feed's URL whole, a file by its name alone.

        Never the file's directories: they would publish the ingesting machine's layout and
        user names (/home/alice/dumps/…) in every format, the dumps and SPARQL.
        """
        if _URL.match(self.source):
            return xml_chars(_USERINFO.sub(r"\1", self.source))  # and no password given in a feed's URL
        return xml_chars(re.split(r"[\\/]", self.source)[-1])

    def __str__(self) -> str:
        if self.row is not None:
            where = f"{self.source}, row {self.row}"
            return where + (f" (line {self.line})" if self.line is not None else "")
        if self.line is not None:
            return f"{self.source}, line {self.line}"
        return self.source


AGENTS = ("author", "institution")  # Record fields holding one Agent
PEOPLE = ("co_authors", "contributors", "supervisors", "funders")  # lists of Agents, never merged item by item


@dataclass(frozen=True)
class Source:
    """One source's record of a thesis that several sources describe (combine.py): its kind
    (the reader's name), where it was read, and the fields of the combined record it supplied."""

    kind: str
    location: Location
    gave: tuple[str, ...] = ()


@dataclass
class Record:
    """One thesis, every value a cleaned string (NFC, trimmed) or None."""

    location: Location
    title: str | None = None
    author: Agent | None = None
    ethos_id: str | None = None
    ethos_url: str | None = None
    institution: Agent | None = None
    current_institution: str | None = None
    department: str | None = None
    date: str | None = None
    qualification_name: str | None = None
    qualification_level: str | None = None
    abstract: str | None = None
    subject_discipline: str | None = None
    keywords: list[str] = field(default_factory=list)
    supervisors: list[Agent] = field(default_factory=list)
    funders: list[Agent] = field(default_factory=list)
    doi: str | None = None
    repository_urls: list[str] = field(default_factory=list)
    language: str | None = None  # a code as given: readers.language_code and the mapping read it
    # Read from UKETD_DC (and oai_dc) only; the README's mapping table says where each lands.
    title_lang: str | None = None  # xml:lang of the title; else the record's language gives the tag
    abstract_lang: str | None = None
    alternative_titles: list[str] = field(default_factory=list)
    parallel_titles: list[tuple[str, str]] = field(default_factory=list)  # (title, language) beside the title
    parallel_abstracts: list[tuple[str, str]] = field(default_factory=list)  # (abstract, language)
    co_authors: list[Agent] = field(default_factory=list)  # creators after the first, in order
    contributors: list[Agent] = field(default_factory=list)  # dc:contributor with no known role
    grant_numbers: list[str] = field(default_factory=list)
    submitted: str | None = None  # dcterms:issued when dcterms:dateAccepted gives the award
    other_dates: list[str] = field(default_factory=list)  # dc:date when the award date comes from elsewhere
    ddc: list[str] = field(default_factory=list)  # "530" or "530 Physics"
    scheme_subjects: list[tuple[str, str]] = field(default_factory=list)  # (lcsh|lcc|mesh|udc, heading)
    descriptions: list[str] = field(default_factory=list)  # dc:description beside an abstract
    rights: list[str] = field(default_factory=list)
    licences: list[str] = field(default_factory=list)
    access_rights: list[str] = field(default_factory=list)
    embargo_date: str | None = None
    embargo_type: str | None = None
    references: list[str] = field(default_factory=list)
    versions: list[str] = field(default_factory=list)  # dcterms:hasVersion
    relations: list[str] = field(default_factory=list)  # dc:relation
    sources: list[str] = field(default_factory=list)  # dc:source that is not an EThOS ID
    formats: list[str] = field(default_factory=list)  # dc:format media types
    files: list[str] = field(default_factory=list)  # full-text files (dc:identifier URIs)
    publishers: list[str] = field(default_factory=list)  # dc:publisher other than the awarding body
    commercial_publishers: list[str] = field(default_factory=list)
    also_published_as: list[str] = field(default_factory=list)  # the thesis's IRIs at other ldpub sites
    kind: str | None = None  # the reader's name (sources.READERS): what kind of source said this
    origins: list[Source] = field(default_factory=list)  # when combined from several sources: each (not content)

    def content(self) -> dict:
        """The record's data without where it was read from (plain JSON-ready values); fields
        a record leaves empty are left out, so a field added for one format does not change
        the digests of records from the others."""
        return {name: _plain(value) for name, value in vars(self).items()
                if name not in ("location", "origins", "kind") and value is not None and value != []}  # fmt: skip

    def content_hash(self) -> str:
        """Stable digest of the content: unchanged records are not rewritten on re-ingest."""
        return content_digest(self.content())


def record_from_content(content: dict, location: Location) -> Record:
    """The inverse of Record.content: a record again from its plain values."""
    values: dict = {}
    for f in fields(Record):
        if f.name not in content:
            continue
        value = content[f.name]
        if f.name in AGENTS and value is not None:
            value = Agent(**value)
        elif f.name in PEOPLE:
            value = [Agent(**a) for a in value]
        elif f.name == "scheme_subjects":
            value = [tuple(pair) for pair in value]
        values[f.name] = value
    return Record(location=location, **values)


def content_digest(content: dict, version: str = "") -> str:
    """Of the record's content and the version of the mapping that publishes it (a new
    mapping, base or licence republishes every record)."""
    blob = json.dumps(content, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(f"{version}\n{blob}".encode() if version else blob.encode("utf-8")).hexdigest()


def _plain(value: object) -> object:
    """Agents as dicts, lists element-wise (dataclasses.asdict does this too, ten times slower)."""
    if isinstance(value, Agent):
        return vars(value).copy()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


class ReadError(Exception):
    """A record (or file) that could not be read; says where and why."""

    def __init__(self, location: Location, message: str) -> None:
        super().__init__(f"{location}: {message}")
        self.location = location
        self.message = message

    def __reduce__(self) -> tuple:
        """Pickle by the constructor's arguments: errors travel back from worker processes."""
        return (ReadError, (self.location, self.message))


_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")
_USERINFO = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*://)[^/?#@]*@")
_SPACE = re.compile(r"\s+")
MISSING = {"", "not available", "n/a", "none"}
# Everything outside XML 1.0's Char production (#x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] |
# [#x10000-#x10FFFF]): C0 controls but tab, LF and CR, lone surrogates, U+FFFE and U+FFFF.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_chars(value: str) -> str:
    """The text without what XML 1.0 cannot carry at all, not even escaped.

    The CSV dump keeps such characters (NUL, U+0003, U+001A in titles); left in, they made
    the thesis's RDF/XML, SPARQL XML results and HTML ill-formed.  Every value a reader
    keeps passes through here, by way of clean and clean_text, so no output format sees one.
    """
    return _NOT_XML.sub("", value)


def clean(value: str | None) -> str | None:
    """XML characters only, NFC, runs of whitespace collapsed, and the sources' blanks turned into None."""
    if value is None:
        return None
    text = _SPACE.sub(" ", unicodedata.normalize("NFC", xml_chars(value))).strip()
    return None if text.casefold() in MISSING else text


DDC_CAPTION = re.compile(r"^([0-9]{3}(?:\.[0-9]+)?)\s+(\S.*)$")  # "360 Social problems & services"


def dewey_and_keywords(values: list[str]) -> tuple[list[str], list[str]]:
    """EThOS pages list Dewey classes among the keywords, as "NNN caption": (those, the rest)."""
    ddc = [v for v in values if DDC_CAPTION.match(v)]
    return ddc, [v for v in values if not DDC_CAPTION.match(v)]


def kept_text(value: str | None) -> str | None:
    """Text as the source has it (line breaks, indentation), only trimmed, with CR LF as LF:
    what a UKETD_DC abstract holds comes back out of OAI-PMH unchanged."""
    if value is None:
        return None
    text = unicodedata.normalize("NFC", xml_chars(value)).replace("\r\n", "\n").replace("\r", "\n").strip()
    return None if text.casefold() in MISSING else text


def clean_text(value: str | None) -> str | None:
    """Like :func:`clean` but keeps paragraph breaks (abstracts)."""
    if value is None:
        return None
    text = unicodedata.normalize("NFC", xml_chars(value)).replace("\r\n", "\n").replace("\r", "\n")
    paragraphs = [_SPACE.sub(" ", p).strip() for p in re.split(r"\n\s*\n|\n", text)]
    joined = "\n\n".join(p for p in paragraphs if p)
    return None if joined.casefold() in MISSING else joined
