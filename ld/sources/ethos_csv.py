"""Reader for the British Library's EThOS CSV dump (2018 six-column and 2021-2023 fifteen-column).

Columns are found by header name, so either release (or a column subset) reads.  Rows
whose field count or typed columns (date, ISNI, EThOS URL) do not fit the header were
shifted by an unescaped quote: they are reported, never published with scrambled fields.
"""

from __future__ import annotations

import csv
import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ..model.identifiers import parse_doi, parse_ethos_id
from ..model.records import Agent, Location, ReadError, Record, clean, clean_text

NAME = "ethos-csv"
COLUMNS_2021 = ("Title", "DOI", "Author", "Author ISNI", "ORCID", "Institution", "Institution ISNI",
                "Date", "Qualification", "Abstract", "Subject Discipline", "Supervisor(s)",
                "Funder(s)", "EThOS URL", "IR URL")  # fmt: skip
COLUMNS_2018 = ("Title", "Author", "Institution", "Date", "Qualification", "EThOS URL")
REQUIRED = {"Title", "Author", "Institution"}

_UNDECODABLE = re.compile("[\udc80-\udcff]")  # bytes that were not UTF-8 (surrogateescape)
# What a value in each typed column may look like; anything else means the row is shifted.
_SHAPES = {
    "Date": re.compile(r"\s*(\d{4})?\s*"),
    "Author ISNI": re.compile(r"\s*((https?://)?(www\.)?isni\.org/isni/)?[0-9 X]{16,19}\s*|\s*", re.I),
    "Institution ISNI": re.compile(r"\s*((https?://)?(www\.)?isni\.org/isni/)?[0-9 X]{16,19}\s*|\s*", re.I),
    "ORCID": re.compile(r"\s*((https?://)?(www\.)?orcid\.org/)?[0-9X\- ]{16,19}\s*|\s*", re.I),
    "EThOS URL": re.compile(r"\s*(\S*ethos\S*|uk\.bl\.ethos\.\S*)?\s*", re.I),
    "DOI": re.compile(r"\s*(\S*10\.\S+)?\s*"),
}


def sniff(head: bytes) -> bool:
    """True when the first line is an EThOS CSV header."""
    first = head.removeprefix(b"\xef\xbb\xbf").split(b"\n", 1)[0].decode("utf-8", "replace")
    names = {c.strip().strip('"') for c in first.split(",")}
    return REQUIRED <= names


@dataclass(frozen=True)
class Row:
    """One raw data row: split into cells, not yet checked or interpreted."""

    cells: list[str]
    columns: tuple[str, ...]
    location: Location


def units(path: Path, display: str | None = None) -> Iterator[Row | ReadError]:
    """Split the file into rows (cheap; ingest does this in one process and parses in many)."""
    source = display or str(path)
    with open(path, encoding="utf-8-sig", errors="surrogateescape", newline="") as stream:
        reader = csv.reader(stream)
        header_error, columns = _read_header(reader, source)
        if header_error:
            yield header_error
            return
        yield from _read_rows(reader, tuple(columns), source)


def parse(row: Row) -> Record | ReadError:
    """Check a row against its header and turn it into a Record."""
    return _row_to_record(row.cells, row.columns, row.location)


def where(row: Row) -> Location:
    return row.location


def fingerprint(row: Row) -> bytes:
    """What the row says, without where it was: the same row on another line is the same record."""
    return "\x1f".join([*row.columns, "\x1e", *row.cells]).encode("utf-8", "surrogateescape")


def _read_header(reader: csv._reader, source: str) -> tuple[ReadError | None, list[str]]:
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        return ReadError(Location(source, row=1), "empty file: expected an EThOS CSV header"), []
    except csv.Error as exc:
        return ReadError(Location(source, row=1), f"unreadable header: {exc}"), []
    missing = REQUIRED - set(header)
    if missing:
        expected = ",".join(COLUMNS_2021)
        return ReadError(Location(source, row=1), f"header lacks {sorted(missing)}; expected {expected}"), []
    return None, header


def _read_rows(reader: csv._reader, columns: tuple[str, ...], source: str) -> Iterator[Row | ReadError]:
    row_number = 1
    while True:
        row_number += 1
        first_line = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield ReadError(Location(source, row=row_number, line=first_line), f"unreadable row: {exc}")
            continue
        location = Location(source, row=row_number, line=first_line)
        if not any(cell.strip() for cell in row):
            row_number -= 1  # blank lines are not rows
            continue
        yield Row(row, columns, location)


def _row_to_record(row: list[str], columns: tuple[str, ...], location: Location) -> Record | ReadError:
    problem = _shape_problem(row, columns)
    if problem:
        return ReadError(location, problem)
    cells = dict(zip(columns, row, strict=True))
    return _record(cells, location)


def _shape_problem(row: list[str], columns: tuple[str, ...]) -> str | None:
    """Why the row does not fit the header, or None."""
    if len(row) != len(columns):
        return (
            f"has {len(row)} fields where the header has {len(columns)}: an unescaped quote "
            "(often at the start of the title) has shifted the columns; fix the quoting and re-ingest"
        )
    for name, value in zip(columns, row, strict=True):
        if _UNDECODABLE.search(value):
            return f"column {name!r} is not valid UTF-8 (the dump is UTF-8; was it re-saved in another encoding?)"
        shape = _SHAPES.get(name)
        if shape and not shape.fullmatch(value):
            return (
                f"column {name!r} holds {value[:60]!r}, which does not fit that column: the row is "
                "shifted (an unescaped quote in an earlier field); fix the quoting and re-ingest"
            )
    return None


def _split(value: str | None) -> list[str]:
    return [part for part in (clean(x) for x in (value or "").split(";")) if part]


def _record(cells: dict[str, str], location: Location) -> Record:
    def get(name: str) -> str | None:
        return clean(cells.get(name))

    ethos_url = get("EThOS URL")
    doi = get("DOI")
    author = get("Author")
    institution = get("Institution")
    return Record(
        location=location,
        title=get("Title"),
        author=Agent(author, isni=get("Author ISNI"), orcid=get("ORCID")) if author else None,
        ethos_id=parse_ethos_id(ethos_url) if ethos_url else None,
        ethos_url=ethos_url if ethos_url and ethos_url.startswith("http") else None,
        institution=Agent(institution, isni=get("Institution ISNI")) if institution else None,
        date=get("Date"),
        qualification_name=get("Qualification"),
        abstract=clean_text(html.unescape(cells.get("Abstract") or "")),  # &GT; and kin
        subject_discipline=get("Subject Discipline"),
        supervisors=[Agent(n) for n in _split(cells.get("Supervisor(s)"))],
        funders=[Agent(n) for n in _split(cells.get("Funder(s)"))],
        doi=(parse_doi(doi) or doi) if doi else None,
        repository_urls=[u for u in (get("IR URL"),) if u],
    )
