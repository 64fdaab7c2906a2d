"""Dataset statistics for the VoID description, computed once per published snapshot.

Counting 24 million quads takes about 20 s, far too long for a request, so ingest
computes them when it publishes a snapshot and stores them beside it. Withdrawing a
record adjusts the previous snapshot's figures by what its graph held instead of
counting again (20 s for one withdrawal, at EThOS scale, before).
"""

from __future__ import annotations

import copy
import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox

from ..vocab import RDF_TYPE

CLASSES = "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s a ?c } } GROUP BY ?c"
PROPERTIES = "SELECT ?p (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?p"
EXAMPLES = "SELECT ?c (SAMPLE(?s) AS ?e) WHERE { GRAPH ?g { ?s a ?c } } GROUP BY ?c"


def compute(snapshot: Path) -> dict:
    db = ox.Store.read_only(str(snapshot))
    classes = {row["c"].value: int(row["n"].value) for row in db.query(CLASSES)}
    properties = {row["p"].value: int(row["n"].value) for row in db.query(PROPERTIES)}
    examples = {row["c"].value: row["e"].value for row in db.query(EXAMPLES) if isinstance(row["e"], ox.NamedNode)}
    return {
        "snapshot": snapshot.name,
        "computed": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "quads": len(db),
        "classes": classes,
        "properties": properties,
        "examples": examples,
    }


@dataclass
class Removal:
    """What one dropped graph contributed to the figures, read just before the drop."""

    quads: int = 0
    properties: Counter[str] = field(default_factory=Counter)
    typed: set[tuple[str, str]] = field(default_factory=set)  # (subject, class)


def removal(db: ox.Store, graph: str) -> Removal:
    found = Removal()
    for quad in db.quads_for_pattern(None, None, None, ox.NamedNode(graph)):
        found.quads += 1
        found.properties[quad.predicate.value] += 1
        if quad.predicate.value == RDF_TYPE and isinstance(quad.object, ox.NamedNode):
            found.typed.add((quad.subject.value, quad.object.value))
    return found


def adjusted(previous: dict, removals: list[Removal], db: ox.Store) -> dict:
    """The previous figures less the dropped graphs; `db` is the store after the drops.

    A class counts distinct subjects over all graphs, so a subject is subtracted only
    when no graph still types it (institutions and concepts appear in many records).
    """
    stats = copy.deepcopy(previous)
    for r in removals:
        stats["quads"] -= r.quads
        for predicate, n in r.properties.items():
            stats["properties"][predicate] = stats["properties"].get(predicate, 0) - n
    for subject, cls in set().union(*(r.typed for r in removals)):
        if not _typed(db, subject, cls):
            stats["classes"][cls] = stats["classes"].get(cls, 0) - 1
    stats["properties"] = {p: n for p, n in stats["properties"].items() if n > 0}
    stats["classes"] = {c: n for c, n in stats["classes"].items() if n > 0}
    stats["examples"] = {c: _example(db, c, e) for c, e in stats["examples"].items() if c in stats["classes"]}
    stats["computed"] = datetime.now(UTC).replace(microsecond=0).isoformat()
    return stats


def _typed(db: ox.Store, subject: str, cls: str) -> bool:
    return bool(db.query(f"ASK {{ GRAPH ?g {{ <{subject}> a <{cls}> }} }}"))


def _example(db: ox.Store, cls: str, example: str) -> str:
    """The example if it is still there, else another member of the class."""
    if _typed(db, example, cls):
        return example
    rows = db.query(f"SELECT ?s WHERE {{ GRAPH ?g {{ ?s a <{cls}> }} FILTER(isIRI(?s)) }} LIMIT 1")
    return next((row["s"].value for row in rows), example)


def stats_path(snapshot: Path) -> Path:
    return snapshot.with_name(snapshot.name + ".stats.json")


def of_snapshot(snapshot: Path | None) -> dict | None:
    """The figures stored for exactly this snapshot, if it has them."""
    try:
        return json.loads(stats_path(snapshot).read_text("utf-8")) if snapshot else None
    except (OSError, ValueError):
        return None


def write(snapshot: Path, known: dict | None = None) -> None:
    """Store the snapshot's figures: `known` ones (adjusted), else counted afresh."""
    stats = {**known, "snapshot": snapshot.name} if known is not None else compute(snapshot)
    path = stats_path(snapshot)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(stats, indent=1), "utf-8")
    tmp.replace(path)


def newest(snapshots: Path) -> dict | None:
    """The statistics of the newest snapshot that has them."""
    found = sorted(snapshots.glob("*.stats.json"), key=lambda p: int(p.name.split(".")[0]), reverse=True)
    for path in found:
        try:
            return json.loads(path.read_text("utf-8"))
        except (OSError, ValueError):
            continue
    return None
