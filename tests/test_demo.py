"""`ldpub demo`, the quick start: ingests the bundled samples and serves them, SPARQL included.

Regression: the demo once ingested in the server's own process, and the server's workers
inherited the ingest's forkserver, so every SPARQL query failed with a 500.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import requests

from .servers import free_port, ldpub, status, wait_until


def test_demo_serves_the_samples_and_answers_sparql(tmp_path: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    env = {**os.environ, "LDPUB_STORE": str(tmp_path / "store"), "LDPUB_BASE": base}
    demo = subprocess.Popen(
        ldpub("demo", "--port", str(port)), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        thesis = f"{base}id/thesis/uk.bl.ethos.232781"
        assert wait_until(lambda: status(thesis) == 200, 60)
        turtle = requests.get(thesis, headers={"Accept": "text/turtle"}, timeout=10).text
        assert "Loizou, Panos A." in turtle and "University of Manchester" in turtle
        assert status(f"{base}doc/thesis/tcd3dc49c1347f397b166.ttl") == 200
        answer = requests.get(f"{base}sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=10)
        assert answer.status_code == 200 and answer.json()["boolean"] is True
    finally:
        demo.terminate()
        demo.wait(10)
