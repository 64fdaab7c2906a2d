"""Visitor text to FTS5 MATCH syntax.

Visitors' text never reaches FTS5 syntax directly: each word or "phrase" is quoted here,
so a stray operator, bracket or column name is just a word to look for.
"""

from __future__ import annotations

import re

_TERM = re.compile(r'"([^"]*)"|(\S+)')


class BadQuery(ValueError):
    """The query cannot be searched; the message says why."""


def match_expression(text: str) -> str | None:
    """Each word or "phrase" quoted and ANDed; a trailing * (after two letters or more) kept as a prefix."""
    if text.count('"') % 2:
        raise BadQuery('unbalanced quotes: close the "phrase" or remove the quote')
    parts = []
    for phrase, word in _TERM.findall(text):
        term = phrase if phrase else word
        prefix = not phrase and term.endswith("*") and len(term.rstrip("*")) >= 2
        term = term.rstrip("*") if prefix else term
        cleaned = term.replace('"', " ").strip()
        if cleaned:
            parts.append(f'"{cleaned}"' + ("*" if prefix else ""))
    return " AND ".join(parts) or None
