"""Vet a visitor's SPARQL before it reaches the engine.

Parsed with rdflib's parser only (no evaluation, no network): updates are refused (the
endpoint is read-only), SERVICE is refused (no server-side requests on a visitor's
behalf; Oxigraph would fetch them and wait for ever), and FROM / FROM NAMED may only
name graphs of this dataset.
"""

from __future__ import annotations

from dataclasses import dataclass

from pyparsing import ParseException, ParseResults
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue


class Refused(Exception):
    """The request is not allowed here; the message says why and what to do."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Vetted:
    text: str
    form: str  # SelectQuery, AskQuery, ConstructQuery, DescribeQuery


def vet(query: str, base: str) -> Vetted:
    """The query if it may run here; Refused (400 or 403) otherwise."""
    try:
        parsed = parseQuery(query)
    except ParseException as exc:
        if _is_update(query):
            raise Refused(403, "This endpoint is read-only: SPARQL updates are not accepted.") from exc
        raise Refused(400, f"SPARQL syntax error: {exc}") from exc
    except Exception as exc:  # rdflib raises assorted errors on malformed input
        raise Refused(400, f"SPARQL syntax error: {exc}") from exc
    body = parsed[1]
    _refuse_service(parsed)
    clauses = body.get("datasetClause")
    for clause in clauses if isinstance(clauses, list) else []:
        iri = str(clause.get("default") or clause.get("named") or "")
        if not iri.startswith(base):
            raise Refused(400, f"FROM <{iri}> is not a graph of this dataset; only graphs under {base} can be named.")
    return Vetted(query, body.name)


def _is_update(query: str) -> bool:
    """True when the text is a SPARQL Update with at least one operation (an empty one is not)."""
    try:
        parsed = parseUpdate(query)
    except Exception:
        return False
    return isinstance(parsed.get("request"), list) and bool(parsed.get("request"))


def _refuse_service(node: object) -> None:
    """Walk the parse tree (CompValues are dicts); any SERVICE pattern is refused."""
    if isinstance(node, CompValue) and node.name == "ServiceGraphPattern":
        raise Refused(400, "SERVICE is not allowed: this endpoint makes no requests to other servers.")
    if isinstance(node, dict):
        children: list = list(node.values())
    elif isinstance(node, (list, tuple, ParseResults)):
        children = list(node)
    else:
        return
    for child in children:
        _refuse_service(child)
