"""`ldpub harvest` against a local OAI-PMH server that misbehaves like the real web."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from click.testing import CliRunner

from ld.cli import main
from ld.config import Settings
from ld.pipeline.harvest import Feed, harvest

NS = ('xmlns:uketd_dc="http://naca.central.cranfield.ac.uk/ethos-oai/2.0/" xmlns:dc="http://purl.org/dc/elements/1.1/" '
      'xmlns:dcterms="http://purl.org/dc/terms/" xmlns:uketdterms="http://naca.central.cranfield.ac.uk/ethos-oai/terms/"')  # fmt: skip


def record(n: int, title: str = "") -> str:
    metadata = (f"<uketd_dc:uketddc {NS}><dc:title>{title or f'Thesis {n}'}</dc:title><dc:creator>Author{n}, A.</dc:creator>"
                f"<dc:identifier>uk.bl.ethos.{9000 + n}</dc:identifier><uketdterms:institution>University of Leeds</uketdterms:institution>"
                f"<dcterms:issued>2001</dcterms:issued><uketdterms:qualificationname>PhD</uketdterms:qualificationname>"
                f"<dcterms:abstract>Text.</dcterms:abstract></uketd_dc:uketddc>")  # fmt: skip
    return (f"<record><header><identifier>oai:test:{n}</identifier><datestamp>2024-01-0{n}</datestamp></header>"
            f"<metadata>{metadata}</metadata></record>")  # fmt: skip


def deleted(n: int) -> str:
    return f'<record><header status="deleted"><identifier>oai:test:{n}</identifier><datestamp>2024-02-01</datestamp></header></record>'


def page(body: str, token: str | None, date: str = "2024-03-01T00:00:00Z") -> bytes:
    resumption = f"<resumptionToken>{token}</resumptionToken>" if token else "<resumptionToken/>"
    return (f'<?xml version="1.0"?><OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><responseDate>{date}</responseDate>'
            f"<request>x</request><ListRecords>{body}{resumption}</ListRecords></OAI-PMH>").encode()  # fmt: skip


class Repository(http.server.BaseHTTPRequestHandler):
    """Serves pages by resumption token; `plan` is changed by the test between runs."""

    plan: dict[str, bytes] = {}
    busy_once: set[str] = set()
    requests: list[dict] = []

    def do_GET(self) -> None:  # noqa: N802
        query = {k: v[0] for k, v in parse_qs(urlparse(self.path).query).items()}
        Repository.requests.append(query)
        name = query.get("resumptionToken") or ("since" if "from" in query else "start")
        if name in Repository.busy_once:
            Repository.busy_once.discard(name)
            self.send_response(503)
            self.send_header("Retry-After", "1")
            self.end_headers()
            return
        body = Repository.plan.get(name, b"")
        self.send_response(200)
        self.send_header("Content-Type", "text/xml")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def repository() -> Iterator[str]:
    server = http.server.HTTPServer(("127.0.0.1", 0), Repository)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    Repository.requests = []
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/oai"
    finally:
        server.shutdown()
        server.server_close()


def test_harvest_pages_retries_reports_and_resumes_incrementally(
    settings: Settings, repository: str, tmp_path: Path
) -> None:
    Repository.plan = {"start": page(record(1) + record(2), "p2"), "p2": page(record(3) + deleted(7), "p3"),
                       "p3": b"<OAI-PMH><ListRecords><record>broken"}  # fmt: skip
    Repository.busy_once = {"p2"}
    feed = Feed(repository, backoff=0.1)
    first = harvest(settings, feed, progress=False)
    assert first.pages == 3 and not first.complete
    assert (first.summary.published, first.summary.unreadable) == (3, 1)  # the malformed page is reported
    assert any("not well-formed" in p for p in first.problems)
    assert [r.get("resumptionToken") for r in Repository.requests].count("p2") == 2  # retried after the 503

    Repository.plan["p3"] = page(record(4), None)
    second = harvest(settings, feed, progress=False)
    assert second.complete and second.summary.published == 4 and second.summary.published_new == 1

    Repository.requests = []
    Repository.plan["since"] = page(record(1, "Corrected title") + deleted(2), None, "2024-04-01T00:00:00Z")
    third = harvest(settings, feed, progress=False)
    assert Repository.requests[0]["from"] == "2024-03-01" and len(Repository.requests) == 1  # only what changed
    assert (third.summary.published_updated, third.withdrawn) == (1, 1)

    from ld.web import create_app

    client = create_app(settings).test_client()
    assert client.get("/doc/thesis/uk.bl.ethos.9002.ttl").status_code == 410
    doc = client.get("/doc/thesis/uk.bl.ethos.9001.ttl").get_data(as_text=True)
    assert "Corrected title" in doc and "oai:test:1" in doc  # the OAI identifier is provenance


def test_harvest_command_reports_an_unreachable_repository(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main,
        [
            "harvest",
            "http://127.0.0.1:9/oai",
            "--store",
            str(tmp_path / "s"),
            "--no-progress",
            "--retries",
            "1",
            "--timeout",
            "2",
        ],
    )
    assert result.exit_code == 1 and "INCOMPLETE" in result.output and "127.0.0.1:9" in result.output
