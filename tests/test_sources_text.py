"""The EThOS page-text reader on the real sample and on its variations and breakages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ld.model.records import ReadError, Record
from ld.sources import detect_format, read_file

from .conftest import TEXT_SAMPLE

SAMPLE = TEXT_SAMPLE.read_bytes()


def read_bytes(tmp_path: Path, data: bytes) -> list[Record | ReadError]:
    path = tmp_path / "records.txt"
    path.write_bytes(data)
    return list(read_file(path, "ethos-text"))


def test_real_sample_fields(mackin: Record) -> None:
    assert mackin.title.startswith("Mental health and recovery : experiences")
    assert mackin.author.name == "Mackin, Michelle"
    assert mackin.author.isni == "0000 0004 7964 3251"
    assert mackin.institution.name == "London Metropolitan University"
    assert mackin.current_institution == "London Metropolitan University"
    assert mackin.date == "2019"
    assert mackin.qualification_name == "Thesis (D.Prof.Couns.Psy.)"
    assert mackin.qualification_level == "Doctoral"
    assert mackin.ethos_id is None  # the sample's EThOS ID is empty
    assert mackin.doi is None and mackin.supervisors == [] and mackin.funders == []  # "Not available"
    assert (mackin.ddc, mackin.keywords) == (["360 Social problems & services"], ["associations"])  # Dewey told apart
    assert mackin.abstract.startswith("Rationale: The employment of peer support workers")
    assert "Aim: Within the UK" in mackin.abstract  # a structured abstract stays whole
    assert mackin.location.line == 1


def test_format_detected_from_content(tmp_path: Path) -> None:
    path = tmp_path / "no-extension"
    path.write_bytes(SAMPLE)
    assert detect_format(path) == "ethos-text"


@pytest.mark.parametrize("ending", [b"\r\n", b"\r", b"\n"], ids=["CRLF", "CR", "LF"])
def test_line_endings(tmp_path: Path, ending: bytes, mackin: Record) -> None:
    data = SAMPLE.replace(b"\n", ending)
    (record,) = read_bytes(tmp_path, data)
    assert record.content() == mackin.content()


def test_many_records_per_file_with_lines(tmp_path: Path) -> None:
    second = re.sub(
        rb"EThOS ID:.*DOI: Not available",
        b"EThOS ID: uk.bl.ethos.123456 DOI: 10.1234/abc",
        SAMPLE.replace(b"Mackin, Michelle", b"Other, Person"),
    )  # the sample has a no-break space here
    records = read_bytes(tmp_path, SAMPLE + b"\n" + second + b"\n")
    assert [r.author.name for r in records] == ["Mackin, Michelle", "Other, Person"]
    assert records[1].ethos_id == "uk.bl.ethos.123456" and records[1].doi == "10.1234/abc"
    # its first line has no URL (as in the sample): the EThOS ID gives the EThOS link
    assert records[1].ethos_url == "https://ethos.bl.uk/OrderDetails.do?uin=uk.bl.ethos.123456"
    assert records[1].location.line == SAMPLE.count(b"\n") + 2


def test_two_field_lines_and_colons_in_values(tmp_path: Path) -> None:
    data = (
        b"Use this URL to cite or link to this record in EThOS: https://ethos.bl.uk/OrderDetails.do?uin=uk.bl.ethos.555\n"
        b"Title: Time: a study : with colons\nAuthor: Doe, Jane\nAwarding Body: University of Leeds\n"
        b"Date of Award: 2001\nAbstract: Results: good.\n"
        b"Supervisor: Smith, John ; Jones, Ann Sponsor: EPSRC ; Wellcome Trust\n"
        b"Qualification Name: Thesis (Ph.D.) Qualification Level: Doctoral\n"
        b"EThOS ID: uk.bl.ethos.555 DOI: https://doi.org/10.5555/x:y\nKeywords: 510 Mathematics; topology\n"
    )
    (r,) = read_bytes(tmp_path, data)
    assert r.title == "Time: a study : with colons"
    assert [s.name for s in r.supervisors] == ["Smith, John", "Jones, Ann"]
    assert [f.name for f in r.funders] == ["EPSRC", "Wellcome Trust"]
    assert (r.qualification_name, r.qualification_level) == ("Thesis (Ph.D.)", "Doctoral")
    assert r.ethos_id == "uk.bl.ethos.555" and r.doi == "10.5555/x:y"
    assert r.ethos_url == "https://ethos.bl.uk/OrderDetails.do?uin=uk.bl.ethos.555"
    assert r.abstract == "Results: good."


def test_empty_values_are_missing(tmp_path: Path) -> None:
    (r,) = read_bytes(tmp_path, b"Title: T\nAuthor: A, B\nISNI: \nAwarding Body: Not available\n")
    assert r.author.isni is None and r.institution is None


def test_invalid_utf8_names_the_line(tmp_path: Path) -> None:
    data = SAMPLE.replace(b"Mackin", b"Mack\xffin", 1)
    (error,) = read_bytes(tmp_path, data)
    assert isinstance(error, ReadError)
    assert error.location.line == 3 and "UTF-8" in error.message
    assert str(error).startswith(f"{tmp_path / 'records.txt'}, line 3")


def test_not_a_record_is_a_located_error(tmp_path: Path) -> None:
    (error,) = read_bytes(tmp_path, b"hello\nworld\n")
    assert isinstance(error, ReadError) and error.location.line == 1
    assert "not an EThOS record" in error.message


def test_one_broken_record_does_not_lose_the_others(tmp_path: Path) -> None:
    broken = SAMPLE.replace(b"Mackin", b"M\xc3(ckin", 1)
    items = read_bytes(tmp_path, broken + b"\n" + SAMPLE)
    assert [type(i).__name__ for i in items] == ["ReadError", "Record"]
