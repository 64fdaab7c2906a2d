"""Vet a visitor's SPARQL and rewrite it into the one text the engine will run.

There is no second parser here.  A parser of our own (rdflib's, before) and Oxigraph's
disagree on details (rdflib ended a ``#`` comment only at LF, Oxigraph at CR too), and
every disagreement is a way to smuggle ``SERVICE`` past the check.  Instead the query is
cut into SPARQL 1.1 terminals (section 19.8 of the spec) and written out again:

- comments dropped and every run of white space made one space;
- string literals written anew from their value, with only the escapes every parser
  reads alike (``\\\\ \\" \\n \\r``); IRIs written with their ``\\u`` escapes decoded;
- a ``\\`` anywhere else, or any character no terminal allows, refused.

What Oxigraph then parses holds no comment, escape or exotic white space for the two to
read differently; the checks below run on the same tokens.  Oxigraph is the only parser
(its syntax errors are the visitor's answer), and the query process runs without network
access (sandbox.py) in case anything is still missed.

Checks: updates get 403 (read-only endpoint); the keyword SERVICE anywhere gets 400;
FROM / FROM NAMED may name only graphs of this dataset (IRIs, prefixed names and relative
IRIs resolved as the engine will); brackets nested deeper than MAX_DEPTH get 400 (Oxigraph
overflows its stack somewhere past 2,000).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple
from urllib.parse import urljoin

MAX_DEPTH = 500
QUERY_FORMS = {"SELECT": "SelectQuery", "ASK": "AskQuery", "CONSTRUCT": "ConstructQuery", "DESCRIBE": "DescribeQuery"}
UPDATE_WORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}


class Refused(Exception):
    """The request is not allowed here; the message says why and what to do."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Vetted:
    text: str  # what the engine runs: the normalised text, never the visitor's
    form: str  # SelectQuery, AskQuery, ConstructQuery, DescribeQuery
    names_dataset: bool = False  # FROM / FROM NAMED: the query chooses its graphs itself


