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
    "search": ("search.sqlite", "the search index"),
    "quarantine": ("quarantine.sqlite", "held records and unreadable input"),
    "changes": ("changes.sqlite", "the change log"),
    "withdrawn": ("withdrawn.sqlite", "tombstones"),
    "sources": ("sources.sqlite", "raw digests of published records"),
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


def parts(root: Path) -> list[Part]:
    """Each part of the store with the bytes only it holds (a hard-linked file counts once, first come)."""
    seen: set[int] = set()

    def part(name: str, what: str, paths: list[Path]) -> Part:
        size = count = 0
        for f in (f for p in paths for f in _files(p)):
            inode = f.stat().st_ino
            if inode in seen:
                continue
            seen.add(inode)
            size, count = size + f.stat().st_size, count + 1
        return Part(name, what, size, count)

    found = [part("primary", "the database ingest writes", [root / "primary"])]
    snapshots = sorted(p for p in (root / "snapshots").glob("*") if p.is_dir()) if (root / "snapshots").is_dir() else []
    found.append(part("snapshots", f"{len(snapshots)} published checkpoints, beyond what primary shares",
                      [root / "snapshots"]))  # fmt: skip
    found.append(part("rendered", "record bodies kept by content digest", [root / "rendered"]))
    for name, (filename, what) in FILES.items():
        found.append(part(name, what, [root / filename, root / f"{filename}-wal", root / f"{filename}-shm"]))
    known = {root / n for n in ("primary", "snapshots", "rendered")}
    known |= {root / f"{filename}{end}" for filename, _ in FILES.values() for end in ("", "-wal", "-shm")}
    rest = [p for p in root.iterdir() if p not in known]
    found.append(part("other", "CURRENT, locks, journals", rest))
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
