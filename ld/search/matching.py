"""Tantivy queries built from ldpub's parse of what people type, and from facet filters.

Every word or phrase is required (Tantivy's own parser would join them with OR). Two
forms of the same words: one scored, each word in the five fields with their weights,
for ranking the page shown; one unscored, in the single `text` field, for counting and
facets (one posting list a word).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import tantivy

from .query import Term
from .schema import BOOSTS, schema, words

MUST, SHOULD = tantivy.Occur.Must, tantivy.Occur.Should
Filters = Mapping[str, Sequence[str] | str]  # facet name: the value, or values any of which a thesis must have


def all_of(clauses: list[tantivy.Query]) -> tantivy.Query:
    if not clauses:
        return tantivy.Query.all_query()
    return clauses[0] if len(clauses) == 1 else tantivy.Query.boolean_query([(MUST, c) for c in clauses])


def any_of(clauses: list[tantivy.Query]) -> tantivy.Query:
    return clauses[0] if len(clauses) == 1 else tantivy.Query.boolean_query([(SHOULD, c) for c in clauses])


def term_clauses(query: list[Term], scored: bool) -> list[tantivy.Query]:
    """One required clause per term; a term with nothing searchable in it (only punctuation) is skipped."""
    found = []
    for term in query:
        tokens = words(term.text)
        if not tokens:
            continue
        if term.prefix:
            found.append(_prefix(tokens, scored))
        elif len(tokens) > 1:
            found.extend(_phrase(tokens))
        elif scored:
            found.append(any_of([_boosted(tantivy.Query.term_query(schema(), f, tokens[0]), b)
                                 for f, b in BOOSTS.items()]))  # fmt: skip
        else:
            found.append(tantivy.Query.term_query(schema(), "text", tokens[0]))
    return found


def _prefix(tokens: list[str], scored: bool) -> tantivy.Query:
    """`synth*`: words starting so; several words (`heat-trans*`) need positions, in `text`."""
    if scored and len(tokens) == 1:
        return any_of([_boosted(tantivy.Query.phrase_prefix_query(schema(), f, tokens), b) for f, b in BOOSTS.items()])
    return tantivy.Query.phrase_prefix_query(schema(), "text", tokens)


def _phrase(tokens: list[str]) -> list[tantivy.Query]:
    """Its word pairs (one term lookup each), then positions for three words or more."""
    pairs = [tantivy.Query.term_query(schema(), "pairs", pair) for pair in pairs_of(tokens)]
    return pairs + ([tantivy.Query.phrase_query(schema(), "text", tokens)] if len(tokens) > 2 else [])


def _boosted(query: tantivy.Query, boost: float) -> tantivy.Query:
    return query if boost == 1.0 else tantivy.Query.boost_query(query, boost)


def filter_clauses(filters: Filters) -> list[tantivy.Query]:
    """Each filtered facet required; several values of one facet: any of them."""
    clauses = []
    for name, values in filters.items():
        if values:
            listed = [values] if isinstance(values, str) else list(values)
            clauses.append(tantivy.Query.term_set_query(schema(), f"f_{name}", listed))
    return clauses


def fuzzy(query: list[Term]) -> tantivy.Query | None:
    """The words again, each allowed one or two edits in titles and names: for "did you mean"."""
    clauses = []
    for term in query:
        tokens = words(term.text)
        edits = most_edits(term, tokens)
        if edits:
            clauses.append(any_of([tantivy.Query.fuzzy_term_query(schema(), f, tokens[0], edits)
                                   for f in ("title", "people")]))  # fmt: skip
    return all_of(clauses) if clauses else None


def most_edits(term: Term, tokens: list[str]) -> int:
    """Edits allowed to mend a word: 1 up to seven letters, 2 from eight; 0 for prefixes,
    phrases, numbers and words of three letters or fewer (too many words are that near)."""
    if term.prefix or len(tokens) != 1 or len(tokens[0]) < 4 or tokens[0].isdigit():
        return 0
    return 1 if len(tokens[0]) < 8 else 2


def pairs_of(tokens: list[str]) -> list[str]:
    """Each two words in a row as one token, as the `pairs` field holds them."""
    return list(map("_".join, zip(tokens, tokens[1:], strict=False)))


def pairs_text(text: str) -> str:
    return " ".join(pairs_of(words(text)))
