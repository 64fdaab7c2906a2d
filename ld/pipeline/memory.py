"""Keeping the writer's memory to what it holds, not what its threads once held.

RocksDB (inside Oxigraph) and Tantivy allocate from background threads; glibc gives each
thread that contends for the heap an arena of its own (up to eight per core) and keeps
what is freed in each for re-use.  In an ingest that made the writer's resident memory
about twice what it holds: 1,041 MB at 100,000 rows, against 549 MB with two arenas
(bench/README.md); returning free pages after each commit (malloc_trim) only brought it
to 951 MB.  Elsewhere than glibc this does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from functools import cache

M_ARENA_MAX = -8  # mallopt's parameter for the arena limit (glibc's malloc.h)
WRITER_ARENAS = 2


@cache
def _glibc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    libc = ctypes.CDLL(name)
    return libc if hasattr(libc, "mallopt") else None


def limit_arenas(arenas: int = WRITER_ARENAS) -> bool:
    """Cap the arenas of this process (call before its threads start); False where unsupported."""
    libc = _glibc()
    return bool(libc and libc.mallopt(M_ARENA_MAX, arenas))


def release_free_memory() -> None:
    """Hand the heap pages freed since back to the system (malloc_trim).  An ingest worker
    frees most of what a batch built, but glibc keeps it: about 25 MB a worker at EThOS
    scale, three times over (bench/README.md)."""
    libc = _glibc()
    if libc is not None and hasattr(libc, "malloc_trim"):
        libc.malloc_trim(0)
