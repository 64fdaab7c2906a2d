"""One thesis, one current URI: a record whose key is new may be a thesis already published
under another key (a thesis without an EThOS ID has a key made of its author, title, year
and awarding body, so correcting any of them, or an EThOS ID arriving, changes the key).

It is recognised, in the store's own indexes, by what identifies it in its sources (the
DOI, the repository's page, the OAI-PMH identifier, the EThOS record) or else by a
near-identical identity: the same awarding body and year, and the same author with a
title that differs by a word or two, or the same title with an author's name that does.
A sure match (an identifier, or one of title and author word for word and the other nearly)
replaces the old record, whose URIs then answer 301 to the new one
(Ingest._commit); a doubtful one holds the record back with a finding naming the
published thesis it resembles, never publishing a second copy silently.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from difflib import SequenceMatcher

import pyoxigraph as ox

from ..model.identifiers import parse_isni
from ..model.languages import language_tag
from ..model.records import Record
from ..uris import document_iri, document_key, thesis_iri
from ..vocab import BIBO_IRI, DCT_IRI, name_key, own_terms

FOAF_NAME = ox.NamedNode("http://xmlns.com/foaf/0.1/name")
FOAF_PAGE = ox.NamedNode("http://xmlns.com/foaf/0.1/page")
SEE_ALSO = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#seeAlso")
DOI = ox.NamedNode(BIBO_IRI + "doi")
TITLE, CREATOR, ISSUED, SOURCE = (ox.NamedNode(DCT_IRI + n) for n in ("title", "creator", "issued", "source"))
SURE, DOUBTFUL = 0.85, 0.6  # similarity of titles (or authors' names) for a sure and a doubtful match
LONG_TITLE_WORDS = 6  # a title this long, word for word, is one thesis's even if the author's name differs


@dataclass(frozen=True)
class Match:
    key: str  # the published thesis the record is
    sure: bool
    reason: str  # what matched, for the finding or the tombstone


def recognise(db: ox.Store, base: str, key: str, record: Record) -> Match | None:
    """The published thesis (under another key) this record is, or may be; None when none."""
    for other, reason in _by_identifiers(db, base, record):
        if other != key:
            return Match(other, True, reason)
    best: Match | None = None
    for other in _same_author_or_title(db, base, record):
        if other == key:
            continue
        match = _compare(db, base, other, record)
        if match and (best is None or (match.sure and not best.sure)):
            best = match
    return best


def _by_identifiers(db: ox.Store, base: str, record: Record) -> Iterator[tuple[str, str]]:
    found = [(DOI, ox.Literal(record.doi), f"the DOI {record.doi}")] if record.doi else []
    found += [(FOAF_PAGE, ox.NamedNode(u), f"the repository page {u}") for u in record.repository_urls if _iri(u)]
    if record.ethos_url and _iri(record.ethos_url):
        found.append((SEE_ALSO, ox.NamedNode(record.ethos_url), f"the EThOS record {record.ethos_url}"))
    if record.location.oai_identifier:
        oai = record.location.oai_identifier
        found.append((SOURCE, ox.Literal(oai), f"the OAI-PMH identifier {oai}"))
    for predicate, value, reason in found:
        for other in sorted(_graph_keys(base, db.quads_for_pattern(None, predicate, value, None))):
            yield other, reason


def _same_author_or_title(db: ox.Store, base: str, record: Record) -> set[str]:
    """Keys of theses whose author has this name (or ISNI), or whose title is this title."""
    keys: set[str] = set()
    if record.author:
        for quad in db.quads_for_pattern(None, FOAF_NAME, ox.Literal(record.author.name), None):
            keys |= _graph_keys(base, [quad])
    if record.title:
        lang = record.title_lang or language_tag(record.language)
        for literal in {ox.Literal(record.title), ox.Literal(record.title, language=lang) if lang else None} - {None}:
            keys |= _graph_keys(base, db.quads_for_pattern(None, TITLE, literal, None))
    return keys


def _graph_keys(base: str, quads) -> set[str]:  # type: ignore[no-untyped-def]
    return {
        k for q in quads if isinstance(q.graph_name, ox.NamedNode) and (k := document_key(base, q.graph_name.value))
    }


def _compare(db: ox.Store, base: str, other: str, record: Record) -> Match | None:
    """The same awarding body and year, and the title or the author's name nearly the same."""
    thesis = ox.NamedNode(thesis_iri(base, other))
    graph = ox.NamedNode(document_iri(base, other))
    values = _values(db, thesis, graph, base)
    institution = record.institution.name if record.institution else ""
    if values["year"] != (record.date or "")[:4] or name_key(values["body"]) != name_key(institution):
        return None
    if (
        values["isni"]
        and record.author
        and record.author.isni
        and parse_isni(record.author.isni).compact != values["isni"]
    ):
        return None  # two authors with ISNIs of their own are two people
    title = _similarity(values["title"], record.title or "")
    author = _similarity(values["author"], record.author.name if record.author else "")
    if values["doi"] and record.doi and values["doi"].casefold() != record.doi.casefold():
        return None  # two DOIs: two theses
    score = min(title, author)
    # One of them word for word, the other a correction; a name corrected under a short title
    # ("Essays in economics") could be another author's thesis, so only a long title is sure.
    long_title = len((record.title or "").split()) >= LONG_TITLE_WORDS
    if score >= SURE and (author == 1.0 or (title == 1.0 and long_title)):
        return Match(other, True, "the same author, title, year and awarding body, nearly word for word")
    if max(title, author) >= SURE and score >= DOUBTFUL:
        what = "title" if title < SURE else "author's name"
        return Match(other, False, f"the same year and awarding body, and a {what} that differs more than "
                                   f"a correction would ({values['title']!r} by {values['author']!r})")  # fmt: skip
    return None


def _values(db: ox.Store, thesis: ox.NamedNode, graph: ox.NamedNode, base: str) -> dict[str, str]:
    def first(subject: ox.NamedNode, predicate: ox.NamedNode) -> str:
        return next((q.object.value for q in db.quads_for_pattern(subject, predicate, None, graph)), "")

    author = next((q.object for q in db.quads_for_pattern(thesis, CREATOR, None, graph)), None)
    name = first(author, FOAF_NAME) if isinstance(author, ox.NamedNode) else ""
    isni = (
        author.value.rsplit("/person/isni/", 1)[1]
        if isinstance(author, ox.NamedNode) and "/person/isni/" in author.value
        else ""
    )
    body = ox.NamedNode(str(own_terms(base).awardingBodyName))
    return {"title": first(thesis, TITLE), "author": name, "year": first(thesis, ISSUED)[:4],
            "body": first(thesis, body), "isni": isni, "doi": first(thesis, DOI)}  # fmt: skip


def _similarity(a: str, b: str) -> float:
    return SequenceMatcher(None, name_key(a), name_key(b)).ratio() if a and b else 0.0


def _iri(value: str) -> bool:
    return value.startswith(("http://", "https://")) and not any(c in value for c in ' <>"{}|\\^`')
