"""The BL EThOS CSV reader on the real row, both header generations, and the dump's known dirt."""

from __future__ import annotations

import csv
import io
import unicodedata
from pathlib import Path

import pytest

from ld.model.records import ReadError, Record
from ld.sources import detect_format, read_file
from ld.sources.ethos_csv import COLUMNS_2018, COLUMNS_2021

from .conftest import CSV_SAMPLE

REAL_ROW = CSV_SAMPLE.read_text("utf-8").splitlines()[1]


def write_csv(tmp_path: Path, header: tuple[str, ...], rows: list[list[str]]) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path = tmp_path / "dump.csv"
    path.write_text(buffer.getvalue(), "utf-8")
    return path


def row(**cells: str) -> list[str]:
    values = dict.fromkeys(COLUMNS_2021, " ")
    values.update(
        {
            "Title": "A title",
            "Author": "Doe, Jane",
            "Institution": "University of Leeds",
            "Date": "2001",
            "EThOS URL": "https://ethos.bl.uk/OrderDetails.do?uin=uk.bl.ethos.1",
        }
    )
    values.update({k.replace("_", " "): v for k, v in cells.items()})
    return [values[c] for c in COLUMNS_2021]


def test_real_row(loizou: Record) -> None:
    assert loizou.title == "Computation and measurement of turbulent flow through idealized turbine blade passages"
    assert loizou.author.name == "Loizou, Panos A."
    assert loizou.author.isni == "https://isni.org/isni/0000000136122593"
    assert loizou.institution.isni == "https://isni.org/isni/0000000121662407"
    assert loizou.ethos_id == "uk.bl.ethos.232781"
    assert (loizou.date, loizou.qualification_name) == ("1989", "Thesis (Ph.D.)")
    assert loizou.subject_discipline == "Physical Sciences"
    assert loizou.doi is None and loizou.abstract is None and loizou.supervisors == []  # " " blanks
    assert loizou.location.row == 2


def test_detected_from_content(tmp_path: Path) -> None:
    path = tmp_path / "x.data"
    path.write_bytes(CSV_SAMPLE.read_bytes())
    assert detect_format(path) == "ethos-csv"


def test_2018_six_column_release(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path,
        COLUMNS_2018,
        [
            [
                "Old thesis",
                "Smith, A.",
                "University of Oxford",
                "1950",
                "Thesis (D.Phil.)",
                "http://ethos.bl.uk/OrderDetails.do?uin=uk.bl.ethos.42",
            ]
        ],
    )
    (r,) = read_file(path)
    assert r.ethos_id == "uk.bl.ethos.42" and r.qualification_name == "Thesis (D.Phil.)"


def test_nfd_names_become_nfc(tmp_path: Path) -> None:
    nfd = unicodedata.normalize("NFD", "Müller, Zoë")
    (r,) = read_file(write_csv(tmp_path, COLUMNS_2021, [row(Author=nfd)]))
    assert r.author.name == "Müller, Zoë" and unicodedata.is_normalized("NFC", r.author.name)


def test_lists_urls_and_entities(tmp_path: Path) -> None:
    (r,) = read_file(write_csv(tmp_path, COLUMNS_2021, [row(
        **{"Supervisor(s)": "Smith, John ; Jones, Ann", "Funder(s)": "EPSRC ; Wellcome Trust",
           "DOI": "https://doi.org/10.7488/era/1024", "Abstract": "x &GT; y ... (continues)",
           "ORCID": "https://orcid.org/0000-0002-1694-233X"})]))  # fmt: skip
    assert [s.name for s in r.supervisors] == ["Smith, John", "Jones, Ann"]
    assert [f.name for f in r.funders] == ["EPSRC", "Wellcome Trust"]
    assert r.doi == "10.7488/era/1024"
    assert r.abstract == "x > y ... (continues)"
    assert r.author.orcid == "https://orcid.org/0000-0002-1694-233X"


def test_shifted_row_is_reported_not_published(tmp_path: Path) -> None:
    good = ",".join(f'"{c}"' for c in row())
    shifted = (
        '"He said "hello, world" again"," ","Doe, J","","","Leeds","","2001","Thesis (Ph.D.)",'
        '" "," "," "," ","https://ethos.bl.uk/OrderDetails.do?uin=uk.bl.ethos.2"," "'
    )
    path = tmp_path / "dump.csv"
    path.write_text(",".join(COLUMNS_2021) + "\n" + good + "\n" + shifted + "\n" + good + "\n", "utf-8")
    items = list(read_file(path))
    assert [type(i).__name__ for i in items] == ["Record", "ReadError", "Record"]
    assert items[1].location.row == 3 and "shifted" in items[1].message


def test_typed_column_out_of_place_is_reported(tmp_path: Path) -> None:
    (error,) = read_file(write_csv(tmp_path, COLUMNS_2021, [row(Date="University of Leeds")]))
    assert isinstance(error, ReadError) and "'Date'" in error.message


def test_latin1_bytes_are_that_rows_error(tmp_path: Path) -> None:
    path = tmp_path / "dump.csv"
    path.write_bytes(
        (",".join(COLUMNS_2018) + "\n").encode() + b"T,M\xfcller,Leeds,2001,PhD,\nT2,Doe,Leeds,2002,PhD,\n"
    )
    items = list(read_file(path))
    assert isinstance(items[0], ReadError) and "UTF-8" in items[0].message and items[0].location.row == 2
    assert isinstance(items[1], Record)


def test_huge_field_is_that_rows_error(tmp_path: Path) -> None:
    path = write_csv(tmp_path, COLUMNS_2021, [row(Abstract="x" * 200_000), row(Title="Next")])
    items = list(read_file(path))
    assert isinstance(items[0], ReadError) and "field larger" in items[0].message
    assert any(isinstance(i, Record) and i.title == "Next" for i in items)


@pytest.mark.parametrize("header", ["", "a,b,c\n1,2,3\n"], ids=["empty", "foreign"])
def test_unusable_header(tmp_path: Path, header: str) -> None:
    path = tmp_path / "dump.csv"
    path.write_text(header)
    (error,) = read_file(path, "ethos-csv")
    assert isinstance(error, ReadError) and error.location.row == 1
