"""Record -> RDF triples, following shared/reference/model.md (copied into the README's model section).

Pure: no files, no store.  Shared people and organisations get identifier-based URIs
(ISNI, ORCID, or the institutions table); anyone else is scoped to the record, because a
URI built from a name would merge namesakes and split renamed people.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from urllib.parse import quote

from rdflib import Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS, XSD
from rdflib.term import Node

from .. import __version__, uris
from ..vocab import (
    BIBO,
    COAR_DOCTORAL,
    COAR_MASTERS,
    COAR_THESIS,
    DEGREES,
    ISO639_2,  # fmt: skip
    RDF_MEMBER,
    RELATORS,
    SCHEMA,
    identify_institution,
    name_key,
    own_terms,
    slug,
)
from .degrees import DEGREES_BY_CODE, Degree, degree_for, level_of
from .identifiers import (
    DOI_URI,
    ISNI_URI,
    ORCID_URI,
    is_ethos_id,
    orcid_hyphenated,
    parse_doi,
    parse_isni,  # fmt: skip
    parse_orcid,
)
from .languages import iso639_2, language_tag
from .ntriples import line as nt_line
from .records import DDC_CAPTION, Agent, Record

Triple = tuple[Node, Node, Node]


class _Terms:
    """A namespace whose terms are made once: rdflib builds a new URIRef on every attribute access."""

    def __init__(self, namespace: Namespace) -> None:
        self._namespace = namespace

    def __getattr__(self, name: str) -> URIRef:
        term = self._namespace[name]
        setattr(self, name, term)
        return term


BIBO, DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS, RELATORS, SCHEMA = (
    _Terms(ns) for ns in (BIBO, DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS, RELATORS, SCHEMA)
)
_DDC_NOTATION = re.compile(r"[0-9]{3}(\.[0-9]+)?")
_SAFE_IRI = re.compile(r"^https?://[^\s<>\"{}|\\^`]+$")


@dataclass
class Mapped:
    """One record's triples, its key and the IRIs of its named graph and thesis."""

    key: str
    graph: URIRef
    thesis: URIRef
    triples: list[Triple] = field(default_factory=list)
    shared: set[str] = field(default_factory=set)  # resources other records may describe too
    base: str = ""
    notes: list[str] = field(default_factory=list)  # identity conflicts: Warnings (validation.identity_findings)

    def parts(self) -> tuple[str, dict[str, str]]:
        """The record's own N-Triples, and what it says of each shared resource by the graph
        describing it (uris.shared_graph), as sorted lines: the same description reads the
        same from every record.  People, and anything without a graph of its own, stay."""
        own: list[str] = []
        by_graph: dict[str, list[str]] = {}
        graphs = {s: uris.shared_graph(self.base, s) for s in self.shared}
        for subject, predicate, value in self.triples:
            graph = graphs.get(str(subject))
            (own if graph is None else by_graph.setdefault(graph, [])).append(nt_line(subject, predicate, value))
        return "".join(own), {g: "".join(sorted(lines)) for g, lines in by_graph.items()}


def thesis_key(record: Record) -> str:
    """The EThOS ID when the record has a well-formed one, else a digest of who, what, when, where.

    The digest uses normalised author, title, year and awarding body, so the same record
    read again (from any format) gets the same URI.
    """
    if record.ethos_id and is_ethos_id(record.ethos_id):
        return record.ethos_id
    parts = [
        name_key(record.author.name if record.author else ""),
        name_key(record.title or ""),
        (record.date or "")[:4],
        name_key(record.institution.name if record.institution else ""),
    ]
    return uris.digest_key(parts)


# Resources other records may describe too: validation scopes them per record.
_SHARED_CLASSES = frozenset({FOAF.Person, FOAF.Organization, BIBO.ThesisDegree, SKOS.Concept})


def _shared_resources(out: Mapped) -> set[str]:
    """People, organisations, degrees and concepts the record describes, but not the people
    whose IRIs are scoped to this thesis (…/author, …/supervisor/N)."""
    scoped = str(out.thesis) + "/"
    return {
        str(subject)
        for subject, predicate, value in out.triples
        if predicate == RDF.type and value in _SHARED_CLASSES and not str(subject).startswith(scoped)
    }


