"""The records of each source of a thesis that several sources describe (combine.py).

A thesis one source describes needs nothing here: its published graph gives its record
back (pipeline/combining.py reads it through UKETD_DC, which carries every field).  Once
a second kind of source names the same thesis, each source's own record is kept here,
so that the next version of either is combined with the other exactly, whatever order
they came in.  EThOS text pages and repository records of EThOS-dump theses are few, so
this stays small; keeping every source of every thesis would take about 340 MB at
EThOS scale (bench/README.md).
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterable

from ..model.records import Location, Record, record_from_content
from .ledger import Ledger, chunks, marks

SCHEMA = """
CREATE TABLE IF NOT EXISTS contributions (
    key TEXT NOT NULL,
    kind TEXT NOT NULL,
    location TEXT NOT NULL,
    content BLOB NOT NULL,
    PRIMARY KEY (key, kind)
) WITHOUT ROWID;
"""


class Contributions(Ledger):
    FILENAME, SCHEMA = "contributions.sqlite", SCHEMA

    def of(self, keys: Iterable[str]) -> dict[str, dict[str, Record]]:
        """key -> kind -> that source's record, for the keys that have several sources."""
        found: dict[str, dict[str, Record]] = {}
        for chunk in chunks(set(keys)):
            query = f"SELECT key, kind, location, content FROM contributions WHERE key IN ({marks(chunk)})"
            for key, kind, location, content in self.db.execute(query, chunk):
                record = record_from_content(json.loads(zlib.decompress(content)), Location(**json.loads(location)))
                record.kind = kind
                found.setdefault(key, {})[kind] = record
        return found

    def keep(self, key: str, records: dict[str, Record]) -> None:
        """Each source's record of one thesis, replacing what was kept for it."""
        rows = [(key, kind, json.dumps(vars(r.location)), zlib.compress(json.dumps(r.content()).encode()))
                for kind, r in records.items()]  # fmt: skip
        with self.db:
            self.db.execute("DELETE FROM contributions WHERE key = ?", (key,))
            self.db.executemany("INSERT INTO contributions VALUES (?,?,?,?)", rows)

    def forget(self, keys: Iterable[str]) -> None:
        with self.db:
            self.db.executemany("DELETE FROM contributions WHERE key = ?", [(k,) for k in keys])
