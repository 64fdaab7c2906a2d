"""Settings as data: one dataclass holds the defaults, one table the help; together they
drive environment variables, CLI options and the README's table.

Every setting can come from a command-line option or an ``LDPUB_<NAME>`` environment
variable; the option wins.  ``docs/settings`` in the README is generated from SETTINGS
and a test fails when the two disagree.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Setting:
    """One documented setting."""

    name: str
    default: Any
    help: str

    @property
    def env(self) -> str:
        return "LDPUB_" + self.name.upper()


@dataclass(frozen=True)
class Settings:
    """Resolved settings; build with :func:`load_settings`.  The defaults written here are the
    only ones: SETTINGS (and so the CLI help and the README table) reads them from the fields."""

    store: Path = Path("data/store")
    base: str = "http://127.0.0.1:8000/"
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 0
    threads: int = 8
    access_log: bool = False
    record_port: int = 0
    record_workers: int = 2
    license: str = "https://creativecommons.org/licenses/by/4.0/"
    batch_size: int = 500
    jobs: int = 0
    batch_niceness: int = 10
    shacl_engine: str = "turbo"
    sparql_timeout: int = 10
    sparql_concurrency: int = 2
    sparql_max_rows: int = 10000
    sparql_max_bytes: int = 33554432
    render_dir: str = ""
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    def with_(self, **changes: Any) -> Settings:
        return replace(self, **changes)

    @property
    def serving_workers(self) -> int:
        """`workers`, or one per core: with threads in each, more processes than cores only
        lengthen the tail (627k store, 2 cores: p99 28-36 ms with 4, 14-21 ms with 2)."""
        return self.workers or os.cpu_count() or 1

    @property
    def worker_processes(self) -> int:
        """`jobs`, or one per core plus one: the parent's waits on RocksDB leave room for a spare
        worker (627k-row benchmark, 2 cores: ingest 6% faster with 3 workers than with 2)."""
        return self.jobs or (os.cpu_count() or 1) + 1


HELP: dict[str, str] = {
    "store": "Directory of the on-disk store (created if missing).",
    "base": "Public base URI of every minted URI; ends in '/'.",
    "host": "Interface `ldpub serve` listens on.",
    "port": "Port `ldpub serve` listens on.",
    "workers": "Worker processes of `ldpub serve` (granian), `threads` threads each (0: one per core).",
    "threads": "Threads per worker process that run requests (a SPARQL query waits in one).",
    "access_log": "Log every request to standard output (granian's access log). Off by default: the log line is "
    "written in Python under the GIL and halved record throughput (bench/README.md); the nginx front logs instead.",
    "record_port": "Port of the record lane (0: none): `record_workers` more workers that answer only there; the "
    "nginx front sends /id/ and /doc/ to it, so dereference never queues behind search, OAI or SPARQL.",
    "record_workers": "Worker processes of the record lane (used when `record_port` is set).",
    "license": "Licence IRI stated on every record's description document.",
    "batch_size": "Records per validation batch during ingest.",
    "jobs": "Worker processes for ingest and reindex (0: one per core, plus one).",
    "batch_niceness": "How far `ingest`, `harvest` and `reindex` lower their CPU priority (os.nice): batch work "
    "yields the cores to a server on the same machine, and loses nothing on an idle one.",
    "shacl_engine": "SHACL engine: 'turbo' (pyshacl-turbo) or 'pyshacl'.",
    "sparql_timeout": "Seconds a SPARQL query may run before it is stopped (answer: 503).",
    "sparql_concurrency": "SPARQL queries running at once across all workers; more get 503 with Retry-After at once.",
    "sparql_max_rows": "Rows (or triples) a SPARQL answer holds at most; more are cut off and flagged.",
    "sparql_max_bytes": "Bytes a SPARQL answer may take at most.",
    "render_dir": "A site written by `ldpub render` that ingest, harvest and withdraw keep current ('': none): "
    "a changed record's files go before its change is published (nginx then asks the app), and come back after.",
}

SETTINGS: tuple[Setting, ...] = tuple(
    Setting(f.name, f.default, HELP[f.name]) for f in fields(Settings) if f.name in HELP
)
_BY_NAME = {s.name: s for s in SETTINGS}


TRUE, FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


def _coerce(name: str, value: Any) -> Any:
    default = _BY_NAME[name].default
    if isinstance(default, bool) and not isinstance(value, bool):
        if str(value).strip().lower() in TRUE + FALSE:
            return str(value).strip().lower() in TRUE
        raise ValueError(f"setting {name} must be one of {', '.join(TRUE + FALSE)}, got {value!r}")
    if isinstance(default, int) and not isinstance(value, int):
        try:
            return int(value)
        except ValueError as exc:
            raise ValueError(f"setting {name} must be a whole number, got {value!r}") from exc
    return value


def _check(settings: Settings) -> Settings:
    if not settings.base.endswith("/") or "://" not in settings.base:
        raise ValueError(f"base must be an absolute URI ending in '/', got {settings.base!r}")
    if settings.shacl_engine not in ("turbo", "pyshacl"):
        raise ValueError("shacl_engine must be 'turbo' or 'pyshacl'")
    if settings.record_port and settings.record_port == settings.port:
        raise ValueError(f"record_port must differ from port ({settings.port})")
    # Absolute once, here: a relative store would be resolved later against whatever directory
    # each reader assumes (Flask's send_from_directory takes the app's root, so /dumps/NAME was 404).
    render_dir = str(Path(settings.render_dir).resolve()) if settings.render_dir else ""
    return settings.with_(store=Path(settings.store).resolve(), render_dir=render_dir)


def load_settings(overrides: dict[str, Any] | None = None, environ: dict[str, str] | None = None) -> Settings:
    """Defaults, then LDPUB_* environment variables, then explicit overrides (CLI options)."""
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for setting in SETTINGS:
        if setting.env in env:
            values[setting.name] = _coerce(setting.name, env[setting.env])
    for name, value in (overrides or {}).items():
        if value is not None:
            values[name] = _coerce(name, value)
    if "base" not in values:  # a store answers for its own IRIs: serve and export it under them
        values["base"] = built_with(Path(values.get("store", Settings.store))) or Settings.base
    known = {f.name for f in fields(Settings)}
    return _check(Settings(**{k: v for k, v in values.items() if k in known}))


BASE_FILE = "BASE"  # in the store: the base its IRIs were minted under, written by its first writer


def built_with(store: Path) -> str | None:
    """The base the store's data was published under; None for a new store (or one from
    before this was kept)."""
    try:
        return (Path(store) / BASE_FILE).read_text("utf-8").strip() or None
    except (FileNotFoundError, NotADirectoryError):
        return None


def base_warning(settings: Settings) -> str | None:
    """What to tell someone who names another base than the store's: its IRIs would not match."""
    built = built_with(settings.store)
    if built and built != settings.base:
        return (f"warning: {settings.store} holds data published under {built}, not {settings.base}: "
                f"its IRIs stay as they are; pass --base {built} (or ingest again into a new store)")  # fmt: skip
    return None


def settings_table_markdown() -> str:
    """The settings table as it appears in the README."""
    rows = ["| setting | environment | default | meaning |", "|---|---|---|---|"]
    for s in SETTINGS:
        rows.append(f"| `{s.name}` | `{s.env}` | `{s.default}` | {s.help} |")
    return "\n".join(rows)
