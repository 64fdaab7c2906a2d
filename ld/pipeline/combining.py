"""Finding the other sources of a thesis when one of its records is read (model/combine.py).

Another source's record comes from, in order: this batch (read moments ago), the
contributions ledger (theses already combined), or the published graph of a thesis one
other kind of source described, read back through UKETD_DC: the round trip through
ldpub's own OAI-PMH gives the same triples (tests/test_round_trip.py), so nothing but
the graph needs keeping for the 99% of theses only one source describes.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pyoxigraph as ox
from lxml import etree

from ..facts import Facts
from ..metadata import uketd_dc
from ..model.mapping import Mapper
from ..model.records import Location, Record
from ..sources import uketd_dc as uketd_reader
from ..uris import document_iri, thesis_iri
from ..vocab import DCT_IRI, own_terms

CANONICAL_TIME = datetime(2000, 1, 1, tzinfo=UTC)  # the document's time says nothing of the record


def published_kinds(db: ox.Store, base: str, key: str) -> list[str]:
    """The kinds of source the published record of `key` was made from ([] when none)."""
    doc = ox.NamedNode(document_iri(base, key))
    predicate = ox.NamedNode(str(own_terms(base).sourceFormat))
    return sorted({q.object.value for q in db.quads_for_pattern(doc, predicate, None, doc)})


def from_graph(db: ox.Store, base: str, key: str, kind: str, said: str) -> Record | None:
    """The record a single source gave, rebuilt from its published graph and the shared
    descriptions it gave itself (`said`, from the descriptions ledger): the shared graphs also
    hold what other theses say of the same concept or organisation, which is not this record's."""
    graph = document_iri(base, key)
    triples = [q.triple for q in db.quads_for_pattern(None, None, None, ox.NamedNode(graph))]
    if not triples:
        return None
    triples += list(ox.parse(said.encode("utf-8"), format=ox.RdfFormat.N_TRIPLES))
    facts = Facts(triples, base)
    own = str(own_terms(base))
    location = Location(
        source=facts.first(graph, own + "sourceFile") or kind,
        row=_number(facts.first(graph, own + "sourceRow")),
        line=_number(facts.first(graph, own + "sourceLine")),
        oai_identifier=facts.first(graph, DCT_IRI + "source"),
        oai_datestamp=facts.first(graph, own + "sourceDatestamp"),
    )
    return _read_back(facts, thesis_iri(base, key), location, kind)


def canonical(record: Record, mapper: Mapper) -> Record:
    """The record as its published graph gives it back (what `from_graph` reads): records are
    combined in this form, so that a source read moments ago and one read back from the
    store a month later combine alike (the mapping drops what it does not publish, such as
    a current institution that is the awarding body)."""
    mapped = mapper.map(record, CANONICAL_TIME, "canonical")
    own, shared = mapped.parts()
    text = (own + "".join(shared.values())).encode("utf-8")
    triples = list(ox.parse(text, format=ox.RdfFormat.N_TRIPLES))
    found = _read_back(Facts(triples, mapper.base), str(mapped.thesis), record.location, record.kind or "")
    return found if found is not None else record


def _read_back(facts: Facts, thesis: str, location: Location, kind: str) -> Record | None:
    element = uketd_dc(facts, thesis)
    unit = uketd_reader.Element(location.source, location.line, etree.tostring(element),
                                location.oai_identifier, location.oai_datestamp)  # fmt: skip
    record = uketd_reader.parse(unit)
    if not isinstance(record, Record):
        return None
    record.location, record.kind = location, kind
    record.also_published_as = [iri for iri in record.also_published_as if iri != thesis]  # itself
    return record


def _number(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None
