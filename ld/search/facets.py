"""Facets: what each one counts, and Tantivy's aggregation buckets read back as labelled counts.

Counts are exact: every facet is a terms aggregation over a fast column with a segment
size above its number of distinct values, so no segment's count is cut off.
"""

from __future__ import annotations

from dataclasses import dataclass

FACETS = ("institution", "decade", "year", "degree", "discipline", "ddc", "supervisor")
PEOPLE = ("supervisor",)  # nearly as many values as theses: listed in part, counted for narrow searches only
DERIVED = {"decade": "year"}  # facets added up from another's counts, with no column of their own
COUNTED = tuple(name for name in FACETS if name not in DERIVED)  # those with a counting column
SEPARATOR = "\x1f"  # between a facet value and its IRI in the counting column
SHOWN = 50  # values listed per facet beside results
EVERY = 10_000_000  # a segment size above any facet's number of values: exact counts

# The Dewey Decimal Classification's ten main classes: the ddc facet groups concepts by these.
DDC_CLASSES = {
    "0": "Computer science, information & general works", "1": "Philosophy & psychology", "2": "Religion",
    "3": "Social sciences", "4": "Language", "5": "Science", "6": "Technology", "7": "Arts & recreation",
    "8": "Literature", "9": "History & geography",
}  # fmt: skip


@dataclass(frozen=True)
class FacetCount:
    value: str
    label: str
    count: int
    iri: str | None


def aggregations(names: tuple[str, ...], limit: int | None = SHOWN, total: bool = True) -> dict:
    """The aggregation request: the number of matches, and each named facet's values.

    Facets whose values can carry IRIs are asked for every value: one value may come
    with and without an IRI (two buckets to add up) before the top ones are chosen.
    Decades are not asked for: they are added up from the years (`decades`).
    """
    spec: dict = {"total": {"value_count": {"field": "doc"}}} if total else {}
    for name in dict.fromkeys(DERIVED.get(name, name) for name in names):
        size = limit + 100 if limit is not None and name in PEOPLE else EVERY  # people: too many to list
        spec[name] = {"terms": {"field": f"c_{name}", "size": size, "segment_size": EVERY}}
    return spec


def counted(name: str, buckets: list[dict], limit: int | None = SHOWN) -> list[FacetCount]:
    """One facet's values, most frequent first (ties by label), from its aggregation buckets."""
    counts: dict[str, int] = {}
    iris: dict[str, str] = {}
    for bucket in buckets:
        value, _, iri = str(bucket["key"]).partition(SEPARATOR)
        counts[value] = counts.get(value, 0) + int(bucket["doc_count"])
        if iri:
            iris.setdefault(value, iri)
    found = [FacetCount(value, label(name, value), count, iris.get(value)) for value, count in counts.items()]
    found.sort(key=lambda c: (-c.count, c.label))
    return found if limit is None else found[:limit]


def decades(years: list[FacetCount], limit: int | None = SHOWN) -> list[FacetCount]:
    """The decade facet, from the year facet's counts (every thesis with a year has its decade)."""
    counts: dict[str, int] = {}
    for year in years:
        decade = f"{int(year.value) // 10}0s"
        counts[decade] = counts.get(decade, 0) + year.count
    found = sorted((FacetCount(d, d, c, None) for d, c in counts.items()), key=lambda c: (-c.count, c.label))
    return found if limit is None else found[:limit]


def label(name: str, value: str) -> str:
    """What people read for a value; only Dewey main classes differ from their value."""
    if name == "ddc" and value[:1] in DDC_CLASSES:
        return f"{value} {DDC_CLASSES[value[0]]}"
    return value
