"""Parse, normalise and check ISNI, ORCID, DOI and EThOS identifiers in any form seen in the wild.

A malformed identifier is not an exception: the parse result says whether it is valid,
and the SHACL profile turns an invalid one into a finding on its record.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import unquote

from stdnum import isni as stdnum_isni
from stdnum.iso7064 import mod_11_2

from ..uris import ETHOS_ID

ISNI_URI = "https://isni.org/isni/"
ORCID_URI = "https://orcid.org/"
DOI_URI = "https://doi.org/"

_URL_PREFIX = re.compile(r"^\s*(?:https?://)?(?:www\.)?(?:isni\.org/isni/|isni\.org/|orcid\.org/)", re.I)
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015.]")
_ETHOS_UIN = re.compile(r"[?&]uin=([^&#\s]+)", re.I)
_DOI = re.compile(r"(10\.[0-9]{4,9}/\S+)")
_DOI_PREFIX = re.compile(r"^\s*(?:doi:\s*|https?://(?:dx\.)?doi\.org/)", re.I)


@dataclass(frozen=True)
class CheckedId:
    """An ISNI or ORCID reduced to its 16 characters, with the verdict of its check character."""

    compact: str
    valid: bool


def _compact16(value: str) -> str:
    text = unquote(_URL_PREFIX.sub("", value.strip())).strip().strip("/")
    return _SEPARATORS.sub("", text).upper()


@lru_cache(maxsize=4096)  # an institution's ISNI recurs in thousands of records; stdnum's check is slow
def parse_isni(value: str) -> CheckedId:
    """ISNI from spaced groups, a bare string or an http(s) URL."""
    compact = _compact16(value)
    valid = len(compact) == 16 and stdnum_isni.is_valid(compact)
    return CheckedId(compact, valid)


@lru_cache(maxsize=4096)
def parse_orcid(value: str) -> CheckedId:
    """ORCID from hyphenated, unhyphenated or URL form (same MOD 11-2 check as ISNI)."""
    compact = _compact16(value)
    valid = bool(re.fullmatch(r"[0-9]{15}[0-9X]", compact)) and mod_11_2.is_valid(compact)
    return CheckedId(compact, valid)


def orcid_hyphenated(compact: str) -> str:
    """0000000216942 33X -> 0000-0002-1694-233X (ORCID's canonical display and URI form)."""
    return "-".join(compact[i : i + 4] for i in range(0, 16, 4)) if len(compact) == 16 else compact


def parse_doi(value: str) -> str | None:
    """A bare DOI (10.xxxx/…) from a bare or URL form; None when there is no DOI in it."""
    text = unquote(_DOI_PREFIX.sub("", value.strip()))
    match = _DOI.search(text)
    return match.group(1).rstrip(".,;") if match else None


def parse_ethos_id(value: str) -> str | None:
    """The EThOS ID from the ID itself or from an OrderDetails.do?uin= URL.

    A uin that is not of the EThOS form is returned as given, so validation reports it.
    """
    text = value.strip()
    uin = _ETHOS_UIN.search(text)
    if uin:
        return unquote(uin.group(1))
    match = ETHOS_ID.search(text)
    if match:
        return match.group(0)
    return text or None


ETHOS_RECORD = "https://ethos.bl.uk/OrderDetails.do?uin="


def ethos_url(ethos_id: str) -> str | None:
    """The EThOS record page's URL for a well-formed EThOS ID (what the dump's EThOS URL column holds)."""
    return ETHOS_RECORD + ethos_id if is_ethos_id(ethos_id) else None


def is_ethos_id(value: str) -> bool:
    return bool(ETHOS_ID.fullmatch(value))
