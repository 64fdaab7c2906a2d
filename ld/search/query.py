"""Visitor text to FTS5 MATCH syntax, and the terms to highlight.

Visitors' text never reaches FTS5 syntax directly: each word or "phrase" is quoted here,
so a stray operator, bracket or column name is just a word to look for.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_TERM = re.compile(r'"([^"]*)"|(\S+)')
WORD = re.compile(r"[^\W_]+")  # what FTS5's unicode61 tokenizer keeps as a token: letters and digits


class BadQuery(ValueError):
    """The query cannot be searched; the message says why."""


@dataclass(frozen=True)
class Term:
    text: str
    prefix: bool = False


def terms(text: str) -> list[Term]:
    """Each word or "phrase"; a trailing * (after two letters or more) makes a word a prefix."""
    if text.count('"') % 2:
        raise BadQuery('unbalanced quotes: close the "phrase" or remove the quote')
    found = []
    for phrase, word in _TERM.findall(text):
        term = phrase if phrase else word
        prefix = not phrase and term.endswith("*") and len(term.rstrip("*")) >= 2
        term = term.rstrip("*") if prefix else term
        cleaned = term.replace('"', " ").strip()
        if cleaned:
            found.append(Term(cleaned, prefix))
    return found


def expression(query: list[Term]) -> str | None:
    """FTS5 MATCH syntax for the visitor's terms: every term quoted, all required."""
    return " AND ".join(f'"{t.text}"' + ("*" if t.prefix else "") for t in query) or None


def fold(word: str) -> str:
    """Case and accents removed, as the index's tokenizer does, so highlights find what matched."""
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c)).casefold()
