"""ISNI, ORCID, DOI and EThOS ID parsing in every form the sources use."""

from __future__ import annotations

import csv

import pytest

from ld.model.identifiers import (
    orcid_hyphenated,
    parse_doi,
    parse_ethos_id,
    parse_isni,
    parse_orcid,  # fmt: skip
)

from .conftest import FIXTURES

VECTORS = list(csv.DictReader((FIXTURES / "isni_test_vectors.tsv").read_text("utf-8").splitlines(), delimiter="\t"))


@pytest.mark.parametrize("vector", VECTORS, ids=[v["value_as_found"] for v in VECTORS])
def test_real_isni_values_are_valid(vector: dict) -> None:
    parsed = parse_isni(vector["value_as_found"])
    assert parsed.valid is (vector["mod11-2_check"] == "valid")
    assert len(parsed.compact) == 16


@pytest.mark.parametrize("form", [
    "0000 0001 2166 2407", "0000000121662407", "https://isni.org/isni/0000000121662407",
    "http://isni.org/isni/0000000121662407", "0000-0001-2166-2407", "  isni.org/isni/0000000121662407/ ",
])  # fmt: skip
def test_isni_any_form(form: str) -> None:
    assert parse_isni(form).compact == "0000000121662407" and parse_isni(form).valid


@pytest.mark.parametrize("bad", ["0000000121662408", "000000012166240", "0000 0001 2166 24O7", "x"])
def test_isni_bad_check_or_shape_is_not_valid_but_not_an_error(bad: str) -> None:
    assert parse_isni(bad).valid is False


@pytest.mark.parametrize("form", ["0000-0002-1694-233X", "000000021694233x", "https://orcid.org/0000-0002-1694-233X",
                                  "http://orcid.org/0000-0002-1694-233X"])  # fmt: skip
def test_orcid_any_form(form: str) -> None:
    parsed = parse_orcid(form)
    assert parsed.valid and orcid_hyphenated(parsed.compact) == "0000-0002-1694-233X"


def test_orcid_bad_check() -> None:
    assert not parse_orcid("0000-0002-1694-2330").valid


@pytest.mark.parametrize(("given", "doi"), [
    ("https://doi.org/10.7488/era/1024", "10.7488/era/1024"), ("10.7488/era/1024", "10.7488/era/1024"),
    ("doi:10.1000/xyz.", "10.1000/xyz"), ("http://dx.doi.org/10.1000/a%2Fb", "10.1000/a/b"), ("not a doi", None),
])  # fmt: skip
def test_doi(given: str, doi: str | None) -> None:
    assert parse_doi(given) == doi


@pytest.mark.parametrize(("given", "ethos"), [
    ("https://ethos.bl.uk/OrderDetails.do?uin=uk.bl.ethos.232781", "uk.bl.ethos.232781"),
    ("http://ethos.bl.uk/OrderDetails.do?did=1&uin=uk.bl.ethos.42", "uk.bl.ethos.42"),
    ("uk.bl.ethos.232781", "uk.bl.ethos.232781"),
    ("https://ethos.bl.uk/OrderDetails.do?uin=uk.bl.ethos.12a", "uk.bl.ethos.12a"),  # kept for validation to report
])  # fmt: skip
def test_ethos_id(given: str, ethos: str) -> None:
    assert parse_ethos_id(given) == ethos
