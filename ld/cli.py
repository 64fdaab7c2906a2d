"""The `ldpub` command: thin click commands over the library.

Exit codes: 0 success; 1 some records quarantined, unreadable or (validate) violating;
2 usage error; 3 the store is busy, missing or unwritable.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import click

from . import __version__
from .config import SETTINGS, Settings, base_warning, load_settings, settings_table_markdown
from .model.records import ReadError, Record
from .model.validation import Finding, report_graph
from .pipeline.ingest import Summary, ingest, map_and_validate
from .sources import READERS, read_file
from .store.export import EXPORT_FORMATS, export
from .store.quarantine import Quarantine
from .store.rdf import StoreBusy, StoreMissing
from .uris import local_name, thesis_iri
from .vocab import BIBO

_BY_NAME = {s.name: s for s in SETTINGS}


def setting_option(name: str, **extra: Any) -> Callable:
    """A click option whose help and environment variable come from the settings table."""
    s = _BY_NAME[name]
    flag = "--" + name.replace("_", "-")
    return click.option(flag, name, default=None, help=f"{s.help} [env {s.env}; default {s.default}]", **extra)


def common(func: Callable) -> Callable:
    for name in ("base", "store"):
        func = setting_option(name)(func)
    return func


def _settings(**options: Any) -> Settings:
    try:
        settings = load_settings(options)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc
    warning = base_warning(settings)
    if warning:
        click.echo(warning, err=True)
    return settings


class StoreError(click.ClickException):
    exit_code = 3


class _Commands(click.Group):
    """Every command answers a busy or missing store the same way: its message, exit code 3."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (StoreBusy, StoreMissing) as exc:
            raise StoreError(str(exc)) from exc


PROGRESS_OPTION = click.option("--progress/--no-progress", default=None,
                               help="Progress bar (default: when on a terminal).")  # fmt: skip


@click.group(cls=_Commands)
@click.version_option(__version__, prog_name="ldpub")
def main() -> None:
    """Publish UK thesis records (EThOS text, EThOS CSV) as SHACL-validated linked data."""


FORMAT_OPTION = click.option("--format", "fmt", type=click.Choice(sorted(READERS)), default=None,
                             help="Input format (default: detected from each file's content).")  # fmt: skip


@main.command("ingest")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@FORMAT_OPTION
@common
@setting_option("jobs", type=int)
@setting_option("batch_niceness", type=int)
@setting_option("batch_size", type=int)
@setting_option("shacl_engine", type=click.Choice(["turbo", "pyshacl"]))
@PROGRESS_OPTION
def ingest_command(files: tuple[Path, ...], fmt: str | None, progress: bool | None, **options: Any) -> None:
    """Read, map, validate and publish FILES; violating records go to quarantine."""
    summary = _ingest_and_report(_batch_job(_settings(**options)), files, fmt, progress)
    sys.exit(summary.exit_code)


def _batch_job(settings: Settings) -> Settings:
    """Lower this process's CPU priority (its workers inherit it) so that serving comes first."""
    if settings.batch_niceness > 0:
        os.nice(settings.batch_niceness)
    return settings


def _ingest_and_report(settings: Settings, paths: Iterable[Path], fmt: str | None, progress: bool | None) -> Summary:
    summary = ingest(settings, paths, fmt, progress)
    for line in summary.lines():
        click.echo(line)
    return summary


