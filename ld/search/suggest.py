"""A "did you mean" query: a query with its misspelt words mended, for searches that find (almost) nothing.

Names are what people misspell most (Makin for Mackin), and a thesis's own title and
names are the best dictionary of what its readers will type. So the words are looked
up again allowing one or two edits, in titles and names; the nearest word of the
theses found that the index holds more often than the word typed replaces it. The
mended query is offered only when it finds more.
"""

from __future__ import annotations

import json
from collections import Counter

import tantivy
from rapidfuzz.distance import OSA

from .matching import all_of, fuzzy, most_edits, term_clauses
from .query import WORD, Term, terms
from .schema import fold, words

LOOKED_AT = 50  # theses whose words are candidates


def suggestion(searcher: tantivy.Searcher, query: list[Term], filters: list[tantivy.Query], total: int) -> str | None:
    near = fuzzy(query)
    if near is None:
        return None
    found = searcher.search(all_of([near, *filters]), LOOKED_AT, count=False)
    if not found.hits:
        return None
    shown = [json.loads(searcher.doc(address).get_first("hit")) for _, address in found.hits]
    candidates = [w for hit in shown for text in _names_and_title(hit) for w in WORD.findall(text)]
    mended, changed = [], False
    for term in query:
        better = _mended(searcher, term, candidates)
        changed |= better is not None
        mended.append(_written(Term(better, term.prefix) if better else term))
    if not changed:
        return None
    text = " ".join(mended)
    more = searcher.aggregate(all_of(term_clauses(terms(text), scored=False) + filters),
                              {"total": {"value_count": {"field": "doc"}}})  # fmt: skip
    return text if int(more["total"]["value"]) > total else None


def _names_and_title(hit: dict) -> list[str]:
    return [hit.get("title") or "", *hit.get("authors", []), *hit.get("supervisors", [])]


def _mended(searcher: tantivy.Searcher, term: Term, candidates: list[str]) -> str | None:
    """The candidate closest to a misspelt word, or None when the word is not mendable or fine."""
    tokens = words(term.text)
    edits = most_edits(term, tokens)
    if not edits:
        return None
    typed = tokens[0]
    own = searcher.doc_freq("text", typed)
    near: Counter[str] = Counter()
    spelled: dict[str, str] = {}
    for word in candidates:
        folded = fold(word)
        if folded != typed and OSA.distance(typed, folded, score_cutoff=edits) <= edits:
            near[folded] += 1
            spelled.setdefault(folded, word)
    ranked = sorted(near, key=lambda w: (-near[w], OSA.distance(typed, w), w))
    for folded in ranked:
        if searcher.doc_freq("text", folded) > own:
            return spelled[folded]
    return None


def _written(term: Term) -> str:
    text = f'"{term.text}"' if len(term.text.split()) > 1 else term.text
    return text + ("*" if term.prefix else "")
