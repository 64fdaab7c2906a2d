"""Deterministic generator of BL-format EThOS CSV rows with the dump's real distributions and dirt.

Missing rates follow shared/reference/formats.md (202210 release); dirt includes NFD names,
invalid ISNI check characters, HTML entities, ' ' blanks, several supervisors and funders,
implausible dates, and rows shifted by an unescaped quote in the title.

    python bench/generate.py --rows 627000 --out bench/out/ethos-627000.csv
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import unicodedata
from pathlib import Path

from stdnum.iso7064 import mod_11_2

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ld.sources.ethos_csv import COLUMNS_2021  # noqa: E402
from ld.vocab import institutions  # noqa: E402

SURNAMES = ["Smith", "Jones", "Williams", "Brown", "Taylor", "Davies", "Evans", "Thomas", "Roberts", "Müller",
            "Nowak", "O'Brien", "Ó Súilleabháin", "Chen", "Patel", "García", "Søren", "Dvořák", "MacLeod", "Khan"]  # fmt: skip
FORENAMES = ["John", "Mary", "Zoë", "José", "Anne-Marie", "Siân", "Ioan", "Li", "Priya", "Łukasz", "Chloé",
             "David J.", "P. A.", "Renée", "Eilidh"]  # fmt: skip
WORDS = ("analysis of the role effects model study structure dynamics in on for and turbulent flow patient "
         "involvement recovery glacial sediments policy Victorian literature quantum protein synthesis "
         "identity migration urban networks theory evidence").split()  # fmt: skip
DISCIPLINES = ["Physical Sciences", "Biological Sciences", "Medicine & Health", "Social, Economic & Political Studies",
               "Language & Literature", "History & Archaeology", "Computer Science", "Mathematics",
               "Engineering", "Psychology", "Education", "Law", "Philosophy, Psychology & Religious Studies",
               "Music, Film & Theatre", "Agriculture & Veterinary Sciences", "Architecture", "Business & Administrative Studies",
               "Earth Sciences", "Chemistry"]  # fmt: skip
QUALIFICATIONS = [("Thesis (Ph.D.)", 80), ("Thesis (D.Phil.)", 8), ("Thesis (M.D.)", 2), ("Thesis (Ed.D.)", 2),
                  ("Thesis (D.Clin.Psy.)", 2), ("Thesis (Eng.D.)", 1), ("Thesis (D.Sc.)", 1), ("D Clin Psy", 1),
                  ("Thesis (M.Phil.)", 2), ("Thesis (other)", 1)]  # fmt: skip
FUNDERS = ["Engineering and Physical Sciences Research Council", "Wellcome Trust", "Medical Research Council",
           "Arts and Humanities Research Council", "Leverhulme Trust", "European Research Council"]  # fmt: skip


def isni(rng: random.Random, valid: bool = True) -> str:
    while True:
        digits = "0000000" + "".join(rng.choice("0123456789") for _ in range(8))
        for check in "0123456789X":
            if mod_11_2.is_valid(digits + check) is valid:
                return digits + check


def person(rng: random.Random) -> str:
    name = f"{rng.choice(SURNAMES)}, {rng.choice(FORENAMES)}"
    return unicodedata.normalize("NFD", name) if rng.random() < 0.05 else name


def sentence(rng: random.Random, low: int, high: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(low, high)))


def row(rng: random.Random, n: int, orgs: list) -> list[str]:
    org = rng.choice(orgs)
    cells = dict.fromkeys(COLUMNS_2021, " ")
    cells["Title"] = sentence(rng, 5, 18).capitalize() + ("." if rng.random() < 0.01 else "")
    cells["Author"] = person(rng)
    cells["Institution"] = org.name
    cells["Date"] = str(rng.randint(1900, 2023)) if rng.random() > 0.001 else rng.choice([" ", "1066", "1765"])
    cells["Qualification"] = rng.choices([q for q, _ in QUALIFICATIONS], [w for _, w in QUALIFICATIONS])[0]
    cells["EThOS URL"] = f"https://ethos.bl.uk/OrderDetails.do?uin=uk.bl.ethos.{100000 + n}"
    if rng.random() < 0.79:
        cells["Author ISNI"] = "https://isni.org/isni/" + isni(rng, valid=rng.random() > 0.005)
    if rng.random() < 0.014:
        cells["ORCID"] = "https://orcid.org/0000-0002-1694-233X"
    if org.isni and rng.random() < 0.9:
        cells["Institution ISNI"] = "https://isni.org/isni/" + org.isni
    if rng.random() < 0.09:
        cells["DOI"] = f"https://doi.org/10.{rng.randint(1000, 99999)}/thesis.{n}"
    if rng.random() < 0.59:
        cells["Abstract"] = sentence(rng, 40, 250) + (" &GT; 5 ... (continues)" if rng.random() < 0.02 else ".")
    if rng.random() < 0.933:
        cells["Subject Discipline"] = rng.choice(DISCIPLINES)
    if rng.random() < 0.23:
        cells["Supervisor(s)"] = " ; ".join(person(rng) for _ in range(rng.randint(1, 3)))
    if rng.random() < 0.09:
        cells["Funder(s)"] = " ; ".join(rng.sample(FUNDERS, rng.randint(1, 2)))
    if rng.random() < 0.61:
        cells["IR URL"] = f"https://etheses.example.ac.uk/{n}/"
    return [cells[c] for c in COLUMNS_2021]


def shifted_line(values: list[str]) -> str:
    """A row as the BL wrote some: the title quoted, with an unescaped quote and comma inside."""
    values = [f'"He said "no, never" {values[0]}"'] + [f'"{v}"' for v in values[1:]]
    return ",".join(values) + "\n"


def generate(rows: int, out: Path, seed: int = 20231031) -> None:
    rng = random.Random(seed)
    orgs = sorted({i.name: i for i in institutions().values()}.values(), key=lambda i: i.name)
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(COLUMNS_2021)
        for n in range(rows):
            values = row(rng, n, orgs)
            if rng.random() < 0.0005:
                stream.write(shifted_line(values))
            else:
                writer.writerow(values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=627_000)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--seed", type=int, default=20231031)
    args = parser.parse_args()
    out = args.out or Path(__file__).parent / "out" / f"ethos-{args.rows}.csv"
    generate(args.rows, out, args.seed)
    print(out)


if __name__ == "__main__":
    main()
