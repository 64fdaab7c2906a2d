"""Every input parsed, never trusted (issue 10, finding 4): numbers and dates in ASCII digits
within documented bounds, OAI resumption tokens held to a schema, malformed chunked bodies
a 400 (or, through the documented front, never passed on), and every route driven with
generated query strings and headers without a 5xx."""

from __future__ import annotations

import base64
import json
import logging
import re
import socket
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from urllib.parse import quote, urlencode

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from ld.config import Settings, load_settings
from ld.pipeline.ingest import ingest
from ld.store.dumps import dump

from .conftest import BASE, CSV_SAMPLE, TEXT_SAMPLE
from .servers import nginx_front, serving_samples

OAI = "{http://www.openarchives.org/OAI/2.0/}"
SUPERSCRIPT, ARABIC_INDIC = "\u00b2", "\u0663"  # '²' and '٣': str.isdigit() and \d take both


@pytest.fixture(scope="module")
def site_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """One store with both real samples and its dumps, shared by this module's read-only tests."""
    store = tmp_path_factory.mktemp("hostile") / "store"
    settings = load_settings({"store": store, "base": BASE, "jobs": 1}, environ={})
    assert ingest(settings, [TEXT_SAMPLE, CSV_SAMPLE], progress=False).published == 2
    dump(settings)
    return settings


@pytest.fixture(scope="module")
def app(site_settings: Settings) -> Flask:
    from ld.web import create_app

    return create_app(site_settings)


@pytest.fixture(scope="module")
def web(app: Flask) -> FlaskClient:
    return app.test_client()


NUMBERS = [f"page={SUPERSCRIPT}", f"page={ARABIC_INDIC}", "page=1" + SUPERSCRIPT, "page=0", "page=-1", "page=+1",
           "page= 1", "page=1%0A", "page=1e3", "page=0x10", "page=", "page=" + "9" * 5000]  # fmt: skip


@pytest.mark.parametrize("path", ["/changes", "/search", "/search.json", "/search.jsonld",
                                  "/doc/org/isni/0000000121662407", "/doc/concept/ddc/300.ttl"])  # fmt: skip
@pytest.mark.parametrize("query", NUMBERS)
def test_page_numbers_are_ascii_digits_in_range(web: FlaskClient, path: str, query: str) -> None:
    response = web.get(f"{path}?{query}")
    assert response.status_code == 400, response.data
    assert b"whole number" in response.data


@pytest.mark.parametrize("query", [f"size={ARABIC_INDIC}", f"size=1{SUPERSCRIPT}", "size=101", "size=0"])
def test_search_size_is_ascii_digits_in_range(web: FlaskClient, query: str) -> None:
    assert web.get(f"/search.json?{query}").status_code == 400


def test_good_numbers_still_work(web: FlaskClient) -> None:
    assert web.get("/changes?page=1").status_code == 200
    assert web.get("/search.json?page=1&size=100").status_code == 200
    assert web.get("/doc/org/isni/0000000121662407.ttl?page=1").status_code == 200
    assert web.get("/sitemap-1.xml").status_code == 200


@pytest.mark.parametrize("page", ["184467440737096", "184467440737097", "9223372036854775808", "99999999999", "0",
                                  ARABIC_INDIC, SUPERSCRIPT, "1" + ARABIC_INDIC, "2"])  # fmt: skip
def test_sitemap_pages_beyond_the_data_are_404(web: FlaskClient, page: str) -> None:
    assert web.get(f"/sitemap-{quote(page)}.xml").status_code == 404


def oai(web: FlaskClient, **params: str) -> ET.Element:
    response = web.get("/oai", query_string=params)
    assert response.status_code == 200 and response.mimetype == "text/xml", response.data
    return ET.fromstring(response.data)


def oai_error(root: ET.Element) -> str | None:
    error = root.find(f"{OAI}error")
    return error.get("code") if error is not None else None


@pytest.mark.parametrize("date", ["\u0662\u0660\u0662\u0661-01-01", "2021-\u0660\u0661-01", "２０２１-01-01",
                                  "2021-01-01\n", "2021-01-01T00:00:00Z\n", "2021-01-01T00:00:0\u0661Z"])  # fmt: skip
@pytest.mark.parametrize("argument", ["from", "until"])
def test_oai_dates_are_ascii_digits(web: FlaskClient, date: str, argument: str) -> None:
    root = oai(web, verb="ListRecords", metadataPrefix="oai_dc", **{argument: date})
    assert oai_error(root) == "badArgument"


