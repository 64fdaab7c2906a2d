"""The rendered site's negotiation (njs, negotiate.js) chooses what the app (werkzeug) chooses,
for the Accept headers of real clients and for generated ones: q-values valid and invalid,
wildcards, parameters, quoted strings, odd spacing, empty items and junk."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from ld.web.negotiation import negotiate
from ld.web.static_site import negotiation_script

from .test_web_serving import ACCEPT_TABLE


def app_choice(accept: str) -> str:
    found = negotiate(Request(EnvironBuilder(headers={"Accept": accept}).get_environ()))
    return found.suffix if found else ""


def njs_choices(headers: list[str], tmp: Path) -> list[str]:
    script = tmp / "negotiate.js"
    script.write_text(negotiation_script(tmp), "utf-8")
    run = subprocess.run(["node", str(Path(__file__).with_name("negotiate_many.js")), str(script)],
                         input=json.dumps(headers), capture_output=True, text=True, timeout=60)  # fmt: skip
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


TYPES = ["text/turtle", "application/ld+json", "application/n-triples", "application/rdf+xml", "text/html",
         "application/xhtml+xml", "text/*", "application/*", "*/*", "*/turtle", "image/png", "application/json",
         "TEXT/Turtle", "text", "", "text/html/extra"]  # fmt: skip
Q = ["1", "0", "0.5", "0.001", "1.0", "0.8", "2", "-1", "x", "", "0.50", "1.000", " 0.3"]
PARAMS = ["", ";q={q}", "; q={q}", ";Q={q}", ";level=1", ';profile="a,b"', ";charset=utf-8;q={q}", ";q={q};x=y",
          ";;q={q}", ";=x", ';q="{q}"', ";q={q};q={q}"]  # fmt: skip


@st.composite
def accept_headers(draw: st.DrawFn) -> str:
    items = []
    for _ in range(draw(st.integers(1, 6))):
        media = draw(st.sampled_from(TYPES))
        param = draw(st.sampled_from(PARAMS)).format(q=draw(st.sampled_from(Q)))
        space = draw(st.sampled_from(["", " ", "\t", "  "]))
        items.append(space + media + param)
    return draw(st.sampled_from([",", ", ", " ,"])).join(items)


def test_real_clients_get_what_the_app_gives_them(tmp_path: Path) -> None:
    headers = [accept for _, accept, _, _ in ACCEPT_TABLE if accept is not None]
    assert njs_choices(headers, tmp_path) == [app_choice(h) for h in headers]


@settings(max_examples=100, deadline=None)
@given(st.lists(accept_headers(), min_size=20, max_size=20))
def test_generated_accept_headers_are_negotiated_alike(tmp_path_factory, headers: list[str]) -> None:  # type: ignore[no-untyped-def]
    tmp = tmp_path_factory.mktemp("njs")
    assert njs_choices(headers, tmp) == [app_choice(h) for h in headers], headers
