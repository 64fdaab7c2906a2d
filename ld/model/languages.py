"""Language codes as records give them (ISO 639-1, 639-2/B or /T, 639-3; any case) turned
into what the RDF states: a Library of Congress ISO 639-2 IRI, and a BCP 47 tag for literals.

id.loc.gov names languages by ISO 639-2's bibliographic codes (`fre`, `wel`, `ger`), so
those are the codes published; a code that is no language stays text and the SHACL
profile reports it.  iso639-lang holds the tables.
"""

from __future__ import annotations

from functools import lru_cache

from iso639 import Lang
from iso639.exceptions import InvalidLanguageValue


@lru_cache(maxsize=1024)
def _lang(code: str | None) -> Lang | None:
    text = (code or "").strip().casefold()
    if not text:
        return None
    try:
        return Lang(text)
    except InvalidLanguageValue:
        return None


def iso639_2(code: str | None) -> str | None:
    """The ISO 639-2 bibliographic code for a language code, None when it is none or has none."""
    found = _lang(code)
    return found.pt2b or None if found else None


def language_tag(code: str | None) -> str | None:
    """The BCP 47 tag for literals in that language: the two-letter code where there is one."""
    found = _lang(code)
    return (found.pt1 or found.pt3 or None) if found else None
