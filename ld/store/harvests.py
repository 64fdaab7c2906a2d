"""When each OAI-PMH feed was last harvested completely: where the next harvest starts.

A ledger like the others beside the store (SQLite), keyed by what names a feed: its URL,
metadata prefix and set.
"""

from __future__ import annotations

from .ledger import Ledger

SCHEMA = "CREATE TABLE IF NOT EXISTS harvests (feed TEXT PRIMARY KEY, response_date TEXT NOT NULL);"


class HarvestState(Ledger):
    FILENAME, SCHEMA = "harvests.sqlite", SCHEMA

    def last(self, feed: str) -> str | None:
        """The responseDate of the feed's last complete harvest."""
        row = self.db.execute("SELECT response_date FROM harvests WHERE feed = ?", (feed,)).fetchone()
        return row[0] if row else None

    def remember(self, feed: str, response_date: str) -> None:
        with self.db:
            self.db.execute("INSERT OR REPLACE INTO harvests VALUES (?, ?)", (feed, response_date))

    def close(self) -> None:
        self.db.close()