def test_oai_good_dates_still_work(web: FlaskClient) -> None:
    assert oai_error(oai(web, verb="ListIdentifiers", metadataPrefix="oai_dc", **{"from": "2000-01-01"})) is None
    assert oai_error(oai(web, verb="ListIdentifiers", metadataPrefix="oai_dc", until="2999-12-31T23:59:59Z")) is None


def token(value: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


def raw_token(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


GOOD = {"p": "oai_dc", "s": None, "f": None, "u": None, "k": ""}
TOKENS = {
    "deeply nested": raw_token("[" * 100_000 + "]" * 100_000),
    "nested under the length limit": raw_token("[" * 600 + "]" * 600),
    "huge integer key": token({**GOOD, "k": 10**30}),
    "integer key": token({**GOOD, "k": 5}),
    "list key": token({**GOOD, "k": [1]}),
    "list set": token({**GOOD, "s": ["a"]}),
    "list prefix": token({**GOOD, "p": ["oai_dc"]}),
    "object from": token({**GOOD, "f": {"a": 1}}),
    "from not a time": token({**GOOD, "f": "zzz"}),
    "float until": token({**GOOD, "u": 1e308}),
    "missing field": token({k: v for k, v in GOOD.items() if k != "k"}),
    "extra field": token({**GOOD, "x": 1}),
    "a list": token([GOOD]),
    "a number": token(10**30),
    "huge digits": raw_token("1" * 5000),
    "not UTF-8": base64.urlsafe_b64encode(b"\xff\xfe{").decode(),
    "not ASCII": "\u0663\u0663\u0663\u0663",
    "long key": token({**GOOD, "k": "x" * 10_000}),
}


@pytest.mark.parametrize("text", TOKENS.values(), ids=TOKENS.keys())
def test_resumption_tokens_are_held_to_their_schema(web: FlaskClient, caplog, text: str) -> None:  # type: ignore[no-untyped-def]
    with caplog.at_level(logging.WARNING):
        root = oai(web, verb="ListRecords", resumptionToken=text)
    assert oai_error(root) == "badResumptionToken"
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], "a client's junk is no operator alarm"


def test_a_token_the_server_wrote_still_pages(web: FlaskClient) -> None:
    root = oai(web, verb="ListIdentifiers", resumptionToken=token({**GOOD, "k": "a"}))
    assert oai_error(root) is None and len(root.findall(f".//{OAI}header")) == 2


def test_token_schema_survives_python_optimisation() -> None:
    """`python -O` strips assert statements: validation must not rest on them."""
    script = (
        "from ld.web.oai import _token, OaiError\n"
        f"for text in {[token({'x': 1}), token({**GOOD, 'p': 'marc21'}), token([1])]!r}:\n"
        "    try:\n        _token(text)\n    except OaiError as exc:\n        assert exc.code == 'badResumptionToken'\n"
        "    else:\n        raise SystemExit('accepted ' + text)\n"
    )
    done = subprocess.run([sys.executable, "-O", "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


# Raw request bodies as a hostile client sends them: a chunk size that is not hex, a chunk
# without its CRLF, a body that ends before its last chunk.
BAD_BODIES = {
    "chunk size not hex": b"zz\r\n",
    "chunk size negative": b"-1\r\nabc\r\n0\r\n\r\n",
    "missing terminator": b"3\r\nabcXY0\r\n\r\n",
    "body ends early": b"10\r\nabc",
}
ROUTES = [("GET", "/doc/thesis/uk.bl.ethos.232781"), ("POST", "/oai"), ("POST", "/sparql"), ("GET", "/search"),
          ("GET", "/nowhere")]  # fmt: skip


def raw_request(host: str, port: int, method: str, path: str, body: bytes) -> bytes:
    head = (f"{method} {path} HTTP/1.1\r\nHost: {host}\r\nTransfer-Encoding: chunked\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\nConnection: close\r\n\r\n")  # fmt: skip
    with socket.create_connection((host, port), timeout=20) as connection:
        connection.sendall(head.encode() + body)
        connection.shutdown(socket.SHUT_WR)  # so a short body ends instead of waiting for the timeout
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    return answer


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[tuple[str, int], tuple[str, int]]]:
    """`ldpub serve` alone, and behind the documented nginx front."""
    root = tmp_path_factory.mktemp("chunked")
    with serving_samples(root / "store") as site, nginx_front(site, root / "nginx") as front:
        host, port = site.base.split("//")[1].rstrip("/").split(":")
        front_host, front_port = front.split("//")[1].rstrip("/").split(":")
        yield (host, int(port)), (front_host, int(front_port))


# What granian decodes of a chunked body is what the app reads: a body whose first chunk size
# is broken arrives empty (refused, 400), one broken after its first chunk arrives as that
# chunk, which the app cannot tell from a whole body.  The documented front reads bodies
# whole: it refuses a broken one with 400, and drops one its client stopped sending.
EMPTY_TO_THE_APP = {"chunk size not hex", "chunk size negative"}


@pytest.mark.slow
@pytest.mark.parametrize(("method", "path"), ROUTES)
@pytest.mark.parametrize("body", BAD_BODIES.values(), ids=BAD_BODIES.keys())
def test_malformed_chunked_bodies_are_400(sites, method: str, path: str, body: bytes) -> None:  # type: ignore[no-untyped-def]
    direct, front = sites
    name = next(n for n, b in BAD_BODIES.items() if b == body)
    for host, port in [front] + ([direct] if name in EMPTY_TO_THE_APP else []):
        answer = raw_request(host, port, method, path, body)
        if name == "body ends early" and (host, port) == front:
            assert answer == b""  # nginx drops the request whose client stopped sending: nothing passed on
            continue
        status_line = answer.split(b"\r\n", 1)[0]
        assert status_line.startswith(b"HTTP/1.1 400"), (port, answer[:300])


# The property: any route, any query string, any request headers: never a 5xx.  Values are drawn
# mostly for what each route reads (its path variables and parameters, plausible and hostile),
# the rest at random, so that the handlers are reached and not just the first check.
KEYS = ["uk.bl.ethos.232781", "tcd3dc49c1347f397b166", "uk.bl.ethos.1"]
PLAUSIBLE = {
    "key": KEYS,
    "name": [f"{k}.{s}" for k in KEYS for s in ("ttl", "jsonld", "nt", "rdf", "html", "xml")]
    + ["ldpub.nt.gz", "ldpub.nq.gz", "SHA256SUMS", "dcat.ttl", "index.ttl", "index"],
    "person": ["author", "supervisor/1", "supervisor/999"],
    "rest": ["isni/0000000121662407", "isni/0000000121662407.jsonld", "name/university-of-nowhere", "ddc/300.html",
             "discipline/physical-sciences", "orcid/0000-0002-1825-0097", "isni/0000000136122593.rdf"],
    "ext": ["ttl", "jsonld", "nt", "rdf", "html", "json"],
    "page": ["1", "2", "50000", "184467440737097"],  # the last: (page - 1) * 50,000 overflowed SQLite
    "filename": ["style.css", "../../etc/passwd"],
}  # fmt: skip
SHARED = ["org/isni/0000000121662407", "org/isni/0000000121662407.jsonld", "person/isni/0000000136122593.rdf",
          "concept/ddc/300.html", "concept/discipline/physical-sciences", "degree/phd", "org/name/nowhere"]  # fmt: skip
WHOLE_PATHS = {  # paths of resources that exist (or could), where a route does its real work
    "/doc/<any(person, org, degree, concept):kind>/<path:rest>": [f"/doc/{p}" for p in SHARED],
    "/id/<any(person, org, degree, concept):kind>/<path:rest>": [f"/id/{p}" for p in SHARED],
}  # fmt: skip
HOSTILE = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["", ".", "..", "%00", "\x00", SUPERSCRIPT, ARABIC_INDIC, "9" * 30, "a" * 2000, "x.ttl.ttl", "}",
                     ">", "INSERT", "<script>", "\ufeff", "\xff"]),
)  # fmt: skip
NUMBERS_SENT = st.sampled_from(["1", "2", "100", "1000", "0", "-1", "101", "1001", "9" * 20, "1.5", "", " 1",
                                SUPERSCRIPT, ARABIC_INDIC, "1" + SUPERSCRIPT, "\u0661\u0662", "\uff19"])  # fmt: skip
