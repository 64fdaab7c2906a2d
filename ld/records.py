"""The normalised, source-independent thesis record, and the reader's located error.

Readers turn any input format into these; mapping never sees a source format.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass, field


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

    def __str__(self) -> str:
        if self.row is not None:
            where = f"{self.source}, row {self.row}"
            return where + (f" (line {self.line})" if self.line is not None else "")
        if self.line is not None:
            return f"{self.source}, line {self.line}"
        return self.source


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
    language: str | None = None

    def content(self) -> dict:
        """The record's data without where it was read from (plain JSON-ready values)."""
        return {name: _plain(value) for name, value in vars(self).items() if name != "location"}

    def content_hash(self) -> str:
        """Stable digest of the content: unchanged records are not rewritten on re-ingest."""
        return content_digest(self.content())


def content_digest(content: dict) -> str:
    blob = json.dumps(content, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


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


_SPACE = re.compile(r"\s+")
MISSING = {"", "not available", "n/a", "none"}


def clean(value: str | None) -> str | None:
    """NFC, collapse runs of whitespace, and turn the sources' blanks into None."""
    if value is None:
        return None
    text = _SPACE.sub(" ", unicodedata.normalize("NFC", value)).strip()
    return None if text.casefold() in MISSING else text


def clean_text(value: str | None) -> str | None:
    """Like :func:`clean` but keeps paragraph breaks (abstracts)."""
    if value is None:
        return None
    text = unicodedata.normalize("NFC", value).replace("\r\n", "\n").replace("\r", "\n")
    paragraphs = [_SPACE.sub(" ", p).strip() for p in re.split(r"\n\s*\n|\n", text)]
    joined = "\n\n".join(p for p in paragraphs if p)
    return None if joined.casefold() in MISSING else joined
