"""pyshacl-turbo's public API against the private native call ld.model.validation uses.

    python bench/turbo_report_bench.py --rows 500 --repeat 9

Both paths validate the same batch (all generated records as one N-Triples document, as
ingest builds it) with the same compiled shapes, and end with the same list of results:

- public: ``CompiledShapes.validate(Input(...))``, whose report comes back as an rdflib
  graph, read as ``_rdflib_results`` reads it (what ``_turbo_results`` does);
- private: ``compiled._native.validate(...)``, whose report comes back as N-Triples, read
  with Oxigraph (what ``_turbo_results`` did before; kept here only to measure it).

CPU time of each whole validate step (the paths take turns), min and median of the repetitions.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from rdflib.namespace import RDF

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bench.support import mapped_records  # noqa: E402
from ld.model.validation import RECORD_SHAPES, _compiled_turbo, _raw, _turbo_results, batch_ntriples  # noqa: E402
from ld.vocab import SH  # noqa: E402


def public(ntriples: str) -> list:
    return _turbo_results(ntriples, RECORD_SHAPES)


def private(ntriples: str) -> list:
    """What ld.model.validation did until it measured this: pyshacl-turbo 0.6.5's private
    native call (13 positional arguments), its N-Triples report parsed with Oxigraph."""
    import pyoxigraph as ox

    compiled = _compiled_turbo(RECORD_SHAPES)
    report = compiled._native.validate(ntriples, "oxigraph-nquads", None, False, 100, 15, False,
                                       True, True, False, [], [], [])[1]  # fmt: skip
    by_node: dict[str, dict] = {}
    for triple in ox.parse(report, format=ox.RdfFormat.N_TRIPLES):
        by_node.setdefault(str(triple.subject), {})[triple.predicate.value] = triple.object
    result_type = ox.NamedNode(str(SH.ValidationResult))
    text = lambda t: None if isinstance(t, ox.BlankNode) else t.value  # noqa: E731
    is_iri = lambda t: isinstance(t, ox.NamedNode)  # noqa: E731
    return [_raw(props, text, is_iri) for props in by_node.values() if props.get(str(RDF.type)) == result_type]


def timings(runs: dict[str, Callable[[str], list]], ntriples: str, repeat: int) -> dict[str, list[float]]:
    """CPU seconds of each run, the paths taking turns so that other load on the machine falls on both."""
    seconds: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeat):
        for name, run in runs.items():
            start = time.process_time()
            run(ntriples)
            seconds[name].append(time.process_time() - start)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args()
    mapped = mapped_records(args.rows)
    ntriples = batch_ntriples(mapped)
    # Compile the shapes and warm both paths outside the timing; both must agree.
    same = Counter(public(ntriples)) == Counter(private(ntriples))
    results = len(private(ntriples))
    print(f"{len(mapped)} records, {ntriples.count(chr(10))} triples, {results} results, same findings: {same}")
    measured = timings({"public": public, "private": private}, ntriples, args.repeat)
    for name, seconds in measured.items():
        print(f"{name:8} min {min(seconds) * 1000:7.1f} ms   median {statistics.median(seconds) * 1000:7.1f} ms"
              f"   ({args.repeat} runs)")  # fmt: skip
    ratio_min = min(measured["public"]) / min(measured["private"])
    ratio_median = statistics.median(measured["public"]) / statistics.median(measured["private"])
    print(f"ratio public/private: {ratio_min:.2f}x (min), {ratio_median:.2f}x (median)")


if __name__ == "__main__":
    main()