@main.command("harvest")
@click.argument("url")
@click.option("--set", "set_spec", default=None, help="Harvest only this OAI-PMH set.")
@click.option("--from", "from_date", default=None, help="Only records changed since this date (YYYY-MM-DD).")
@click.option("--metadata-prefix", type=click.Choice(["uketd_dc", "oai_dc"]), default="uketd_dc")
@click.option("--full", is_flag=True, help="Ignore the last harvest and fetch everything.")
@click.option("--retries", type=click.IntRange(0, 20), default=5, help="Retries of a failing request (with backoff).")
@click.option("--timeout", type=click.FloatRange(1, 600), default=30.0, help="Seconds to wait for a response.")
@PROGRESS_OPTION
@common
@setting_option("jobs", type=int)
def harvest_command(url: str, set_spec: str | None, from_date: str | None, metadata_prefix: str, full: bool,
                    retries: int, timeout: float, progress: bool | None, **options: Any) -> None:  # fmt: skip
    """Harvest an OAI-PMH feed (incrementally after the first time), withdrawing deleted records."""
    from .pipeline.harvest import Feed, harvest

    feed = Feed(url, metadata_prefix, set_spec, from_date, timeout=timeout, retries=retries)
    outcome = harvest(_batch_job(_settings(**options)), feed, full, progress)
    for line in outcome.lines():
        click.echo(line)
    sys.exit(0 if outcome.complete and outcome.summary.exit_code == 0 else 1)


@main.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@FORMAT_OPTION
@common
@click.option("--output", type=click.Choice(["text", "turtle", "json"]), default="text", help="Report format.")
def validate_command(files: tuple[Path, ...], fmt: str | None, output: str, **options: Any) -> None:
    """Validate FILES against the SHACL profile without publishing anything."""
    settings = _settings(**options)
    findings, errors, count = _validate_files(settings, files, fmt)
    _print_report(findings, errors, output)
    violations = sum(f.severity == "Violation" for f in findings)
    click.echo(f"{count} records, {len(errors)} unreadable, {violations} violations, "
               f"{len(findings) - violations} warnings/infos", err=True)  # fmt: skip
    sys.exit(1 if violations or errors else 0)


def _validate_files(
    settings: Settings, files: tuple[Path, ...], fmt: str | None
) -> tuple[list[Finding], list[ReadError], int]:
    records: list[Record] = []
    errors: list[ReadError] = []
    for path in files:
        for item in read_file(path, fmt):
            (errors if isinstance(item, ReadError) else records).append(item)  # type: ignore[arg-type]
    findings: list[Finding] = []
    args = (settings.base, settings.license, settings.shacl_engine, datetime.now(UTC))
    for start in range(0, len(records), settings.batch_size):
        for p in map_and_validate(records[start : start + settings.batch_size], *args):
            findings.extend(_located(f, p.location) for f in p.findings)
    return findings, errors, len(records)


def _located(finding: Finding, location: str) -> Finding:
    return Finding(**{**finding.__dict__, "key": f"{finding.key} ({location})"})


def _print_report(findings: list[Finding], errors: list[ReadError], output: str) -> None:
    if output == "turtle":
        click.echo(report_graph(findings).serialize(format="turtle"))
    elif output == "json":
        click.echo(json.dumps({"findings": [f.as_dict() for f in findings],
                               "unreadable": [str(e) for e in errors]}, indent=2, ensure_ascii=False))  # fmt: skip
    else:
        for e in errors:
            click.echo(f"UNREADABLE  {e}")
        for f in findings:
            field = local_name(f.path) if f.path else "-"
            value = f" [value: {f.value}]" if f.value else ""
            click.echo(f"{f.severity:<9}  {f.key}  {field}: {f.message}{value}")


@main.group("quarantine")
def quarantine_group() -> None:
    """Records held back because they violate the SHACL profile."""


@quarantine_group.command("list")
@setting_option("store")
@click.option("--unreadable", is_flag=True, help="List input that could not be read instead.")
def quarantine_list(unreadable: bool, **options: Any) -> None:
    """One line per quarantined record: key, where it came from, first violation."""
    q = Quarantine(_settings(**options).store)
    if unreadable:
        for location, message, at in q.unreadable():
            click.echo(f"{at}  {location}: {message}")
        return
    for held in q.entries():
        first = next((f["message"] for f in held.findings if f["severity"] == "Violation"), "")
        click.echo(f"{held.key}\t{held.location}\t{first}")
    click.echo(f"{q.count()} quarantined", err=True)


