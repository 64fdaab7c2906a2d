"""Dataset statistics for the VoID description, computed once per published snapshot.

Counting 24 million quads takes about 20 s, far too long for a request, so ingest (and
withdraw) compute them when they publish a snapshot and store them beside it.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox

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


def stats_path(snapshot: Path) -> Path:
    return snapshot.with_name(snapshot.name + ".stats.json")


def write(snapshot: Path) -> None:
    path = stats_path(snapshot)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(compute(snapshot), indent=1), "utf-8")
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
