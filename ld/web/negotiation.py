"""Content negotiation (RFC 9110) over one list of variants, with werkzeug's Accept parsing.

No Accept header, an unparseable one, or */* alone: Turtle, the format every RDF tool
reads.  A well-formed header that accepts none of the variants: 406.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from flask import Request
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from ..renderers import RENDERERS


@dataclass(frozen=True)
class Variant:
    suffix: str
    media_type: str

    @property
    def is_html(self) -> bool:
        return self.suffix == "html"


HTML = Variant("html", "text/html")
VARIANTS: list[Variant] = [Variant(r.suffix, r.media_type) for r in RENDERERS.values()] + [HTML]
BY_SUFFIX = {v.suffix: v for v in VARIANTS}
# The order breaks ties: Turtle first, so that */* and text/* get Turtle.
OFFERED = [v.media_type for v in VARIANTS] + ["application/xhtml+xml"]
BY_TYPE = {v.media_type: v for v in VARIANTS} | {"application/xhtml+xml": HTML}


def negotiate(request: Request) -> Variant | None:
    """The best variant for the request's Accept header, or None (answer 406)."""
    return negotiate_header(request.environ.get("HTTP_ACCEPT"))


@lru_cache(maxsize=1024)
def negotiate_header(header: str | None) -> Variant | None:
    """The best variant for an Accept header's value; clients send few distinct ones, so each
    is parsed once per process."""
    accept = parse_accept_header(header, MIMEAccept)
    if not header or not any("/" in value for value, _ in accept):
        return BY_SUFFIX["ttl"]
    best = accept.best_match(OFFERED)
    return BY_TYPE[best] if best else None


def split_suffix(name: str) -> tuple[str, Variant | None]:
    """'uk.bl.ethos.1.ttl' -> ('uk.bl.ethos.1', Turtle); names without a known suffix unchanged."""
    stem, dot, ext = name.rpartition(".")
    if dot and ext in BY_SUFFIX:
        return stem, BY_SUFFIX[ext]
    return name, None
