"""`ldpub render OUT/`: the published dataset as files that nginx serves with no Python running.

The files are the app's own answers: every path is requested from the app in-process
(Flask's test client) and its body written where nginx finds it, so the rendered site
cannot drift from what `ldpub serve` answers.  Body files carry the record's modification
time, which nginx sends as Last-Modified.  A thesis's Link header is built by nginx from
its key; where a record's authorship entries (authors by ISNI or ORCID, licence) differ
from the usual, they go into OUT/signposts.map, and an nginx running OUT/standalone.conf
is told to reload when that file changes.

Incremental: OUT/.ldpub/manifest.sqlite holds the content version (digest and rendering
version) each thesis was rendered from.  A rerun renders only theses whose version
changed, deletes the files of records no longer published, writes the 410 (or 301) of
each withdrawn one, and rewrites the site-wide documents (VoID, sitemaps, shared
resources' pages) only where their bytes changed.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from pathlib import Path

from flask.testing import FlaskClient

from ..config import Settings
from ..store.dumps import dumps_dir
from ..store.rdf import ReadStore
from ..store.tombstones import Tombstones
from ..uris import document_key, is_shared_path
from ..web import create_app
from ..web.describe import ROLES
from ..web.negotiation import VARIANTS
from ..web.rendered import rendering_version, stored_digest
from ..web.static_site import default_signposts, negotiation_script, site_config, standalone_config

SITE, STATE = "site", ".ldpub"
DEFAULT_LISTEN = "127.0.0.1:8080"
SUFFIXES = [v.suffix for v in VARIANTS]
SITE_DOCUMENTS = ["/def/index", "/shapes", "/void"]  # negotiated, one file per variant
SITE_FILES = ["/", "/context.jsonld", "/robots.txt", "/sitemap.xml", "/dumps/"]
_ENTRY = re.compile(r",\s*(?=<)")  # between Link entries (an IRI never holds "<")


@dataclass
class RenderSummary:
    rendered: int = 0  # theses whose files were (re)written
    unchanged: int = 0
    removed: int = 0  # no longer published
    withdrawn: int = 0
    files_written: int = 0


def render_site(settings: Settings, out: Path, listen: str | None = None, upstream: str | None = None,
                only: list[str] | None = None) -> RenderSummary:  # fmt: skip
    """Render (or bring up to date) the whole published dataset under `out`, and its nginx.conf.
    `listen` and `upstream` default to those of the last render into `out`; `only` renders
    just these theses and the site's own documents (a trial, or a benchmark's sample)."""
    out = out.resolve()
    site = out / SITE
    (out / STATE).mkdir(parents=True, exist_ok=True)
    listen, upstream = _options(out, listen, upstream)
    client = create_app(settings).test_client()
    writer = _Writer(site)
    summary = RenderSummary()
    manifest = _manifest(out)
    try:
        if only is not None:
            for key in only:
                said = _thesis(client, writer, key, _usual(settings, key))
                with manifest:
                    manifest.execute("INSERT OR REPLACE INTO theses VALUES (?, ?, ?)", (key, "trial", said))
            summary.rendered = len(only)
        else:
            published = _theses(settings, client, writer, manifest, summary)
            _gone(settings, client, writer, published, summary)
            for iri_path in _shared_paths(settings):
                _shared(client, writer, iri_path)
        _site_documents(client, writer, settings)
        summary.files_written = writer.written
        changed = _signposts_map(out, manifest)
    finally:
        manifest.close()
    for script in ("negotiate.js", "links.js"):
        (out / script).write_text(negotiation_script(out / SITE, script), "utf-8")
    config = site_config(out, listen, upstream, settings.base, settings.license)
    if not (out / "nginx.conf").is_file() or (out / "nginx.conf").read_text("utf-8") != config:
        (out / "nginx.conf").write_text(config, "utf-8")
        changed = True
    (out / "standalone.conf").write_text(standalone_config(out), "utf-8")
    (out / ".nginx").mkdir(exist_ok=True)
    if changed:
        _reload(out)
    return summary


def unrender(out: Path, keys: list[str]) -> None:
    """Take these theses' files out of the site (nginx then asks the app, or answers 404)
    and out of the manifest, so that the next render makes them again."""
    if not keys or not (out / STATE / "manifest.sqlite").is_file():
        return
    writer = _Writer(out / SITE)
    for key in keys:
        for suffix in SUFFIXES:
            writer.remove(f"/doc/thesis/{key}.{suffix}")
    manifest = _manifest(out)
    try:
        with manifest:
            manifest.executemany("DELETE FROM theses WHERE key = ?", [(k,) for k in keys])
    finally:
        manifest.close()


def _options(out: Path, listen: str | None, upstream: str | None) -> tuple[str, str | None]:
    """The address and upstream given, else those of the last render (kept in OUT/.ldpub)."""
    kept = out / STATE / "options.json"
    last = json.loads(kept.read_text("utf-8")) if kept.is_file() else {}
    chosen = (listen or last.get("listen") or DEFAULT_LISTEN,
              upstream if upstream is not None else last.get("upstream"))  # fmt: skip
    kept.write_text(json.dumps({"listen": chosen[0], "upstream": chosen[1]}), "utf-8")
    return chosen


class _Writer:
    """Writes a file only when its bytes differ, atomically, so nginx never sends half a body."""

    def __init__(self, site: Path) -> None:
        self.site = site
        self.written = 0

    def write(self, path: str, body: bytes, modified: float | None = None) -> None:
        target = self.site / path.lstrip("/")
        if not (target.is_file() and target.read_bytes() == body):
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_name(target.name + ".part")
            partial.write_bytes(body)
            os.replace(partial, target)
            self.written += 1
        if modified is not None and target.stat().st_mtime != modified:
            os.utime(target, (modified, modified))

    def copy(self, source: Path, path: str) -> None:
        """A file as it is (dumps can be gigabytes): copied when its size or time differs."""
        target = self.site / path.lstrip("/")
        held = source.stat()
        if target.is_file() and (target.stat().st_size, target.stat().st_mtime) == (held.st_size, held.st_mtime):
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".part")
        shutil.copy2(source, partial)
        os.replace(partial, target)
        self.written += 1

    def remove(self, path: str) -> None:
        (self.site / path.lstrip("/")).unlink(missing_ok=True)


def _manifest(out: Path) -> sqlite3.Connection:
    db = sqlite3.connect(out / STATE / "manifest.sqlite")
    db.execute("CREATE TABLE IF NOT EXISTS theses (key TEXT PRIMARY KEY, version TEXT NOT NULL, signposts TEXT)")
    return db


def _get(client: FlaskClient, path: str, status: int = 200) -> tuple[bytes, dict[str, str]]:
    response = client.get(path)
    if response.status_code != status:
        raise RuntimeError(f"rendering {path}: the app answered {response.status_code}, not {status}")
    return response.get_data(), dict(response.headers)


def _mtime(headers: dict[str, str]) -> float | None:
    stamp = headers.get("Last-Modified")
    return parsedate_to_datetime(stamp).timestamp() if stamp else None


def _theses(settings: Settings, client: FlaskClient, writer: _Writer, manifest: sqlite3.Connection,
            summary: RenderSummary) -> set[str]:  # fmt: skip
    """Every published thesis in every format, re-rendered only when its content version changed."""
    db, _ = ReadStore(settings.store).opened()
    known = dict(manifest.execute("SELECT key, version FROM theses"))
    published: set[str] = set()
    for graph in db.named_graphs():
        key = document_key(settings.base, graph.value)
        if key is None:
            continue
        published.add(key)
        digest = stored_digest(db, settings.base, key)
        version = f"{digest}.{rendering_version()}"
        if known.get(key) == version:
            summary.unchanged += 1
            continue
        signposts = _thesis(client, writer, key, _usual(settings, key))
        with manifest:
            manifest.execute("INSERT OR REPLACE INTO theses VALUES (?, ?, ?)", (key, version, signposts))
        summary.rendered += 1
    for key in set(known) - published:
        for suffix in SUFFIXES:
            writer.remove(f"/doc/thesis/{key}.{suffix}")
        with manifest:
            manifest.execute("DELETE FROM theses WHERE key = ?", (key,))
        summary.removed += 1
    return published


def _thesis(client: FlaskClient, writer: _Writer, key: str, usual: str) -> str | None:
    """Write the thesis's files; return its authorship Link entries where they are not `usual`."""
    links = ""
    for suffix in SUFFIXES:
        body, headers = _get(client, f"/doc/thesis/{key}.{suffix}")
        writer.write(f"/doc/thesis/{key}.{suffix}", body, _mtime(headers))
        links = headers.get("Link", "")
    for suffix in [*SUFFIXES, "moved"]:  # published again after a withdrawal
        writer.remove(f"/.gone/thesis/{key}.{suffix}")
    said = "".join(e + ", " for e in _ENTRY.split(links) if 'rel="author"' in e or 'rel="license"' in e)
    return None if said == usual else said


