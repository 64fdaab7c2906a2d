"""The URI scheme in ld/uris.py: what is minted reads back to what it was minted from."""

from __future__ import annotations

import pytest

from ld import uris

BASE = "https://theses.example.org/"
KEYS = ["uk.bl.ethos.232781", "uk.bl.ethos.1", "t" + "0123456789abcdef0123"]


@pytest.mark.parametrize("key", KEYS)
def test_key_round_trips_through_every_iri_and_path(key: str) -> None:
    for made in (uris.thesis_iri(BASE, key), uris.document_iri(BASE, key), uris.thesis_path(key),
                 uris.document_path(key)):  # fmt: skip
        assert uris.key_of(made) == key
    assert uris.document_key(BASE, uris.document_iri(BASE, key)) == key
    assert uris.key_of_oai_identifier(BASE, uris.oai_identifier(BASE, key)) == key
    assert uris.is_key(key)


def test_shapes_are_the_published_ones() -> None:
    key = "uk.bl.ethos.232781"
    assert uris.thesis_iri(BASE, key) == f"{BASE}id/thesis/{key}"
    assert uris.document_iri(BASE, key) == f"{BASE}doc/thesis/{key}"
    assert uris.thesis_path(key) == f"/id/thesis/{key}"
    assert uris.document_path(key) == f"/doc/thesis/{key}"
    assert uris.oai_identifier(BASE, key) == f"oai:theses.example.org:{key}"
    assert uris.uri_space(BASE) == f"{BASE}id/"


def test_only_record_graphs_have_a_key() -> None:
    assert uris.document_key(BASE, uris.thesis_iri(BASE, KEYS[0])) is None
    assert uris.document_key(BASE, f"{BASE}doc/person/isni/0000000121032683") is None
    assert uris.document_key("https://elsewhere.example/", uris.document_iri(BASE, KEYS[0])) is None
    assert uris.key_of_oai_identifier(BASE, f"oai:elsewhere.example:{KEYS[0]}") is None


def test_digest_keys_are_keys() -> None:
    key = uris.digest_key(["a n author", "a title", "1999", "university of somewhere"])
    assert key == uris.digest_key(["a n author", "a title", "1999", "university of somewhere"])
    assert len(key) == 1 + uris.DIGEST_LENGTH and uris.is_key(key)


@pytest.mark.parametrize("text", [
    "uk.bl.ethos." + "1" * (uris.MAX_ETHOS_DIGITS + 1),  # too long
    "uk.bl.ethos.", "uk.bl.ethos.12a", "UK.BL.ETHOS.1", "uk-bl-ethos-1", "uk.bl.ethos.1\n", " uk.bl.ethos.1",
    "t0123", "t" + "0" * 21, "T0123456789abcdef0123", "t0123456789ABCDEF0123", "", "../etc/passwd",
])  # fmt: skip
def test_malformed_keys_are_refused(text: str) -> None:
    assert not uris.is_key(text)


def test_longest_key_is_allowed() -> None:
    longest = "uk.bl.ethos." + "9" * uris.MAX_ETHOS_DIGITS
    assert len(longest) == uris.MAX_KEY_LENGTH and uris.is_key(longest)


@pytest.mark.parametrize("scheme, ident", [("isni", "000000012146438X"), ("name", "university-of-north-london")])
def test_oai_set_round_trips_to_the_awarding_body(scheme: str, ident: str) -> None:
    org = uris.org_iri(BASE, scheme, ident)
    spec = uris.oai_set(org)
    assert spec == f"{scheme}-{ident}" and ":" not in spec
    assert uris.institution_of_set(BASE, spec) == org


def test_record_scoped_people_belong_to_their_thesis() -> None:
    thesis = uris.thesis_iri(BASE, KEYS[0])
    for person in (uris.author_iri(thesis), uris.supervisor_iri(thesis, 2)):
        assert uris.thesis_of(person) == thesis
        assert uris.is_scoped_person(person[len(thesis) + 1 :])
    assert uris.thesis_of(thesis) == thesis
    assert uris.thesis_of(uris.person_iri(BASE, "isni", "000000012146438X")) is None
    assert not uris.is_scoped_person("supervisor/1000") and not uris.is_scoped_person("editor")


def test_shared_paths_mirror_what_mapping_mints() -> None:
    slug = "a" * uris.MAX_SLUG_LENGTH
    for iri in (uris.person_iri(BASE, "orcid", "0000-0002-1694-233X"), uris.org_iri(BASE, "name", slug),
                uris.degree_iri(BASE, "professional-doctorate"), uris.concept_iri(BASE, "ddc", "530.1")):  # fmt: skip
        assert uris.is_shared_path(iri[len(uris.uri_space(BASE)) :])
    assert not uris.is_shared_path(f"org/name/{slug}a")


def test_names_of_terms() -> None:
    assert uris.local_name("http://www.w3.org/2004/02/skos/core#prefLabel") == "prefLabel"
    assert uris.local_name("http://purl.org/dc/terms/title") == "title"
    assert uris.last_segment("http://id.loc.gov/vocabulary/iso639-2/eng") == "eng"