class Mapper:
    """Maps records for one public base URI; holds nothing between records."""

    def __init__(self, base: str, license_iri: str) -> None:
        self.base = base
        self.own = _Terms(own_terms(base))
        self.license = URIRef(license_iri)

    def map(self, record: Record, modified: datetime | None = None, content_hash: str | None = None) -> Mapped:
        """The record's triples; content_hash may be passed when the caller computed it already."""
        key = thesis_key(record)
        thesis = URIRef(uris.thesis_iri(self.base, key))
        out = Mapped(key, URIRef(uris.document_iri(self.base, key)), thesis, base=self.base)
        add = out.triples.append
        lang = language_tag(record.language)
        self._core(record, key, thesis, lang, add)
        self._dates(record, thesis, add)
        self._agents(record, thesis, add, out.notes.append)
        self._degree(record, thesis, add)
        self._subjects(record, thesis, add)
        self._links(record, thesis, add)
        self._rights_and_relations(record, thesis, add)
        self._document(record, out, modified or datetime.now(UTC), add)
        add((out.graph, self.own.contentHash, Literal(content_hash or record.content_hash())))
        out.shared.update(_shared_resources(out))
        return out

    def _core(self, record: Record, key: str, thesis: URIRef, lang: str | None, add) -> None:
        add((thesis, RDF.type, BIBO.Thesis))
        add((thesis, DCTERMS.identifier, Literal(record.ethos_id or key)))
        if record.title:
            add((thesis, DCTERMS.title, Literal(record.title, lang=record.title_lang or lang)))
        for title, tag in record.parallel_titles:  # the title in other languages
            add((thesis, DCTERMS.title, Literal(title, lang=tag)))
        for title in record.alternative_titles:
            add((thesis, DCTERMS.alternative, Literal(title, lang=lang)))
        if record.abstract:
            add((thesis, DCTERMS.abstract, Literal(record.abstract, lang=record.abstract_lang or lang)))
        for text, tag in record.parallel_abstracts:
            add((thesis, DCTERMS.abstract, Literal(text, lang=tag)))
        for text in record.descriptions:
            add((thesis, DCTERMS.description, Literal(text, lang=lang)))
        if record.language:
            code = iso639_2(record.language)  # an unknown code stays text, and the profile warns
            add((thesis, DCTERMS.language, ISO639_2[code] if code else Literal(record.language)))
        if record.department:
            add((thesis, self.own.department, Literal(record.department)))

    def _dates(self, record: Record, thesis: URIRef, add) -> None:
        if record.date:
            add((thesis, DCTERMS.issued, date_literal(record.date)))
        if record.submitted:
            add((thesis, DCTERMS.dateSubmitted, date_literal(record.submitted)))
        for other in record.other_dates:
            add((thesis, DCTERMS.date, date_literal(other)))
        if record.embargo_date:
            add((thesis, self.own.embargoDate, date_literal(record.embargo_date)))

    def _agents(self, record: Record, thesis: URIRef, add, note) -> None:  # type: ignore[no-untyped-def]
        authors = [record.author, *record.co_authors] if record.author else []
        iris = [uris.author_iri(thesis)] + [uris.co_author_iri(thesis, n) for n in range(2, len(authors) + 1)]
        people = [self._person(a, iri, add) for a, iri in zip(authors, iris, strict=True)]
        for person in people:
            add((thesis, DCTERMS.creator, person))
        self._ordered(thesis, BIBO.authorList, "authors", people, add)
        supervisors = []
        for n, supervisor in enumerate(record.supervisors, start=1):
            supervisors.append(person := self._person(supervisor, uris.supervisor_iri(thesis, n), add))
            add((thesis, RELATORS.ths, person))
            add((thesis, DCTERMS.contributor, person))
        self._ordered(thesis, self.own.supervisorList, "supervisors", supervisors, add)
        for n, contributor in enumerate(record.contributors, start=1):
            add((thesis, DCTERMS.contributor, self._person(contributor, uris.contributor_iri(thesis, n), add)))
        if record.institution:
            org = self._organisation(record.institution, add, note)
            add((thesis, RELATORS.dgg, org))
            add((thesis, DCTERMS.publisher, org))
            add((thesis, self.own.awardingBodyName, repeated_literal(record.institution.name)))
            current = record.current_institution
            if current and name_key(current) != name_key(record.institution.name):
                add((thesis, self.own.currentInstitution, self._organisation(Agent(current), add)))
        for funder in record.funders:
            add((thesis, RELATORS.fnd, self._organisation(funder, add)))
        for grant in record.grant_numbers:
            add((thesis, self.own.grantNumber, Literal(grant)))

    @staticmethod
    def _ordered(thesis: URIRef, predicate: URIRef, name: str, people: list[URIRef], add) -> None:
        """The source's order of two or more people, as an rdf:Seq (one person needs none)."""
        if len(people) < 2:
            return
        seq = URIRef(uris.list_iri(str(thesis), name))
        add((thesis, predicate, seq))
        add((seq, RDF.type, RDF.Seq))
        for n, person in enumerate(people, start=1):
            add((seq, URIRef(f"{RDF_MEMBER}{n}"), person))

    def _person(self, agent: Agent, scoped_iri: str, add) -> URIRef:
        """Identifier-based URI for a person with a valid ISNI/ORCID, else one scoped to the record."""
        isni = parse_isni(agent.isni) if agent.isni else None
        orcid = parse_orcid(agent.orcid) if agent.orcid else None
        if isni and isni.valid:
            person = URIRef(uris.person_iri(self.base, "isni", isni.compact))
        elif orcid and orcid.valid:
            person = URIRef(uris.person_iri(self.base, "orcid", orcid_hyphenated(orcid.compact)))
        else:
            person = URIRef(scoped_iri)
        add((person, RDF.type, FOAF.Person))
        add((person, FOAF.name, Literal(agent.name)))
        if isni:
            add((person, OWL.sameAs, URIRef(ISNI_URI + quote(isni.compact, safe=""))))
        if orcid:
            add((person, OWL.sameAs, URIRef(ORCID_URI + quote(orcid_hyphenated(orcid.compact), safe="-"))))
        return person

    def _organisation(self, agent: Agent, add, note=None) -> URIRef:  # type: ignore[no-untyped-def]
        """ISNI-based URI from the record or the institutions table (matched by ISNI, then ROR,
        then name: institutions.tsv); by name only as a last resort.  `note` hears of an
        identifier and a name that the table gives to different institutions."""
        given = parse_isni(agent.isni) if agent.isni else None
        valid = given.compact if given and given.valid else None
        known, conflict = identify_institution(agent.name, valid, agent.ror)
        if conflict and note:
            note(conflict)
        isni = valid or (known.isni if known and not given else None)
        scheme, ident = ("isni", isni) if isni else ("name", slug(agent.name))
        org = URIRef(uris.org_iri(self.base, scheme, ident))
        add((org, RDF.type, FOAF.Organization))
        add((org, FOAF.name, repeated_literal(known.name if known else agent.name)))
        if given:
            add((org, OWL.sameAs, URIRef(ISNI_URI + quote(given.compact, safe=""))))
        elif isni:
            add((org, OWL.sameAs, URIRef(ISNI_URI + isni)))
        ror = known.ror if known else (agent.ror if agent.ror and _SAFE_IRI.match(agent.ror) else None)
        if ror:
            add((org, OWL.sameAs, URIRef(ror)))
        if known and known.wikidata:
            add((org, RDFS.seeAlso, URIRef("http://www.wikidata.org/entity/" + known.wikidata)))
        return org

    def _degree(self, record: Record, thesis: URIRef, add) -> None:
        degree = degree_for(record.qualification_name, record.qualification_level)
        level = level_of(degree, record.qualification_level)
        coar = {"doctoral": COAR_DOCTORAL, "masters": COAR_MASTERS}.get(level, COAR_THESIS)
        add((thesis, DCTERMS.type, coar))
        if record.qualification_name:
            add((thesis, SCHEMA.inSupportOf, repeated_literal(record.qualification_name)))
        if record.qualification_level:
            add((thesis, self.own.qualificationLevel, repeated_literal(record.qualification_level)))
        if degree:
            node = self.degree_iri(degree)
            add((thesis, BIBO.degree, node))
            add((node, RDF.type, BIBO.ThesisDegree))
            add((node, RDFS.label, repeated_literal(degree.label, lang="en")))

    def degree_iri(self, degree: Degree) -> URIRef:
        return DEGREES[degree.code] if degree.bibo else URIRef(uris.degree_iri(self.base, degree.code))

    def _subjects(self, record: Record, thesis: URIRef, add) -> None:
        for keyword in record.keywords:
            add((thesis, SCHEMA.keywords, repeated_literal(keyword)))
        for value in record.ddc:  # "530" or "530 Physics"
            caption = DDC_CAPTION.match(value)
            notation, label = (caption.group(1), caption.group(2)) if caption else (value, value)
            add((thesis, DCTERMS.subject, self._concept("ddc", notation, label, add)))
        for scheme, heading in record.scheme_subjects:
            add((thesis, DCTERMS.subject, self._concept(scheme, slug(heading), heading, add)))
        if record.subject_discipline:
            label = record.subject_discipline
            concept = self._concept("discipline", slug(label), label, add)
            add((thesis, DCTERMS.subject, concept))
            add((thesis, self.own.subjectDiscipline, concept))

    def _concept(self, scheme: str, notation: str, label: str, add) -> URIRef:
        """A concept of the scheme; a Dewey value that is no notation gets a slug for its IRI
        and keeps its text as notation, for the profile to report."""
        path = notation if scheme != "ddc" or _DDC_NOTATION.fullmatch(notation) else slug(notation)
        concept = URIRef(uris.concept_iri(self.base, scheme, path))
        add((concept, RDF.type, SKOS.Concept))
        add((concept, SKOS.prefLabel, repeated_literal(label)))
        add((concept, SKOS.inScheme, URIRef(uris.scheme_iri(self.base, scheme))))
        if scheme == "ddc":
            add((concept, SKOS.notation, repeated_literal(notation)))
        return concept

    def _links(self, record: Record, thesis: URIRef, add) -> None:
        if record.ethos_url and _SAFE_IRI.match(record.ethos_url):
            add((thesis, RDFS.seeAlso, URIRef(record.ethos_url)))
        if record.doi:
            add((thesis, BIBO.doi, Literal(record.doi)))
            if parse_doi(record.doi) == record.doi:
                add((thesis, RDFS.seeAlso, URIRef(DOI_URI + quote(record.doi, safe="/:;()._-"))))
        for url in record.repository_urls:
            self._repository_link(url, thesis, add)

    def _repository_link(self, url: str, thesis: URIRef, add) -> None:
        if _SAFE_IRI.match(url):
            add((thesis, FOAF.page, URIRef(url)))
        elif parse_doi(url):
            add((thesis, RDFS.seeAlso, URIRef(DOI_URI + quote(parse_doi(url) or "", safe="/:;()._-"))))
        else:
            add((thesis, self.own.repositoryCopy, Literal(url)))

    def _rights_and_relations(self, record: Record, thesis: URIRef, add) -> None:
        """What UKETD_DC says of access, rights, related works and files."""
        for text in record.rights:
            add((thesis, DCTERMS.rights, Literal(text)))
        for licence in record.licences:
            add((thesis, DCTERMS.license, _iri_or_text(licence)))
        for text in record.access_rights:
            add((thesis, DCTERMS.accessRights, repeated_literal(text)))
        if record.embargo_type:
            add((thesis, self.own.embargoType, repeated_literal(record.embargo_type)))
        for predicate, values in ((DCTERMS.references, record.references), (DCTERMS.hasVersion, record.versions),
                                  (DCTERMS.relation, record.relations)):  # fmt: skip
            for value in values:
                add((thesis, predicate, _iri_or_text(value)))
        for source in record.sources:
            add((thesis, DCTERMS.source, Literal(source)))
        for media_type in record.formats:
            add((thesis, DCTERMS.format, repeated_literal(media_type)))
        for file in record.files:
            add((thesis, DCTERMS.hasFormat, URIRef(file)) if _SAFE_IRI.match(file)
                else (thesis, self.own.fileIdentifier, Literal(file)))  # fmt: skip
        for name in record.publishers:
            add((thesis, self.own.publisherName, repeated_literal(name)))
        for name in record.commercial_publishers:
            add((thesis, self.own.commercialPublisher, repeated_literal(name)))
        for iri in record.also_published_as:  # the same thesis at another ldpub site; never itself
            if iri != str(thesis) and _SAFE_IRI.match(iri):
                add((thesis, RDFS.seeAlso, URIRef(iri)))

    def _location(self, subject: URIRef, loc, add) -> None:  # type: ignore[no-untyped-def]
        """Where a record was read: the file's name (never its directory), row or line, OAI header."""
        if loc.oai_identifier:
            add((subject, DCTERMS.source, Literal(loc.oai_identifier)))
        if loc.oai_datestamp:
            add((subject, self.own.sourceDatestamp, Literal(loc.oai_datestamp)))
        add((subject, self.own.sourceFile, repeated_literal(loc.published_name)))
        if loc.row is not None:
            add((subject, self.own.sourceRow, Literal(loc.row)))
        if loc.line is not None:
            add((subject, self.own.sourceLine, Literal(loc.line)))

    def _document(self, record: Record, out: Mapped, modified: datetime, add) -> None:
        doc = out.graph
        add((doc, RDF.type, FOAF.Document))
        add((doc, FOAF.primaryTopic, out.thesis))
        add(
            (
                doc,
                DCTERMS.modified,
                repeated_literal(modified.replace(microsecond=0).isoformat(), datatype=XSD.dateTime),
            )
        )
        add((doc, DCTERMS.license, self.license))
        if record.origins:  # several sources: each one described, with what it gave
            for source in record.origins:
                node = URIRef(f"{doc}#source-{source.kind}")
                add((doc, self.own.sourceFormat, repeated_literal(source.kind)))
                add((doc, PROV.wasDerivedFrom, node))
                add((node, RDF.type, PROV.Entity))
                add((node, self.own.sourceFormat, repeated_literal(source.kind)))
                self._location(node, source.location, add)
                for name in source.gave:
                    add((node, self.own.gave, repeated_literal(name)))
        else:
            if record.kind:
                add((doc, self.own.sourceFormat, repeated_literal(record.kind)))
            self._location(doc, record.location, add)
        add((doc, self.own.mappedBy, repeated_literal(f"ldpub {__version__}")))


def _iri_or_text(value: str) -> Node:
    return URIRef(value) if _SAFE_IRI.match(value) else Literal(value)


# Values that recur across records (institution names, labels, keywords, years, the
# ingest's timestamp): building an rdflib Literal costs ~9 µs, a cache hit well under one.
repeated_literal = lru_cache(maxsize=65_536, typed=True)(Literal)


@lru_cache(maxsize=4096)
def date_literal(value: str) -> Literal:
    """gYear, gYearMonth or date as precise as the source; anything else stays a plain string
    so that the SHACL profile reports it."""
    if re.fullmatch(r"[0-9]{4}", value):
        return Literal(value, datatype=XSD.gYear)
    if re.fullmatch(r"[0-9]{4}-(0[1-9]|1[0-2])", value):
        return Literal(value, datatype=XSD.gYearMonth)
    if re.fullmatch(r"[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])", value):
        return Literal(value, datatype=XSD.date)
    return Literal(value)


__all__ = ["Mapper", "Mapped", "thesis_key", "date_literal", "DEGREES_BY_CODE"]
