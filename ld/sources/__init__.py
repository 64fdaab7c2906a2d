"""Readers, one per input format, behind one registry and one signature.

``read(path, display)`` yields :class:`~ld.records.Record` or :class:`~ld.records.ReadError`;
``sniff(head)`` says whether the first bytes of a file look like the format.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ..records import Location, ReadError, Record
from . import ethos_csv, ethos_text


@dataclass(frozen=True)
class Reader:
    name: str
    sniff: Callable[[bytes], bool]
    read: Callable[[Path, str | None], Iterator[Record | ReadError]]


READERS: dict[str, Reader] = {
    m.NAME: Reader(m.NAME, m.sniff, m.read) for m in (ethos_csv, ethos_text)
}


class UnknownFormat(Exception):
    """The format of a file could not be told from its content."""


def detect_format(path: Path) -> str:
    """Name of the reader whose sniff accepts the file's first 8 KiB."""
    with open(path, "rb") as stream:
        head = stream.read(8192)
    for reader in READERS.values():
        if reader.sniff(head):
            return reader.name
    raise UnknownFormat(
        f"{path}: cannot tell the format from its content; give --format "
        f"({', '.join(READERS)})"
    )


def read_file(path: Path, fmt: str | None = None) -> Iterator[Record | ReadError]:
    """Every record of one file, the format detected unless given."""
    try:
        name = fmt or detect_format(path)
    except UnknownFormat as exc:
        yield ReadError(Location(str(path), line=1), str(exc).split(": ", 1)[1])
        return
    except OSError as exc:
        yield ReadError(Location(str(path)), f"cannot open: {exc.strerror}")
        return
    yield from READERS[name].read(path, None)