def _usual(settings: Settings, key: str) -> str:
    return default_signposts(settings.base, settings.license).replace("$ldpub_key", key)


def _signposts_map(out: Path, manifest: sqlite3.Connection) -> bool:
    """OUT/signposts.map from the manifest; whether it changed (nginx must then reload)."""
    lines = [f"    {key} '{_quoted(said)}';\n" for key, said in manifest.execute(
        "SELECT key, signposts FROM theses WHERE signposts IS NOT NULL ORDER BY key")]  # fmt: skip
    text = "".join(lines)
    target = out / "signposts.map"
    if target.is_file() and target.read_text("utf-8") == text:
        return False
    partial = target.with_name("signposts.map.part")
    partial.write_text(text, "utf-8")
    os.replace(partial, target)
    return True


def _quoted(text: str) -> str:
    """For a single-quoted nginx string."""
    return text.replace("\\", "\\\\").replace("'", "\\'")


def _reload(out: Path) -> None:
    """Signal the nginx running OUT/standalone.conf, if any, to read the new configuration."""
    try:
        os.kill(int((out / "nginx.pid").read_text().strip()), signal.SIGHUP)
    except (OSError, ValueError):
        pass  # not running from OUT: whoever runs it reloads it


def _gone(settings: Settings, client: FlaskClient, writer: _Writer, published: set[str],
          summary: RenderSummary) -> None:  # fmt: skip
    """Each withdrawn thesis: its 410 bodies in every format, or where it moved (301)."""
    stones = Tombstones(settings.store)
    try:
        for stone in stones.all():
            if stone.key in published:
                continue
            if stone.replaced_by:
                writer.write(f"/.gone/thesis/{stone.key}.moved", stone.replaced_by.encode())
            else:
                for suffix in SUFFIXES:
                    body, _ = _get(client, f"/doc/thesis/{stone.key}.{suffix}", 410)
                    writer.write(f"/.gone/thesis/{stone.key}.{suffix}", body)
            summary.withdrawn += 1
    finally:
        stones.close()


