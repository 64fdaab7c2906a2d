"""One thesis, several sources: records of different kinds about the same thesis (the same
key: its EThOS ID, or the same author, title, year and awarding body) become one record.

The result must not depend on the order the sources arrive in, and no source's fields may
be lost, so the combination is a function of the set of records, by fixed rules:

- sources rank by kind, the awarding institution's own repository first (UKETD_DC, harvested
  or read from files), then the EThOS record page, then the EThOS CSV dump
  (`PRECEDENCE`);
- a single value (title, date, abstract, awarding body, DOI, ...) comes from the best-ranked
  source that has one, and a person's or organisation's identifiers missing there are
  filled in from the others when they name the same one;
- a list of text values (keywords, Dewey classes, pages, files, rights, ...) is the union,
  the best-ranked source's values first;
- a list of people (supervisors, funders, further authors) comes whole from the
  best-ranked source that has one: the same people spelt two ways must not appear twice.

What each source supplied is kept (`Source.gave`) and published as provenance.
"""

from __future__ import annotations

from dataclasses import fields

from ..vocab import name_key
from .records import AGENTS, PEOPLE, Agent, Record, Source

PRECEDENCE = ("uketd-dc", "ethos-text", "ethos-csv")


def rank(kind: str) -> int:
    return PRECEDENCE.index(kind) if kind in PRECEDENCE else len(PRECEDENCE)


def combine(records: dict[str, Record]) -> Record:
    """One record from one record per kind of source (kind -> record)."""
    ordered = sorted(records.items(), key=lambda item: (rank(item[0]), item[0]))
    combined: dict = {}
    gave: dict[str, list[str]] = {kind: [] for kind, _ in ordered}
    for f in fields(Record):
        if f.name in ("location", "origins", "kind"):
            continue
        present = [(kind, getattr(r, f.name)) for kind, r in ordered if getattr(r, f.name) not in (None, [], "")]
        if not present:
            continue
        if f.name in AGENTS:
            combined[f.name] = _agent([value for _, value in present])
            gave[present[0][0]].append(f.name)
        elif isinstance(present[0][1], list) and f.name not in PEOPLE:
            combined[f.name] = _union(gave, f.name, present)
        else:
            combined[f.name] = present[0][1]
            gave[present[0][0]].append(f.name)
    origins = [Source(kind, r.location, tuple(gave[kind])) for kind, r in ordered]
    return Record(location=ordered[0][1].location, kind=ordered[0][0], origins=origins, **combined)


def _agent(agents: list[Agent]) -> Agent:
    """The best-ranked source's agent, with identifiers it lacks from others naming the same one."""
    first = agents[0]
    same = [a for a in agents if name_key(a.name) == name_key(first.name)]
    return Agent(first.name, isni=_first(a.isni for a in same), orcid=_first(a.orcid for a in same),
                 ror=_first(a.ror for a in same))  # fmt: skip


def _first(values) -> str | None:  # type: ignore[no-untyped-def]
    return next((v for v in values if v), None)


def _union(gave: dict[str, list[str]], name: str, present: list[tuple[str, list]]) -> list:
    """Every source's values once (compared without case), the best-ranked source's first."""
    seen: set[str] = set()
    union = []
    for kind, values in present:
        added = False
        for value in values:
            token = str(value).casefold()
            if token not in seen:
                seen.add(token)
                union.append(value)
                added = True
        if added:
            gave[kind].append(name)
    return union