_PN_CHARS_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_PN_CHARS_U = _PN_CHARS_BASE + "_"
_PN_CHARS = _PN_CHARS_U + "\\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_PN_PREFIX = f"[{_PN_CHARS_BASE}](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?"
_PN_LOCAL = f"(?:[{_PN_CHARS_U}:0-9]|{_PLX})(?:(?:[{_PN_CHARS}.:]|{_PLX})*(?:[{_PN_CHARS}:]|{_PLX}))?"
_ESCAPE = r"\\(?:[tbnrf\\\"']|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8})"
_EXPONENT = "[eE][+-]?[0-9]+"

_TOKENS = re.compile(
    "|".join(
        f"(?P<{name}>{pattern})"
        for name, pattern in [
            ("space", r"[ \t\r\n]+"),
            ("comment", r"#[^\r\n]*"),
            ("iri", r"<(?:[^<>\"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>"),
            ("long2", f'"""(?:(?:"|"")?(?:[^"\\\\]|{_ESCAPE}))*"""'),
            ("long1", f"'''(?:(?:'|'')?(?:[^'\\\\]|{_ESCAPE}))*'''"),
            ("string2", f'"(?:[^"\\\\\\n\\r]|{_ESCAPE})*"'),
            ("string1", f"'(?:[^'\\\\\\n\\r]|{_ESCAPE})*'"),
            ("var", f"[?$][{_PN_CHARS_U}0-9][{_PN_CHARS_U}0-9\u00b7\u0300-\u036f\u203f-\u2040]*"),
            ("langtag", r"@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*"),
            ("blank", f"_:[{_PN_CHARS_U}0-9](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?"),
            ("pname", f"(?:{_PN_PREFIX})?:(?:{_PN_LOCAL})?"),
            ("number", f"[0-9]+\\.[0-9]*{_EXPONENT}|\\.?[0-9]+{_EXPONENT}|[0-9]*\\.[0-9]+|[0-9]+"),
            ("word", "[A-Za-z_][A-Za-z0-9_]*"),
            ("punct", r"\^\^|\|\||&&|!=|<=|>=|<<|>>|\{\||\|\}|[{}()\[\],;.*/+\-!=<>^|~]"),
        ]
    )
)
_ESCAPES = re.compile(_ESCAPE)
_PLAIN = re.compile("[^ !#-\\[\\]-~\u00a0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")  # anything but these
# What XML 1.0 cannot carry: a query holding it could only produce answers no XML client can read.
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_SIMPLE = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", "\\": "\\", '"': '"', "'": "'"}
_OPEN, _CLOSE = "{([", "})]"


class Token(NamedTuple):
    kind: str
    text: str  # as it will be written out
    at: int  # offset in the visitor's text, for messages
    spaced: bool  # white space or a comment came before it


def vet(query: str, base: str) -> Vetted:
    """The normalised query if it may run here; Refused (400 or 403) otherwise."""
    tokens = tokenize(query)
    form = _form(tokens)
    for token in tokens:
        if token.kind == "word" and token.text.upper() == "SERVICE":
            raise Refused(400, "SERVICE is not allowed: this endpoint makes no requests to other servers.")
    _check_depth(tokens)
    names_dataset = _check_datasets(tokens, base)
    return Vetted(" ".join(_joined(tokens)), form, names_dataset)


def tokenize(query: str) -> list[Token]:
    """SPARQL terminals with white space and comments dropped; Refused at the first thing that is none."""
    tokens: list[Token] = []
    position, end = 0, len(query)
    spaced = False
    while position < end:
        match = _TOKENS.match(query, position)
        if match is None and query[position] == "\\":
            raise Refused(400, f"SPARQL syntax error at {_where(query, position)}: a \\ escape outside a string or "
                               "IRI is not accepted here; write the character itself.")  # fmt: skip
        if match is None:
            raise Refused(400, f"SPARQL syntax error at {_where(query, position)}: unexpected {query[position]!r}.")
        kind = match.lastgroup or ""
        if kind in ("space", "comment"):
            spaced = True
        else:
            text = match.group()
            if kind in ("long2", "long1", "string2", "string1"):
                text, kind = _string(text, query, position), "string"
            elif kind == "iri":
                text = _iri(text, query, position)
            tokens.append(Token(kind, text, position, spaced))
            spaced = False
        position = match.end()
    return tokens


def _joined(tokens: list[Token]) -> list[str]:
    """Runs of tokens that touched in the visitor's text (`+1` is not `+ 1` in VALUES).

    A string always stands apart, so that two rewritten strings cannot merge into a long one.
    """
    runs: list[str] = []
    previous = None
    for token in tokens:
        if not runs or token.spaced or token.kind == "string" or (previous and previous.kind == "string"):
            runs.append(token.text)
        else:
            runs[-1] += token.text
        previous = token
    return runs


def _where(query: str, position: int) -> str:
    line = query.count("\n", 0, position) + 1
    column = position - (query.rfind("\n", 0, position) + 1) + 1
    return f"line {line}, column {column}"


def _decode(body: str, query: str, position: int) -> str:
    def one(match: re.Match[str]) -> str:
        escape = match.group()
        if escape[1] in "uU":
            code = int(escape[2:], 16)
            if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
                raise Refused(400, f"SPARQL syntax error at {_where(query, position)}: {escape} is not a character.")
            return chr(code)
        return _SIMPLE[escape[1]]

    value = _ESCAPES.sub(one, body)
    if found := NOT_XML.search(value):
        raise Refused(400, f"SPARQL text at {_where(query, position)} holds U+{ord(found.group()):04X}, a control "
                           "character no answer can carry (the data holds none); remove it.")  # fmt: skip
    return value


def _string(text: str, query: str, position: int) -> str:
    quote = 3 if text[:3] in ('"""', "'''") else 1
    body = text[quote:-quote]
    if not _PLAIN.search(body):  # most strings: nothing to decode or escape
        return f'"{body}"'
    value = _decode(body, query, position)
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{escaped}"'


def _iri(text: str, query: str, position: int) -> str:
    value = _decode(text[1:-1], query, position) if "\\" in text else text[1:-1]
    if re.search(r'[<>"{}|^`\\\x00-\x20]', value):
        raise Refused(400, f"SPARQL syntax error at {_where(query, position)}: an escape in {text} makes it no IRI.")
    return f"<{value}>"


def _form(tokens: list[Token]) -> str:
    """The query form after the prologue (BASE and PREFIX declarations)."""
    index = 0
    while index < len(tokens) and tokens[index].kind == "word" and tokens[index].text.upper() in ("BASE", "PREFIX"):
        index += 3 if tokens[index].text.upper() == "PREFIX" else 2
    word = tokens[index].text.upper() if index < len(tokens) and tokens[index].kind == "word" else ""
    if word in QUERY_FORMS:
        return QUERY_FORMS[word]
    if word in UPDATE_WORDS:
        raise Refused(403, "This endpoint is read-only: SPARQL updates are not accepted.")
    raise Refused(400, "SPARQL syntax error: expected SELECT, ASK, CONSTRUCT or DESCRIBE after the prologue.")


def _check_depth(tokens: list[Token]) -> None:
    depth = 0
    for token in tokens:
        if token.kind != "punct":
            continue
        if token.text in _OPEN:
            depth += 1
            if depth > MAX_DEPTH:
                raise Refused(400, f"The query nests brackets more than {MAX_DEPTH} deep (at offset "
                                   f"{token.at}); this endpoint answers queries up to that depth.")  # fmt: skip
        elif token.text in _CLOSE:
            depth -= 1


def _check_datasets(tokens: list[Token], base: str) -> bool:
    """FROM / FROM NAMED name graphs of this dataset only, resolved as the engine resolves them;
    True when there is any."""
    prefixes: dict[str, str] = {}
    query_base = base
    names_dataset = False
    for index, token in enumerate(tokens):
        word = token.text.upper() if token.kind == "word" else ""
        following = tokens[index + 1 : index + 3]
        if word == "BASE" and following[:1] and following[0].kind == "iri":
            query_base = urljoin(query_base, following[0].text[1:-1])
        elif word == "PREFIX" and len(following) == 2 and following[0].kind == "pname" and following[1].kind == "iri":
            prefixes[following[0].text[:-1]] = urljoin(query_base, following[1].text[1:-1])
        elif word == "FROM":
            named = following[:1] and following[0].kind == "word" and following[0].text.upper() == "NAMED"
            target = following[1] if named and len(following) > 1 else (following[0] if following else None)
            iri = _resolve(target, prefixes, query_base)
            if iri is None or not iri.startswith(base):
                shown = f"<{iri}>" if iri else (target.text if target else "nothing")
                raise Refused(400, f"FROM{' NAMED' if named else ''} {shown} is not a graph of this dataset; "
                                   f"only graphs under {base} can be named.")  # fmt: skip
            names_dataset = True
    return names_dataset


def _resolve(token: Token | None, prefixes: dict[str, str], query_base: str) -> str | None:
    if token is None:
        return None
    if token.kind == "iri":
        return urljoin(query_base, token.text[1:-1])
    if token.kind == "pname":
        prefix, _, local = token.text.partition(":")
        if prefix in prefixes:
            return prefixes[prefix] + re.sub(r"\\(.)", r"\1", local)
    return None
