"""A thesis's search document as plain values, made from its index row.

Made where the row is (an ingest or reindex worker process), so that the writer's process
only hands it to Tantivy; kept apart from index.py so that a worker does not load the
index's machinery to make one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from .facets import COUNTED, SEPARATOR
from .matching import pairs_text
from .rows import IndexRow
from .schema import RANKED, TEXTS

UNKNOWN_YEAR_LAST = 99_999  # the `oldest` column's year for theses without one


@dataclass(frozen=True)
class Prepared:
    """A thesis's index document as plain values: made where the row is (an ingest or reindex
    worker process), so the writer's process only hands it to Tantivy. Tantivy's own documents
    pickle to five times the size and unpickle slower than they build."""

    key: str
    fields: dict[str, list]


def prepare(row: IndexRow) -> Prepared:
    texts = {name: getattr(row, name) for name in TEXTS if getattr(row, name)}
    fields: dict[str, list] = {name: [value] for name, value in texts.items() if name in RANKED}
    fields |= {"key": [row.key], "doc": [1], "text": list(texts.values()),
               "pairs": [pairs_text(value) for value in texts.values()],
               "newest": [row.year if row.year is not None else 0],
               "oldest": [row.year if row.year is not None else UNKNOWN_YEAR_LAST]}  # fmt: skip
    for facet in row.facets:
        fields.setdefault(f"f_{facet.name}", []).append(facet.value)
        if facet.name in COUNTED:
            fields.setdefault(f"c_{facet.name}", []).append(facet.value + SEPARATOR + (facet.iri or ""))
    institution, degree = row.facet("institution"), row.facet("degree")
    shown = {
        "title": row.title,
        "abstract": row.abstract,
        "authors": list(row.authors),
        "year": row.year,
        "institution": institution.label if institution else None,
        "degree": degree.label if degree else None,
        "supervisors": [f.value for f in row.facets if f.name == "supervisor"],
    }
    fields["hit"] = [json.dumps(shown, ensure_ascii=False).encode()]
    return Prepared(row.key, fields)
