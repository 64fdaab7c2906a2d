"""The URI scheme: every IRI, key and OAI-PMH name ldpub mints, and how to read them back.

Minting and matching live together so that they cannot drift apart: a route that
refuses a key mapping would mint, or an OAI set that does not decode to its awarding
body, would publish records nobody can reach.  Nothing here touches a store or rdflib;
everything takes and returns plain strings (``base`` is the public base URI, ending '/').

    {base}id/thesis/{key}                 the thesis (not a document: 303 to the next line)
    {base}doc/thesis/{key}                the record's named graph, the document about the thesis
    {base}id/thesis/{key}/author          people named by one record only, scoped to it
    {base}id/thesis/{key}/supervisor/{n}
    {base}id/person/isni/{isni}           shared resources, described across records:
    {base}id/person/orcid/{orcid}         /doc/{same path} lists the theses pointing to them
    {base}id/org/isni/{isni}  {base}id/org/name/{slug}
    {base}id/degree/{code}
    {base}id/concept/{scheme}/{notation}  {base}id/scheme/{scheme}
    oai:{host of base}:{key}              the OAI-PMH identifier of a record
    isni-{isni}  name-{slug}              the OAI-PMH set of a record: its awarding body

A key is an EThOS ID (``uk.bl.ethos.`` and digits) or, for a record without one, ``t``
and the first hex digits of a digest of who, what, when and where.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from urllib.parse import urlparse

# Keys ------------------------------------------------------------------------------------

ETHOS_PREFIX = "uk.bl.ethos."
# An EThOS ID as the sources and the SHACL profile know it (shapes/thesis.ttl says the same).
# Unlike KEY it has no length limit: a record whose ID has more than MAX_ETHOS_DIGITS digits
# is published under a key the web refuses (as it was before this module existed).
ETHOS_ID = re.compile(r"uk\.bl\.ethos\.[0-9]+")
DIGEST_LENGTH = 20  # hex digits (80 bits) of a digest key
MAX_ETHOS_DIGITS = 12
MAX_KEY_LENGTH = len(ETHOS_PREFIX) + MAX_ETHOS_DIGITS
# What a key served on the web may look like: checked before any store access.
KEY = re.compile(rf"uk\.bl\.ethos\.[0-9]{{1,{MAX_ETHOS_DIGITS}}}|t[0-9a-f]{{{DIGEST_LENGTH}}}")


def is_key(text: str) -> bool:
    """Whether text is of a form ldpub mints, so that junk in a URL never reaches the store."""
    return len(text) <= MAX_KEY_LENGTH and KEY.fullmatch(text) is not None


def digest_key(parts: Iterable[str]) -> str:
    """The key of a record without an EThOS ID: stable for the same normalised parts, so the
    same record read again, from any format, lands on the same URI."""
    return "t" + hashlib.sha256("|".join(parts).encode()).hexdigest()[:DIGEST_LENGTH]


# Theses and their documents -----------------------------------------------------------------


def uri_space(base: str) -> str:
    """Where every thing ldpub names lives (VoID's uriSpace); documents are under doc/ instead."""
    return f"{base}id/"


def thesis_iri(base: str, key: str) -> str:
    """The thesis itself, the IRI to cite."""
    return f"{base}id/thesis/{key}"


def document_iri(base: str, key: str) -> str:
    """The document describing the thesis, which is also the name of the record's graph."""
    return f"{base}doc/thesis/{key}"


def thesis_path(key: str) -> str:
    """The thesis's path on this site (routes are declared with it too, key='<key>')."""
    return f"/id/thesis/{key}"


def document_path(key: str) -> str:
    """The document's path on this site: redirects and links stay on the host that was asked."""
    return f"/doc/thesis/{key}"


def key_of(iri: str) -> str:
    """The key of a thesis or document IRI (or of its path)."""
    return last_segment(iri)


def is_document_iri(base: str, iri: str) -> bool:
    """Whether a named graph is a record's (the others describe shared resources: store/shared.py)."""
    return iri.startswith(f"{base}doc/thesis/")


def document_key(base: str, iri: str) -> str | None:
    """The key of a record's graph; None for any other graph."""
    return key_of(iri) if is_document_iri(base, iri) else None


# People known only through one record: their IRIs extend the thesis's.
# (Also the lists that order them: authors, supervisors.)
SCOPED_PERSON = re.compile(r"author(/[0-9]{1,3})?|(supervisor|contributor)/[0-9]{1,3}|authors|supervisors")
_THESIS_OF = re.compile(r"^(.*?/id/thesis/[^/]+)(/.*)?$")


def author_iri(thesis: str) -> str:
    """An author without an ISNI or ORCID: a name alone would merge namesakes across records."""
    return f"{thesis}/author"


def co_author_iri(thesis: str, n: int) -> str:
    """The n-th author (from 2) of a thesis with several, scoped like the first."""
    return f"{thesis}/author/{n}"


def contributor_iri(thesis: str, n: int) -> str:
    """The n-th contributor (from 1) whose role the record does not say."""
    return f"{thesis}/contributor/{n}"


def list_iri(thesis: str, of: str) -> str:
    """The rdf:Seq that orders a thesis's authors or supervisors ('authors', 'supervisors')."""
    return f"{thesis}/{of}"


def supervisor_iri(thesis: str, n: int) -> str:
    """The n-th supervisor (from 1) without an ISNI or ORCID, scoped like the author."""
    return f"{thesis}/supervisor/{n}"


def is_scoped_person(rest: str) -> bool:
    """Whether the path after /id/thesis/{key}/ names a record-scoped person."""
    return SCOPED_PERSON.fullmatch(rest) is not None


def thesis_of(iri: str) -> str | None:
    """The thesis an IRI is, or is scoped to (its author, a supervisor); None otherwise."""
    found = _THESIS_OF.match(iri)
    return found.group(1) if found else None


# Shared resources ---------------------------------------------------------------------------

MAX_SLUG_LENGTH = 80  # vocab.slug cuts names to this; the web refuses longer ones unseen
# The path (after id/ or doc/) of every shared resource ldpub mints.
SHARED_PATH = re.compile(
    r"person/isni/[0-9]{15}[0-9X]|person/orcid/[0-9]{4}-[0-9]{4}-[0-9]{4}-[0-9]{3}[0-9X]"
    rf"|org/isni/[0-9]{{15}}[0-9X]|org/name/[a-z0-9-]{{1,{MAX_SLUG_LENGTH}}}|degree/[a-z-]{{1,40}}"
    rf"|concept/ddc/[0-9]{{3}}(\.[0-9]{{1,12}})?|concept/(discipline|lcsh|lcc|mesh|udc)/[a-z0-9-]{{1,{MAX_SLUG_LENGTH}}}"
)


def is_shared_path(path: str) -> bool:
    """Whether a path names a shared resource of a form ldpub mints, checked before any query."""
    return SHARED_PATH.fullmatch(path) is not None


def shared_iri(base: str, path: str) -> str:
    return f"{base}id/{path}"


def shared_document_iri(base: str, path: str) -> str:
    return f"{base}doc/{path}"


def shared_document_path(path: str) -> str:
    return f"/doc/{path}"


# Organisations, degrees and concepts are described once, each in a graph of its own
# (store/shared.py); the graph is the resource's document, or for the terms of other
# vocabularies that records use (BIBO's degrees), one graph for them all.
VOCABULARY_GRAPH = "graph/vocabulary"
_OTHER_SPACES = ("http://purl.org/ontology/bibo/degrees/",)
_DESCRIBED_APART = ("org/", "degree/", "concept/")


def shared_graph(base: str, iri: str) -> str | None:
    """The graph describing the shared resource `iri`; None when it has none (people, and
    anything ldpub does not mint)."""
    space = base + "id/"
    if iri.startswith(space):
        path = iri[len(space) :]
        return base + "doc/" + path if path.startswith(_DESCRIBED_APART) and is_shared_path(path) else None
    if iri.startswith(_OTHER_SPACES):
        return base + VOCABULARY_GRAPH
    return None


def person_iri(base: str, scheme: str, ident: str) -> str:
    """A person by identifier (scheme 'isni' or 'orcid'), the same for every record naming them."""
    return shared_iri(base, f"person/{scheme}/{ident}")


def org_iri(base: str, scheme: str, ident: str) -> str:
    """An organisation by ISNI (scheme 'isni') or, as a last resort, by slug of its name ('name')."""
    return shared_iri(base, f"org/{scheme}/{ident}")


def degree_iri(base: str, code: str) -> str:
    """One of the project's own degrees (BIBO's three live in BIBO's namespace instead)."""
    return shared_iri(base, f"degree/{code}")


def concept_iri(base: str, scheme: str, notation: str) -> str:
    return shared_iri(base, f"concept/{scheme}/{notation}")


def scheme_iri(base: str, scheme: str) -> str:
    return shared_iri(base, f"scheme/{scheme}")


# OAI-PMH ------------------------------------------------------------------------------------


def oai_identifier(base: str, key: str) -> str:
    """A record's OAI-PMH identifier: the oai-identifier scheme, with the public host as authority."""
    return f"oai:{urlparse(base).hostname}:{key}"


def key_of_oai_identifier(base: str, identifier: str) -> str | None:
    """The key an OAI-PMH identifier of this repository names; None for another repository's."""
    prefix = oai_identifier(base, "")
    return identifier[len(prefix) :] if identifier.startswith(prefix) else None


def oai_set(org: str) -> str:
    """The set of the records an organisation awarded: 'isni-…' or 'name-…', since ':' in a
    setSpec would declare a hierarchy of sets."""
    scheme, _, ident = org.split("/id/org/", 1)[-1].partition("/")
    return f"{scheme}-{ident}"


def institution_of_set(base: str, spec: str) -> str:
    """The organisation an OAI-PMH set stands for (the inverse of :func:`oai_set`)."""
    scheme, _, ident = spec.partition("-")
    return org_iri(base, scheme, ident)


# Names of terms -----------------------------------------------------------------------------


def last_segment(iri: str) -> str:
    """What follows the last '/': a language code, a bare identifier from its URL."""
    return iri.rsplit("/", 1)[-1]


def local_name(iri: str) -> str:
    """The short name of a predicate or class for people to read (after the last '/' or '#')."""
    return last_segment(iri).rsplit("#", 1)[-1]
