"""JSON-LD that reads as JSON: plain terms, and a thesis document framed around its thesis.

Written directly from the triples, not through a general JSON-LD processor: what the
writer emits is exactly the triples (every literal keeps its lexical form and datatype;
rdflib's compaction rewrote `…Z` datetimes as `…+00:00`), and it costs a fraction of
rdflib's compaction.  The rules that keep it exact:

- a property with a plain term (`title`, `author`…) uses it; any other its compact IRI;
- terms declared `"@type": "@id"` take IRIs as plain strings; a literal under such a term
  (none is made today) is written as a value object, which coercion leaves alone;
- strings are JSON strings, other literals value objects with `@value` and `@type` or
  `@language`; IRIs are written in full, never as compact IRIs, so no term can be read as
  a prefix;
- a document about one thesis is a tree: the thesis at the top, each resource it points
  to embedded at its first mention, the document itself under `describedBy` (the reverse
  of `foaf:primaryTopic`); anything not reached so is listed after it in `@graph`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from functools import cache

import pyoxigraph as ox

from .vocab import BIBO_IRI, DCT_IRI, RDF_TYPE, RELATORS_IRI, own_terms

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"
_CANONICAL_INTEGER = re.compile(r"0|-?[1-9][0-9]{0,15}")  # within a JSON double's exact range
FOAF = "http://xmlns.com/foaf/0.1/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
SCHEMA = "http://schema.org/"
PROV = "http://www.w3.org/ns/prov#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
PRIMARY_TOPIC = FOAF + "primaryTopic"
DESCRIBED_BY = "describedBy"  # the reverse of foaf:primaryTopic, from a thesis to its document

# (term, IRI, values are IRIs).  Own terms ({base}def/...) are added per base below.
# (term, IRI, values are IRIs), in the order a reader meets them in a node.  Own terms
# ({base}def/...) are added per base below.
TERMS: tuple[tuple[str, str, bool], ...] = (
    ("Thesis", BIBO_IRI + "Thesis", False),
    ("ThesisDegree", BIBO_IRI + "ThesisDegree", False),
    ("Person", FOAF + "Person", False),
    ("Organization", FOAF + "Organization", False),
    ("Document", FOAF + "Document", False),
    ("Concept", SKOS + "Concept", False),
    ("title", DCT_IRI + "title", False),
    ("alternative", DCT_IRI + "alternative", False),
    ("name", FOAF + "name", False),
    ("prefLabel", SKOS + "prefLabel", False),
    ("label", RDFS + "label", False),
    ("author", DCT_IRI + "creator", True),
    ("supervisor", RELATORS_IRI + "ths", True),
    ("issued", DCT_IRI + "issued", False),
    ("awardingBody", RELATORS_IRI + "dgg", True),
    ("degree", BIBO_IRI + "degree", True),
    ("qualification", SCHEMA + "inSupportOf", False),
    ("abstract", DCT_IRI + "abstract", False),
    ("subject", DCT_IRI + "subject", True),
    ("keywords", SCHEMA + "keywords", False),
    ("identifier", DCT_IRI + "identifier", False),
    ("doi", BIBO_IRI + "doi", False),
    ("language", DCT_IRI + "language", True),
    ("resourceType", DCT_IRI + "type", True),
    ("publisher", DCT_IRI + "publisher", True),
    ("funder", RELATORS_IRI + "fnd", True),
    ("page", FOAF + "page", True),
    ("sameAs", OWL + "sameAs", True),
    ("seeAlso", RDFS + "seeAlso", True),
    ("notation", SKOS + "notation", False),
    ("inScheme", SKOS + "inScheme", True),
    ("primaryTopic", PRIMARY_TOPIC, True),
    ("modified", DCT_IRI + "modified", False),
    ("license", DCT_IRI + "license", True),
    ("source", DCT_IRI + "source", False),
    ("contributor", DCT_IRI + "contributor", True),
    ("authorList", BIBO_IRI + "authorList", True),
    ("dateSubmitted", DCT_IRI + "dateSubmitted", False),
    ("date", DCT_IRI + "date", False),
    ("description", DCT_IRI + "description", False),
    ("rights", DCT_IRI + "rights", False),
    ("accessRights", DCT_IRI + "accessRights", False),
    ("references", DCT_IRI + "references", False),
    ("hasVersion", DCT_IRI + "hasVersion", False),
    ("relation", DCT_IRI + "relation", False),
    ("format", DCT_IRI + "format", False),
    ("hasFormat", DCT_IRI + "hasFormat", True),
    ("wasDerivedFrom", PROV + "wasDerivedFrom", True),
    ("Seq", RDF + "Seq", False),
    ("Entity", PROV + "Entity", False),
)
OWN_TERMS: tuple[tuple[str, bool], ...] = (
    ("awardingBodyName", False), ("contentHash", False), ("currentInstitution", True), ("department", False),
    ("mappedBy", False), ("qualificationLevel", False), ("repositoryCopy", True), ("sourceDatestamp", False),
    ("sourceFile", False), ("sourceLine", False), ("sourceRow", False), ("subjectDiscipline", True),
    ("grantNumber", False), ("embargoDate", False), ("embargoType", False), ("publisherName", False),
    ("commercialPublisher", False), ("fileIdentifier", False), ("supervisorList", True), ("sourceFormat", False),
    ("gave", False),
)  # fmt: skip


@cache
def terms(base: str) -> dict[str, tuple[str, bool]]:
    """IRI -> (term, values are IRIs), for this base's own vocabulary too."""
    own = str(own_terms(base))
    table = {iri: (term, is_id) for term, iri, is_id in TERMS}
    table |= {own + name: (name, is_id) for name, is_id in OWN_TERMS}
    return table


