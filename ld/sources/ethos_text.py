"""Reader for the EThOS record page as copied to text (ethos.bl.uk/OrderDetails.do).

One label per line except three lines carrying two fields each; values may contain
colons, so a label only counts at the start of a line (or after the first field of
a two-field line). Unlabelled lines after the availability block are the abstract.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ..model.identifiers import ethos_url, parse_doi, parse_ethos_id
from ..model.records import Agent, Location, ReadError, Record, clean, clean_text, dewey_and_keywords

NAME = "ethos-text"
CITE = "Use this URL to cite or link to this record in EThOS:"
LABELS = (
    "Title", "Author", "ISNI", "Awarding Body", "Current Institution", "Date of Award",
    "Availability of Full Text", "Access from EThOS", "Access from Institution", "Abstract",
    "Supervisor", "Qualification Name", "EThOS ID", "Keywords",
)  # fmt: skip
_LABEL = re.compile(r"^(" + "|".join(re.escape(x) for x in LABELS) + r"):[ \t]*(.*)$")
_SECOND = {
    "Supervisor": re.compile(r"^(.*?)\s*\bSponsor:\s*(.*)$"),
    "Qualification Name": re.compile(r"^(.*?)\s*\bQualification Level:\s*(.*)$"),
    "EThOS ID": re.compile(r"^(.*?)\s*\bDOI:\s*(.*)$"),
}
_SECOND_LABEL = {"Supervisor": "Sponsor", "Qualification Name": "Qualification Level", "EThOS ID": "DOI"}
_ABSTRACT_AFTER = {"Date of Award", "Availability of Full Text", "Access from EThOS",
                   "Access from Institution", "Abstract"}  # fmt: skip
_LINE_END = re.compile(rb"\r\n|\r|\n")


def sniff(head: bytes) -> bool:
    """True when the start of a file looks like EThOS page text."""
    text = head.decode("utf-8", "replace")
    return CITE in text or bool(re.search(r"(?m)^Title:.*\n(?:.*\n)?Author:", text.replace("\r", "\n")))


@dataclass(frozen=True)
class Chunk:
    """The raw lines of one record, and where they start."""

    source: str
    start: int
    lines: list[bytes]


def units(path: Path, display: str | None = None) -> Iterator[Chunk]:
    """Split the file at the 'Use this URL to cite' lines (cheap; parsing happens later)."""
    source = display or str(path)
    for start, lines in _split_records(path.read_bytes()):
        yield Chunk(source, start, lines)


def parse(chunk: Chunk) -> Record | ReadError:
    return _parse_record(chunk.source, chunk.start, chunk.lines)


def where(chunk: Chunk) -> Location:
    return Location(chunk.source, line=chunk.start)


def fingerprint(chunk: Chunk) -> bytes:
    """The record's lines, without the file or line it was read from."""
    return b"\n".join(chunk.lines)


def _split_records(data: bytes) -> Iterator[tuple[int, list[bytes]]]:
    lines = _LINE_END.split(data.removeprefix(b"\xef\xbb\xbf"))
    current: list[bytes] = []
    start = 1
    for number, line in enumerate(lines, start=1):
        if line.strip().startswith(CITE.encode()) and any(x.strip() for x in current):
            yield start, current
            current, start = [], number
        if not current:
            start = number
        current.append(line)
    if any(x.strip() for x in current):
        yield start, current


def _parse_record(source: str, start: int, raw_lines: list[bytes]) -> Record | ReadError:
    fields: dict[str, list[str]] = {}
    last = "cite"
    for offset, raw in enumerate(raw_lines):
        number = start + offset
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            return ReadError(Location(source, line=number), f"not valid UTF-8 ({exc.reason} at byte {exc.start})")
        if "\x00" in line:
            return ReadError(Location(source, line=number), "contains a NUL character: not a text record")
        last = _take_line(line, last, fields)
    return _to_record(source, start, fields)


def _take_line(line: str, last: str, fields: dict[str, list[str]]) -> str:
    """File one line under its label; return the label that later unlabelled lines continue."""
    stripped = line.strip()
    if stripped.startswith(CITE):
        fields.setdefault("cite", []).append(stripped[len(CITE) :])
        return "cite"
    match = _LABEL.match(stripped)
    if not match:
        target = "Abstract" if last in _ABSTRACT_AFTER else last
        fields.setdefault(target, []).append(line)
        return target
    label, value = match.groups()
    if label in _SECOND:
        pair = _SECOND[label].match(value)
        if pair:
            value = pair.group(1)
            fields.setdefault(_SECOND_LABEL[label], []).append(pair.group(2))
    fields.setdefault(label, []).append(value)
    return label


def _joined(fields: dict[str, list[str]], label: str) -> str | None:
    return clean(" ".join(fields.get(label, [])))


def _split_list(value: str | None) -> list[str]:
    return [part for part in (clean(x) for x in (value or "").split(";")) if part]


def _to_record(source: str, start: int, fields: dict[str, list[str]]) -> Record | ReadError:
    location = Location(source, line=start)
    if "Title" not in fields and "Author" not in fields:
        return ReadError(location, "no 'Title:' or 'Author:' line: not an EThOS record page")
    cite = _joined(fields, "cite")
    ethos = _joined(fields, "EThOS ID") or (parse_ethos_id(cite) if cite else None)
    author = _joined(fields, "Author")
    isni = _joined(fields, "ISNI")
    body = _joined(fields, "Awarding Body")
    doi_text = _joined(fields, "DOI")
    identifier = parse_ethos_id(ethos) if ethos else None
    ddc, keywords = dewey_and_keywords(_split_list(_joined(fields, "Keywords")))
    return Record(
        location=location,
        title=_joined(fields, "Title"),
        author=Agent(author, isni=isni) if author else None,
        ethos_id=identifier,
        ethos_url=cite if cite and cite.startswith("http") else ethos_url(identifier or ""),  # the ID gives it
        institution=Agent(body) if body else None,
        current_institution=_joined(fields, "Current Institution"),
        date=_joined(fields, "Date of Award"),
        qualification_name=_joined(fields, "Qualification Name"),
        qualification_level=_joined(fields, "Qualification Level"),
        abstract=clean_text("\n".join(fields.get("Abstract", []))),
        keywords=keywords,
        ddc=ddc,
        supervisors=[Agent(n) for n in _split_list(_joined(fields, "Supervisor"))],
        funders=[Agent(n) for n in _split_list(_joined(fields, "Sponsor"))],
        doi=(parse_doi(doi_text) or doi_text) if doi_text else None,
        repository_urls=[u for u in (_joined(fields, "Access from Institution"),) if u and u.startswith("http")],
    )
