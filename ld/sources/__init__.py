"""Readers, one per input format, behind one registry and one signature.

Each reader has ``sniff(head)`` (do the first bytes of a file look like the format?),
``units(path, display)`` (a cheap split into raw records, picklable, or located
ReadErrors) and ``parse(unit)`` (the real work, to a Record or a ReadError), so that
ingest can split in one process and parse in its worker processes.  :func:`read_file`
is the same path in one process; tests and the fuzzers read through it too.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..model.records import Location, ReadError, Record
from . import ethos_csv, ethos_text, uketd_dc


@dataclass(frozen=True)
class Reader:
    name: str
    sniff: Callable[[bytes], bool]
    units: Callable[[Path, str | None], Iterator[Any]]
    parse: Callable[[Any], Record | ReadError]
    where: Callable[[Any], Location]
    fingerprint: Callable[[Any], bytes]  # the raw record's bytes, without where it was read


READERS: dict[str, Reader] = {
    m.NAME: Reader(m.NAME, m.sniff, m.units, m.parse, m.where, m.fingerprint) for m in (ethos_csv, ethos_text, uketd_dc)
}


@dataclass(frozen=True)
class Unit:
    """A raw record and the name of the reader that parses it."""

    reader: str
    raw: Any

    def parse(self) -> Record | ReadError:
        record = READERS[self.reader].parse(self.raw)
        if isinstance(record, Record):
            record.kind = self.reader
        return record

    def where(self) -> Location:
        return READERS[self.reader].where(self.raw)

    def digest(self, version: str) -> str:
        """Names the raw record under one version of the mapping: equal digests, equal results."""
        data = READERS[self.reader].fingerprint(self.raw)
        keyed = hashlib.blake2b(data, digest_size=16, person=self.reader.encode()[:16], key=version.encode()[:64])
        return keyed.hexdigest()


class UnknownFormat(Exception):
    """The format of a file could not be told from its content."""


def detect_format(path: Path) -> str:
    """Name of the reader whose sniff accepts the file's first 8 KiB."""
    with open(path, "rb") as stream:
        head = stream.read(8192)
    for reader in READERS.values():
        if reader.sniff(head):
            return reader.name
    raise UnknownFormat(f"{path}: cannot tell the format from its content; give --format ({', '.join(READERS)})")


def read_file(path: Path, fmt: str | None = None) -> Iterator[Record | ReadError]:
    """Every record of one file, the format detected unless given."""
    for unit in read_units(path, fmt):
        yield unit if isinstance(unit, ReadError) else unit.parse()


def read_units(path: Path, fmt: str | None = None, display: str | None = None) -> Iterator[Unit | ReadError]:
    """Every raw record of one file, to be parsed with ``Unit.parse`` (possibly elsewhere)."""
    source = display or str(path)
    try:
        name = fmt or detect_format(path)
    except UnknownFormat as exc:
        yield ReadError(Location(source, line=1), str(exc).split(": ", 1)[1])
        return
    except OSError as exc:
        yield ReadError(Location(source), f"cannot open: {exc.strerror}")
        return
    for raw in READERS[name].units(path, display):
        yield raw if isinstance(raw, ReadError) else Unit(name, raw)
