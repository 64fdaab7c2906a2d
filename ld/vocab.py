"""Namespaces, the project's own terms, and the lookup tables shipped as package data.

The institutions table (155 UK institutions with ISNI/ROR/Wikidata) identifies awarding
bodies named without an ISNI; the qualification table (the BL's 259 names) maps
qualification strings onto a small set of degree individuals.

Terms come in two kinds, by one convention: the rdflib namespaces (``DCTERMS``, ``BIBO``…)
for code that builds rdflib graphs, and their plain-string twins named ``*_IRI`` (a
namespace IRI, to append a local name to: ``DCT_IRI + "title"``) or after the term
itself (``RDF_TYPE``) for the pyoxigraph, XML and SQLite code, which takes ``str``.
A twin is derived from its namespace, never spelt out again.  IRIs the project mints
itself are made in :mod:`ld.uris`.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources

from rdflib import Namespace
from rdflib.namespace import DC, DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS, XSD

from .uris import MAX_SLUG_LENGTH

BIBO = Namespace("http://purl.org/ontology/bibo/")
DEGREES = Namespace("http://purl.org/ontology/bibo/degrees/")
RELATORS = Namespace("http://id.loc.gov/vocabulary/relators/")
SCHEMA = Namespace("http://schema.org/")
COAR = Namespace("http://purl.org/coar/resource_type/")
ISO639_2 = Namespace("http://id.loc.gov/vocabulary/iso639-2/")
SH = Namespace("http://www.w3.org/ns/shacl#")

COAR_DOCTORAL = COAR["c_db06"]
COAR_MASTERS = COAR["c_bdcc"]
COAR_THESIS = COAR["c_46ec"]

# Plain-string twins (see the module's docstring).
DC_IRI = str(DC)  # Dublin Core elements 1.1, as in oai_dc and uketd_dc XML
DCT_IRI = str(DCTERMS)
BIBO_IRI = str(BIBO)
RELATORS_IRI = str(RELATORS)
RDF_IRI = str(RDF)
RDF_TYPE = str(RDF.type)

PREFIXES = {
    "dcterms": DCTERMS, "bibo": BIBO, "foaf": FOAF, "relators": RELATORS, "skos": SKOS,
    "owl": OWL, "rdfs": RDFS, "xsd": XSD, "prov": PROV, "schema": SCHEMA, "coar": COAR,
    "rdf": RDF,
}  # fmt: skip


def own_terms(base: str) -> Namespace:
    """The project's own vocabulary, served as RDFS at {base}def/."""
    return Namespace(base + "def/")


def name_key(name: str) -> str:
    """Comparable form of an institution name: case, accents, 'The', '&' and punctuation ignored."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()
    text = text.replace("&", " and ")
    text = re.sub(r"[^a-z0-9]+", " ", text).strip()
    return re.sub(r"^the ", "", text)


def slug(text: str) -> str:
    """URI-safe slug for labels that are not people's names (subject disciplines, unknown bodies)."""
    return name_key(text).replace(" ", "-")[:MAX_SLUG_LENGTH] or "unnamed"


@dataclass(frozen=True)
class Institution:
    name: str
    isni: str | None
    ror: str | None
    wikidata: str | None


@cache
def institutions() -> dict[str, Institution]:
    """Institutions by :func:`name_key` of both their table id and current name."""
    table: dict[str, Institution] = {}
    text = resources.files("ld").joinpath("data/institutions.tsv").read_text("utf-8")
    for row in csv.DictReader(text.splitlines(), delimiter="\t"):
        isni = (row.get("isni") or "").replace(" ", "") or None
        inst = Institution(row["term"], isni, row.get("ror") or None, row.get("wikidata") or None)
        for key in (row["id"], row["term"]):
            table.setdefault(name_key(key), inst)
    return table


def lookup_institution(name: str) -> Institution | None:
    return institutions().get(name_key(name))