def usable_prefixes(base: str, prefixes: dict[str, str]) -> dict[str, str]:
    """The prefixes whose names are not also terms (`degree` is bibo:degree here)."""
    names = {term for term, _ in terms(base).values()} | {DESCRIBED_BY}
    return {name: iri for name, iri in sorted(prefixes.items()) if name not in names}


def context(base: str, prefixes: dict[str, str]) -> dict:
    """The published context: the prefixes (for the IRIs people write) and a plain term for
    every property and class ldpub uses."""
    table = terms(base)
    body: dict[str, object] = dict(usable_prefixes(base, prefixes))
    for iri, (term, is_id) in sorted(table.items(), key=lambda item: item[1][0]):
        body[term] = {"@id": iri, "@type": "@id"} if is_id else iri
    body[DESCRIBED_BY] = {"@reverse": PRIMARY_TOPIC, "@type": "@id"}
    return {"@context": body}


def document(triples: Iterable[ox.Triple], base: str, prefixes: dict[str, str], context_url: str) -> bytes:
    """The JSON-LD document of these triples, referencing the context at context_url."""
    table = terms(base)
    compact = _compactor(usable_prefixes(base, prefixes))
    nodes: dict[str, dict] = {}
    topics: dict[str, list[str]] = {}  # thesis -> documents whose primaryTopic it is
    theses: list[str] = []
    for triple in triples:
        subject = _id(triple.subject)
        node = nodes.setdefault(subject, {"@id": subject})
        predicate = triple.predicate.value
        if predicate == RDF_TYPE and not isinstance(triple.object, ox.Literal):  # a literal "type" is a value
            node.setdefault("@type", []).append(_class(triple.object, table))
            if triple.object.value == BIBO_IRI + "Thesis":
                theses.append(subject)
            continue
        if predicate == PRIMARY_TOPIC and isinstance(triple.object, ox.NamedNode):
            topics.setdefault(triple.object.value, []).append(subject)
        term, is_id = table.get(predicate, (compact(predicate), False))
        node.setdefault(term, []).append(_value(triple.object, is_id, compact))
    for node in nodes.values():
        _order(node)
    root = theses[0] if len(theses) == 1 else None
    tops = _framed(nodes, root, topics, table) if root else list(nodes.values())
    for node in tops:
        _collapse(node, set())
    out: dict[str, object] = {"@context": context_url}
    if len(tops) == 1:
        out |= tops[0]
    else:
        out["@graph"] = tops
    return json.dumps(out, ensure_ascii=False, indent=2).encode("utf-8")


