"""`ldpub dump`: the published dataset as downloadable files, with checksums and a DCAT description.

Files go to STORE/dumps/, written from the newest snapshot (so a running server and an
ingest in progress are undisturbed), each first to a temporary name and then renamed, so
a download never sees half a file.
"""

from __future__ import annotations

import gzip
import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox

from ..config import Settings
from ..renderers import prefixes
from ..vocab import DCT_IRI, RDF_TYPE
from .export import export


@dataclass(frozen=True)
class DumpFormat:
    name: str
    export_format: str
    media_type: str  # of the content, before compression
    title: str


DUMP_FORMATS = (
    DumpFormat("ldpub.nt.gz", "nt", "application/n-triples", "All published triples (N-Triples, gzip)"),
    DumpFormat("ldpub.ttl.gz", "ttl", "text/turtle", "All published triples (Turtle, gzip)"),
    DumpFormat(
        "ldpub.nq.gz", "nq", "application/n-quads", "One named graph per record and per shared resource (N-Quads, gzip)"
    ),
)
CHECKSUMS = "SHA256SUMS"
DCAT_FILE = "dcat.ttl"


def dumps_dir(settings: Settings) -> Path:
    return Path(settings.store) / "dumps"


def dump(settings: Settings) -> list[Path]:
    """Write every dump file, SHA256SUMS and dcat.ttl; return the files written."""
    target = dumps_dir(settings)
    target.mkdir(parents=True, exist_ok=True)
    written = [_write_one(settings, fmt, target) for fmt in DUMP_FORMATS]
    digests = {p.name: _sha256(p) for p in written}
    _replace(target / CHECKSUMS, "".join(f"{d}  {name}\n" for name, d in digests.items()).encode())
    _replace(target / DCAT_FILE, dcat(settings, target, digests).encode())
    return [*written, target / CHECKSUMS, target / DCAT_FILE]


def _write_one(settings: Settings, fmt: DumpFormat, target: Path) -> Path:
    final = target / fmt.name
    partial = target / (fmt.name + ".partial")
    with gzip.open(partial, "wb", compresslevel=6) as stream:
        export(settings, fmt.export_format, stream)  # type: ignore[arg-type]
    partial.replace(final)
    return final


def _replace(path: Path, data: bytes) -> None:
    partial = path.with_name(path.name + ".partial")
    partial.write_bytes(data)
    partial.replace(path)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def dcat(settings: Settings, target: Path, digests: dict[str, str]) -> str:
    """DCAT description of the dumps: one distribution per file, with size and checksum."""
    base = settings.base
    dataset = ox.NamedNode(f"{base}void#dataset")
    DCAT = "http://www.w3.org/ns/dcat#"  # noqa: N806
    SPDX = "http://spdx.org/rdf/terms#"  # noqa: N806
    n = lambda iri: ox.NamedNode(iri)  # noqa: E731
    rdf_type = n(RDF_TYPE)
    triples = [
        ox.Triple(dataset, rdf_type, n(DCAT + "Dataset")),
        ox.Triple(dataset, n(DCT_IRI + "title"), ox.Literal("UK doctoral theses (ldpub)", language="en")),
        ox.Triple(dataset, n(DCT_IRI + "license"), n(settings.license)),
        ox.Triple(dataset, n(DCT_IRI + "modified"), ox.Literal(datetime.now(UTC).replace(microsecond=0).isoformat(),
                                                                 datatype=n("http://www.w3.org/2001/XMLSchema#dateTime"))),
    ]  # fmt: skip
    for fmt in DUMP_FORMATS:
        path = target / fmt.name
        if fmt.name not in digests:
            continue
        dist = n(f"{base}dumps/{fmt.name}")
        checksum = ox.BlankNode(f"sum{fmt.export_format}")
        triples += [
            ox.Triple(dataset, n(DCAT + "distribution"), dist),
            ox.Triple(dist, rdf_type, n(DCAT + "Distribution")),
            ox.Triple(dist, n(DCT_IRI + "title"), ox.Literal(fmt.title, language="en")),
            ox.Triple(dist, n(DCAT + "downloadURL"), dist),
            ox.Triple(dist, n(DCAT + "mediaType"), n(f"https://www.iana.org/assignments/media-types/{fmt.media_type}")),
            ox.Triple(dist, n(DCAT + "compressFormat"), n("https://www.iana.org/assignments/media-types/application/gzip")),
            ox.Triple(dist, n(DCAT + "byteSize"), ox.Literal(str(path.stat().st_size),
                                                             datatype=n("http://www.w3.org/2001/XMLSchema#nonNegativeInteger"))),
            ox.Triple(dist, n(SPDX + "checksum"), checksum),
            ox.Triple(checksum, n(SPDX + "algorithm"), n(SPDX + "checksumAlgorithm_sha256")),
            ox.Triple(checksum, n(SPDX + "checksumValue"), ox.Literal(digests[fmt.name])),
        ]  # fmt: skip
    names = prefixes(base) | {"dcat": DCAT, "spdx": SPDX}
    return (ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=names) or b"").decode("utf-8")