DATES = st.sampled_from(["2021-01-01", "2021-01-01T00:00:00Z", "2021-02-30", "\u0662\u0660\u0662\u0661-01-01",
                         "0000-00-00", "9999-12-31T23:59:59Z", "2021-01-01T25:00:00Z", "2021",
                         "2021-01-01\n"])  # fmt: skip
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.integers(min_value=2**63) | st.floats() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from("psfukx"), inner, max_size=6),
    max_leaves=12,
)  # fmt: skip
TOKENS_SENT = st.one_of(
    JSON.map(token),
    st.fixed_dictionaries({name: st.just(value) | JSON for name, value in GOOD.items()}).map(token),
    st.sampled_from(list(TOKENS.values())),
    st.text(max_size=40),
)
OAI_VERBS = ["Identify", "ListRecords", "ListIdentifiers", "ListSets", "GetRecord", "ListMetadataFormats", "x"]
VALUES_SENT = {
    "page": NUMBERS_SENT, "size": NUMBERS_SENT, "from": DATES, "until": DATES, "resumptionToken": TOKENS_SENT,
    "verb": st.sampled_from(OAI_VERBS), "metadataPrefix": st.sampled_from(["oai_dc", "uketd_dc", "rdf", "marc21", ""]),
    "identifier": st.sampled_from(["oai:127.0.0.1:uk.bl.ethos.232781", "oai:127.0.0.1:", "oai:x:y", "oai:\xff"]),
    "set": st.sampled_from(["isni-0000000121662407", "name-x", ""]),
    "sort": st.sampled_from(["relevance", "newest", "oldest", "x"]),
    "year": st.sampled_from(["1989", "2019", "\u0661\u0669\u0668\u0669", "99999999999999999999", "-1"]),
    "decade": st.sampled_from(["1980", "1980s", SUPERSCRIPT, "0"]),
    "ddc": st.sampled_from(["300", "3", "999.999", "\u0663\u0660\u0660"]),
    "institution": st.sampled_from(["University of Manchester", "isni-0000000121662407", ""]),
    "q": st.sampled_from(['"unbalanced', "glaci*", "NEAR(a b)", "a OR b", "*", "^", "muller", "\x00", "a" * 600]),
    "default-graph-uri": st.sampled_from([f"{BASE}doc/thesis/uk.bl.ethos.232781", "http://x/", "<>"]),
}  # fmt: skip
# Which parameters each route reads (the rest of a query string is drawn from every name).
SEARCH = ["q", "page", "size", "sort", "institution", "year", "decade", "ddc", "degree", "discipline"]
READS = {"/changes": ["page"], "/search": SEARCH, "/search.json": SEARCH, "/search.jsonld": SEARCH,
         "/doc/<any(person, org, degree, concept):kind>/<path:rest>": ["page"], "/sparql": ["default-graph-uri"],
         "/oai": ["verb", "metadataPrefix", "from", "until", "set", "identifier", "resumptionToken"]}  # fmt: skip