_ROLE_IRIS = " ".join(f"<{p}>" for p in ROLES)
SHARED = f"SELECT DISTINCT ?o WHERE {{ VALUES ?p {{ {_ROLE_IRIS} }} GRAPH ?g {{ ?s ?p ?o }} FILTER(isIRI(?o)) }}"


def _shared_paths(settings: Settings) -> Iterator[str]:
    """The path (after id/) of every shared resource a record points to."""
    db, _ = ReadStore(settings.store).opened()
    prefix = f"{settings.base}id/"
    for row in db.query(SHARED):
        iri = row["o"].value
        if iri.startswith(prefix) and is_shared_path(iri[len(prefix) :]):
            yield iri[len(prefix) :]


def _shared(client: FlaskClient, writer: _Writer, path: str) -> None:
    """A person, organisation, degree or concept: every page, in every format."""
    pages = 1
    for suffix in SUFFIXES:
        page = 1
        while True:
            body, headers = _get(client, f"/doc/{path}.{suffix}" + (f"?page={page}" if page > 1 else ""))
            writer.write(f"/doc/{path}.{suffix}" + (f".page-{page}" if page > 1 else ""), body)
            if 'rel="next"' not in headers.get("Link", ""):
                break
            page += 1
        pages = max(pages, page)
    writer.write(f"/doc/{path}.pages", str(pages).encode())


def _site_documents(client: FlaskClient, writer: _Writer, settings: Settings) -> None:
    """VoID, the vocabulary, the shapes, the context, the front page, sitemaps, dumps, assets."""
    for path in SITE_DOCUMENTS:
        for suffix in SUFFIXES:
            body, _ = _get(client, f"{path}.{suffix}")
            writer.write(f"{path}.{suffix}", body)
    for path in SITE_FILES:
        body, _ = _get(client, path)
        writer.write(path + ("index.html" if path.endswith("/") else ""), body)
    index, _ = _get(client, "/sitemap.xml")
    for page in re.findall(rb"/sitemap-(\d+)\.xml", index):
        body, _ = _get(client, f"/sitemap-{int(page)}.xml")
        writer.write(f"/sitemap-{int(page)}.xml", body)
    for suffix in SUFFIXES:  # the 404 bodies, per format
        body, _ = _get(client, f"/doc/thesis/uk.bl.ethos.0.{suffix}", 404)
        writer.write(f"/.errors/404.{suffix}", body)
    folder = dumps_dir(settings)
    if folder.is_dir():
        for dump in folder.iterdir():
            if dump.is_file() and not dump.name.endswith(".partial"):
                writer.copy(dump, f"/dumps/{dump.name}")
    static = Path(str(client.application.static_folder))
    for asset in static.rglob("*"):
        if asset.is_file():
            writer.copy(asset, f"/static/{asset.relative_to(static)}")
