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
RDF_MEMBER = RDF_IRI + "_"  # rdf:_1, rdf:_2, ...: the members of an rdf:Seq


def member_position(predicate: str) -> int | None:
    """n for rdf:_n (a member of an rdf:Seq), else None."""
    number = predicate[len(RDF_MEMBER) :] if predicate.startswith(RDF_MEMBER) else ""
    return int(number) if number.isdigit() else None


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


@cache
def _by_identifier() -> dict[str, Institution]:
    """The table's institutions by compact ISNI and by ROR IRI."""
    found: dict[str, Institution] = {}
    for inst in institutions().values():
        for identifier in (inst.isni, inst.ror):
            if identifier:
                found.setdefault(identifier, inst)
    return found


def identify_institution(
    name: str, isni: str | None = None, ror: str | None = None
) -> tuple[Institution | None, str | None]:
    """The table's entry for an organisation a record names: by ISNI first, then ROR, then by
    its names (current and former).  Also what is wrong when the name belongs to another
    entry than the identifier, or the identifier to no entry while the name has one with
    other identifiers: then only what the record gives is trusted (None for the entry)."""
    by_id = _by_identifier().get(isni or "") or _by_identifier().get(ror or "")
    by_name = lookup_institution(name)
    if by_id is not None:
        if by_name is not None and by_name != by_id:
            return by_id, (f"The name {name!r} is {by_name.name}'s in the institutions table, but the identifier "
                           f"given ({isni or ror}) is {by_id.name}'s; published as {by_id.name}: correct the "
                           "name or the identifier.")  # fmt: skip
        return by_id, None
    if (isni or ror) and by_name is not None:
        table = ", ".join(i for i in (by_name.isni and f"ISNI {by_name.isni}", by_name.ror) if i)
        return None, (f"{name!r} is given {isni or ror}, but the institutions table knows {by_name.name} by "
                      f"{table}; published with the identifier given and without the table's links: correct "
                      "the identifier or the name.")  # fmt: skip
    return by_name, None
