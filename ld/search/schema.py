"""The Tantivy index's fields, and the one analyzer that folds words for indexing and queries alike.

Why each field is there (measured in bench/README.md, "Search engines side by side"):

- `text` holds all five searchable texts with positions: one posting list per word, so
  matching and counting read one list, and phrases of three words or more are checked here;
- four of the texts again, each on its own with frequencies only, for ranking the page
  shown with field weights (title above people above keywords above institution above
  the rest, which `text` scores);
- `pairs` holds each two words in a row as one token: a two-word phrase is one term lookup;
- `f_{facet}` is a facet's value for filters, `c_{facet}` the value and IRI for counting
  (a fast field, so aggregations read a column, not the documents);
- `newest` and `oldest` are the year to sort by; `hit` is what a result line shows, stored
  compressed.
"""

from __future__ import annotations

from functools import cache, lru_cache

import tantivy

from .facets import COUNTED, FACETS

TEXTS = ("title", "abstract", "people", "keywords", "institution")  # all in `text`
RANKED = ("title", "people", "keywords", "institution")  # each also in a field of its own, for its weight
# FTS5's weights were title 10, people 5, keywords 3, institution 2, abstract 1: the abstract's
# 1 is now `text`'s (all five), so the longest text is not indexed a second time.
BOOSTS = {"title": 10.0, "people": 5.0, "keywords": 3.0, "institution": 2.0, "text": 1.0}
LAYOUT = "tantivy-3"  # changes with the fields: an index of another layout is rebuilt, never misread
FOLDED = "folded"  # words, lower case, accents folded to ASCII


@cache
def analyzer() -> tantivy.TextAnalyzer:
    """Split on anything but letters and digits, lower-case, fold accents (Müller, Muller, MULLER)."""
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .build()
    )


def words(text: str) -> list[str]:
    """The tokens the index holds for this text: queries, pairs and highlights all fold this way."""
    return analyzer().analyze(text)


@lru_cache(maxsize=100_000)
def fold(word: str) -> str:
    """One word as the index holds it (the words of a page's snippets and suggestions repeat)."""
    return "".join(words(word))


@cache
def schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("key", stored=True, tokenizer_name="raw")
    for name in RANKED:
        builder.add_text_field(name, tokenizer_name=FOLDED, index_option="freq")
    builder.add_text_field("text", tokenizer_name=FOLDED, index_option="position")
    builder.add_text_field("pairs", tokenizer_name="whitespace", index_option="basic")
    builder.add_unsigned_field("newest", fast=True)  # the year, 0 when unknown: sorts those last
    builder.add_unsigned_field("oldest", fast=True)  # the year, 99,999 when unknown: sorts those last
    builder.add_unsigned_field("doc", fast=True)  # 1 in every thesis: what the total counts
    for name in FACETS:
        builder.add_text_field(f"f_{name}", tokenizer_name="raw", index_option="basic")
    for name in COUNTED:
        builder.add_text_field(f"c_{name}", fast=True, tokenizer_name="raw", index_option="basic")
    builder.add_bytes_field("hit", stored=True)
    return builder.build()
