"""Highlighted snippets for the page of results shown.

The page's stored titles and abstracts are read and the query's words marked here, in
well under a millisecond a row, each word folded as the index folds it (schema.words),
so what is marked is what matched.
"""

from __future__ import annotations

from .query import WORD, Term
from .schema import fold

START, END, ELLIPSIS = "\x02", "\x03", "…"
LEAD = 3  # words of context before the first highlight


def highlighter(query: list[Term]):  # type: ignore[no-untyped-def]
    """A test for one folded word: does it match a word of the query (a prefix, for prefix terms)?"""
    exact = {fold(w) for t in query if not t.prefix for w in WORD.findall(t.text)}
    prefixes = tuple(fold(t.text) for t in query if t.prefix and fold(t.text))
    return lambda word: word in exact or (bool(prefixes) and word.startswith(prefixes))


def snippet(text: str | None, matches, width: int = 24) -> str | None:  # type: ignore[no-untyped-def]
    """The `width`-word stretch of text with the most matching words, marked \\x02…\\x03; None without any."""
    if not text:
        return None
    found = list(WORD.finditer(text))
    hits = [i for i, w in enumerate(found) if matches(fold(w.group()))]
    if not hits:
        return None
    # Start a few words before some hit: the one whose window holds the most hits.
    starts = [max(0, h - LEAD) for h in hits]
    start = max(starts, key=lambda s: (sum(s <= h < s + width for h in hits), -s))
    start = max(0, min(start, len(found) - width))  # a window near the end shows the full width
    end = min(start + width, len(found)) - 1
    marked = set(hits)
    out, cursor = [], found[start].start()
    for i in range(start, end + 1):
        word = found[i]
        if i in marked:
            out.append(text[cursor : word.start()] + START + word.group() + END)
            cursor = word.end()
    out.append(text[cursor : found[end].end()])
    prefix = ELLIPSIS if start > 0 else ""
    suffix = ELLIPSIS if end < len(found) - 1 else ""
    return prefix + "".join(out) + suffix