def _framed(nodes: dict[str, dict], root: str, topics: dict[str, list[str]],
            table: dict[str, tuple[str, bool]]) -> list[dict]:  # fmt: skip
    """The root's tree (each node embedded once, at its first mention), then the rest."""
    topic_term = table[PRIMARY_TOPIC][0]
    id_terms = {term for term, is_id in table.values() if is_id}
    placed = {root}

    def embed(node: dict) -> None:
        for key, values in node.items():
            if key.startswith("@"):
                continue
            for index, value in enumerate(values):
                if isinstance(value, str):  # an IRI only under a term that says so; else a literal
                    target = value if key in id_terms else None
                elif isinstance(value, dict) and "@value" not in value:
                    target = value.get("@id")
                else:  # a number, or a value object
                    target = None
                if target in nodes and target not in placed:
                    placed.add(target)
                    values[index] = nodes[target]
                    embed(nodes[target])

    top = nodes[root]
    documents = [d for d in topics.get(root, []) if d not in placed]
    for doc in documents:
        placed.add(doc)
        described = nodes[doc]
        described[topic_term] = [v for v in described[topic_term] if (v if isinstance(v, str) else v["@id"]) != root]
        if not described[topic_term]:
            del described[topic_term]
    embed(top)
    if documents:
        top[DESCRIBED_BY] = [nodes[d] for d in documents]
        for doc in documents:
            embed(nodes[doc])
    return [top, *(node for subject, node in nodes.items() if subject not in placed)]


_RANK = {term: rank for rank, (term, _, _) in enumerate(TERMS)}


def _order(node: dict) -> None:
    """Keys in reading order: @id, @type, the terms in TERMS' order, the rest by name.  So the
    same triples give the same bytes, and a resource is embedded where a reader expects it."""
    ordered = sorted(node.items(), key=lambda item: (item[0] != "@id", item[0] != "@type",
                                                     _RANK.get(item[0], len(_RANK)), item[0]))  # fmt: skip
    node.clear()
    node.update(ordered)


def _collapse(node: dict, seen: set[int]) -> None:
    """One-element lists become the element, through embedded nodes."""
    if id(node) in seen:
        return
    seen.add(id(node))
    for key, values in node.items():
        if key == "@id":
            continue
        for value in values:
            if isinstance(value, dict) and "@value" not in value and len(value) > 1:
                _collapse(value, seen)
        if len(values) == 1:
            node[key] = values[0]


def _id(term: ox.NamedNode | ox.BlankNode | ox.Triple) -> str:
    return term.value if isinstance(term, ox.NamedNode) else f"_:{term.value}"


def _class(term: ox.NamedNode | ox.BlankNode, table: dict[str, tuple[str, bool]]) -> str:
    if isinstance(term, ox.NamedNode) and term.value in table:
        return table[term.value][0]
    return _id(term)


def _value(term: ox.NamedNode | ox.BlankNode | ox.Literal, is_id: bool, compact) -> object:  # type: ignore[no-untyped-def]
    if isinstance(term, ox.Literal):
        if term.language:
            return {"@value": term.value, "@language": term.language}
        if term.datatype.value == XSD_INTEGER and _CANONICAL_INTEGER.fullmatch(term.value):
            return int(term.value)  # a JSON number expands to exactly this literal
        if term.datatype.value != XSD_STRING:
            return {"@value": term.value, "@type": compact(term.datatype.value)}
        return {"@value": term.value} if is_id else term.value
    return _id(term) if is_id else {"@id": _id(term)}


def _compactor(prefixes: dict[str, str]):  # type: ignore[no-untyped-def]
    """prefix:local for a property or datatype IRI under a declared prefix, else the IRI."""
    ordered = sorted(prefixes.items(), key=lambda item: -len(item[1]))

    def compact(iri: str) -> str:
        for name, namespace in ordered:
            if iri.startswith(namespace) and iri != namespace:
                return f"{name}:{iri[len(namespace) :]}"
        return iri

    return compact
