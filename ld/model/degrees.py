"""Qualification names (the BL's 259 spellings and the repositories' own) to a few degree individuals.

BIBO names three degrees (phd, ma, ms); the rest are the project's own
``{base}id/degree/{code}``.  A name nobody has seen still maps, to the generic ``thesis``.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class Degree:
    code: str
    label: str
    level: str  # "doctoral", "masters" or "other"
    bibo: bool = False  # True: the individual lives under bibo:degrees/


DEGREES_BY_CODE: dict[str, Degree] = {d.code: d for d in (
    Degree("phd", "Doctor of Philosophy", "doctoral", bibo=True),
    Degree("md", "Doctor of Medicine", "doctoral"),
    Degree("edd", "Doctor of Education", "doctoral"),
    Degree("dclinpsy", "Doctor of Clinical Psychology", "doctoral"),
    Degree("engd", "Doctor of Engineering", "doctoral"),
    Degree("dba", "Doctor of Business Administration", "doctoral"),
    Degree("higher-doctorate", "Higher doctorate (DSc, DLitt, LLD, DD, DMus)", "doctoral"),
    Degree("professional-doctorate", "Professional doctorate", "doctoral"),
    Degree("mphil", "Master of Philosophy", "masters"),
    Degree("mres", "Master of Research", "masters"),
    Degree("ma", "Master of Arts", "masters", bibo=True),
    Degree("ms", "Master of Science", "masters", bibo=True),
    Degree("thesis", "Thesis (degree not stated or not recognised)", "other"),
)}  # fmt: skip

_EXACT = {
    "phd": "phd", "dphil": "phd", "doctorofphilosophy": "phd",
    "md": "md", "dm": "md", "doctorofmedicine": "md",
    "edd": "edd", "ded": "edd", "doctorofeducation": "edd",
    "engd": "engd", "deng": "engd", "dba": "dba",
    "dsc": "higher-doctorate", "dsci": "higher-doctorate", "dlitt": "higher-doctorate",
    "dlit": "higher-doctorate", "littd": "higher-doctorate", "lld": "higher-doctorate",
    "dd": "higher-doctorate", "dmus": "higher-doctorate", "musdoc": "higher-doctorate",
    "dscmed": "higher-doctorate", "doctoroflaw": "higher-doctorate",
    "doctoroflaws": "higher-doctorate",
    "mphil": "mphil", "mres": "mres", "ma": "ma", "mlitt": "ma", "msc": "ms", "ms": "ms",
    "mscr": "mres", "mastersbyresearch": "mres",
}  # fmt: skip


def normalise(name: str) -> str:
    """'Thesis (D.Prof.Couns.Psy.)' -> 'dprofcounspsy'."""
    text = name.casefold().strip()
    text = re.sub(r"^thesis\s*\(\s*(.*?)\s*\)\s*(_doc)?$", r"\1", text)
    return re.sub(r"[^a-z0-9]", "", text)


def _classify(code: str) -> str:
    if code in _EXACT:
        return _EXACT[code]
    if "clin" in code and ("psy" in code or "pys" in code):
        return "dclinpsy"
    if code in ("other", "postdoctoral", "bsc") or not code:
        return "thesis"
    if code.startswith("d") or code.endswith("d") or "doc" in code or "doctor" in code:
        return "professional-doctorate"
    if code.startswith("m"):
        return "mphil" if "phil" in code else "ms"
    return "thesis"


@cache
def _bl_table() -> dict[str, str]:
    """Every BL qualification name (normalised) and id to its degree code."""
    text = resources.files("ld").joinpath("data/qualifications.tsv").read_text("utf-8")
    table: dict[str, str] = {}
    for row in csv.DictReader(text.splitlines(), delimiter="\t"):
        table[normalise(row["term"])] = _classify(normalise(row["id"]))
    return table


def degree_for(qualification: str | None, level: str | None = None) -> Degree | None:
    """The degree a qualification name denotes; None when the record names none."""
    if not qualification:
        return None
    code = normalise(qualification)
    found = _bl_table().get(code) or _EXACT.get(code) or _guess(qualification, level)
    return DEGREES_BY_CODE[found]


def _guess(qualification: str, level: str | None) -> str:
    """For names in no table: only words, never abbreviation heuristics, decide."""
    text = f"{qualification} {level or ''}".casefold()
    if "doctor" in text:
        return "professional-doctorate"
    if "master" in text:
        return "ms"
    return "thesis"


def level_of(degree: Degree | None, level: str | None) -> str:
    """doctoral / masters / other from the stated level, else from the degree."""
    if level:
        folded = level.casefold()
        if folded.startswith("doctor"):
            return "doctoral"
        if folded.startswith("master"):
            return "masters"
    return degree.level if degree else "other"
