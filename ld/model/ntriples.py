"""N-Triples / N-Quads lines for rdflib terms.

rdflib's ``Term.n3()`` writes Turtle (triple-quoted multi-line strings, raw control
characters), which N-Triples parsers reject; this writes the strict canonical form.
"""

from __future__ import annotations

import re
from functools import lru_cache

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}
_NEEDS_ESCAPE = re.compile(r'["\\\x00-\x1f\x7f]')
_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\]')


_plain = str.__str__  # an rdflib term's own string, without rdflib's slower __str__


def _escape_char(match: re.Match[str]) -> str:
    char = match.group(0)
    return _ESCAPES.get(char) or f"\\u{ord(char):04X}"


def literal(value: Literal) -> str:
    text = '"' + _NEEDS_ESCAPE.sub(_escape_char, _plain(value)) + '"'
    if value.language:
        return f"{text}@{value.language}"
    if value.datatype and value.datatype != XSD.string:
        return f"{text}^^<{value.datatype}>"
    return text


@lru_cache(maxsize=8192)  # predicates, classes and shared resources repeat in every record; a thesis IRI does not
def iri(value: str) -> str:
    """An IRI reference; characters N-Triples forbids are percent-encoded rather than rejected."""
    return "<" + _IRI_FORBIDDEN.sub(lambda m: f"%{ord(m.group(0)):02X}", value) + ">"


def term(value: Node) -> str:
    if isinstance(value, URIRef):  # cached on the plain str: rdflib's __eq__/__hash__ are slow
        return iri(_plain(value))
    if isinstance(value, Literal):
        return literal(value)
    if isinstance(value, BNode):
        return f"_:{value}"
    raise TypeError(f"cannot write {value!r} as N-Triples")


def line(subject: Node, predicate: Node, value: Node) -> str:
    """One triple as an N-Triples line."""
    return f"{term(subject)} {term(predicate)} {term(value)} .\n"


def lines(triples) -> str:  # type: ignore[no-untyped-def]
    """Triples as an N-Triples document."""
    return "".join(line(s, p, o) for s, p, o in triples)
