"""Visitor text as words and "phrases": ldpub's own small syntax, never the engine's.

Queries are built from this parse (matching.py), so a stray operator, bracket or field
name is just a word to look for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TERM = re.compile(r'"([^"]*)"|(\S+)')
WORD = re.compile(r"[^\W_]+")  # a token, as the index's tokenizer splits text: letters and digits


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
