"""Highlighted snippets for the page of results shown.

FTS5's snippet() re-runs the match for every row it is asked about: a prefix query over
400,000 theses took 450 ms for one page of snippets. Here the page's titles and
abstracts are read by row id and the query's words marked in Python, in well under a
millisecond a row.
"""

from __future__ import annotations

from .query import WORD, Term, fold

START, END, ELLIPSIS = "\x02", "\x03", "…"
LEAD = 3  # words of context before the first highlight


def highlighter(query: list[Term]):  # type: ignore[no-untyped-def]
    """A test for one folded word: does it match a word of the query (a prefix, for prefix terms)?"""
    exact = {fold(w) for t in query if not t.prefix for w in WORD.findall(t.text)}
    prefixes = tuple(fold(t.text) for t in query if t.prefix)
    return lambda word: word in exact or (bool(prefixes) and word.startswith(prefixes))


def snippet(text: str | None, matches, width: int = 24) -> str | None:  # type: ignore[no-untyped-def]
    """The `width`-word stretch of text with the most matching words, marked \\x02…\\x03; None without any."""
    if not text:
        return None
    words = list(WORD.finditer(text))
    hits = [i for i, w in enumerate(words) if matches(fold(w.group()))]
    if not hits:
        return None
    # Start a few words before some hit: the one whose window holds the most hits.
    starts = [max(0, h - LEAD) for h in hits]
    start = max(starts, key=lambda s: (sum(s <= h < s + width for h in hits), -s))
    start = max(0, min(start, len(words) - width))  # a window near the end shows the full width
    end = min(start + width, len(words)) - 1
    marked = set(hits)
    out, cursor = [], words[start].start()
    for i in range(start, end + 1):
        word = words[i]
        if i in marked:
            out.append(text[cursor : word.start()] + START + word.group() + END)
            cursor = word.end()
    out.append(text[cursor : words[end].end()])
    prefix = ELLIPSIS if start > 0 else ""
    suffix = ELLIPSIS if end < len(words) - 1 else ""
    return prefix + "".join(out) + suffix