@quarantine_group.command("show")
@click.argument("key")
@setting_option("store")
@click.option("--output", type=click.Choice(["text", "turtle", "json"]), default="text")
def quarantine_show(key: str, output: str, **options: Any) -> None:
    """The record, its findings and how to fix them."""
    versions = Quarantine(_settings(**options).store).get(key)
    if not versions:
        raise click.ClickException(f"no quarantined record {key!r}; see `ldpub quarantine list`")
    findings = [Finding(**f) for held in versions for f in held.findings]
    if output != "text":
        _print_report(findings, [], output)
        return
    for held in versions:
        click.echo(f"{held.key}  from {held.location}, held since {held.quarantined_at}")
        click.echo(f"title: {held.title}")
        _print_report([Finding(**f) for f in held.findings], [], "text")
    click.echo("\nFix the source record and ingest it again; it is published once it conforms.")


@main.command("withdraw")
@click.argument("key")
@click.option("--replaced-by", default=None, help="Key of the record that replaces it (its URIs then answer 301).")
@click.option("--reason", default=None, help="Why, for the record (shown on the tombstone page).")
@common
def withdraw_command(key: str, replaced_by: str | None, reason: str | None, **options: Any) -> None:
    """Take a thesis out of the published data, leaving a tombstone (410 Gone, or 301)."""
    from .pipeline.withdraw import NotPublished, withdraw

    try:
        withdraw(_settings(**options), key, replaced_by, reason)
    except NotPublished as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"withdrew {key}" + (f", replaced by {replaced_by}" if replaced_by else ""))


@main.command("reindex")
@common
@setting_option("jobs", type=int)
@PROGRESS_OPTION
def reindex_command(progress: bool | None, **options: Any) -> None:
    """Rebuild the search index from the published graphs in the store."""
    from .pipeline.reindex import reindex

    start = time.monotonic()
    done = reindex(_batch_job(_settings(**options)), sys.stderr.isatty() if progress is None else progress)
    if done.damaged:
        click.echo(f"the old index could not be read; kept as {done.damaged}", err=True)
    click.echo(f"indexed {done.theses} theses in {time.monotonic() - start:.1f} s")


@main.command("export")
@common
@click.option("--format", "fmt", type=click.Choice(sorted(EXPORT_FORMATS)), default="nq", help="Serialisation.")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None, help="File (default: stdout)."
)
def export_command(fmt: str, output: Path | None, **options: Any) -> None:
    """Stream the published dataset (the newest snapshot; safe while an ingest runs)."""
    settings = _settings(**options)
    if output:
        with open(output, "wb") as stream:
            export(settings, fmt, stream)
    else:
        export(settings, fmt, sys.stdout.buffer)


@main.command("dump")
@common
def dump_command(**options: Any) -> None:
    """Write the dump files (N-Triples, Turtle, N-Quads; gzip), SHA256SUMS and dcat.ttl under STORE/dumps/."""
    from .store.dumps import dump

    for path in dump(_settings(**options)):
        click.echo(f"{path}  {path.stat().st_size} bytes")


@main.command("stats")
@common
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def stats_command(as_json: bool, **options: Any) -> None:
    """Disk used by each part of the store (primary, snapshots, search, ledgers), and what is published."""
    from .store.usage import figures, human, parts

    settings = _settings(**options)
    if not settings.store.is_dir():
        raise StoreError(f"{settings.store}: no store here")
    found, published = parts(settings.store), figures(settings.store) or {}
    total = sum(p.size for p in found)
    if as_json:
        each = {p.name: {"bytes": p.size, "files": p.files} for p in found}
        click.echo(json.dumps({"store": str(settings.store), "bytes": total, "quads": published.get("quads"),
                               "parts": each}, indent=1))  # fmt: skip
        return
    click.echo(f"{'part':<11} {'size':>9} {'files':>7}  what")
    for p in found:
        click.echo(f"{p.name:<11} {human(p.size):>9} {p.files:>7}  {p.what}")
    click.echo(f"{'total':<11} {human(total):>9}")
    if published:
        theses = published.get("classes", {}).get(str(BIBO.Thesis), 0)
        click.echo(f"published: {published['quads']:,} quads, {theses:,} theses (snapshot {published['snapshot']})")


