"""`ldpub harvest`: ingest a repository's OAI-PMH feed, as EThOS did, incrementally.

Pages are fetched lazily and handed to the ordinary ingest pipeline (map, validate,
publish or quarantine) as they arrive.  Deleted records are withdrawn.  A complete
harvest remembers the repository's responseDate, and the next run asks only for what
changed since (`from`).  The web is unreliable, so fetching has a timeout, retries with
backoff, and honours 503 Retry-After; a malformed page or an expired resumption token
ends the harvest with a report and keeps what was already harvested.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import pyoxigraph as ox
import requests
from lxml import etree

from ..config import Settings
from ..model.records import ReadError
from ..sources.uketd_dc import OAI, parse_untrusted
from ..store.harvests import HarvestState
from ..uris import key_of
from .ingest import Ingest, Summary
from .writer import Writer, writing

PREFIXES = ("uketd_dc", "oai_dc")
DCTERMS_SOURCE = ox.NamedNode("http://purl.org/dc/terms/source")


class HarvestError(Exception):
    """The repository could not be harvested; what was fetched before is kept."""


@dataclass(frozen=True)
class Feed:
    url: str
    prefix: str = "uketd_dc"
    set_spec: str | None = None
    from_date: str | None = None
    timeout: float = 30.0
    retries: int = 5
    backoff: float = 2.0  # seconds before the first retry; doubles each time

    @property
    def key(self) -> str:
        """What names the feed in the harvest state: URL, metadata prefix and set."""
        return f"{self.url} {self.prefix} {self.set_spec or ''}"


@dataclass
class Outcome:
    summary: Summary
    pages: int = 0
    withdrawn: int = 0
    complete: bool = False
    problems: list[str] = field(default_factory=list)
    from_date: str | None = None  # what this run asked for (None: everything)
    next_from: str | None = None  # the repository's responseDate: where the next run starts

    def lines(self) -> list[str]:
        head = [f"pages:       {self.pages}" + (f" (from {self.from_date})" if self.from_date else " (full harvest)"),
                f"withdrawn:   {self.withdrawn} (deleted in the repository)"]  # fmt: skip
        tail = [f"problem: {p}" for p in self.problems]
        tail.append("harvest complete" if self.complete else "harvest INCOMPLETE: run it again to continue")
        return head + self.summary.lines() + tail


class Fetcher:
    """Pages of one ListRecords request, following resumption tokens."""

    def __init__(self, feed: Feed, workdir: Path, session: requests.Session | None = None) -> None:
        self.feed = feed
        self.workdir = workdir
        self.session = session or requests.Session()
        self.deleted: list[str] = []
        self.problems: list[str] = []
        self.response_date: str | None = None
        self.pages = 0
        self.complete = False

    def pages_of(self) -> Iterator[tuple[Path, str]]:
        params = {"verb": "ListRecords", "metadataPrefix": self.feed.prefix}
        if self.feed.set_spec:
            params["set"] = self.feed.set_spec
        if self.feed.from_date:
            params["from"] = self.feed.from_date
        while params:
            url = f"{self.feed.url}?{urlencode(params)}"
            try:
                data = self._get(url)
            except HarvestError as exc:
                self.problems.append(str(exc))
                return
            self.pages += 1
            path = self.workdir / f"page-{self.pages}.xml"
            path.write_bytes(data)
            token = self._inspect(data, url)
            yield path, url
            params = {"verb": "ListRecords", "resumptionToken": token} if token else {}
        self.complete = not self.problems

    def _inspect(self, data: bytes, url: str) -> str | None:
        """Deleted identifiers, errors and the resumption token of a page; None ends the harvest."""
        root = parse_untrusted(data, url)
        if isinstance(root, ReadError):
            self.problems.append(f"{root} (the harvest stops here; records before it are kept)")
            return None
        if self.response_date is None:
            self.response_date = _text(root.find(f"{{{OAI}}}responseDate"))
        error = root.find(f"{{{OAI}}}error")
        if error is not None:
            if error.get("code") != "noRecordsMatch":
                self.problems.append(f"{url}: OAI-PMH error {error.get('code')}: {_text(error)}")
            return None
        for header in root.iter(f"{{{OAI}}}header"):
            if header.get("status") == "deleted":
                self.deleted.append(_text(header.find(f"{{{OAI}}}identifier")) or "")
        return _text(root.find(f".//{{{OAI}}}resumptionToken"))

    def _get(self, url: str) -> bytes:
        delay = self.feed.backoff
        for attempt in range(self.feed.retries + 1):
            try:
                response = self.session.get(url, timeout=self.feed.timeout)
            except requests.RequestException as exc:
                problem = f"{url}: {exc.__class__.__name__}"
            else:
                if response.status_code == 200:
                    return response.content
                problem = f"{url}: HTTP {response.status_code}"
                if response.status_code < 500 and response.status_code != 429:
                    raise HarvestError(problem)
                delay = _retry_after(response, delay)
            if attempt == self.feed.retries:
                break
            time.sleep(delay)
            delay = min(delay * 2, 300)
        raise HarvestError(f"{problem}, still failing after {self.feed.retries} retries")


def _retry_after(response: requests.Response, default: float) -> float:
    value = response.headers.get("Retry-After", "")
    return min(float(value), 600) if value.isdigit() else default


def _text(element: etree._Element | None) -> str | None:
    return (element.text or "").strip() or None if element is not None else None


def harvest(settings: Settings, feed: Feed, full: bool = False, progress: bool | None = None) -> Outcome:
    """Harvest a feed into the store: incremental unless full or a from date is given."""
    Path(settings.store).mkdir(parents=True, exist_ok=True)
    state = HarvestState(settings.store)
    try:
        since = None if full or feed.from_date else state.last(feed.key)
        if since:
            feed = Feed(**{**feed.__dict__, "from_date": since[:10]})  # day granularity: every repository has it
        outcome = _run(settings, feed, progress)
        if outcome.complete and outcome.next_from is not None:
            state.remember(feed.key, outcome.next_from)
        return outcome
    finally:
        state.close()


def _run(settings: Settings, feed: Feed, progress: bool | None) -> Outcome:
    with tempfile.TemporaryDirectory(prefix="ldpub-harvest-") as work:
        fetcher = Fetcher(feed, Path(work))
        with writing(settings) as writer:
            summary = Ingest(settings, writer, fmt="uketd-dc", progress=progress).run(fetcher.pages_of())
            withdrawn = _withdraw(writer, fetcher.deleted)
            if withdrawn:
                writer.publisher.publish(with_statistics=True)
    return Outcome(summary, fetcher.pages, withdrawn, fetcher.complete, fetcher.problems, feed.from_date,
                   fetcher.response_date)  # fmt: skip


def _withdraw(writer: Writer, identifiers: list[str]) -> int:
    """Withdraw the published records that came from these OAI identifiers."""
    count = 0
    for identifier in identifiers:
        for quad in writer.store.db.quads_for_pattern(None, DCTERMS_SOURCE, ox.Literal(identifier), None):
            writer.withdraw(key_of(quad.graph_name.value), None, f"deleted in the source repository ({identifier})")
            count += 1
    return count