# No `query`: generated SPARQL would start query processes by the thousand; tests/test_sparql.py covers /sparql's.
NAMES = sorted(VALUES_SENT) + ["degree", "discipline", "named-graph-uri", "format"]
LATIN1 = st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFF, blacklist_characters="\x7f"), max_size=60)
HEADER_VALUES = {
    "Accept": ["text/turtle", "text/html", "*/*", "application/json", "text/html;q=0", "*/*;q=0", "a/b;q=x", ";;,,",
               "application/ld+json;profile=x", "text/*;q=0.5, */*;q=1e9"],
    "If-None-Match": ["*", '"abc"', 'W/"abc"', '"', "abc", '"a", "b"'],
    "If-Modified-Since": ["Thu, 01 Jan 1970 00:00:00 GMT", "Fri, 31 Dec 9999 23:59:59 GMT", "0", "-1",
                          "Mon, 32 Foo 99999 99:99:99 GMT", "Sun, 06 Nov 1994 08:49:37 GMT"],
    "If-Range": ['"abc"', "Thu, 01 Jan 1970 00:00:00 GMT", "x"],
    "Range": ["bytes=0-1", "bytes=0-1,5-6", "items=0-5", "bytes=-0", "bytes=99999999999999999999-", "bytes=5-1",
              "bytes=0-", "bytes=\u00b2-3", "bytes=", "bytes"],
    "Accept-Language": ["en", "*;q=x"], "Accept-Encoding": ["gzip", "br;q=0"], "Origin": ["null", "http://x"],
    "Content-Type": ["application/x-www-form-urlencoded", "application/sparql-query", "multipart/form-data",
                     "text/plain;charset=x"],
}  # fmt: skip
HEADERS = st.dictionaries(st.sampled_from(sorted(HEADER_VALUES)), LATIN1, max_size=4).flatmap(
    lambda random: st.fixed_dictionaries({}, optional={k: st.sampled_from(v) for k, v in HEADER_VALUES.items()}).map(
        lambda chosen: {**random, **chosen}))  # fmt: skip