def serving(func: Callable) -> Callable:
    """--base, --store, --host, --port, --workers, the record lane, --sparql-concurrency, --access-log: for
    `serve` and `demo`."""
    lane = (("record_workers", int), ("record_port", int))
    for name, kind in (("sparql_concurrency", int), *lane, ("workers", int), ("port", int), ("host", str)):
        func = setting_option(name, type=kind)(func)
    func = setting_option("access_log", is_flag=True)(func)
    return common(func)


@main.command("serve")
@serving
def serve_command(**options: Any) -> None:
    """Serve the published data over HTTP (granian: keep-alive connections, threaded workers)."""
    from .web.serving import serve

    serve(_settings(**options))


@main.command("demo")
@serving
def demo_command(**options: Any) -> None:
    """Ingest the bundled real sample records, then serve them."""
    from .web.serving import serve

    settings = _settings(**options)
    samples = resources.files("ld").joinpath("data/samples")
    paths = sorted(str(samples.joinpath(p.name)) for p in samples.iterdir() if p.is_file())
    # The ingest runs in its own process: its worker pool's forkserver must not be inherited
    # by the server's workers, whose SPARQL queries start a forkserver of their own.
    store, base = str(settings.store), settings.base
    command = [sys.executable, "-m", "ld", "ingest", "--store", store, "--base", base, *paths]
    if subprocess.run(command, check=False).returncode not in (0, 1):
        raise StoreError("the sample ingest failed; see the messages above")
    click.echo(f"Try: curl -L -H 'Accept: text/turtle' {thesis_iri(settings.base, 'uk.bl.ethos.232781')}")
    serve(settings)


@main.command("nginx-config")
@click.option("--listen", default="0.0.0.0:80", show_default=True, help="Public address nginx listens on.")
@click.option("--prefix", type=click.Path(file_okay=False, path_type=Path), default=Path("nginx"), show_default=True,
              help="Directory for nginx's pid, temporary files and the nginx.conf written.")  # fmt: skip
@setting_option("sparql_timeout", type=int)
@setting_option("record_port", type=int)
@setting_option("port", type=int)
@setting_option("host")
def nginx_config_command(listen: str, prefix: Path, **options: Any) -> None:
    """Write the buffering nginx front for `ldpub serve` (slow clients wait there, not in a worker)."""
    from .web.proxy import nginx_config

    prefix.mkdir(parents=True, exist_ok=True)
    target = prefix / "nginx.conf"
    target.write_text(nginx_config(_settings(**options), listen, prefix), "utf-8")
    click.echo(f"{target}\nrun: nginx -p {prefix.resolve()} -c {target.resolve()} -g 'daemon off;'")


@main.command("render")
@click.argument("out", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--listen",
    default=None,
    metavar="HOST:PORT",
    help="Address the nginx server block listens on [default: the last render's, else 127.0.0.1:8080].",
)
@click.option(
    "--upstream",
    default=None,
    metavar="HOST:PORT",
    help="`ldpub serve` behind the files: search, SPARQL, OAI and what is not rendered yet go there "
    "[default: the last render's, else none].",
)
@common
def render_command(out: Path, listen: str | None, upstream: str | None, **options: Any) -> None:
    """Write the published dataset as static files, and an nginx server block serving them
    with the app's negotiation and headers (OUT/nginx.conf); a rerun rewrites what changed."""
    from .pipeline.render import render_site

    done = render_site(_settings(**options), out, listen, upstream)
    click.echo(f"{done.rendered} theses rendered, {done.unchanged} unchanged, {done.removed} removed, "
               f"{done.withdrawn} withdrawn; {done.files_written} files written")  # fmt: skip
    click.echo(f"{out.resolve() / 'nginx.conf'}: include it in nginx's http {{ }} block (needs libnginx-mod-http-js)")
    click.echo(f"or run it alone: nginx -p {out.resolve()} -c {out.resolve() / 'standalone.conf'} -g 'daemon off;'")


@main.command("settings")
def settings_command() -> None:
    """Print every setting with its environment variable and default (Markdown)."""
    click.echo(settings_table_markdown())


if __name__ == "__main__":
    main()
