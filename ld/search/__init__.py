"""Finding theses: the full-text index, its rows (read from the published RDF) and its facets."""

from .documents import Prepared, prepare
from .facets import FACETS, FacetCount
from .index import SORTS, Hit, Results, SearchIndex, SearchUnavailable
from .query import BadQuery
from .rows import Facet, IndexRow, from_oxigraph, from_rdflib, index_row

__all__ = [
    "FACETS", "SORTS", "BadQuery", "Facet", "FacetCount", "Hit", "IndexRow", "Prepared", "Results", "SearchIndex",
    "SearchUnavailable", "from_oxigraph", "from_rdflib", "index_row", "prepare",
]  # fmt: skip
