"""Where a store's disk goes, part by part (`ldpub stats`).

Snapshots are hard links to the primary database's files until compaction replaces
those files; a file both hold is counted once, with the primary.  What a snapshot adds
is therefore the files only it still holds: the price of a snapshot pinning files the
primary no longer uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from . import statistics
from .rdf import current_snapshot

# Ledgers and derived data beside the store, with what each holds (README: "The store").
FILES = {
    "quarantine": ("quarantine.sqlite", "held records and unreadable input"),
    "changes": ("changes.sqlite", "the change log"),
    "withdrawn": ("withdrawn.sqlite", "tombstones"),
    "sources": ("sources.sqlite", "raw digests of published records"),
    "descriptions": ("descriptions.sqlite", "what records say of shared resources"),
    "contributions": ("contributions.sqlite", "each source's record of theses several sources describe"),
    "harvests": ("harvests.sqlite", "harvest state"),
}


@dataclass(frozen=True)
class Part:
    name: str
    what: str
    size: int  # bytes
    files: int


def _files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    return [f for f in path.rglob("*") if f.is_file() and not f.is_symlink()] if path.is_dir() else []


def _places(root: Path) -> list[tuple[str, str, list[Path]]]:
    """(name, what it holds, its paths) for each part, in the order bytes are attributed."""
    snapshots = root / "snapshots"
    count = sum(1 for p in snapshots.iterdir() if p.name.isdigit()) if snapshots.is_dir() else 0
    places = [
        ("primary", "the database ingest writes", [root / "primary"]),
        ("snapshots", f"{count} published checkpoints, beyond what primary shares", [snapshots]),
        ("rendered", "record bodies kept by content digest", [root / "rendered"]),
        (
            "search",
            "the search index (and an older ldpub's, until `ldpub reindex`)",
            [root / "search", *(root / f"search.sqlite{end}" for end in ("", "-wal", "-shm"))],
        ),
    ]
    for name, (filename, what) in FILES.items():
        places.append((name, what, [root / f"{filename}{end}" for end in ("", "-wal", "-shm")]))
    claimed = {path for _, _, paths in places for path in paths}
    places.append(("other", "CURRENT, locks, journals", [p for p in root.iterdir() if p not in claimed]))
    return places


def parts(root: Path) -> list[Part]:
    """Each part of the store with the bytes only it holds (a hard-linked file counts once, first come)."""
    seen: set[int] = set()
    found = []
    for name, what, paths in _places(root):
        size = count = 0
        for f in (f for p in paths for f in _files(p)):
            status = f.stat()
            if status.st_ino not in seen:
                seen.add(status.st_ino)
                size, count = size + status.st_size, count + 1
        found.append(Part(name, what, size, count))
    return found


def figures(root: Path) -> dict | None:
    """Quads and graphs of the published snapshot, as its statistics recorded them."""
    snapshot = current_snapshot(root)
    return statistics.of_snapshot(snapshot) if snapshot else None


def human(size: float) -> str:
    """Decimal units, as `du --si` and disk makers count."""
    unit = "B"
    for larger in ("KB", "MB", "GB"):
        if size < 1000:
            break
        size, unit = size / 1000, larger
    return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