def pairs(names: list[str]) -> st.SearchStrategy[list[tuple[str, str]]]:
    """Query parameters drawn from names, each value plausible, hostile, or any text."""
    value = lambda n: st.one_of(VALUES_SENT.get(n, st.nothing()), st.text(max_size=30))  # noqa: E731
    return st.lists(st.sampled_from(names).flatmap(lambda n: st.tuples(st.just(n), value(n))), max_size=6)


def query_for(rule_text: str) -> st.SearchStrategy[list[tuple[str, str]]]:
    anything = st.lists(st.tuples(st.text(max_size=10), st.text(max_size=10)), max_size=3)
    own = READS.get(rule_text)
    if rule_text == "/oai":  # a verb, then a token alone or other arguments, so that the handlers are reached
        lists, verbs = st.sampled_from(["ListRecords", "ListIdentifiers"]), st.sampled_from(OAI_VERBS)
        own_pairs = st.one_of(
            st.tuples(lists, TOKENS_SENT).map(lambda t: [("verb", t[0]), ("resumptionToken", t[1])]),
            st.tuples(verbs, pairs(own[1:])).map(lambda t: [("verb", t[0]), *t[1]]),
        )
    else:
        own_pairs = pairs(own) if own else anything
    return st.one_of(own_pairs, own_pairs, pairs(NAMES), anything)


_VARIABLE = re.compile(r"<(?:(\w+)(?:\(([^)]*)\))?:)?(\w+)>")  # <name>, <path:rest>, <any(a, b):kind>


def variables(rule_text: str) -> dict[str, st.SearchStrategy[str]]:
    """Each path variable of a rule: its plausible values (an any() converter's own) or hostile ones."""
    found = {}
    for converter, args, name in _VARIABLE.findall(rule_text):
        plausible = [a.strip() for a in args.split(",")] if converter == "any" else PLAUSIBLE.get(name, ["x"])
        found[name] = st.one_of(st.sampled_from(plausible), HOSTILE)
    return found


def path_for(rule_text: str, values: dict[str, str]) -> str:
    """The rule with each variable replaced by its value, percent-encoded."""
    return _VARIABLE.sub(lambda m: quote(values[m.group(3)], safe="/"), rule_text)


def rules(app_: Flask) -> list:
    return sorted(app_.url_map.iter_rules(), key=lambda r: r.rule)


def _all_rules() -> list[str]:
    from ld.web import create_app

    return [r.rule for r in rules(create_app(load_settings({"store": "unused"}, environ={})))]


@pytest.mark.parametrize("rule_text", _all_rules())
def test_no_route_answers_5xx_whatever_it_is_sent(app: Flask, web: FlaskClient, rule_text: str) -> None:
    (rule,) = [r for r in rules(app) if r.rule == rule_text]
    methods, queries, path_values = sorted(rule.methods), query_for(rule_text), variables(rule_text)
    assert set(path_values) == set(rule.arguments)
    examples = 150 if rule_text in READS else 40  # the routes that read parameters get the most

    @hsettings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(data=st.data())
    def probe(data: st.DataObject) -> None:
        if rule_text in WHOLE_PATHS and data.draw(st.booleans(), label="an existing resource"):
            path = data.draw(st.sampled_from(WHOLE_PATHS[rule_text]), label="path")
        else:
            path = path_for(rule_text, {name: data.draw(values, label=name) for name, values in path_values.items()})
        query = urlencode(data.draw(queries, label="query"))
        if data.draw(st.booleans(), label="raw junk in the query"):
            query += "&" + data.draw(st.sampled_from(["%zz", "%ff%fe", "page=%b2", "a=%00", "&&==", "%"]))
        method = data.draw(st.sampled_from(methods), label="method")
        headers = data.draw(HEADERS, label="headers")
        body = urlencode(data.draw(queries, label="body")) if method == "POST" else None
        with web.open(path, method=method, query_string=query, headers=headers, data=body) as response:
            assert response.status_code < 500, (method, path, query, headers, response.status_code, response.data[:500])

    probe()
