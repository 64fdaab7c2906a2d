"""Raw records a re-ingest can skip: read before, published, and not changed since.

A record's raw bytes (a CSV row, an EThOS text record, a UKETD_DC element) are digested
in the reading process, before any worker parses, maps or validates them.  A digest the
ledger knows (store/sources.py) under the same mapping version names a record published
with exactly the content mapping those bytes gives, so the record is counted as
unchanged and never leaves this process.

The mapping version digests everything the published triples and the SHACL verdict
depend on: the code that reads and maps, the bundled tables, the shapes, the base and
the licence.  Change any of them and every record is mapped again.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from .. import __version__
from ..sources import Unit
from ..store.sources import Known, SourceDigests

PACKAGE = Path(__file__).resolve().parent.parent
# What a record's triples and findings are made by (search rows and rendering are not).
MAPPING_FILES = ("sources/*.py", "model/*.py", "vocab.py", "uris.py", "data/*.tsv", "data/*.ttl", "shapes/*.ttl")


@cache
def mapping_version(base: str, license_iri: str) -> str:
    """Digest of what turns raw bytes into a published record, and of the settings it uses."""
    digest = hashlib.sha256(f"{__version__}\n{base}\n{license_iri}\n".encode())
    for pattern in MAPPING_FILES:
        for path in sorted(PACKAGE.glob(pattern)):
            digest.update(f"{path.relative_to(PACKAGE)}\n".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


@dataclass
class Plan:
    """One batch of raw records: which are known, which go to the workers."""

    units: list[Unit]
    digests: list[str]
    known: dict[int, Known] = field(default_factory=dict)  # position in units -> the published record

    @property
    def sent(self) -> list[int]:
        """Positions of the units that go to the workers."""
        return [i for i in range(len(self.units)) if i not in self.known]

    @property
    def to_process(self) -> list[Unit]:
        return [self.units[i] for i in self.sent]


class Recogniser:
    """Finds the raw records of a batch that the store already holds, unchanged."""

    def __init__(self, ledger: SourceDigests, version: str, store_is_empty: bool) -> None:
        self.ledger = ledger
        self.version = version
        ledger.use_version(version, keep=not store_is_empty)  # an empty store publishes nothing, whatever it says

    def plan(self, units: list[Unit]) -> Plan:
        digests = [u.digest(self.version) for u in units]
        found = self.ledger.known(digests)
        return Plan(units, digests, {i: found[d] for i, d in enumerate(digests) if d in found})
